/**
 * Charts on uPlot (loaded from our origin as the global `uPlot`). Every chart records how many data points it
 * drew in `data-points`, so tests and readers can tell an empty chart from a full one.
 */
import { empty } from './lib.js';

const PALETTE = ['#2563eb', '#db2777', '#16a34a', '#ea580c', '#7c3aed', '#0891b2', '#ca8a04', '#dc2626'];

/** A stable colour per index. @param {number} i */
export function colorFor(i) {
  return PALETTE[i % PALETTE.length];
}

/**
 * Aligns several `[t, value]` lists on one x axis (uPlot wants one shared, ascending x). Missing values are null.
 * A list's points sharing a t (two price changes of one competitor stored in the same second) would overwrite
 * each other on the shared axis: each repeat is drawn 1 ms after the one before, so every point shows.
 * @param {{ label: string, points: [number, number | null][] }[]} groups
 */
export function alignSeries(groups) {
  groups = groups.map((g) => {
    const repeats = new Map();
    const points = g.points.map(([t, v]) => {
      const k = repeats.get(t) ?? 0;
      repeats.set(t, k + 1);
      return /** @type {[number, number | null]} */ ([k ? t + k / 1000 : t, v]);
    });
    return { ...g, points };
  });
  const xs = [...new Set(groups.flatMap((g) => g.points.map((p) => p[0])))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  return {
    x: xs,
    series: groups.map((g) => {
      const values = new Array(xs.length).fill(null);
      for (const [t, v] of g.points) values[index.get(t)] = v;
      return { label: g.label, values };
    }),
  };
}

/**
 * Draws a time chart into `container`.
 * @param {HTMLElement} container
 * @param {{
 *   x: number[],
 *   series: { label: string, values: (number|null)[], color?: string, points?: boolean, line?: boolean,
 *             dash?: number[], width?: number, fill?: string, scale?: string }[],
 *   bands?: [number, number, string][],
 *   height?: number, yLabel?: string, y2Label?: string, spark?: boolean, title?: string,
 * }} opts  bands: pairs of 1-based series indexes (upper, lower) filled between.
 */
export function timeChart(container, opts) {
  const count = opts.series.reduce(
    (n, s) => n + s.values.filter((v) => v !== null && v !== undefined && Number.isFinite(v)).length,
    0,
  );
  container.classList.add('chart');
  container.dataset.points = String(count);
  if (opts.title) container.setAttribute('aria-label', opts.title);
  container.setAttribute('role', 'img');
  const U = globalThis.uPlot;
  if (!U) {
    container.appendChild(empty('Charts could not load.'));
    return null;
  }
  if (count === 0) {
    container.appendChild(empty('No data points in this range.'));
    return null;
  }
  const spark = Boolean(opts.spark);
  const height = opts.height ?? (spark ? 44 : 220);
  const width = () => Math.max(spark ? 80 : 240, container.clientWidth || 600);
  const few = opts.x.length <= 2;
  const hasY2 = opts.series.some((s) => s.scale === 'y2');
  const u = new U(
    {
      width: width(),
      height,
      legend: { show: !spark },
      cursor: spark ? { show: false } : { points: { size: 7 } },
      scales: {
        x: {
          time: true,
          // A single instant still gets a visible range.
          range: (_u, min, max) => {
            if (min === max) return [min - 3600, max + 3600];
            const pad = (max - min) * 0.03;
            return [min - pad, max + pad];
          },
        },
      },
      axes: spark
        ? [{ show: false }, { show: false }]
        : [
            { stroke: '#475569', grid: { stroke: '#e2e8f0' } },
            { label: opts.yLabel, stroke: '#475569', grid: { stroke: '#e2e8f0' }, size: 56 },
            ...(hasY2
              ? [{ scale: 'y2', side: 1, label: opts.y2Label, grid: { show: false }, size: 56 }]
              : []),
          ],
      series: [
        {},
        ...opts.series.map((s, i) => {
          const color = s.color ?? colorFor(i);
          return {
            label: s.label,
            scale: s.scale ?? 'y',
            stroke: color,
            width: s.width ?? (spark ? 1.5 : 2),
            dash: s.dash,
            fill: s.fill,
            spanGaps: true,
            points: { show: s.points ?? few, size: spark ? 4 : 7, fill: color, stroke: color },
            ...(s.line === false ? { paths: () => null } : {}),
          };
        }),
      ],
      bands: (opts.bands ?? []).map(([a, b, fill]) => ({ series: [a, b], fill })),
    },
    [opts.x, ...opts.series.map((s) => s.values)],
    container,
  );
  if (typeof ResizeObserver === 'function') {
    let last = width();
    new ResizeObserver(() => {
      const w = width();
      if (Math.abs(w - last) > 4) {
        last = w;
        u.setSize({ width: w, height });
      }
    }).observe(container);
  }
  return u;
}
