import { afterAll, beforeAll, describe, it } from 'vitest';
import { type EmbeddedPipeline, startEmbeddedPipeline } from '../support/pipeline.ts';
import { runDemoScenario } from './pipeline-scenario.ts';

describe('the pipeline on the embedded default (PGlite + in-process jobs)', () => {
  let p: EmbeddedPipeline;
  beforeAll(async () => {
    p = await startEmbeddedPipeline();
  });
  afterAll(async () => {
    await p?.close();
  });

  it('crawls the demo market, detects price changes and alerts exactly once', async () => {
    await runDemoScenario(p.tdb.db, p.queue, p.demo);
  }, 120_000);
});
