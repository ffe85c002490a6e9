import { createRequire } from 'node:module';
import { setModelTermIds, type ValenceAnalysis } from './analyze-valence.ts';
import { DENSE_FEATURES, denseFeatures, GATE_FEATURES, writeDenseFeatures } from './model-features.ts';
import type { LexiconLanguage } from './types.ts';
import { NumberTable } from './word-table.ts';

/** The shipped model file's shape (see scripts/train-sentiment.ts, which writes it). */
interface SentimentModel {
  kind: string;
  target: string;
  trainedOn: string;
  lambda: number;
  minDf: number;
  neutralBand: number;
  gateThreshold: number;
  lambdaGrid: number[];
  gateLambda: number;
  crossValidation: { folds: number; metrics: Record<string, unknown> };
  fullFit: Record<string, unknown>;
  bias: number;
  denseNames: string[];
  dense: number[];
  gateNames: string[];
  gate: number[];
  sparse: Record<string, number>;
}

const model = createRequire(import.meta.url)('./sentiment-model.json') as SentimentModel;
if (model.denseNames.join() !== DENSE_FEATURES.join()) {
  throw new Error(
    'sentiment-model.json was trained with other dense features; rerun scripts/train-sentiment.ts',
  );
}
if (GATE_FEATURES.length !== 2 * DENSE_FEATURES.length + 1) {
  throw new Error('predictScore sums the gate as [dense, |dense|, |margin|]; see gateFeatures');
}
if (model.gateNames.join() !== ['bias', ...GATE_FEATURES].join()) {
  throw new Error(
    'sentiment-model.json was trained with other gate features; rerun scripts/train-sentiment.ts',
  );
}
/** Pair keys are `first * PAIR_STRIDE + second` over term ids, looked up in a typed-array hash table. */
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
const pairWeights = new NumberTable();
for (const [key, weight] of Object.entries(model.sparse)) {
  const space = key.indexOf(' ');
  if (space < 0) unigramWeights[idOf(key)] = weight;
  else pairWeights.set(idOf(key.slice(0, space)) * PAIR_STRIDE + idOf(key.slice(space + 1)), weight);
}
if (termIds.size > PAIR_STRIDE) throw new Error('sentiment-model.json has too many terms for pair keys');
const unigram = Float64Array.from({ length: termIds.size }, (_, i) => unigramWeights[i] ?? 0);
/** 1 for terms that start a weighted pair: the pair table is probed only after those. */
const startsPair = new Uint8Array(termIds.size);
for (const key of Object.keys(model.sparse)) {
  const space = key.indexOf(' ');
  if (space >= 0) startsPair[termIds.get(key.slice(0, space))!] = 1;
}
setModelTermIds(termIds);

/** |score| below this is neutral: one band for every set and language (the gold convention's ±0.05). */
export const MODEL_NEUTRAL_BAND = model.neutralBand;
const GATE_THRESHOLD = model.gateThreshold;
/** Just inside the band, so a gated text with a strong margin still reads as neutral. */
const GATED_MAX = model.neutralBand * 0.99;
const GATE_LOGIT = Math.log(GATE_THRESHOLD / (1 - GATE_THRESHOLD));

/** Training provenance and the k-fold cross-validated figures of the shipped model. */
export const MODEL_SUMMARY: Record<string, unknown> = {
  kind: model.kind,
  target: model.target,
  trainedOn: model.trainedOn,
  lambda: model.lambda,
  lambdaGrid: model.lambdaGrid,
  gateLambda: model.gateLambda,
  gateThreshold: model.gateThreshold,
  minDf: model.minDf,
  sparseFeatures: Object.keys(model.sparse).length,
  neutralBand: model.neutralBand,
  crossValidation: model.crossValidation,
  fullFit: model.fullFit,
};

/**
 * The ridge margin in [-1, 1] before the neutral gate: bias, dense weights and (English only) the
 * weights of the terms and term pairs present. Exported so tests can hold it to the training script's
 * own computation.
 */
export function predictMargin(analysis: ValenceAnalysis, lang: LexiconLanguage): number {
  return marginOf(denseFeatures(analysis), analysis, lang);
}

/** The model's dense and gate weights as typed arrays (same values): the loops read them per text. */
const DENSE_WEIGHTS = Float64Array.from(model.dense);
const GATE_WEIGHTS = Float64Array.from(model.gate);
/**
 * Scratch for one text's dense features: predictScore fills and reads it synchronously, never across
 * a call that could score another text, so one buffer serves every call.
 */
const DENSE_SCRATCH = new Float64Array(DENSE_FEATURES.length);

function marginOf(
  dense: { readonly length: number; readonly [j: number]: number },
  analysis: ValenceAnalysis,
  lang: LexiconLanguage,
): number {
  let s = model.bias;
  for (let j = 0; j < dense.length; j++) s += DENSE_WEIGHTS[j] * dense[j];
  if (lang === 'en') {
    // Same keys as visitSparseFeatures (each term, then "previous term"), by id instead of by string.
    // Features are counts, as in training: a term or pair written twice counts twice.
    const ids = analysis.termIds;
    let prev = -1;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id >= 0) {
        s += unigram[id];
        if (prev >= 0 && startsPair[prev] === 1) s += pairWeights.get(prev * PAIR_STRIDE + id, 0);
      }
      prev = id;
    }
  }
  return Math.max(-1, Math.min(1, s));
}

/**
 * Final score in [-1, 1]. The margin is the ridge model over the rule pass's dense summary (every
 * language) plus English term and term-pair weights (only English text is looked up; other languages
 * get the dense share alone, whose inputs are language-independent). The neutral gate (a logistic
 * model over the dense summary, its magnitudes and |margin|) then decides which side of the neutral
 * band the score falls: gated texts keep the margin's sign but stay inside the band, the others are
 * moved out to at least its edge. Elsewhere the score is the margin itself, so it still tracks the
 * strength of the rating (r).
 */
export function predictScore(analysis: ValenceAnalysis, lang: LexiconLanguage): number {
  const dense = DENSE_SCRATCH;
  writeDenseFeatures(analysis, dense);
  const margin = marginOf(dense, analysis, lang);
  // The gate's inputs are gateFeatures(dense, margin): summed in that order without building them.
  const gate = GATE_WEIGHTS;
  const nd = dense.length;
  let g = gate[0];
  for (let j = 0; j < nd; j++) g += gate[j + 1] * dense[j];
  for (let j = 0; j < nd; j++) g += gate[nd + j + 1] * Math.abs(dense[j]);
  g += gate[2 * nd + 1] * Math.abs(margin);
  const a = Math.abs(margin);
  const sign = margin > 0 ? 1 : margin < 0 ? -1 : 0;
  // pNeutral > threshold, without the exp: compare the log-odds with the threshold's.
  if (g > GATE_LOGIT) return sign * Math.min(a, GATED_MAX);
  return sign * Math.max(a, MODEL_NEUTRAL_BAND);
}
