import type { ValenceAnalysis } from './analyze-valence.ts';

/** Names of the dense features, in the order `denseFeatures` fills them; stored in the model file. */
export const DENSE_FEATURES = [
  'compound',
  'sumTanh',
  'positiveLog',
  'negativeLog',
  'hitRate',
  'negated',
  'exclamations',
  'question',
  'contrast',
  'irony',
  'wordsLog',
  'auxTanh',
  'vaderCompound',
  'vaderTanh',
  'vaderPositiveLog',
  'vaderNegativeLog',
  'noEvidence',
  'compoundByLength',
  'vaderByLength',
  'handle',
  'link',
  'lowerOnly',
  'social',
  'social*compound',
  'social*vaderCompound',
] as const;

/** Language-independent summary of the rule pass; these weights apply to every language. */
export function denseFeatures(a: ValenceAnalysis): number[] {
  const out = new Array<number>(DENSE_FEATURES.length);
  writeDenseFeatures(a, out);
  return out;
}

/**
 * `denseFeatures` written into `out` (length `DENSE_FEATURES.length`), so scoring can reuse one
 * buffer instead of allocating an array per text.
 */
export function writeDenseFeatures(a: ValenceAnalysis, out: { [j: number]: number }): void {
  // Social-post style (a handle, link, hashtag, emoji or emoticon): lets the lexicon scores weigh
  // differently in posts than in review or article sentences; a property of the text, not of a set.
  const social = a.handles > 0 || a.links > 0 || a.hashtags > 0 || a.emotes > 0 ? 1 : 0;
  const wordsLog = Math.log1p(a.words);
  out[0] = a.compound;
  out[1] = Math.tanh(a.sum / 5);
  out[2] = Math.log1p(a.positive);
  out[3] = Math.log1p(a.negative);
  out[4] = a.hits / (a.words + 1);
  out[5] = a.negations > 0 ? 1 : 0;
  out[6] = Math.min(a.exclamations, 4) / 4;
  out[7] = a.questions > 0 ? 1 : 0;
  out[8] = a.contrast ? 1 : 0;
  out[9] = a.irony ? 1 : 0;
  out[10] = wordsLog;
  out[11] = Math.tanh(a.auxSum / 2);
  out[12] = a.vaderCompound;
  out[13] = Math.tanh(a.vaderSum / 4);
  out[14] = Math.log1p(a.vaderPositive);
  out[15] = Math.log1p(a.vaderNegative);
  out[16] = a.hits === 0 && a.vaderSum === 0 ? 1 : 0;
  out[17] = a.compound * wordsLog;
  out[18] = a.vaderCompound * wordsLog;
  out[19] = a.handles > 0 ? 1 : 0;
  out[20] = a.links > 0 ? 1 : 0;
  out[21] = a.lowerOnly ? 1 : 0;
  out[22] = social;
  out[23] = social * a.compound;
  out[24] = social * a.vaderCompound;
}

/** Names of the neutral gate's inputs, in the order `gateFeatures` fills them (after its bias). */
export const GATE_FEATURES = [
  ...DENSE_FEATURES,
  ...DENSE_FEATURES.map((name) => `|${name}|`),
  '|margin|',
] as const;

/**
 * Inputs of the neutral gate: the dense summary, its magnitudes (how much evidence either way) and the
 * magnitude of the regression's margin. Writes into `out` (length `GATE_FEATURES.length`) so scoring
 * allocates nothing.
 */
export function gateFeatures(dense: readonly number[], margin: number, out: number[]): number[] {
  const nd = dense.length;
  for (let j = 0; j < nd; j++) {
    out[j] = dense[j];
    out[nd + j] = Math.abs(dense[j]);
  }
  out[2 * nd] = Math.abs(margin);
  return out;
}

/**
 * Calls `visit` with every sparse feature key: each term (negated words carry a `!` prefix) and each
 * pair of adjacent terms joined by a space. A callback, not an array, keeps scoring allocation-light.
 */
export function visitSparseFeatures(a: ValenceAnalysis, visit: (key: string) => void): void {
  const terms = a.terms;
  let prev = '';
  for (let i = 0; i < terms.length; i++) {
    const t = terms[i];
    visit(t);
    if (i > 0) visit(`${prev} ${t}`);
    prev = t;
  }
}
