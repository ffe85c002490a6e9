/** The report's chart helper: every point of every series is drawn, even two sharing a second. */
import { describe, expect, it } from 'vitest';
// @ts-expect-error: browser ES module without types, served to the report as is
import { alignSeries } from '../../../api/public/js/charts.js';

describe('alignSeries', () => {
  it('puts every series on one ascending x axis, null where a series has no point', () => {
    const a = alignSeries([
      {
        label: 'a',
        points: [
          [20, 1],
          [10, 2],
        ],
      },
      { label: 'b', points: [[15, 3]] },
    ]);
    expect(a.x).toEqual([10, 15, 20]);
    expect(a.series).toEqual([
      { label: 'a', values: [2, null, 1] },
      { label: 'b', values: [null, 3, null] },
    ]);
  });

  it('keeps two points of one series at the same second (each repeat 1 ms later), and other series aligned', () => {
    const a = alignSeries([
      {
        label: 'glowco',
        points: [
          [100, -10],
          [100, -20],
          [100, 5],
          [200, 1],
        ],
      },
      { label: 'maison', points: [[100, 7]] },
    ]);
    expect(a.x).toEqual([100, 100.001, 100.002, 200]);
    expect(a.series[0].values).toEqual([-10, -20, 5, 1]);
    expect(a.series[1].values).toEqual([7, null, null, null]);
    const drawn = a.series.reduce(
      (n: number, s: { values: (number | null)[] }) => n + s.values.filter((v) => v !== null).length,
      0,
    );
    expect(drawn).toBe(5);
  });
});
