/**
 * Report issue: the overview's API calls (`buildApp` + `inject`: the real routes, schemas and queries) with a
 * large history loaded, against a bare Fastify route running one indexed query on the same database, measured
 * interleaved in the same run (goal: every call's p99 ≤ 3× the bare p99). Measured at two history sizes (the
 * second adds OLDER rows, as months of crawling do; both hold a full 30 days of mentions and a full day of
 * observations, the windows the calls ask for): a call's cost must not grow with total history. Besides
 * latency, each call's statements are re-run under EXPLAIN (ANALYZE, BUFFERS): pages touched do not depend on
 * how busy the machine is.
 */
import Fastify from 'fastify';
import { buildApp } from '../api/index.ts';
import { loadConfig } from '../config.ts';
import type { Db } from '../db/index.ts';
import { createInProcessQueue } from '../jobs/index.ts';
import { createLogger } from '../logger.ts';
import { growHistory, type HistoryState, PRODUCTS, seedCatalog } from './api-fixture.ts';
import { type Benchmark, benchDb, percentile, round, size } from './support.ts';

interface Recorded {
  sql: string;
  params: unknown[] | undefined;
}

/** The database handle given to the app, recording statements while `recording` is set. */
function recordingDb(db: Db) {
  const state = { recording: false, seen: [] as Recorded[] };
  const wrapped: Db = {
    pool: db.pool,
    query(name, sql, params) {
      if (state.recording) state.seen.push({ sql, params });
      return db.query(name, sql, params);
    },
    withTransaction: (fn) => db.withTransaction(fn),
    copyFrom: (name, sql, chunks) => db.copyFrom(name, sql, chunks),
    canCopy: db.canCopy,
    ping: () => db.ping(),
    close: () => db.close(),
  };
  return { db: wrapped, state };
}

const BARE_SQL = `SELECT id, occurred_at AS "occurredAt", product_id AS "productId" FROM events
  WHERE type = 'price_changed' ORDER BY occurred_at DESC LIMIT 50`;

function calls(): Record<string, string> {
  // One day: every history size holds a full day, so this window's size does not change between steps.
  const since = new Date(Date.now() - 86_400_000).toISOString();
  return {
    'price-changes': '/api/price-changes?limit=50',
    'price-changes filtered': `/api/price-changes?competitor=glowco&category=makeup&min_pct=10&direction=down&since=${encodeURIComponent(since)}&limit=50`,
    alerts: '/api/alerts?limit=50',
    trends: '/api/trends?limit=20',
    sentiment: '/api/sentiment',
    'sentiment entity': '/api/sentiment?entity=glowco',
    'mentions entity': '/api/mentions?entity=lumina&limit=50',
  };
}

interface Latency {
  p50: number;
  p99: number;
  mean: number;
}

/** Extra pages a call may touch with more history before it counts as growing: B-tree levels, not rows. */
const EXTRA_PAGES_ALLOWED = 8;

export const apiLatency: Benchmark = {
  name: 'api',
  goal: 'report issue: p99 of the overview API calls ≤ 3× a bare Fastify route with one indexed query; cost flat in history size',
  async run(opts) {
    const steps: HistoryState[] = opts.full
      ? [
          { hours: 250, mentions: 100_000 },
          { hours: 2500, mentions: 1_000_000 },
        ]
      : opts.quick
        ? [
            { hours: 30, mentions: 35_000 },
            { hours: 60, mentions: 70_000 },
          ]
        : [
            { hours: 50, mentions: 35_000 },
            { hours: 250, mentions: 100_000 },
          ];
    const rounds = size(opts, 'apiRounds', { quick: 30, normal: 200, full: 300 });
    const tdb = await benchDb();
    const log = createLogger('silent');
    const { db, state } = recordingDb(tdb.db);
    const queue = createInProcessQueue({ log, concurrency: {} });
    const app = await buildApp({
      // The rate limiter stays on (its cost is part of every call) with a ceiling the benchmark never reaches.
      config: loadConfig({ DEMO: '0', RATE_LIMIT_PER_MINUTE: '100000000' }),
      db,
      queue,
      log,
      checkUrl: async () => undefined,
    });
    const bare = Fastify();
    bare.get('/bare', async () => (await tdb.db.query('bench.bare', BARE_SQL)).rows);
    await Promise.all([app.ready(), bare.ready()]);
    const perStep: Record<string, unknown>[] = [];
    try {
      await seedCatalog(tdb.db);
      let have: HistoryState = { hours: 0, mentions: 0 };
      for (const step of steps) {
        const started = performance.now();
        await growHistory(tdb.db, have, step);
        have = step;
        const { rows } = await tdb.db.query<{
          obs: number;
          events: number;
          alerts: number;
          mentions: number;
        }>(
          'bench.sizes',
          `SELECT (SELECT count(*) FROM price_observations)::int AS obs, (SELECT count(*) FROM events)::int AS events,
             (SELECT count(*) FROM alerts)::int AS alerts, (SELECT count(*) FROM mentions)::int AS mentions`,
        );
        opts.log(
          `api: history ${JSON.stringify(rows[0])} loaded in ${round((performance.now() - started) / 1000, 1)} s`,
        );
        const targets = { ...calls(), bare: '/bare' };
        const samples = new Map<string, number[]>(Object.keys(targets).map((k) => [k, []]));
        for (let r = -10; r < rounds; r++) {
          for (const [name, url] of Object.entries(targets)) {
            const t = performance.now();
            const res = name === 'bare' ? await bare.inject({ url }) : await app.inject({ url });
            const ms = performance.now() - t;
            if (res.statusCode !== 200)
              throw new Error(`${url} answered ${res.statusCode}: ${res.body.slice(0, 200)}`);
            if (r >= 0) samples.get(name)!.push(ms);
          }
        }
        const latency: Record<string, Latency> = {};
        for (const [name, xs] of samples)
          latency[name] = {
            p50: round(percentile(xs, 50)),
            p99: round(percentile(xs, 99)),
            mean: round(xs.reduce((a, b) => a + b, 0) / xs.length),
          };
        // Pages touched by each call's statements (deterministic, unlike time on a shared machine).
        const buffers: Record<string, { statements: number; pages: number; execMs: number }> = {};
        for (const [name, url] of Object.entries(calls())) {
          state.seen = [];
          state.recording = true;
          await app.inject({ url });
          state.recording = false;
          let pages = 0;
          let execMs = 0;
          for (const s of state.seen) {
            const { rows: plan } = await tdb.db.query<{
              'QUERY PLAN': [{ Plan: Record<string, number>; 'Execution Time': number }];
            }>('bench.explain', `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${s.sql}`, s.params);
            const top = plan[0]['QUERY PLAN'][0];
            pages += (top.Plan['Shared Hit Blocks'] ?? 0) + (top.Plan['Shared Read Blocks'] ?? 0);
            execMs += top['Execution Time'];
          }
          buffers[name] = { statements: state.seen.length, pages, execMs: round(execMs, 2) };
        }
        const worst = Object.entries(latency)
          .filter(([n]) => n !== 'bare')
          .reduce((a, b) => (b[1].p99 > a[1].p99 ? b : a));
        perStep.push({
          history: rows[0],
          rounds,
          latency,
          buffers,
          worstCall: worst[0],
          worstP99VsBare: round(worst[1].p99 / latency.bare.p99, 2),
        });
        opts.log(`api: worst p99 ${worst[0]} ${worst[1].p99} ms vs bare ${latency.bare.p99} ms`);
      }
    } finally {
      await app.close();
      await bare.close();
      await queue.close(1000);
      await tdb.close();
    }
    const [small, large] = perStep as {
      history: Record<string, number>;
      latency: Record<string, Latency>;
      buffers: Record<string, { pages: number }>;
      worstCall: string;
      worstP99VsBare: number;
    }[];
    const growth = Object.fromEntries(
      Object.keys(calls()).map((n) => [
        n,
        {
          p50: round(large.latency[n].p50 / small.latency[n].p50, 2),
          pages: round(large.buffers[n].pages / Math.max(1, small.buffers[n].pages), 2),
          extraPages: large.buffers[n].pages - small.buffers[n].pages,
        },
      ]),
    );
    // Growth is a ratio AND an amount: an index that gains a level costs one more page per descent, which turns
    // 3 pages into 5 (1.67×) without the call reading any more rows. Cost that grows with history shows as both.
    const growing = Object.entries(growth).filter(
      ([, g]) => g.pages > 1.5 && g.extraPages > EXTRA_PAGES_ALLOWED,
    );
    return {
      goalMet: large.worstP99VsBare <= 3 && growing.length === 0,
      figures: { products: PRODUCTS, steps: perStep, growthLargeVsSmall: growth },
      summary: [
        `${large.history.obs} observations, ${large.history.events} events, ${large.history.alerts} alerts, ${large.history.mentions} mentions: worst p99 ${large.worstCall} = **${large.worstP99VsBare}× bare** (goal ≤ 3×); bare p50/p99 ${large.latency.bare.p50}/${large.latency.bare.p99} ms`,
        `p50/p99 ms: ${Object.keys(calls())
          .map((n) => `${n} ${large.latency[n].p50}/${large.latency[n].p99}`)
          .join('; ')}`,
        `history ${small.history.obs}→${large.history.obs} observations, ${small.history.mentions}→${large.history.mentions} mentions: pages touched ×${Object.entries(
          growth,
        )
          .map(([n, g]) => `${n} ${g.pages}`)
          .join(', ')}; p50 ×${Object.entries(growth)
          .map(([n, g]) => `${n} ${g.p50}`)
          .join(', ')}`,
        growing.length
          ? `cost grows with history: ${growing.map(([n]) => n).join(', ')}`
          : `no call touches more than 1.5× (and ${EXTRA_PAGES_ALLOWED} more) pages with the larger history`,
      ],
      notes: [
        'History is written with SQL (generate_series), not through the crawler: hourly observations of 2000 products, 1 in 20 a price change, drops ≥ 10 % alerted, ~1000 mentions a day. Requests are sequential (latency, not throughput), all endpoints and the bare route interleaved round by round.',
      ],
    };
  },
};
