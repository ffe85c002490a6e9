const COMBINING_MARKS = /[\u0300-\u036f]/g;
const NON_KEY = /[^\p{L}\p{N}]+/gu;

/** Removes diacritics so "sérum" and "serum" aggregate together. */
export function foldAccents(word: string): string {
  return word.normalize('NFD').replace(COMBINING_MARKS, '');
}

/**
 * Folds plurals only (en/es/pt: "serums" → "serum", "brushes" → "brush", "berries" → "berry",
 * "luces" stays "luce"). Deliberately lighter than Porter: the key must stay stable for brand names
 * and product words, and a hashtag ("#glassskins") stems the same way as its last word.
 */
export function stemWord(word: string): string {
  const n = word.length;
  if (n <= 3 || word.charCodeAt(n - 1) !== 115 /* s */) return word;
  if (word.endsWith('ss') || word.endsWith('us') || word.endsWith('is')) return word;
  if (n > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (n > 4 && /(?:sh|ch|x|z|ss)es$/.test(word)) return word.slice(0, -2);
  return word.slice(0, -1);
}

/** Key of one already lowercased, accent-folded word. */
export function wordKey(word: string): string {
  return stemWord(word);
}

/**
 * The aggregation key of a term's display form: lowercase, accent-folded, plural-folded words
 * concatenated without spaces, so the phrase "Glass Skin" and the hashtag "#glassskin" share
 * the key `glassskin`. Never throws; an input with no letters or digits gives "".
 */
export function termKey(display: string): string {
  const words = foldAccents(display.toLowerCase()).split(NON_KEY);
  let key = '';
  for (const w of words) if (w.length > 0) key += wordKey(w);
  return key;
}

/**
 * What every text carrying `display`'s term key contains, in order, once lowercased, accent-folded and stripped of
 * spaces and punctuation: each word's key, less a final "y" (a plural "berries" keys as "berry"). A cheap prefilter
 * for a store to find a term's mentions (`LIKE '%glass%skin%'` finds "Glass Skin", "#GlassSkin", "glass-skins",
 * "glass skín"); the exact test stays the term key. Never throws; no letters or digits give [].
 */
export function termFragments(display: string): string[] {
  const out: string[] = [];
  // An apostrophe joins its word, as in term extraction ("l'oréal" → "loreal").
  for (const w of foldAccents(display.toLowerCase().replace(/['’]/g, '')).split(NON_KEY)) {
    if (w.length === 0) continue;
    const key = wordKey(w);
    const fragment = key.length > 1 && key.endsWith('y') ? key.slice(0, -1) : key;
    if (fragment.length > 0) out.push(fragment);
  }
  return out;
}
