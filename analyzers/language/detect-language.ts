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
const UNDETERMINED: DetectedLanguage = { lang: 'und', confidence: 0 };
const WORD_RE = /[\p{L}']+/gu;

/**
 * Votes by distinctive function words; used for short text where trigram statistics fail.
 * Returns 'und' on a tie or when no stopword is found.
 */
export function detectLanguageByStopwords(text: string, only?: readonly string[]): DetectedLanguage {
  const counts = new Map<string, number>();
  let words = 0;
  for (const w of text.toLowerCase().match(WORD_RE) ?? []) {
    words++;
    for (const [lang, set] of Object.entries(STOPWORDS)) {
      if (only !== undefined && !only.includes(lang)) continue;
      if (set.has(w)) counts.set(lang, (counts.get(lang) ?? 0) + 1);
    }
  }
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  if (ranked.length === 0) return UNDETERMINED;
  const [best, bestCount] = ranked[0];
  const runnerUp = ranked[1]?.[1] ?? 0;
  if (bestCount === runnerUp) return UNDETERMINED;
  const confidence = Math.min(1, ((bestCount - runnerUp) / Math.max(words, 1)) * 2) * 0.8;
  return { lang: best, confidence: round(confidence) };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * Detects the language of a text with franc-min's trigram model (ISO 639-3, mapped to 639-1),
 * restricted to a set of common languages, falling back to a stopword vote for short text (franc is
 * weak under ~20 letters). Never throws; returns `{ lang: 'und', confidence: 0 }` when unsure.
 */
export function detectLanguage(text: string, opts: DetectLanguageOptions = {}): DetectedLanguage {
  const allowed = opts.only ?? DEFAULT_LANGUAGES;
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
  // A close call between languages that also have stopword lists: let the function words break it.
  if (confidence < 0.3 && second !== undefined) {
    const byWords = detectLanguageByStopwords(text, allowed);
    const runnerUp = ISO639_3_TO_1[second[0]];
    if (byWords.lang === runnerUp) return byWords;
    if (byWords.lang === lang) confidence = Math.max(confidence, byWords.confidence);
  }
  return { lang, confidence: round(confidence) };
}
