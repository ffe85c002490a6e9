/**
 * The real pipeline for integration tests: a demo market on 127.0.0.1 with a clock the test moves, a database
 * (real Postgres or PGlite), a queue (real BullMQ or in-process) and a worker running the real job definitions.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../config.ts';
import type { Db } from '../../db/index.ts';
import { type DemoMarket, startDemoMarket } from '../../demo/index.ts';
import {
  createBullmqQueue,
  createInProcessQueue,
  type JobQueue,
  type RunningWorker,
  startWorker,
} from '../../jobs/index.ts';
import { createPgliteTestDb, type TestDb, testLog } from './db.ts';
import { REDIS_URL } from './services.ts';

export interface MovableDemo {
  market: DemoMarket;
  /** Moves the demo's simulated clock forward by whole days. */
  advanceDays(days: number): void;
}

const DAY_SECONDS = 3600;

export async function startMovableDemo(productsPerShop = 6): Promise<MovableDemo> {
  let offset = 0;
  const market = await startDemoMarket({
    basePort: 0,
    daySeconds: DAY_SECONDS,
    productsPerShop,
    now: () => Date.now() + offset,
  });
  return { market, advanceDays: (d) => (offset += d * DAY_SECONDS * 1000) };
}

export function demoAllowList(market: DemoMarket): string[] {
  return Object.values(market.origins).map((o) => new URL(o).host);
}

export function testConfig(allow: string[], extra: Record<string, string> = {}) {
  return loadConfig({ DEMO: '0', URL_ALLOWLIST: allow.join(','), CRAWL_MAX_RETRIES: '1', ...extra });
}

export async function bullmqQueue(
  prefix = `mrtest-${randomBytes(4).toString('hex')}`,
  lockDurationMs?: number,
) {
  return createBullmqQueue({
    redisUrl: REDIS_URL,
    prefix,
    log: testLog,
    concurrency: { crawl: 4 },
    lockDurationMs,
  });
}

/** The embedded default over the movable demo: PGlite, the in-process queue and a worker allowed to crawl the demo. */
export interface EmbeddedPipeline {
  tdb: TestDb;
  demo: MovableDemo;
  queue: JobQueue;
  worker: RunningWorker;
  close(): Promise<void>;
}

export async function startEmbeddedPipeline(): Promise<EmbeddedPipeline> {
  const [tdb, demo] = await Promise.all([createPgliteTestDb(), startMovableDemo()]);
  const queue = inProcessQueue();
  const worker = await startTestWorker(tdb.db, queue, demoAllowList(demo.market));
  return {
    tdb,
    demo,
    queue,
    worker,
    async close() {
      await queue.close(5000);
      await worker.close();
      await demo.market.close();
      await tdb.close();
    },
  };
}

export function inProcessQueue(): JobQueue {
  return createInProcessQueue({ log: testLog, concurrency: { crawl: 4 } });
}

export async function startTestWorker(
  db: Db,
  queue: JobQueue,
  allow: string[],
  workerId?: string,
): Promise<RunningWorker> {
  return startWorker(testConfig(allow), db, queue, testLog, { workerId });
}

/** Polls until fn returns a truthy value or the deadline passes (then throws with the last value). */
export async function waitFor<T>(
  fn: () => Promise<T>,
  what: string,
  timeoutMs = 20_000,
  everyMs = 100,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last as NonNullable<T>;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

/** Count of rows in a table matching an optional where clause. */
export async function count(db: Db, table: string, where = 'true', params: unknown[] = []): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'test.count',
    `SELECT count(*)::int AS n FROM ${table} WHERE ${where}`,
    params,
  );
  return rows[0].n;
}
