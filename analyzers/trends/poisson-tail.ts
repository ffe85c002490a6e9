const LN10 = Math.LN10;

/** Natural log of Γ(x) for x > 0. */
export function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9); accurate to ~1e-13 for x > 0.
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * log10 P(X ≥ k) for X ~ Poisson(mean): the surprise of seeing at least `k` events when `mean`
 * were expected. Summed in log space so it stays finite for tails far below 1e-300.
 * Returns 0 for k ≤ 0 and -Infinity for mean ≤ 0 with k > 0. Never throws.
 */
export function poissonLog10Tail(k: number, mean: number): number {
  if (k <= 0) return 0;
  if (mean <= 0) return Number.NEGATIVE_INFINITY;
  const logMean = Math.log(mean);
  // Terms j = k, k+1, ... decrease once j > mean; start from the largest and sum until negligible.
  let logTerm = k * logMean - mean - logGamma(k + 1);
  if (k <= mean) {
    // The tail is not small: sum the complement (terms below k) instead.
    let logLower = Number.NEGATIVE_INFINITY;
    let lt = -mean; // j = 0
    for (let j = 0; j < k; j++) {
      logLower = logAddExp(logLower, lt);
      lt += logMean - Math.log(j + 1);
    }
    const lower = Math.exp(logLower);
    return Math.log10(Math.max(1 - lower, Number.MIN_VALUE));
  }
  let logSum = logTerm;
  for (let j = k + 1; j < k + 10_000; j++) {
    logTerm += logMean - Math.log(j);
    const next = logAddExp(logSum, logTerm);
    if (next - logSum < 1e-12) break;
    logSum = next;
  }
  return logSum / LN10;
}

function logAddExp(a: number, b: number): number {
  if (a === Number.NEGATIVE_INFINITY) return b;
  if (b === Number.NEGATIVE_INFINITY) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/**
 * log10 P(X ≥ k) for X negative binomial with the given mean and shape r: the Poisson–Gamma
 * predictive of a count whose rate was estimated from r baseline events. Small r (little history)
 * gives a heavier tail than Poisson, so a term merely unseen for two weeks is not as surprising as
 * one unseen for months. Tends to {@link poissonLog10Tail} as r grows. Never throws.
 */
export function negBinomialLog10Tail(k: number, mean: number, shape: number): number {
  if (k <= 0) return 0;
  if (mean <= 0) return Number.NEGATIVE_INFINITY;
  if (!(shape > 0) || shape > 1e6) return poissonLog10Tail(k, mean);
  const p = shape / (shape + mean);
  const logP = Math.log(p);
  const logQ = Math.log1p(-p);
  const logPmf = (j: number) =>
    logGamma(j + shape) - logGamma(j + 1) - logGamma(shape) + shape * logP + j * logQ;
  if (k <= mean) {
    let logLower = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < k; j++) logLower = logAddExp(logLower, logPmf(j));
    return Math.log10(Math.max(1 - Math.exp(logLower), Number.MIN_VALUE));
  }
  let logTerm = logPmf(k);
  let logSum = logTerm;
  for (let j = k; j < k + 100_000; j++) {
    logTerm += Math.log((j + shape) / (j + 1)) + logQ;
    const next = logAddExp(logSum, logTerm);
    if (next - logSum < 1e-12) break;
    logSum = next;
  }
  return logSum / LN10;
}
