import { EMOTICONS } from './lexicon-en.ts';
import { VADER_EMOTICONS } from './lexicon-vader.ts';

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

function isWordChar(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
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
      (c === 104 && (text.startsWith('http://', i) || text.startsWith('https://', i))) ||
      (c === 119 && text.startsWith('www.', i)) ||
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
        tokens.push({ raw: e, low: e, kind: TokenKind.Emoticon, start: i, end: i + e.length });
        i += e.length;
        continue;
      }
    }
    if (isWordChar(text, i)) {
      const start = i;
      i++;
      for (;;) {
        if (i < len && isWordChar(text, i)) i++;
        else if (
          i + 1 < len &&
          (text.charCodeAt(i) === 39 || text.charCodeAt(i) === 0x2019) &&
          isWordChar(text, i + 1)
        ) {
          i += 2;
        } else break;
      }
      const raw = text.slice(start, i);
      let low = raw.toLowerCase();
      if (low.includes('’')) low = low.replace(/’/g, "'");
      tokens.push({ raw, low, kind: TokenKind.Word, start, end: i });
      continue;
    }
    if (c === 33 || c === 63) {
      const start = i;
      while (i < len && (text.charCodeAt(i) === 33 || text.charCodeAt(i) === 63)) i++;
      const raw = text.slice(start, i);
      tokens.push({ raw, low: raw, kind: TokenKind.Punct, start, end: i });
      continue;
    }
    if (c === 46) {
      const start = i;
      while (i < len && text.charCodeAt(i) === 46) i++;
      const raw = i - start > 1 ? '...' : '.';
      tokens.push({ raw, low: raw, kind: TokenKind.Punct, start, end: i });
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
      tokens.push({ raw, low: raw, kind: TokenKind.Punct, start: i, end: i + 1 });
      i++;
      continue;
    }
    if (c === 45 && i > 0 && text.charCodeAt(i - 1) <= 32 && i + 1 < len && text.charCodeAt(i + 1) <= 32) {
      tokens.push({ raw: '-', low: '-', kind: TokenKind.Punct, start: i, end: i + 1 });
      i++;
      continue;
    }
    if (c >= 0x2000) {
      const cp = text.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      if (PICTOGRAPHIC.test(ch))
        tokens.push({ raw: ch, low: ch, kind: TokenKind.Emoji, start: i, end: i + ch.length });
      i += ch.length;
      continue;
    }
    i++;
  }
  return tokens;
}
