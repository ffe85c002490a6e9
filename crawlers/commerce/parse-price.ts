import {
  type CurrencySign,
  ISO_CODES,
  LANGUAGE_CURRENCY,
  REGION_CURRENCY,
  STRONG_SIGNS,
  THREE_DECIMAL_ISO,
  WEAK_SIGNS,
  WORDLIKE_ISO,
} from './currencies.ts';

export interface PriceParseOptions {
  /** Text found near the price ("Price From £"); searched for a currency when `text` has none. */
  currencyHint?: string | null;
  /** Decimal separator known for this source ("," or "." or an odd one such as "€"). */
  decimalSeparator?: string | null;
  /** ISO 4217 code expected for the target; resolves `$`, `kr`, `¥` and fills in a missing currency. */
  currency?: string | null;
  /** BCP 47 locale of the page ("pt-BR"); breaks ties on separators and ambiguous symbols. */
  locale?: string | null;
  /**
   * The text is any element's text met while scanning a page, not one known to be a price. A
   * one-letter sign after the amount ("24K Gold", "1.5K reviews", "50G") is then read as a
   * multiplier, carat or unit, unless `currency` expects it.
   */
  scanning?: boolean;
}

/** A price read from text. `amount` is a decimal string without trailing zeros ("1299.9"). */
export interface ParsedPrice {
  amount: string | null;
  /** The currency exactly as written ("R$", "руб.", "EUR"). */
  currencyRaw: string | null;
  /** ISO 4217, resolved with the hints when the sign is ambiguous; null when we cannot tell. */
  currency: string | null;
  /** Upper end when the text is a range ("$45,000 - $70,000"); `amount` is the low end. */
  rangeHigh?: string | null;
}

interface SignHit {
  raw: string;
  index: number;
  end: number;
  iso: readonly string[];
}

const LETTER = '[\\p{L}\\p{M}]';
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Builds one alternation where signs that begin or end with a letter must not touch other letters. */
function signRegex(signs: readonly CurrencySign[], flags: string): RegExp {
  const alts = [...signs]
    .sort((a, b) => b.sign.length - a.sign.length)
    .map(({ sign }) => {
      const before = /^[\p{L}\p{M}]/u.test(sign) ? `(?<!${LETTER})` : '';
      const after = /[\p{L}\p{M}]$/u.test(sign) ? `(?!${LETTER})` : '';
      return `${before}${escapeRe(sign)}${after}`;
    });
  return new RegExp(alts.join('|'), `gu${flags}`);
}

const ISO_RE = new RegExp(
  `(?<!${LETTER})(?:${[...ISO_CODES].filter((c) => !WORDLIKE_ISO.has(c)).join('|')})(?!${LETTER})`,
  'gu',
);
const STRONG_CASED = STRONG_SIGNS.filter((s) => !s.anyCase);
const STRONG_ANYCASE = STRONG_SIGNS.filter((s) => s.anyCase);
const STRONG_CASED_RE = signRegex(STRONG_CASED, '');
const STRONG_ANYCASE_RE = signRegex(STRONG_ANYCASE, 'i');
const WEAK_RE = signRegex(WEAK_SIGNS, '');

function lookupSign(raw: string, table: readonly CurrencySign[]): readonly string[] {
  const exact = table.find((s) => s.sign === raw);
  if (exact) return exact.iso;
  const lower = raw.toLowerCase();
  return table.find((s) => s.anyCase && s.sign.toLowerCase() === lower)?.iso ?? [];
}

function firstMatch(re: RegExp, text: string): RegExpExecArray | null {
  re.lastIndex = 0;
  return re.exec(text);
}

/** Leftmost ISO code, else leftmost strong sign; null when the text names no currency. */
function findStrongSign(text: string): SignHit | null {
  const iso = firstMatch(ISO_RE, text);
  if (iso) return { raw: iso[0], index: iso.index, end: iso.index + iso[0].length, iso: [iso[0]] };
  const cased = firstMatch(STRONG_CASED_RE, text);
  const anyCase = firstMatch(STRONG_ANYCASE_RE, text);
  const best =
    cased && anyCase
      ? cased.index < anyCase.index || (cased.index === anyCase.index && cased[0].length >= anyCase[0].length)
        ? cased
        : anyCase
      : (cased ?? anyCase);
  if (!best) return null;
  return {
    raw: best[0],
    index: best.index,
    end: best.index + best[0].length,
    iso: lookupSign(best[0], STRONG_SIGNS),
  };
}

interface NumberToken {
  text: string;
  index: number;
  end: number;
}

/** Marks a caller-given odd decimal separator ("€" in "1250€ 60") so the tokenizer sees one char. */
const DEC_MARK = '\u0001';
const NUMBER_RE =
  /[.,]*\d+(?:(?:[.,]\s(?=\d{2}(?!\d))|[.,'’\u0001]|[ \u00a0\u202f\u2009](?=\d{3}(?!\d)))\d+)*/gu;

function tokenizeNumbers(text: string): NumberToken[] {
  const out: NumberToken[] = [];
  for (const m of text.matchAll(NUMBER_RE)) {
    // A space after a decimal part ("$2.00 100") ends the number rather than grouping thousands.
    const cut = /[.,\u0001]\d{1,2}(?=[ \u00a0\u202f\u2009]\d)/u.exec(m[0]);
    const body = cut ? m[0].slice(0, cut.index + cut[0].length) : m[0];
    out.push({ text: body, index: m.index, end: m.index + body.length });
  }
  return out;
}

const COMMA_DECIMAL_LANGS = new Set(
  'de fr es pt it nl ru pl cs sk sl hr sr bs mk bg ro hu fi sv da nb nn no is et lv lt uk be tr el id vi az ka kk uz'.split(
    ' ',
  ),
);

function localeDecimal(locale: string | null | undefined): string | null {
  if (!locale) return null;
  const lang = locale.toLowerCase().split(/[-_]/)[0];
  if (COMMA_DECIMAL_LANGS.has(lang)) return ',';
  if (/^(en|ja|zh|ko|he|th|hi|ms|tl|ar|fa|ur)$/.test(lang)) return '.';
  return null;
}

function finishDecimal(intDigits: string, fracDigits: string): string {
  const int = intDigits.replace(/^0+(?=\d)/, '') || '0';
  const frac = fracDigits.replace(/0+$/, '');
  return frac ? `${int}.${frac}` : int;
}

/**
 * Turns one number token into a decimal string, deciding which separator is the decimal one:
 * an explicit separator wins; with both "." and "," the later one is decimal; a lone separator
 * that repeats is for thousands; a lone separator followed by exactly three digits is for
 * thousands unless the integer part is 0, the currency has three decimals, or the locale says so.
 */
function normalizeNumber(
  token: string,
  decimalSeparator: string | null,
  fallbackDecimal: string | null,
  threeDecimals: boolean,
): string | null {
  let t = token.replace(/([.,])\s+/g, '$1').replace(/[\s'’\u00a0\u202f\u2009]/g, '');
  const lead = /^[.,]+/.exec(t);
  if (lead) {
    const rest = t.slice(lead[0].length);
    if (!/[.,\u0001]/.test(rest)) return finishDecimal('0', rest);
    t = rest;
  }
  let decimal: string | null;
  if (t.includes(DEC_MARK)) decimal = DEC_MARK;
  else if (decimalSeparator === '.' || decimalSeparator === ',') decimal = decimalSeparator;
  else {
    const lastDot = t.lastIndexOf('.');
    const lastComma = t.lastIndexOf(',');
    if (lastDot >= 0 && lastComma >= 0) decimal = lastDot > lastComma ? '.' : ',';
    else if (lastDot < 0 && lastComma < 0) decimal = null;
    else {
      const sep = lastDot >= 0 ? '.' : ',';
      const parts = t.split(sep);
      if (parts.length > 2) decimal = null;
      else if (parts[1].length !== 3 || /^0+$/.test(parts[0])) decimal = sep;
      else if (threeDecimals || fallbackDecimal === sep) decimal = sep;
      else decimal = null;
    }
  }
  if (decimal === null) return finishDecimal(t.replace(/\D/g, ''), '');
  const at = t.lastIndexOf(decimal);
  if (at < 0) return finishDecimal(t.replace(/\D/g, ''), '');
  return finishDecimal(t.slice(0, at).replace(/\D/g, ''), t.slice(at + 1).replace(/\D/g, ''));
}

function resolveIso(iso: readonly string[], raw: string, opts: PriceParseOptions): string | null {
  if (iso.length === 1) return iso[0];
  if (iso.length === 0) return null;
  const hinted = opts.currency?.toUpperCase();
  if (hinted && iso.includes(hinted)) return hinted;
  if (opts.locale) {
    const [lang, ...rest] = opts.locale.split(/[-_]/);
    const region = rest.find((p) => /^[A-Za-z]{2}$/.test(p))?.toUpperCase();
    const byRegion = region ? REGION_CURRENCY[region] : undefined;
    if (byRegion && iso.includes(byRegion)) return byRegion;
    const byLang = LANGUAGE_CURRENCY[lang.toLowerCase()];
    if (byLang && iso.includes(byLang)) return byLang;
  }
  // Only the symbols whose first reading dominates world-wide get a default.
  return ['$', '£', '¥', '￥', 'C$'].includes(raw) ? iso[0] : null;
}

/** Index of the token a currency sign belongs to: the nearest one touching it, earlier first. */
function tokenBesideSign(tokens: NumberToken[], text: string, sign: SignHit): number {
  const touching = (from: number, to: number) => /^\s{0,2}$/.test(text.slice(from, to));
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    if (tok.end <= sign.index && touching(tok.end, sign.index)) {
      return i;
    }
    if (tok.index >= sign.end && touching(sign.end, tok.index)) return i;
  }
  return -1;
}

/**
 * In scanned page text, a one-letter sign written after the amount ("24K Gold", "1.5K reviews", "50G",
 * "1.5 L") is far more often a multiplier, carat or unit than a currency; kina, rand, quetzal and
 * lempira prices mostly write their letter first. It still counts when the target expects one of its
 * currencies ("1000 L" for a lek shop). A text given as a price ("200Q") keeps the currency reading.
 */
function unitLikeSuffix(hit: SignHit, opts: PriceParseOptions): boolean {
  if (!opts.scanning || !/^[A-Za-z]$/.test(hit.raw)) return false;
  const expected = opts.currency?.toUpperCase();
  return !(expected && hit.iso.includes(expected));
}

const RANGE_RE = /^\s*(?:[^\d\s]{1,4}\s*)?(?:-|–|—|~|to|bis|até|à|a|до)\s*(?:[^\d\s]{1,4}\s*)?$/iu;
const FREE_RE = /\b(?:free|gratis|grátis|gratuit|kostenlos|gratuito)\b|бесплатно/iu;

/**
 * Reads an amount and a currency from a price string in any locale ("1.299,90 €", "R$ 49,90",
 * "US$1,144,000", "12.-", "from $9", "$45,000 - $70,000"). Returns nulls rather than guessing when
 * no number (or no currency) is present. Never throws.
 */
/** A bare day-month or full date ("25-09", "2026-11-20", "20/11/2026"): a date, never a price. */
const DATE_LIKE = /^\s*(?:\d{1,2}[-/]0\d|\d{4}-\d{2}-\d{2}|\d{1,2}\/\d{1,2}\/\d{2,4})\s*$/;

export function parsePrice(text: string | null, opts: PriceParseOptions = {}): ParsedPrice {
  if (text !== null && DATE_LIKE.test(text)) return parsePrice(null, opts);
  const source = text ?? '';
  const hint = opts.currencyHint ?? '';

  let sign = findStrongSign(source);
  let work = source;
  const dec = opts.decimalSeparator ?? null;
  if (dec && dec !== '.' && dec !== ',') {
    work = source.replace(new RegExp(`(?<=\\d)${escapeRe(dec)}\\s?(?=\\d{1,2}(?!\\d))`, 'gu'), DEC_MARK);
  }
  const tokens = tokenizeNumbers(work);
  if (work !== source && sign) sign = findStrongSign(work) ?? sign;

  let pick = -1;
  // "Was $120.00 Now $60.00": the amount after a "now" word is the selling price.
  const now = /\b(?:now|agora|jetzt|maintenant|ahora|nu)\b/giu;
  let nowEnd = -1;
  for (const m of work.matchAll(now)) nowEnd = m.index + m[0].length;
  if (nowEnd >= 0 && tokens.some((t) => t.index < nowEnd)) {
    const after = tokens.findIndex((t) => t.index >= nowEnd);
    if (after >= 0) {
      pick = after;
      const s = findStrongSign(work.slice(nowEnd));
      if (s) sign = { ...s, index: s.index + nowEnd, end: s.end + nowEnd };
    }
  }
  if (sign && pick < 0) pick = tokenBesideSign(tokens, work, sign);
  if (!sign && tokens.length > 0) {
    for (const m of work.matchAll(WEAK_RE)) {
      const hit: SignHit = {
        raw: m[0],
        index: m.index,
        end: m.index + m[0].length,
        iso: lookupSign(m[0], WEAK_SIGNS),
      };
      const i = tokenBesideSign(tokens, work, hit);
      if (i >= 0 && !(tokens[i].end <= hit.index && unitLikeSuffix(hit, opts))) {
        sign = hit;
        pick = i;
        break;
      }
    }
  }
  if (pick < 0 && tokens.length > 0) {
    pick = tokens.findIndex((t) => !/^\s*%/.test(work.slice(t.end)));
    if (pick < 0) pick = 0;
  }

  const fromHint = sign ? null : findStrongSign(hint);
  const chosen = sign ?? fromHint;
  const currencyRaw = chosen?.raw ?? null;
  const currency = chosen ? resolveIso(chosen.iso, chosen.raw, opts) : (opts.currency?.toUpperCase() ?? null);

  const fallbackDecimal = localeDecimal(opts.locale);
  const threeDecimals = currency !== null && THREE_DECIMAL_ISO.has(currency);
  let amount: string | null = null;
  let rangeHigh: string | null = null;
  if (pick >= 0) {
    const tok = tokens[pick];
    amount = normalizeNumber(tok.text, dec, fallbackDecimal, threeDecimals);
    const next = tokens[pick + 1];
    if (amount !== null && next && RANGE_RE.test(work.slice(tok.end, next.index))) {
      const high = normalizeNumber(next.text, dec, fallbackDecimal, threeDecimals);
      if (high !== null && Number(high) > Number(amount)) rangeHigh = high;
    }
  } else if (FREE_RE.test(source)) {
    amount = '0';
  }
  return { amount, currencyRaw, currency, rangeHigh };
}
