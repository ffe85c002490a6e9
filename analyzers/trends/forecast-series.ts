import { addDays } from './day.ts';
import { forecastHolt } from './forecast-holt.ts';

/** One forecast step: the point and its 80 % band. */
export interface SeriesForecastPoint {
  t: string;
  point: number;
  lower: number;
  upper: number;
}

/** A forecast needs at least this many observations. */
const MIN_HISTORY = 4;

/**
 * A damped-Holt forecast of a daily mean score for the `horizon` days after `lastDay`, with its 80 % band clamped
 * to the score's [-1, 1]. Days without a mean carry the last one forward so the series is regular; fewer than 4
 * days with a mean give no forecast.
 */
export function forecastDailyMean(
  points: readonly { t: string; mean: number | null }[],
  lastDay: string,
  horizon: number,
): SeriesForecastPoint[] {
  const known = new Map<string, number>();
  for (const p of points) if (p.mean !== null && p.t <= lastDay) known.set(p.t, p.mean);
  if (known.size < MIN_HISTORY) return [];
  const history: number[] = [];
  let last = 0;
  for (let d = [...known.keys()].sort()[0]; d <= lastDay; d = addDays(d, 1)) {
    last = known.get(d) ?? last;
    history.push(last);
  }
  const f = forecastHolt(history, { horizon, damped: true });
  const clamp = (x: number) => Math.min(1, Math.max(-1, Math.round(x * 1000) / 1000));
  return f.point.map((point, i) => ({
    t: addDays(lastDay, i + 1),
    point: clamp(point),
    lower: clamp(f.lower[i]),
    upper: clamp(f.upper[i]),
  }));
}

/**
 * A damped-Holt forecast of counts per bucket for the `horizon` buckets after the last one, floored at 0. `counts`
 * is a regular series (empty buckets as 0) whose last bucket starts at `lastT`, `stepMs` apart; it is forecast from
 * its first non-zero bucket (leading zeros say nothing), and fewer than 4 buckets from there give no forecast.
 * Daily buckets are labelled by day (YYYY-MM-DD), others by their ISO start.
 */
export function forecastCounts(
  counts: readonly number[],
  opts: { lastT: number; stepMs: number; horizon: number; daily: boolean },
): SeriesForecastPoint[] {
  const firstNonZero = counts.findIndex((c) => c > 0);
  const history = firstNonZero < 0 ? [] : counts.slice(firstNonZero);
  if (history.length < MIN_HISTORY) return [];
  const f = forecastHolt(history, { horizon: opts.horizon, damped: true });
  const floor = (x: number) => Math.max(0, Math.round(x * 100) / 100);
  return f.point.map((point, i) => {
    const t = new Date(opts.lastT + (i + 1) * opts.stepMs).toISOString();
    return {
      t: opts.daily ? t.slice(0, 10) : t,
      point: floor(point),
      lower: floor(f.lower[i]),
      upper: floor(f.upper[i]),
    };
  });
}
