import { EMOTICONS } from './lexicon-en.ts';
import { VADER_EMOTICONS } from './lexicon-vader.ts';
import { hashStep, hashString } from './word-table.ts';

export const TokenKind = { Word: 0, Emoticon: 1, Emoji: 2, Punct: 3 } as const;
export type TokenKind = (typeof TokenKind)[keyof typeof TokenKind];

/** One token with its position in the source text, so clauses can be quoted back as evidence. */
export interface Token {
  raw: string;
  /** Lower-cased, curly apostrophe folded; for emoticons the raw text. */
  low: string;
  kind: TokenKind;
  start: number;
  end: number;
  /** Words: `hashString(low)`, computed while scanning (see word-table.ts); 0 for other kinds. */
  hash: number;
  /** Words: written in capitals (two or more characters, no lower-case letter); see `isShouted`. */
  shouted: boolean;
}

/** Emoticons grouped by first character, longest first, for the scanner. */
const EMOTICONS_BY_FIRST = new Map<number, string[]>();
const ALL_EMOTICONS = new Set([...Object.keys(EMOTICONS), ...VADER_EMOTICONS.keys()]);
for (const e of [...ALL_EMOTICONS].sort((a, b) => b.length - a.length)) {
  const list = EMOTICONS_BY_FIRST.get(e.charCodeAt(0)) ?? [];
  list.push(e);
  EMOTICONS_BY_FIRST.set(e.charCodeAt(0), list);
}
/** The same lists indexed by ASCII first character: an array read instead of a Map probe per token. */
const EMOTICONS_BY_ASCII: (string[] | undefined)[] = Array.from({ length: 128 }, (_, c) =>
  EMOTICONS_BY_FIRST.get(c),
);

const NON_ASCII_WORD = /^[\p{L}\p{N}\p{M}]$/u;
const PICTOGRAPHIC = /^\p{Extended_Pictographic}$/u;

/** 1 for ASCII letters and digits, by character code: one array read instead of three range tests. */
const ASCII_WORD = Uint8Array.from({ length: 128 }, (_, c) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) ? 1 : 0,
);

function isWordChar(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) return ASCII_WORD[c] === 1;
  if (c >= 0xd800 && c <= 0xdfff) return false; // astral: emoji, handled separately
  if ((c >= 0xfe00 && c <= 0xfe0f) || c === 0x200d) return false; // emoji variation selectors, ZWJ
  return NON_ASCII_WORD.test(text[i]);
}

const ENTITIES: Record<string, string> = {
  '&lt;': '<',
  '&gt;': '>',
  '&amp;': '&',
  '&quot;': '"',
  '&#39;': "'",
};

/** Tweets often arrive HTML-escaped ("&lt;3"); same-length-or-shorter replacements keep it cheap. */
export function decodeEntities(text: string): string {
  return text.replace(/&(?:lt|gt|amp|quot|#39);/g, (e) => ENTITIES[e]);
}

/**
 * Splits text into words, emoticons, emoji and clause punctuation; URLs and @handles are dropped,
 * a leading `#` is dropped with them (hashtags keep their word). Offsets are into the text after
 * HTML-entity decoding (`decodeEntities`); pass `decoded` when the caller has already decoded it.
 * A hand-written scanner: this runs on every mention, and a Unicode regex with named groups was the
 * slowest part of scoring.
 */
export function tokenize(input: string, decoded = false): Token[] {
  const text = !decoded && input.includes('&') ? decodeEntities(input) : input;
  const tokens: Token[] = [];
  const len = text.length;
  let i = 0;
  while (i < len) {
    const c = text.charCodeAt(i);
    if (c <= 32) {
      i++;
      continue;
    }
    // URLs and @handles carry no sentiment and their punctuation would read as emoticons.
    if (
      // The second character is tested first: most words starting with h or w are not links.
      (c === 104 &&
        text.charCodeAt(i + 1) === 116 &&
        (text.startsWith('http://', i) || text.startsWith('https://', i))) ||
      (c === 119 && text.charCodeAt(i + 1) === 119 && text.startsWith('www.', i)) ||
      (c === 64 && i + 1 < len && isWordChar(text, i + 1))
    ) {
      while (i < len && text.charCodeAt(i) > 32) i++;
      continue;
    }
    const emoticons = c < 128 ? EMOTICONS_BY_ASCII[c] : EMOTICONS_BY_FIRST.get(c);
    if (emoticons !== undefined && (i === 0 || !isWordChar(text, i - 1))) {
      const e = emoticons.find(
        (x) => text.startsWith(x, i) && (i + x.length >= len || !isWordChar(text, i + x.length)),
      );
      if (e !== undefined) {
        tokens.push({
          raw: e,
          low: e,
          kind: TokenKind.Emoticon,
          start: i,
          end: i + e.length,
          hash: 0,
          shouted: false,
        });
        i += e.length;
        continue;
      }
    }
    if (isWordChar(text, i)) {
      // One pass over the word: its end, the hash of its lower-cased form, and its letter case, so
      // ASCII words need neither toLowerCase nor a second hashing pass in the look-up.
      const start = i;
      let h = 0;
      let upper = false;
      let lower = false;
      let other = false;
      let curly = false;
      let w = c;
      for (;;) {
        // `w` is a word character: a digit, an ASCII letter, or (other) a non-ASCII letter or mark.
        if (w >= 128) other = true;
        else if (w >= 97) {
          lower = true;
          h = hashStep(h, w);
        } else if (w >= 65) {
          upper = true;
          h = hashStep(h, w + 32);
        } else h = hashStep(h, w);
        i++;
        if (i >= len) break;
        w = text.charCodeAt(i);
        if (w < 128 ? ASCII_WORD[w] === 1 : isWordChar(text, i)) continue;
        if ((w === 39 || w === 0x2019) && i + 1 < len && isWordChar(text, i + 1)) {
          if (w === 0x2019) curly = true;
          h = hashStep(h, 39);
          i++;
          w = text.charCodeAt(i);
          continue;
        }
        break;
      }
      const raw = text.slice(start, i);
      let low = upper || other ? raw.toLowerCase() : raw;
      if (curly) low = low.replace(/’/g, "'");
      if (other) {
        h = hashString(low);
        tokens.push({ raw, low, kind: TokenKind.Word, start, end: i, hash: h, shouted: isShouted(raw) });
      } else {
        const shouted = upper && !lower && i - start > 1;
        tokens.push({ raw, low, kind: TokenKind.Word, start, end: i, hash: h, shouted });
      }
      continue;
    }
    if (c === 33 || c === 63) {
      const start = i;
      while (i < len && (text.charCodeAt(i) === 33 || text.charCodeAt(i) === 63)) i++;
      const raw = text.slice(start, i);
      tokens.push({ raw, low: raw, kind: TokenKind.Punct, start, end: i, hash: 0, shouted: false });
      continue;
    }
    if (c === 46) {
      const start = i;
      while (i < len && text.charCodeAt(i) === 46) i++;
      const raw = i - start > 1 ? '...' : '.';
      tokens.push({ raw, low: raw, kind: TokenKind.Punct, start, end: i, hash: 0, shouted: false });
      continue;
    }
    if (
      c === 44 ||
      c === 59 ||
      c === 58 ||
      c === 40 ||
      c === 41 ||
      c === 0x2026 ||
      c === 0x2013 ||
      c === 0x2014
    ) {
      const raw = c === 0x2026 ? '…' : text[i];
      tokens.push({ raw, low: raw, kind: TokenKind.Punct, start: i, end: i + 1, hash: 0, shouted: false });
      i++;
      continue;
    }
    if (c === 45 && i > 0 && text.charCodeAt(i - 1) <= 32 && i + 1 < len && text.charCodeAt(i + 1) <= 32) {
      tokens.push({
        raw: '-',
        low: '-',
        kind: TokenKind.Punct,
        start: i,
        end: i + 1,
        hash: 0,
        shouted: false,
      });
      i++;
      continue;
    }
    if (c >= 0x2000) {
      const cp = text.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      if (PICTOGRAPHIC.test(ch))
        tokens.push({
          raw: ch,
          low: ch,
          kind: TokenKind.Emoji,
          start: i,
          end: i + ch.length,
          hash: 0,
          shouted: false,
        });
      i += ch.length;
      continue;
    }
    i++;
  }
  return tokens;
}

/** Capitals only, by the case mappings: two or more characters, unchanged by toUpperCase, changed by toLowerCase. */
export function isShouted(raw: string): boolean {
  return raw.length > 1 && raw === raw.toUpperCase() && raw !== raw.toLowerCase();
}
