import { afterAll, beforeAll, describe, it } from 'vitest';
import type { JobQueue, RunningWorker } from '../../jobs/index.ts';
import { createPgliteTestDb, type TestDb } from '../support/db.ts';
import {
  demoAllowList,
  inProcessQueue,
  type MovableDemo,
  startMovableDemo,
  startTestWorker,
} from '../support/pipeline.ts';
import { runDemoScenario } from './pipeline-scenario.ts';

describe('the pipeline on the embedded default (PGlite + in-process jobs)', () => {
  let tdb: TestDb;
  let demo: MovableDemo;
  let queue: JobQueue;
  let worker: RunningWorker;
  beforeAll(async () => {
    [tdb, demo] = await Promise.all([createPgliteTestDb(), startMovableDemo()]);
    queue = inProcessQueue();
    worker = await startTestWorker(tdb.db, queue, demoAllowList(demo.market));
  });
  afterAll(async () => {
    await queue?.close(5000);
    await worker?.close();
    await demo?.market.close();
    await tdb?.close();
  });

  it('crawls the demo market, detects price changes and alerts exactly once', async () => {
    await runDemoScenario(tdb.db, queue, demo);
  }, 120_000);
});
