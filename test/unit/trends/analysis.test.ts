import { describe, expect, it } from 'vitest';
import {
  detectBaselineSpikes,
  detectSentimentShift,
  forecastHolt,
  poissonLog10Tail,
} from '../../../analyzers/trends/index.ts';
import { seeded } from './synthetic-stream.ts';

function gaussian(rnd: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}

const day = (i: number) => `2026-01-${String(i + 1).padStart(2, '0')}`;

describe('detectSentimentShift', () => {
  it('finds a drop in daily mean sentiment on the day it happens', () => {
    const rnd = seeded(3);
    const series = Array.from({ length: 30 }, (_, i) => {
      const n = 40;
      const level = i < 18 ? 0.3 : -0.1;
      return { day: day(i), mean: level + (gaussian(rnd) * 0.5) / Math.sqrt(n), n };
    });
    const shifts = detectSentimentShift(series);
    expect(shifts).toHaveLength(1);
    expect(shifts[0].day).toBe(day(18));
    expect(shifts[0].delta).toBeLessThan(-0.3);
    expect(shifts[0].confidence).toBeGreaterThan(0.99);
  });

  it('finds nothing on flat noise', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const rnd = seeded(seed);
      const series = Array.from({ length: 30 }, (_, i) => ({
        day: day(i),
        mean: 0.2 + (gaussian(rnd) * 0.5) / Math.sqrt(40),
        n: 40,
      }));
      expect(detectSentimentShift(series)).toEqual([]);
    }
  });

  it('ignores a shift smaller than the minimum effect or backed by too few mentions', () => {
    const series = Array.from({ length: 20 }, (_, i) => ({ day: day(i), mean: i < 10 ? 0.2 : 0.25, n: 500 }));
    expect(detectSentimentShift(series, { sigma: 0.5 })).toEqual([]);
    const thin = Array.from({ length: 20 }, (_, i) => ({ day: day(i), mean: i < 10 ? 0.5 : -0.5, n: 1 }));
    expect(detectSentimentShift(thin)).toEqual([]);
  });
});

describe('forecastHolt', () => {
  it('continues a linear series exactly, inside its interval', () => {
    const series = Array.from({ length: 20 }, (_, i) => 5 + 2 * i);
    const f = forecastHolt(series, { horizon: 5 });
    expect(f.point).toHaveLength(5);
    f.point.forEach((p, h) => {
      expect(p).toBeCloseTo(5 + 2 * (20 + h), 6);
      expect(f.lower[h]).toBeLessThanOrEqual(p);
      expect(f.upper[h]).toBeGreaterThanOrEqual(p);
    });
  });

  it('widens the interval with the horizon on a noisy trend and damps when asked', () => {
    const rnd = seeded(9);
    const series = Array.from({ length: 40 }, (_, i) => 10 + i + gaussian(rnd) * 2);
    const f = forecastHolt(series);
    expect(f.point).toHaveLength(14);
    expect(f.upper[13] - f.lower[13]).toBeGreaterThan(f.upper[0] - f.lower[0]);
    expect(f.point[13]).toBeGreaterThan(f.point[0]);
    const d = forecastHolt(series, { damped: true, phi: 0.8 });
    expect(d.point[13] - d.point[12]).toBeLessThan(f.point[13] - f.point[12]);
  });

  it('rejects an empty series and out-of-range parameters', () => {
    expect(() => forecastHolt([])).toThrow();
    expect(() => forecastHolt([1, 2], { alpha: 1.5 })).toThrow();
  });
});

describe('detectBaselineSpikes', () => {
  it('flags a day above the trailing 14-day mean + 3σ, and only after 14 days', () => {
    const series = [...new Array(14).fill(0).map((_, i) => 10 + (i % 3)), 11, 30, 12];
    expect(detectBaselineSpikes(series)).toEqual([15]);
    expect(detectBaselineSpikes([50, 0, 0])).toEqual([]);
  });
});

describe('poissonLog10Tail', () => {
  it('matches closed forms and stays finite far in the tail', () => {
    expect(10 ** poissonLog10Tail(1, 1)).toBeCloseTo(1 - Math.exp(-1), 10);
    expect(10 ** poissonLog10Tail(2, 0.5)).toBeCloseTo(1 - Math.exp(-0.5) * 1.5, 10);
    expect(poissonLog10Tail(0, 3)).toBe(0);
    const deep = poissonLog10Tail(400, 0.01);
    expect(Number.isFinite(deep)).toBe(true);
    expect(deep).toBeLessThan(-300);
  });
});
