/** Options of the trailing mean + k·σ spike rule. */
export interface BaselineSpikeOptions {
  /** Trailing days that form the baseline (default 14); no spike is called before that many exist. */
  window?: number;
  /** Standard deviations above the trailing mean (default 3). */
  k?: number;
  /** Minimum count for a spike (default 1: the bare rule). */
  minCount?: number;
}

/**
 * The comparison baseline, the rule Huginn's PeakDetectorAgent applies: day i is a spike when its
 * count exceeds the mean of the previous `window` days plus `k` standard deviations of them.
 * Returns the indices of spike days. Online by construction: day i only looks at days before it.
 */
export function detectBaselineSpikes(series: ArrayLike<number>, opts: BaselineSpikeOptions = {}): number[] {
  const window = opts.window ?? 14;
  const k = opts.k ?? 3;
  const minCount = opts.minCount ?? 1;
  const out: number[] = [];
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < series.length; i++) {
    if (i >= window) {
      const mean = sum / window;
      const variance = Math.max(0, sumSq / window - mean * mean);
      const x = series[i];
      if (x >= minCount && x > mean + k * Math.sqrt(variance)) out.push(i);
      const old = series[i - window];
      sum -= old;
      sumSq -= old * old;
    }
    sum += series[i];
    sumSq += series[i] * series[i];
  }
  return out;
}
