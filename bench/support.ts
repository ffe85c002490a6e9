/**
 * What every benchmark shares: the options `bench/run.ts` parses, percentiles and rates, RSS sampling, and a
 * fresh migrated database on the machine's real Postgres (the same template clone the integration tests use).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { createDb, type Db } from '../db/index.ts';
import type { Logger } from '../logger.ts';
import { createPostgresTestDb, type TestDb } from '../test/support/db.ts';

export interface BenchOptions {
  /** Smallest sizes that still exercise every path (a smoke run, seconds to a minute per benchmark). */
  quick: boolean;
  /** The sizes the issues name (1M mentions, 5M observations, 500 targets). Tens of minutes. */
  full: boolean;
  /** Numeric overrides from `--set key=value` (e.g. `--set mentions=200000`). */
  sizes: Record<string, number>;
  /** Writes a V8 CPU profile of the pipeline crawl here when set (`--cpu-prof DIR`). */
  cpuProfDir: string | null;
  log: (line: string) => void;
}

/** One benchmark: the issue goal it measures and a function returning its figures. */
export interface Benchmark {
  name: string;
  goal: string;
  run(opts: BenchOptions): Promise<BenchResult>;
}

export interface BenchResult {
  /** Headline figures (rates, ratios, percentiles), all JSON. */
  figures: Record<string, unknown>;
  /** Whether the goal is met by the ratio measured now; null when the benchmark has no pass mark. */
  goalMet: boolean | null;
  /** Lines for the markdown summary. */
  summary: string[];
  notes?: string[];
}

/** Picks the size for the current mode; `--set name=N` wins. */
export function size(
  opts: BenchOptions,
  name: string,
  sizes: { quick: number; normal: number; full: number },
) {
  return opts.sizes[name] ?? (opts.quick ? sizes.quick : opts.full ? sizes.full : sizes.normal);
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function seconds(startedMs: number): number {
  return (performance.now() - startedMs) / 1000;
}

/** Samples this process's RSS every `everyMs` until stopped; returns the peak in MB. */
export function sampleRss(everyMs = 250): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().rss);
      return Math.round(peak / 1e6);
    },
  };
}

/** Time per named statement, from the `query` debug lines `db/pool.ts` emits (whole milliseconds each). */
export interface QueryProfile {
  log: Logger;
  reset(): void;
  /** By statement name: count and total ms, biggest total first. */
  stats(): { query: string; count: number; totalMs: number; meanMs: number }[];
}

/** A logger that counts the pool's per-query debug lines instead of writing them. */
export function queryProfile(): QueryProfile {
  const by = new Map<string, { count: number; ms: number }>();
  const log = pino({
    level: 'debug',
    hooks: {
      logMethod(args) {
        const o = args[0] as { query?: unknown; ms?: unknown } | undefined;
        if (o && typeof o.query === 'string' && typeof o.ms === 'number') {
          const s = by.get(o.query) ?? { count: 0, ms: 0 };
          s.count++;
          s.ms += o.ms;
          by.set(o.query, s);
        }
      },
    },
  });
  return {
    log,
    reset: () => by.clear(),
    stats: () =>
      [...by]
        .map(([query, s]) => ({ query, count: s.count, totalMs: s.ms, meanMs: round(s.ms / s.count, 2) }))
        .sort((a, b) => b.totalMs - a.totalMs),
  };
}

/** A fresh migrated database for one benchmark, with a pool whose queries are profiled; dropped by `close()`. */
export async function benchDb(): Promise<TestDb & { profile: QueryProfile }> {
  const tdb = await createPostgresTestDb();
  const profile = queryProfile();
  const db: Db = createDb(tdb.url, profile.log, { max: 12 });
  return {
    db,
    url: tdb.url,
    profile,
    async close() {
      await db.close();
      await tdb.close();
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` over `items` with at most `concurrency` in flight. */
export async function pool<T>(
  items: T[],
  concurrency: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

let clockTicks: number | null = null;

/**
 * CPU time (user + system, ms) of each Postgres backend connected to `db`'s database, read from /proc: works when
 * Postgres runs on this machine (the benchmarks' 127.0.0.1), null otherwise. Diff two snapshots with `cpuDelta`.
 */
export async function postgresCpu(db: Db): Promise<Map<number, number> | null> {
  const { rows } = await db.query<{ pid: number }>(
    'bench.backends',
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database()',
  );
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  const out = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      out.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks);
    } catch {
      return null;
    }
  }
  return out;
}

/** CPU ms spent between two `postgresCpu` snapshots (backends that appeared in between count from zero). */
export function cpuDelta(
  before: Map<number, number> | null,
  after: Map<number, number> | null,
): number | null {
  if (!before || !after) return null;
  let ms = 0;
  for (const [pid, v] of after) ms += v - (before.get(pid) ?? 0);
  return ms;
}
