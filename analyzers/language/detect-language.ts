import { francAll } from 'franc-min';
import { DEFAULT_LANGUAGES, ISO639_1_TO_3, ISO639_3_TO_1 } from './iso-codes.ts';
import { STOPWORDS } from './stopwords.ts';

/** A language guess: ISO 639-1, or 'und' when the text gives too little to go on. */
export interface DetectedLanguage {
  lang: string;
  /** 0..1; a margin over the runner-up, not a calibrated probability. */
  confidence: number;
}

export interface DetectLanguageOptions {
  /** ISO 639-1 codes to choose among; defaults to {@link DEFAULT_LANGUAGES}. */
  only?: string[];
}

/** Below this many letters franc's trigram profile is unreliable, so stopwords decide. */
const SHORT_TEXT = 20;
/** Below this many letters franc's pick must agree with the function words or be clear on its own. */
const MEDIUM_TEXT = 200;
/** Under MEDIUM_TEXT, franc's pick with less confidence than this needs a function word of its language. */
const GUESS_CONFIDENCE = 0.1;
const NOT_PROSE = /(?:https?:\/\/|www\.)\S+|[@#][\p{L}\p{N}_]+/gu;
const UNDETERMINED: DetectedLanguage = { lang: 'und', confidence: 0 };
const WORD_RE = /[\p{L}']+/gu;

/** Function words of each language found in a text, most first, and how many words it has. */
interface StopwordVotes {
  ranked: [string, number][];
  words: number;
}

function countStopwords(text: string, only?: readonly string[]): StopwordVotes {
  const counts = new Map<string, number>();
  let words = 0;
  for (const w of text.toLowerCase().match(WORD_RE) ?? []) {
    words++;
    for (const [lang, set] of Object.entries(STOPWORDS)) {
      if (only !== undefined && !only.includes(lang)) continue;
      if (set.has(w)) counts.set(lang, (counts.get(lang) ?? 0) + 1);
    }
  }
  return { ranked: [...counts.entries()].sort((a, b) => b[1] - a[1]), words };
}

/**
 * The votes' language: more function words than any other's (`lead` 1), or at least two and `lead` times the
 * runner-up's; 'und' otherwise.
 */
function verdict({ ranked, words }: StopwordVotes, lead = 1): DetectedLanguage {
  if (ranked.length === 0) return UNDETERMINED;
  const [best, bestCount] = ranked[0];
  const runnerUp = ranked[1]?.[1] ?? 0;
  if (bestCount === runnerUp || (lead > 1 && (bestCount < 2 || bestCount < lead * runnerUp)))
    return UNDETERMINED;
  const confidence = Math.min(1, ((bestCount - runnerUp) / Math.max(words, 1)) * 2) * 0.8;
  return { lang: best, confidence: round(confidence) };
}

/**
 * Votes by distinctive function words; used for short text where trigram statistics fail.
 * Returns 'und' on a tie or when no stopword is found.
 */
export function detectLanguageByStopwords(text: string, only?: readonly string[]): DetectedLanguage {
  return verdict(countStopwords(text, only));
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * Detects the language of a text with franc-min's trigram model (ISO 639-3, mapped to 639-1),
 * restricted to a set of common languages, falling back to a stopword vote for short text (franc is
 * weak under ~20 letters) and checked against it up to a few sentences (see MEDIUM_TEXT). Links,
 * @handles and #hashtags are left out. Never throws; returns `{ lang: 'und', confidence: 0 }` when unsure.
 */
export function detectLanguage(input: string, opts: DetectLanguageOptions = {}): DetectedLanguage {
  const allowed = opts.only ?? DEFAULT_LANGUAGES;
  // Links, @handles and #hashtags are not prose in any language ("http url removed" read as Swedish).
  const text = input.replace(NOT_PROSE, ' ');
  const letters = text.match(/\p{L}/gu)?.length ?? 0;
  if (letters === 0) return UNDETERMINED;
  if (letters < SHORT_TEXT) return detectLanguageByStopwords(text, allowed);

  const only = allowed.map((code) => ISO639_1_TO_3[code]).filter((code): code is string => !!code);
  if (only.length === 0) return detectLanguageByStopwords(text, allowed);
  const ranked = francAll(text, { only, minLength: 1 });
  const [best, second] = ranked;
  if (best === undefined || best[0] === 'und') return detectLanguageByStopwords(text, allowed);
  const lang = ISO639_3_TO_1[best[0]] ?? 'und';
  // francAll scores the best candidate 1 and the others relative to it; the gap is the evidence.
  const margin = 1 - (second?.[1] ?? 0);
  let confidence = Math.min(1, margin * 3);
  const votes = letters < MEDIUM_TEXT || confidence < 0.3 ? countStopwords(text, allowed) : null;
  if (votes !== null && letters < MEDIUM_TEXT) {
    // A post of a sentence or two: trigrams over so few letters often pick a language nobody wrote (an English
    // tweet without a function word as Swedish). Function words of one language, at least two and twice as many
    // as any other's, outvote them; a pick with little margin goes to the function words' language, or to
    // 'und' when they have none.
    const decisive = verdict(votes, 2);
    if (decisive.lang !== 'und' && decisive.lang !== lang) return decisive;
    if (confidence < GUESS_CONFIDENCE) {
      const byWords = verdict(votes);
      if (byWords.lang !== lang) return byWords;
    }
  }
  // A close call between languages that also have stopword lists: let the function words break it.
  if (votes !== null && confidence < 0.3 && second !== undefined) {
    const byWords = verdict(votes);
    const runnerUp = ISO639_3_TO_1[second[0]];
    if (byWords.lang === runnerUp) return byWords;
    if (byWords.lang === lang) confidence = Math.max(confidence, byWords.confidence);
  }
  return { lang, confidence: round(confidence) };
}
