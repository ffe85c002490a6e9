/** One day of sentiment: the mean score of its `n` mentions. */
export interface SentimentDay {
  day: string;
  mean: number;
  n: number;
}

/** A change in mean sentiment starting on `day`. */
export interface SentimentShift {
  /** First day of the new level. */
  day: string;
  /** Mention-weighted mean of the segment before / after the change. */
  before: number;
  after: number;
  delta: number;
  /** 1 − Bonferroni-adjusted two-sided p-value of the split. */
  confidence: number;
}

/** Options of {@link detectSentimentShift}. */
export interface SentimentShiftOptions {
  /** Smallest |after − before| worth reporting, on the score's scale (default 0.1). */
  minEffect?: number;
  /** Minimum days on each side of a split (default 3). */
  minDays?: number;
  /** Minimum mentions on each side of a split (default 30). */
  minMentions?: number;
  /** Minimum confidence (default 0.99). */
  minConfidence?: number;
  /**
   * Per-mention standard deviation of the score. Estimated from the scatter of daily means around
   * their segment means when omitted, floored at 0.05.
   */
  sigma?: number;
}

function normalTail(z: number): number {
  // Two-sided tail 2·(1 − Φ(|z|)) via the complementary error function (Abramowitz–Stegun 7.1.26).
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return poly * Math.exp(-x * x);
}

interface Split {
  at: number;
  before: number;
  after: number;
  z: number;
}

function bestSplit(
  series: readonly SentimentDay[],
  lo: number,
  hi: number,
  minDays: number,
  minMentions: number,
  sigma: number,
): Split | null {
  let totalN = 0;
  let totalSum = 0;
  for (let i = lo; i < hi; i++) {
    totalN += series[i].n;
    totalSum += series[i].mean * series[i].n;
  }
  let leftN = 0;
  let leftSum = 0;
  let best: Split | null = null;
  for (let k = lo + 1; k < hi; k++) {
    leftN += series[k - 1].n;
    leftSum += series[k - 1].mean * series[k - 1].n;
    const rightN = totalN - leftN;
    if (k - lo < minDays || hi - k < minDays || leftN < minMentions || rightN < minMentions) continue;
    const before = leftSum / leftN;
    const after = (totalSum - leftSum) / rightN;
    const z = (after - before) / (sigma * Math.sqrt(1 / leftN + 1 / rightN));
    if (best === null || Math.abs(z) > Math.abs(best.z)) best = { at: k, before, after, z };
  }
  return best;
}

function estimateSigma(series: readonly SentimentDay[], lo: number, hi: number, split: number): number {
  // Daily means scatter with variance σ²/n around their segment's mean, so Σ n·(m − μ)² / dof ≈ σ².
  let ss = 0;
  let dof = -2;
  for (const [a, b] of [
    [lo, split],
    [split, hi],
  ]) {
    let n = 0;
    let sum = 0;
    for (let i = a; i < b; i++) {
      n += series[i].n;
      sum += series[i].mean * series[i].n;
    }
    const mu = n > 0 ? sum / n : 0;
    for (let i = a; i < b; i++) {
      ss += series[i].n * (series[i].mean - mu) ** 2;
      dof++;
    }
  }
  return dof > 0 ? Math.sqrt(ss / dof) : 0;
}

/**
 * Change points in daily mean sentiment by binary segmentation: the split maximising the weighted
 * two-sample z statistic is kept when its effect is at least `minEffect`, each side has `minDays`
 * days and `minMentions` mentions, and the Bonferroni-adjusted p-value over all candidate splits is
 * below 1 − `minConfidence`; each side is then searched again. Days with n = 0 are ignored.
 * Returns shifts in day order; the caller attaches the mentions that drove each. Never throws.
 */
export function detectSentimentShift(
  series: readonly SentimentDay[],
  opts: SentimentShiftOptions = {},
): SentimentShift[] {
  const minEffect = opts.minEffect ?? 0.1;
  const minDays = opts.minDays ?? 3;
  const minMentions = opts.minMentions ?? 30;
  const minConfidence = opts.minConfidence ?? 0.99;
  const days = series.filter((d) => d.n > 0 && Number.isFinite(d.mean));
  const out: SentimentShift[] = [];
  const search = (lo: number, hi: number) => {
    if (hi - lo < 2 * minDays) return;
    // A first pass with a provisional σ finds the split; σ is then re-estimated around it.
    const provisional = bestSplit(days, lo, hi, minDays, minMentions, 1);
    if (provisional === null) return;
    const sigma = opts.sigma ?? Math.max(0.05, estimateSigma(days, lo, hi, provisional.at));
    const split = bestSplit(days, lo, hi, minDays, minMentions, sigma);
    if (split === null) return;
    const candidates = hi - lo - 1;
    const p = Math.min(1, normalTail(split.z) * candidates);
    const delta = split.after - split.before;
    if (Math.abs(delta) < minEffect || 1 - p < minConfidence) return;
    search(lo, split.at);
    out.push({ day: days[split.at].day, before: split.before, after: split.after, delta, confidence: 1 - p });
    search(split.at, hi);
  };
  search(0, days.length);
  return out;
}
