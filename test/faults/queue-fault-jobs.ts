/**
 * Job definitions for the queue fault suites (Q2, Q3, P4): real definitions run by the real runners beside the
 * app's own, each with one behaviour the catalogue asks for — a processor that always throws, one that blocks
 * the event loop, one that does a little work and writes one row per job to Postgres (so nothing lost and nothing
 * doubled can be counted), and the real alert evaluation failing after its database writes.
 */
import { Type } from '@sinclair/typebox';
import type { Db } from '../../db/index.ts';
import { defineJob, type ExtraJobs, evaluateAlerts, type JobQueue, QUEUES } from '../../jobs/index.ts';

/** One row per job; `runs` counts how many times it ran (a redelivery shows as runs > 1, never as a second row). */
export async function createWorkTable(db: Db): Promise<void> {
  await db.query(
    'test.fault_work',
    `CREATE TABLE IF NOT EXISTS fault_work (
       tag text NOT NULL, n integer NOT NULL, worker text NOT NULL, runs integer NOT NULL DEFAULT 1,
       done_at timestamptz NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY (tag, n))`,
  );
}

const Work = Type.Object(
  { tag: Type.String({ maxLength: 50 }), n: Type.Integer({ minimum: 0 }), ms: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false },
);

async function work(data: { tag: string; n: number; ms: number }, ctx: { db: Db; workerId: string }) {
  if (data.ms) await new Promise((r) => setTimeout(r, data.ms));
  await ctx.db.query(
    'test.fault_work.insert',
    `INSERT INTO fault_work (tag, n, worker) VALUES ($1, $2, $3)
     ON CONFLICT (tag, n) DO UPDATE SET runs = fault_work.runs + 1`,
    [data.tag, data.n, ctx.workerId],
  );
}

export const FAULT_JOBS: ExtraJobs = {
  /** Healthy work on the analyze queue. */
  'fault-work': defineJob({ name: 'fault-work', queue: QUEUES.analyze, schema: Work, process: work }),
  /** Healthy work on the crawl queue. */
  'fault-crawl-work': defineJob({
    name: 'fault-crawl-work',
    queue: QUEUES.crawl,
    schema: Work,
    process: work,
  }),
  /** A poison job: throws on every attempt. */
  'fault-poison': defineJob({
    name: 'fault-poison',
    queue: QUEUES.analyze,
    schema: Type.Object({ n: Type.Integer() }, { additionalProperties: false }),
    async process({ n }) {
      throw new Error(`poison ${n}: this job fails every time`);
    },
  }),
  /** A CPU stall: holds the event loop for `ms` (a runaway parse), so its worker cannot renew the lock. */
  'fault-spin': defineJob({
    name: 'fault-spin',
    queue: QUEUES.analyze,
    schema: Type.Object({ ms: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
    async process({ ms }) {
      const until = performance.now() + ms;
      while (performance.now() < until) {
        // busy
      }
      return { spunMs: ms };
    },
  }),
  /** The real alert evaluation, failing after its database writes on every attempt (P4 exactly-once alerts). */
  'fault-evaluate-then-fail': defineJob({
    name: 'fault-evaluate-then-fail',
    queue: QUEUES.analyze,
    schema: evaluateAlerts.schema,
    async process(data, ctx) {
      await evaluateAlerts.process(data, ctx);
      throw new Error(`failing after the alert evaluation's writes (attempt ${ctx.attempt})`);
    },
  }),
};

/** Enqueues a job of FAULT_JOBS (their names are not in the app's typed registry). */
export function enqueueFault(
  queue: Pick<JobQueue, 'enqueue'>,
  name: string,
  data: unknown,
  opts: { jobId?: string } = {},
): Promise<void> {
  return queue.enqueue(name as never, data as never, opts);
}

/** Polls until fn returns a truthy value or the deadline passes (then throws with the last value). */
export async function until<T>(
  fn: () => Promise<T>,
  what: string,
  timeoutMs = 60_000,
  everyMs = 100,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await fn().catch(() => undefined);
    if (last) return last as NonNullable<T>;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}
