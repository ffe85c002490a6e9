import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/index.ts';
import type { JobQueue, RunningWorker } from '../../jobs/index.ts';
import { createPostgresTestDb, type TestDb } from '../support/db.ts';
import {
  bullmqQueue,
  demoAllowList,
  type MovableDemo,
  startMovableDemo,
  startTestWorker,
} from '../support/pipeline.ts';
import { requireService } from '../support/services.ts';
import { crawlRound, runDemoScenario, seedStaticShops } from './pipeline-scenario.ts';

const ready =
  (await requireService('postgres', 'pipeline on Postgres + BullMQ')) &&
  (await requireService('redis', 'pipeline on Postgres + BullMQ'));

describe.skipIf(!ready)('the pipeline on real Postgres and BullMQ', () => {
  let tdb: TestDb;
  let demo: MovableDemo;
  const queues: JobQueue[] = [];
  const workers: RunningWorker[] = [];
  beforeAll(async () => {
    [tdb, demo] = await Promise.all([createPostgresTestDb(), startMovableDemo()]);
  });
  afterAll(async () => {
    for (const q of queues) await q.close(5000);
    for (const w of workers) await w.close();
    await demo?.market.close();
    await tdb?.close();
  });

  it('crawls through a real BullMQ worker: one observation per run even when a job is delivered twice', async () => {
    const queue = await bullmqQueue();
    queues.push(queue);
    workers.push(await startTestWorker(tdb.db, queue, demoAllowList(demo.market)));
    await runDemoScenario(tdb.db, queue, demo);
  }, 120_000);

  it('splits the crawl load between two workers', async () => {
    const fresh = await createPostgresTestDb();
    try {
      const prefix = `mrtest-split-${Date.now()}`;
      const a = await bullmqQueue(prefix);
      const b = await bullmqQueue(prefix);
      queues.push(a, b);
      const allow = demoAllowList(demo.market);
      workers.push(
        await startTestWorker(fresh.db, a, allow, 'worker-a'),
        await startTestWorker(fresh.db, b, allow, 'worker-b'),
      );
      const targetIds = await seedStaticShops(fresh.db, a, demo.market.manifest());
      await crawlRound(fresh.db, a, targetIds, 'split');
      await checkSplit(fresh.db, targetIds);
    } finally {
      await fresh.close();
    }
  }, 120_000);
});

async function checkSplit(db: Db, targetIds: number[]) {
  const expected = targetIds.length;
  // By target, not by job id: a job whose origin is busy hands its window to a later job (crawl:defer:…).
  const byWorker = await db.query<{ worker: string; n: number }>(
    'test.by_worker',
    `SELECT worker, count(*)::int AS n FROM crawl_runs WHERE target_id = ANY($1) GROUP BY worker`,
    [targetIds],
  );
  const runs = Object.fromEntries(byWorker.rows.map((r) => [r.worker, r.n]));
  expect(runs['worker-a'] ?? 0).toBeGreaterThan(0);
  expect(runs['worker-b'] ?? 0).toBeGreaterThan(0);
  expect((runs['worker-a'] ?? 0) + (runs['worker-b'] ?? 0)).toBe(expected);
}
