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
] as const;

/** Language-independent summary of the rule pass; these weights apply to every language. */
export function denseFeatures(a: ValenceAnalysis): number[] {
  return [
    a.compound,
    Math.tanh(a.sum / 5),
    Math.log1p(a.positive),
    Math.log1p(a.negative),
    a.hits / (a.words + 1),
    a.negations > 0 ? 1 : 0,
    Math.min(a.exclamations, 4) / 4,
    a.questions > 0 ? 1 : 0,
    a.contrast ? 1 : 0,
    a.irony ? 1 : 0,
    Math.log1p(a.words),
    Math.tanh(a.auxSum / 2),
    a.vaderCompound,
    Math.tanh(a.vaderSum / 4),
    Math.log1p(a.vaderPositive),
    Math.log1p(a.vaderNegative),
    a.hits === 0 && a.vaderSum === 0 ? 1 : 0,
    a.compound * Math.log1p(a.words),
    a.vaderCompound * Math.log1p(a.words),
    a.handles > 0 ? 1 : 0,
    a.links > 0 ? 1 : 0,
    a.lowerOnly ? 1 : 0,
  ];
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
