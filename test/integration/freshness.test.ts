import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordTargetOutcome, upsertTarget } from '../../db/index.ts';
import { seedMarket } from '../../jobs/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { count, startTestWorker, waitFor } from '../support/pipeline.ts';

describe('freshness monitor', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await seedMarket(t.tdb.db, t.queue.scheduler, { competitors: [], targets: [] }, []);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a target with no success for two intervals raises one operator alert per stale episode and shows in /health', async () => {
    const { target: fresh } = await upsertTarget(t.tdb.db, {
      kind: 'product',
      url: 'https://shop.test/fresh',
      intervalSeconds: 3600,
    });
    const { target: stale } = await upsertTarget(t.tdb.db, {
      kind: 'product',
      url: 'https://shop.test/stale',
      intervalSeconds: 1,
      enabled: true,
    });
    await recordTargetOutcome(t.tdb.db, fresh.id, 'ok', true);
    // The stale one is never crawled (no worker takes its jobs): after 2 s it is older than 2 × 1 s.
    await new Promise((r) => setTimeout(r, 2200));
    const health = (await t.app.inject('/health')).json();
    expect(health).toMatchObject({ status: 'degraded', db: 'up', queue: 'up', staleTargets: 1 });
    expect(health.stale[0]).toMatchObject({ targetId: stale.id, url: 'https://shop.test/stale' });

    const worker = await startTestWorker(t.tdb.db, t.queue, []);
    try {
      await t.queue.enqueue('check-freshness', {}, { jobId: 'fresh-1' });
      await waitFor(
        async () => (await count(t.tdb.db, 'alerts', "payload->>'eventType' = 'target_stale'")) === 1,
        'stale alert',
      );
      await t.queue.enqueue('check-freshness', {}, { jobId: 'fresh-2' });
      await new Promise((r) => setTimeout(r, 1000));
      expect(await count(t.tdb.db, 'events', "type = 'target_stale'")).toBe(1);
      const { rows } = await t.tdb.db.query<{ title: string }>(
        't',
        "SELECT title FROM alerts WHERE payload->>'eventType' = 'target_stale'",
      );
      expect(rows[0].title).toContain('https://shop.test/stale');
    } finally {
      await worker.close();
    }
  }, 30_000);
});
