/**
 * negBinomialLog10Tail against references computed independently: closed forms for shapes 1 and 2 (geometric:
 * P(X ≥ k) = q^k; r = 2: q^k·(1 + k·p)) and the pmf summed term by term from its recurrence for other shapes.
 */
import { describe, expect, it } from 'vitest';
import { negBinomialLog10Tail, poissonLog10Tail } from '../../../analyzers/trends/index.ts';

/** P(X ≥ k) for X ~ NB(mean, shape), by summing the pmf: pmf(0) = p^r, pmf(j) = pmf(j−1)·(j−1+r)/j·q. */
function tailBySummation(k: number, mean: number, shape: number): number {
  const p = shape / (shape + mean);
  const q = 1 - p;
  let pmf = p ** shape;
  let below = 0;
  let above = 0;
  for (let j = 0; j < k + 100_000; j++) {
    if (j > 0) pmf *= ((j - 1 + shape) / j) * q;
    if (j < k) below += pmf;
    else {
      above += pmf;
      if (pmf < above * 1e-17) break;
    }
  }
  // The smaller of the two sums is the accurate one.
  return above < 0.5 ? above : 1 - below;
}

/** P(X ≥ k) for X ~ Poisson(mean), summed the same way. */
function poissonTailBySummation(k: number, mean: number): number {
  let pmf = Math.exp(-mean);
  let below = 0;
  let above = 0;
  for (let j = 0; j < k + 100_000; j++) {
    if (j > 0) pmf *= mean / j;
    if (j < k) below += pmf;
    else {
      above += pmf;
      if (pmf < above * 1e-17) break;
    }
  }
  return above < 0.5 ? above : 1 - below;
}

describe('negBinomialLog10Tail', () => {
  it('is the geometric tail q^k for shape 1, below and above the mean', () => {
    const mean = 4;
    const q = mean / (1 + mean); // 0.8
    for (const k of [1, 2, 4, 10, 37, 200]) {
      expect(negBinomialLog10Tail(k, mean, 1), `k=${k}`).toBeCloseTo(k * Math.log10(q), 9);
    }
    expect(10 ** negBinomialLog10Tail(2, 4, 1)).toBeCloseTo(0.64, 12);
  });

  it('is q^k·(1 + k·p) for shape 2, far into the tail where the probability underflows a double', () => {
    const mean = 1;
    const p = 2 / (2 + mean);
    const q = 1 - p;
    for (const k of [1, 3, 12, 60, 5000]) {
      const expected = k * Math.log10(q) + Math.log10(1 + k * p);
      expect(negBinomialLog10Tail(k, mean, 2), `k=${k}`).toBeCloseTo(expected, 6);
    }
    // ~1e-2382: far below the smallest double, yet finite and exact in log space.
    expect(negBinomialLog10Tail(5000, 1, 2)).toBeLessThan(-2000);
    expect(Number.isFinite(negBinomialLog10Tail(5000, 1, 2))).toBe(true);
  });

  it('matches the pmf summed term by term for non-integer shapes', () => {
    const cases: [number, number, number][] = [
      [1, 0.2, 0.5],
      [3, 3, 2.7],
      [25, 3, 2.7],
      [10, 1.5, 0.3],
      [8, 6, 12.5],
      [40, 6, 12.5],
      [60, 2, 4.25],
    ];
    for (const [k, mean, shape] of cases) {
      const reference = Math.log10(tailBySummation(k, mean, shape));
      expect(negBinomialLog10Tail(k, mean, shape), `k=${k} mean=${mean} r=${shape}`).toBeCloseTo(
        reference,
        8,
      );
    }
  });

  it('has a heavier tail than Poisson for little history and tends to Poisson as the shape grows', () => {
    const poisson = Math.log10(poissonTailBySummation(15, 3));
    expect(poissonLog10Tail(15, 3)).toBeCloseTo(poisson, 8);
    const nb = [0.5, 2, 10, 100, 10_000].map((r) => negBinomialLog10Tail(15, 3, r));
    for (let i = 1; i < nb.length; i++) expect(nb[i]).toBeLessThan(nb[i - 1]);
    expect(nb[0]).toBeGreaterThan(poisson);
    expect(nb[nb.length - 1]).toBeCloseTo(poisson, 2);
    // Past 1e6 it is Poisson outright.
    expect(negBinomialLog10Tail(15, 3, 2e6)).toBe(poissonLog10Tail(15, 3));
  });

  it('decreases in k and handles the edges without throwing', () => {
    let previous = 0;
    for (let k = 1; k <= 40; k++) {
      const v = negBinomialLog10Tail(k, 2.5, 1.7);
      expect(v).toBeLessThan(previous);
      previous = v;
    }
    expect(negBinomialLog10Tail(0, 3, 2)).toBe(0);
    expect(negBinomialLog10Tail(-4, 3, 2)).toBe(0);
    expect(negBinomialLog10Tail(3, 0, 2)).toBe(Number.NEGATIVE_INFINITY);
    // A shape that is not positive falls back to Poisson.
    expect(negBinomialLog10Tail(9, 3, 0)).toBe(poissonLog10Tail(9, 3));
    expect(negBinomialLog10Tail(9, 3, Number.NaN)).toBe(poissonLog10Tail(9, 3));
  });
});
