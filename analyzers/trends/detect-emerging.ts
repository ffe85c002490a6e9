import { type EmergingOptions, resolveEmergingOptions } from './emerging-options.ts';
import type { EmergingTrend } from './emerging-trend.ts';
import { type MentionEvidence, resolveEmerging } from './resolve-emerging.ts';
import { screenCandidates, type TrendWindow } from './screen-candidates.ts';

/**
 * Emerging terms at the last day of `window`, from rollup-shaped aggregates plus the recent mentions
 * that hold candidate or reported terms: `screenCandidates` then `resolveEmerging`. Pure; the same
 * call serves the in-memory detector and the DB job. Throws on invalid options.
 */
export function detectEmerging(
  window: TrendWindow,
  evidence: readonly MentionEvidence[],
  opts: Partial<EmergingOptions> & { reported?: ReadonlySet<string> } = {},
): EmergingTrend[] {
  const o = resolveEmergingOptions(opts);
  const candidates = screenCandidates(window, o);
  return resolveEmerging(candidates, evidence, window, opts.reported ?? new Set(), o);
}
