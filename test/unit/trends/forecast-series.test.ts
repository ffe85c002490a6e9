// The forecasts the API serves beside a series: daily mean sentiment and counts per bucket.
import { describe, expect, it } from 'vitest';
import { forecastCounts, forecastDailyMean } from '../../../analyzers/index.ts';

describe('forecastDailyMean', () => {
  it('carries the last mean over days without one and forecasts the days after lastDay, inside [-1, 1]', () => {
    const points = [
      { t: '2026-11-01', mean: 0.5 },
      { t: '2026-11-02', mean: 0.6 },
      { t: '2026-11-03', mean: null },
      { t: '2026-11-05', mean: 0.8 },
      { t: '2026-11-06', mean: 0.95 },
      { t: '2026-11-09', mean: 0.2 }, // after lastDay: not history
    ];
    const f = forecastDailyMean(points, '2026-11-06', 3);
    expect(f.map((p) => p.t)).toEqual(['2026-11-07', '2026-11-08', '2026-11-09']);
    for (const p of f) {
      expect(p.lower).toBeLessThanOrEqual(p.point);
      expect(p.point).toBeLessThanOrEqual(p.upper);
      expect(p.upper).toBeLessThanOrEqual(1);
      expect(p.lower).toBeGreaterThanOrEqual(-1);
    }
    // A rising mean is forecast to keep above its start.
    expect(f[0].point).toBeGreaterThan(0.6);
  });

  it('gives no forecast from fewer than 4 days with a mean', () => {
    const points = [
      { t: '2026-11-01', mean: 0.1 },
      { t: '2026-11-02', mean: null },
      { t: '2026-11-03', mean: 0.2 },
      { t: '2026-11-04', mean: 0.3 },
    ];
    expect(forecastDailyMean(points, '2026-11-04', 7)).toEqual([]);
  });
});

describe('forecastCounts', () => {
  const DAY = 86_400_000;
  const lastT = Date.UTC(2026, 10, 10);

  it('forecasts from the first non-zero bucket, labels days, and never goes below zero', () => {
    const counts = [0, 0, 0, 9, 7, 5, 3, 1, 0];
    const f = forecastCounts(counts, { lastT, stepMs: DAY, horizon: 4, daily: true });
    expect(f.map((p) => p.t)).toEqual(['2026-11-11', '2026-11-12', '2026-11-13', '2026-11-14']);
    for (const p of f) {
      expect(p.lower).toBeGreaterThanOrEqual(0);
      expect(p.point).toBeGreaterThanOrEqual(p.lower);
      expect(p.upper).toBeGreaterThanOrEqual(p.point);
    }
    expect(f[0].point).toBeLessThan(3); // falling counts keep falling (or stay at 0)
  });

  it('labels hourly buckets by their ISO start; no forecast from fewer than 4 buckets after the leading zeros', () => {
    const hour = 3_600_000;
    const f = forecastCounts([2, 4, 6, 8], { lastT, stepMs: hour, horizon: 2, daily: false });
    expect(f.map((p) => p.t)).toEqual(['2026-11-10T01:00:00.000Z', '2026-11-10T02:00:00.000Z']);
    expect(f[0].point).toBeGreaterThan(8);
    expect(forecastCounts([0, 0, 0, 5, 6, 7], { lastT, stepMs: hour, horizon: 2, daily: false })).toEqual([]);
    expect(forecastCounts([0, 0], { lastT, stepMs: hour, horizon: 2, daily: false })).toEqual([]);
  });
});
