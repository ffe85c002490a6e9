import { createRequire } from 'node:module';
import { setModelTermIds, type ValenceAnalysis } from './analyze-valence.ts';
import { DENSE_FEATURES, denseFeatures } from './model-features.ts';
import type { LexiconLanguage } from './types.ts';

/** The shipped model file's shape (see scripts/train-sentiment.ts, which writes it). */
interface SentimentModel {
  kind: string;
  target: string;
  trainedOn: string;
  lambda: number;
  minDf: number;
  neutralBand: number;
  crossValidation: { folds: number; metrics: Record<string, unknown> };
  fullFit: Record<string, unknown>;
  bias: number;
  denseNames: string[];
  dense: number[];
  sparse: Record<string, number>;
}

const model = createRequire(import.meta.url)('./sentiment-model.json') as SentimentModel;
if (model.denseNames.join() !== DENSE_FEATURES.join()) {
  throw new Error(
    'sentiment-model.json was trained with other dense features; rerun scripts/train-sentiment.ts',
  );
}
/** Pair keys are `first * PAIR_STRIDE + second` over term ids, small integers V8 hashes cheaply. */
const PAIR_STRIDE = 1 << 15;
const termIds = new Map<string, number>();
const idOf = (term: string): number => {
  let id = termIds.get(term);
  if (id === undefined) {
    id = termIds.size;
    termIds.set(term, id);
  }
  return id;
};
const unigramWeights: number[] = [];
const pairWeights = new Map<number, number>();
for (const [key, weight] of Object.entries(model.sparse)) {
  const space = key.indexOf(' ');
  if (space < 0) unigramWeights[idOf(key)] = weight;
  else pairWeights.set(idOf(key.slice(0, space)) * PAIR_STRIDE + idOf(key.slice(space + 1)), weight);
}
if (termIds.size > PAIR_STRIDE) throw new Error('sentiment-model.json has too many terms for pair keys');
const unigram = Float64Array.from({ length: termIds.size }, (_, i) => unigramWeights[i] ?? 0);
setModelTermIds(termIds);

/** |score| below this is neutral; chosen once, on cross-validated scores pooled over all dev sets. */
export const MODEL_NEUTRAL_BAND = model.neutralBand;

/** Training provenance and the k-fold cross-validated figures of the shipped model. */
export const MODEL_SUMMARY: Record<string, unknown> = {
  kind: model.kind,
  target: model.target,
  trainedOn: model.trainedOn,
  lambda: model.lambda,
  minDf: model.minDf,
  sparseFeatures: Object.keys(model.sparse).length,
  neutralBand: model.neutralBand,
  crossValidation: model.crossValidation,
  fullFit: model.fullFit,
};

/**
 * Final score in [-1, 1]: the ridge model over the rule pass's dense summary (every language) plus
 * English term and term-pair weights (only English text is looked up; other languages get the dense
 * share alone, whose inputs are language-independent).
 */
export function predictScore(analysis: ValenceAnalysis, lang: LexiconLanguage): number {
  const dense = denseFeatures(analysis);
  let s = model.bias;
  for (let j = 0; j < dense.length; j++) s += model.dense[j] * dense[j];
  if (lang === 'en') {
    // Same keys as visitSparseFeatures (each term, then "previous term"), by id instead of by string.
    const ids = analysis.termIds;
    let prev = -1;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id >= 0) {
        s += unigram[id];
        if (prev >= 0) {
          const pair = pairWeights.get(prev * PAIR_STRIDE + id);
          if (pair !== undefined) s += pair;
        }
      }
      prev = id;
    }
  }
  return s > 1 ? 1 : s < -1 ? -1 : s;
}
