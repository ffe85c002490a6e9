/** Tuning of emerging-term detection. Every field has a default in {@link DEFAULT_EMERGING_OPTIONS}. */
export interface EmergingOptions {
  /** Candidate recent-window lengths in days; the strongest is kept. */
  recentWindows: readonly number[];
  /** Days of history before the recent window that form the baseline. */
  baselineDays: number;
  /** Days with mentions needed in the baseline before anything is reported (weekly pattern needs two weeks). */
  warmupDays: number;
  /** Minimum distinct-author count in the recent window. */
  minAuthors: number;
  /** Minimum -log10 tail probability. */
  minScore: number;
  /** Minimum growth of the term's share of all mentions over its baseline share. */
  minGrowth: number;
  /** Pseudo-count of author-days added to a term's baseline, so unseen terms are not infinitely surprising. */
  priorCount: number;
  /** A super-phrase replaces a phrase when it covers at least this share of the phrase's residual authors. */
  maximalRatio: number;
  /** Copies of one wording (same `context`) counted at most this many times in the recent window. */
  maxPerContext: number;
  /** Sample mention ids carried as evidence. */
  sampleSize: number;
}

/** Defaults chosen for ~1k mentions a day; see the trends eval for how they behave. */
export const DEFAULT_EMERGING_OPTIONS: EmergingOptions = {
  recentWindows: [1, 3, 7],
  baselineDays: 28,
  warmupDays: 14,
  minAuthors: 6,
  minScore: 5,
  minGrowth: 4,
  priorCount: 0.5,
  maximalRatio: 0.6,
  maxPerContext: 2,
  sampleSize: 5,
};

/** Fills unset fields from the defaults and validates; throws on a non-positive window or threshold. */
export function resolveEmergingOptions(opts: Partial<EmergingOptions> = {}): EmergingOptions {
  const o = { ...DEFAULT_EMERGING_OPTIONS, ...opts };
  if (o.recentWindows.length === 0 || o.recentWindows.some((w) => !Number.isInteger(w) || w < 1)) {
    throw new Error('recentWindows must hold positive integers');
  }
  if (!(o.baselineDays >= 7) || !(o.priorCount > 0) || !(o.minAuthors >= 1)) {
    throw new Error('baselineDays must be ≥ 7, priorCount > 0 and minAuthors ≥ 1');
  }
  return o;
}

/** Number of days a {@link TrendWindow} must span for these options. */
export function windowSpan(opts: EmergingOptions): number {
  return opts.baselineDays + Math.max(...opts.recentWindows);
}
