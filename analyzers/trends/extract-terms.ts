import { STOPWORDS } from './stopwords.ts';
import { foldAccents, stemWord } from './term-key.ts';

/** Receives one distinct term of a mention: its aggregation key, display form and word count. */
export type TermSink = (key: string, display: string, words: number) => void;

/** Longest phrase extracted, in words. */
export const MAX_PHRASE_WORDS = 3;

// A URL, an @handle or #hashtag or word, or a clause boundary.
const TOKEN =
  /(https?:\/\/\S+|www\.\S+)|([@#]?[\p{L}\p{N}_]+(?:['’][\p{L}]+)*)|([.!?;:,()"[\]{}…|/\\<>=+*~^]+|\s[-–—]+\s)/gu;
const NON_ASCII = /[^\x00-\x7f]/;
const NON_ALNUM = /[^\p{L}\p{N}]+/gu;
const DIGITS = /^\p{N}+$/u;
const CAMEL_PART = /\p{Lu}?\p{Ll}+|\p{Lu}+(?!\p{Ll})|\p{N}+/gu;

// Reused between calls: the extractor is synchronous and not re-entrant, and this keeps the
// per-mention hot path free of per-word allocations beyond the strings themselves.
const clauseDisplays: string[] = [];
const clauseKeys: string[] = [];
const clauseEdge: boolean[] = [];
const seen = new Set<string>();

function normaliseWord(raw: string): string {
  let lower = raw.toLowerCase();
  if (NON_ASCII.test(lower)) {
    lower = lower.replace('’', "'");
    if (NON_ASCII.test(lower)) lower = foldAccents(lower);
  }
  return lower;
}

/** DIGITS.test(word), answered without the regex for the usual word starting with an ASCII letter. */
function allDigits(word: string): boolean {
  const c = word.charCodeAt(0);
  return !(c >= 97 && c <= 122) && DIGITS.test(word);
}

function pushWord(raw: string): void {
  const word = normaliseWord(raw);
  clauseDisplays.push(word);
  clauseKeys.push(keyOfWord(word));
  clauseEdge.push(word.length >= 2 && !STOPWORDS.has(word) && !allDigits(word));
}

function keyOfWord(normalised: string): string {
  return stemWord(
    normalised.includes("'") || normalised.includes('_') ? normalised.replace(NON_ALNUM, '') : normalised,
  );
}

function emit(sink: TermSink, key: string, display: string, words: number): void {
  if (key.length < 2 || seen.has(key)) return;
  seen.add(key);
  sink(key, display, words);
}

function flushClause(sink: TermSink): void {
  const n = clauseKeys.length;
  for (let i = 0; i < n; i++) {
    if (!clauseEdge[i]) continue;
    emit(sink, clauseKeys[i], clauseDisplays[i], 1);
    let key = clauseKeys[i];
    let display = clauseDisplays[i];
    for (let len = 2; len <= MAX_PHRASE_WORDS && i + len <= n; len++) {
      const j = i + len - 1;
      key += clauseKeys[j];
      display += ` ${clauseDisplays[j]}`;
      if (clauseEdge[j]) emit(sink, key, display, len);
    }
  }
  clauseDisplays.length = 0;
  clauseKeys.length = 0;
  clauseEdge.length = 0;
}

function emitHashtag(sink: TermSink, tag: string): void {
  const parts = tag.match(CAMEL_PART);
  if (!parts || parts.length === 0) return;
  let key = '';
  let display = '';
  for (const part of parts) {
    const word = normaliseWord(part);
    key += keyOfWord(word);
    display += display.length > 0 ? ` ${word}` : word;
  }
  if (parts.length === 1 && (STOPWORDS.has(display) || allDigits(display))) return;
  emit(sink, key, parts.length === 1 ? `#${display}` : display, parts.length);
}

/**
 * Streams the distinct candidate terms of one mention into `sink`: content words, 2–3-word phrases
 * that neither start nor end with a stop word (phrases never cross punctuation, handles, hashtags or
 * URLs), and hashtags. Keys follow {@link termKey}, so "#GlassSkin", "#glassskin" and "glass skins"
 * all share one key. `lang` is accepted for callers that know it; the en/es/pt stop words are
 * applied together because short mentions are often misclassified. Never throws.
 */
export function collectTerms(text: string, sink: TermSink, _lang?: string): void {
  seen.clear();
  clauseDisplays.length = 0;
  clauseKeys.length = 0;
  clauseEdge.length = 0;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m !== null; m = TOKEN.exec(text)) {
    const token = m[2];
    if (token === undefined) {
      flushClause(sink);
      continue;
    }
    const first = token.charCodeAt(0);
    if (first === 64 /* @ */) {
      flushClause(sink);
      continue;
    }
    if (first === 35 /* # */) {
      flushClause(sink);
      emitHashtag(sink, token.slice(1));
      continue;
    }
    if (!token.includes('_')) {
      pushWord(token);
      continue;
    }
    for (const piece of token.split('_')) if (piece.length > 0) pushWord(piece);
  }
  flushClause(sink);
}

/**
 * Distinct candidate terms of a mention in display form ("snail mucin", "#glassskin"); see
 * {@link collectTerms} for what counts as a term. Pass each through `termKey` to aggregate.
 */
export function extractTerms(text: string, lang?: string): string[] {
  const out: string[] = [];
  collectTerms(text, (_key, display) => out.push(display), lang);
  return out;
}
