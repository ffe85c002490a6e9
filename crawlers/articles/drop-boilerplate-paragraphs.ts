const WORD = /[\p{L}\p{N}]+/gu;

/** Words that make up datelines: months (en, es, pt, it, fr, de abbreviations), weekdays, zones, verbs. */
const DATE_WORDS = new Set(
  (
    'jan january feb february mar march apr april may jun june jul july aug august sep sept september oct october ' +
    'nov november dec december ene enero fev fevereiro febrero marzo abril mayo maio junio junho julio julho agosto ' +
    'set septiembre setembro octubre outubro noviembre novembro diciembre dezembro gen gennaio febbraio aprile ' +
    'maggio giugno luglio ago settembre ottobre novembre dicembre janvier fevrier février mars avril mai juin ' +
    'juillet aout août septembre octobre decembre décembre januar februar märz juni juli oktober dezember ' +
    'mon monday tue tues tuesday wed wednesday thu thur thurs thursday fri friday sat saturday sun sunday ' +
    'am pm a m p utc gmt est edt cst cdt mst mdt pst pdt bst cet cest ist jst aest amt msk ' +
    'published updated posted last modified on at today yesterday ago min mins minute minutes hour hours hr hrs ' +
    'day days st nd rd th de of the um em el le'
  ).split(' '),
);

const MONTHS = new Set(
  [...DATE_WORDS]
    .slice(0, [...DATE_WORDS].indexOf('mon'))
    .filter((w) => !['mar', 'may', 'set', 'gen', 'mai'].includes(w)),
);

const SOCIAL_WORDS = new Set(
  (
    'share shares sharing tweet email e mail whatsapp facebook twitter x pinterest pint pin linkedin reddit ' +
    'print baixar download copy link comments comment messenger telegram flipboard tumblr more save'
  ).split(' '),
);

const CREDIT =
  /^[([]?\s*(?:©|ⓒ|\(c\)|copyright\b|image copyright|image caption|credit(?:s)?\b|photo(?:graph)?s?\s*(?:credit)?\s*:|image\s*:|picture\s*:|source\s*:|credit\.\.\.)/i;
const INLINE_LINK =
  /^[([]?\s*(?:related|read more|read also|also read|see also|more|leggi anche(?: su)?|lea también|leia também|also on [\w.]+)\s*:/i;
const PROMO =
  /^(?:subscribe\b|sign up\b|sign in\b|follow (?:us|[\w.]+) on\b|click here to (?:get|download) the [\w\s]+ app\b|get the [\w\s]+ app\b|download the [\w\s]+ app\b|like this (?:story|article)\b|share this (?:story|article|post|page)\b|listen to\b|want more\b|make [\w\s]+ my homepage)/i;
const SECTION_END =
  /^(?:more great [\w\s]+ stories|related(?: articles| stories| news| posts| coverage| content| reading)?|you may also like|you might also like|trending(?: now| stories)?|recent (?:articles|posts|stories)|popular(?: this week| now| stories)?|most (?:popular|read|viewed)|latest(?: news| stories)?|read more|more from [\w\s]+|more stories|more|about the author|recommended(?: for you| stories| articles)?|further reading|want more stories like this\??|highlights)\s*:?$/i;

function wordsOf(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

function isDateline(words: string[], text: string): boolean {
  if (text.length > 100 || !/\d/.test(text)) return false;
  // A bare time ("4:14 p.m.") is a live-blog entry label, a score line is data: both need a date.
  const dated =
    words.some((w) => MONTHS.has(w)) || /\b(?:19|20)\d\d\b|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b/.test(text);
  if (!dated) return false;
  const rest = words.filter((w) => !DATE_WORDS.has(w) && !/^\d+(?:st|nd|rd|th)?$/.test(w));
  return rest.length <= (/^(?:by|posted|published|updated)\b/i.test(text) ? 4 : 1);
}

function isByline(words: string[], text: string): boolean {
  return (
    /^by\b/i.test(text) &&
    (words.length === 1 || (words.length <= 8 && text.length <= 80 && !/[.!?]$/.test(text)))
  );
}

function isFurniture(text: string): boolean {
  const words = wordsOf(text);
  if (words.length === 0) return false;
  if (/^https?:\/\/\S+$/.test(text)) return true;
  if (/^(?:image\s+)?\d+\s+(?:of\s+)?\d+$/i.test(text)) return true;
  if (words.every((w) => SOCIAL_WORDS.has(w))) return true;
  if (isDateline(words, text) || isByline(words, text)) return true;
  if (text.length <= 200 && (CREDIT.test(text) || INLINE_LINK.test(text))) return true;
  if (text.length <= 160 && PROMO.test(text)) return true;
  return false;
}

/**
 * Drops boilerplate paragraphs that survive DOM cleaning: datelines, bylines, photo credits,
 * "Related: …" teasers, share rows, subscribe/follow prompts, bare URLs, and a repeat of the title.
 * A short "More stories" / "You may also like" style heading in the last half of the text ends the
 * article: it and everything after it are dropped. Pure; returns a new array.
 */
export function dropBoilerplateParagraphs(paragraphs: string[], title: string | null): string[] {
  const total = paragraphs.reduce((n, p) => n + p.length, 0);
  const titleWords = title ? wordsOf(title).join(' ') : null;
  const out: string[] = [];
  let seen = 0;
  for (const [i, para] of paragraphs.entries()) {
    const text = para.trim();
    const position = seen / Math.max(1, total);
    seen += para.length;
    if (text.length <= 60 && SECTION_END.test(text)) {
      if (position >= 0.5) break;
      continue;
    }
    if (i < 3 && titleWords && wordsOf(text).join(' ') === titleWords) continue;
    if (isFurniture(text)) continue;
    out.push(para);
  }
  return out;
}
