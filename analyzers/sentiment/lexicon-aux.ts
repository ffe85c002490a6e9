/**
 * Secondary polarity lexicons in [-1, 1] for words AFINN lacks; they feed a separate model feature
 * (`auxSum`) rather than the rule score, so the model decides how far to trust them.
 * English: ML-SentiCon (natural's `sentiment/English/senticon_en.json`) averaged with CLiPS Pattern's
 * adjective lexicon (`sentiment/English/pattern-sentiment-en.json`, BSD); Spanish: ML-SentiCon
 * (`sentiment/Spanish/senticon_es.json`). Both as shipped in the MIT-licensed `natural` package.
 */
import { createRequire } from 'node:module';
import type { LexiconLanguage } from './types.ts';

const require = createRequire(import.meta.url);
const base = 'natural/lib/natural/sentiment';

interface SenticonEntry {
  pol: string;
}
interface PatternEntry {
  polarity: string;
}

function fromSenticon(entries: Record<string, SenticonEntry>, into: Map<string, number[]>): void {
  for (const [word, e] of Object.entries(entries)) {
    if (word.includes(' ') || word.includes('_')) continue;
    const v = Number(e.pol);
    if (Number.isFinite(v) && v !== 0) (into.get(word) ?? into.set(word, []).get(word)!).push(v);
  }
}

function average(values: Map<string, number[]>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [w, vs] of values) out.set(w, vs.reduce((s, v) => s + v, 0) / vs.length);
  return out;
}

function buildEnglish(): Map<string, number> {
  const values = new Map<string, number[]>();
  fromSenticon(require(`${base}/English/senticon_en.json`) as Record<string, SenticonEntry>, values);
  const pattern = require(`${base}/English/pattern-sentiment-en.json`) as Record<string, PatternEntry>;
  for (const [word, e] of Object.entries(pattern)) {
    const v = Number(e.polarity);
    if (Number.isFinite(v) && v !== 0) (values.get(word) ?? values.set(word, []).get(word)!).push(v);
  }
  return average(values);
}

function buildSpanish(): Map<string, number> {
  const values = new Map<string, number[]>();
  fromSenticon(require(`${base}/Spanish/senticon_es.json`) as Record<string, SenticonEntry>, values);
  return average(values);
}

export const AUX_LEXICONS: Record<LexiconLanguage, Map<string, number>> = {
  en: buildEnglish(),
  es: buildSpanish(),
  pt: new Map(),
};
