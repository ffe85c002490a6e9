/**
 * A term reported as emerging, with everything needed to explain the call: what was seen in the
 * recent window, what its own weekly-aware baseline predicted, and which mentions drove it.
 */
export interface EmergingTrend {
  /** Aggregation key (see `termKey`). */
  term: string;
  /** Human-readable form, e.g. "snail mucin" or "#glassskin". */
  display: string;
  /** The day (YYYY-MM-DD) whose close produced the report; only data up to its end was used. */
  detectedAt: string;
  /** First day the term was seen in the history available to the detector. */
  firstSeen: string;
  /** -log10 of the negative-binomial tail probability of the recent distinct-author count. */
  score: number;
  /** Recent share of all mentions divided by the baseline share. */
  growth: number;
  /** Mentions containing the term in the recent window. */
  count: number;
  /** Expected distinct-author count for the recent window under the baseline. */
  baseline: number;
  /** Recent window length in days that gave the strongest evidence. */
  windowDays: number;
  distinctAuthors: number;
  distinctSources: number;
  /** Mean sentiment of the evidence mentions, or null when none carried a score. */
  sentiment: number | null;
  sampleMentionIds: string[];
}
