import type { EmergingOptions } from './emerging-options.ts';
import { negBinomialLog10Tail } from './poisson-tail.ts';

/** Daily aggregates of one term, aligned with {@link TrendWindow.days} (oldest first). */
export interface TermSeries {
  key: string;
  display: string;
  /** Mentions containing the term, per day. */
  counts: ArrayLike<number>;
  /** Distinct authors of those mentions, per day: the unit the statistic counts, so one account flooding a term adds one. */
  authors: ArrayLike<number>;
  /** First day (YYYY-MM-DD) the term was seen. */
  firstSeen: string;
}

/**
 * The aggregates a decision for the last day of `days` needs: what the DB rollups hold
 * (per term-day counts and distinct authors, all mentions per day).
 */
export interface TrendWindow {
  /** Consecutive days, oldest first; the last one is the day being closed. Span ≥ `windowSpan(opts)`. */
  days: readonly string[];
  /** All mentions per day (0 for days before data began). */
  totals: ArrayLike<number>;
  /**
   * Term series. May be pre-filtered to terms with at least `minAuthors` author-days in the last
   * `max(recentWindows)` days: no other term can pass.
   */
  terms: Iterable<TermSeries>;
}

/** A term whose recent distinct-author count its baseline does not explain. */
export interface TrendCandidate {
  series: TermSeries;
  /** Recent window length, days. */
  windowDays: number;
  /** Author-days observed in the window. */
  observed: number;
  /** Author-days the baseline predicts for the window. */
  expected: number;
  /** Mentions in the window. */
  count: number;
  growth: number;
  score: number;
}

interface WindowEvidence {
  observed: number;
  expected: number;
  count: number;
  growth: number;
  score: number;
}

/**
 * Tests one term over one recent window ending at the last day. The baseline is the term's share of
 * all mentions over the `baselineDays` before the window; each recent day expects its day's volume
 * times the larger of that share and the share on the same weekday (shrunk toward the overall share
 * by one pseudo-event), so a term that peaks every weekend is compared with earlier weekends. The
 * surprise is the negative-binomial (Poisson–Gamma) tail with shape = baseline author-days + prior:
 * the baseline rate is itself an estimate, and the less history there is, the less a rise says.
 */
function testWindow(
  s: TermSeries,
  totals: ArrayLike<number>,
  len: number,
  w: number,
  opts: EmergingOptions,
): WindowEvidence | null {
  const recentStart = len - w;
  const baseStart = Math.max(0, recentStart - opts.baselineDays);
  let baseAuthors = 0;
  let baseTotal = 0;
  let baseDays = 0;
  for (let i = baseStart; i < recentStart; i++) {
    baseAuthors += s.authors[i];
    baseTotal += totals[i];
    if (totals[i] > 0) baseDays++;
  }
  if (baseDays < opts.warmupDays || baseTotal <= 0) return null;
  const share = (baseAuthors + opts.priorCount) / baseTotal;
  let observed = 0;
  let count = 0;
  let expected = 0;
  let recentTotal = 0;
  for (let j = recentStart; j < len; j++) {
    observed += s.authors[j];
    count += s.counts[j];
    recentTotal += totals[j];
    let wdAuthors = 0;
    let wdTotal = 0;
    for (let i = j - 7; i >= baseStart; i -= 7) {
      if (i >= recentStart) continue;
      wdAuthors += s.authors[i];
      wdTotal += totals[i];
    }
    const weekdayShare = (wdAuthors + 1) / (wdTotal + 1 / share);
    expected += totals[j] * Math.max(share, weekdayShare);
  }
  if (recentTotal <= 0) return null;
  const score =
    observed > expected ? -negBinomialLog10Tail(observed, expected, baseAuthors + opts.priorCount) : 0;
  return { observed, expected, count, growth: observed / recentTotal / share, score };
}

/**
 * Scores one term at the window's last day: the strongest of its recent windows. Returns null when
 * there is not enough history yet. Exposed so residual counts (after explained mentions are
 * removed) can be re-scored against the same baseline.
 */
export function scoreTermWindow(
  s: TermSeries,
  window: Pick<TrendWindow, 'days' | 'totals'>,
  opts: EmergingOptions,
): TrendCandidate | null {
  const len = window.days.length;
  let best: TrendCandidate | null = null;
  for (const w of opts.recentWindows) {
    if (w >= len) continue;
    const e = testWindow(s, window.totals, len, w, opts);
    if (e === null) continue;
    if (best === null || e.score > best.score) best = { series: s, windowDays: w, ...e };
  }
  return best;
}

/**
 * First, aggregate-only stage of detection: every term whose distinct-author count in a recent window
 * is improbable under its own weekly-aware, volume-normalised baseline (tail ≤ 10^-minScore),
 * with at least `minAuthors` author-days and `minGrowth`× growth. Sorted by score, strongest first.
 * Candidates still include fragments of one another; `resolveEmerging` decides which to report.
 */
export function screenCandidates(window: TrendWindow, opts: EmergingOptions): TrendCandidate[] {
  const out: TrendCandidate[] = [];
  const maxW = Math.max(...opts.recentWindows);
  const len = window.days.length;
  for (const s of window.terms) {
    let recent = 0;
    for (let j = Math.max(0, len - maxW); j < len; j++) recent += s.authors[j];
    if (recent < opts.minAuthors) continue;
    const c = scoreTermWindow(s, window, opts);
    if (c === null) continue;
    if (c.observed >= opts.minAuthors && c.score >= opts.minScore && c.growth >= opts.minGrowth) out.push(c);
  }
  out.sort((a, b) => b.score - a.score);
  return out;
}
