/**
 * The foundation's end-to-end scenario, run by both the PGlite/in-process and the Postgres/BullMQ suites: crawl
 * the demo market, move its clock, crawl again; prices, events and alerts must come out exactly once.
 */
import { expect } from 'vitest';
import type { Db } from '../../db/index.ts';
import { listTargets, upsertTarget } from '../../db/index.ts';
import type { DemoManifest } from '../../demo/index.ts';
import { type JobQueue, seedMarket } from '../../jobs/index.ts';
import { count, type MovableDemo, waitFor } from '../support/pipeline.ts';

/** Seeds competitors, default rules and the static-HTML shops' targets, unscheduled (the test drives crawls). */
export async function seedStaticShops(db: Db, queue: JobQueue, manifest: DemoManifest): Promise<number[]> {
  await seedMarket(db, queue.scheduler, { competitors: manifest.competitors, targets: [] }, []);
  const competitors = await db.query<{ id: number; key: string }>(
    'test.competitors',
    'SELECT id, key FROM competitors',
  );
  const idOf = new Map(competitors.rows.map((c) => [c.key, c.id]));
  const ids: number[] = [];
  for (const t of manifest.targets) {
    if (t.kind !== 'product' || t.options.needsJs || !t.competitorKey) continue;
    const { target } = await upsertTarget(db, {
      competitorId: idOf.get(t.competitorKey) ?? null,
      kind: 'product',
      url: t.url,
      label: t.label,
      options: t.options,
      intervalSeconds: 1,
    });
    ids.push(target.id);
  }
  return ids;
}

/** Enqueues one crawl per target and waits until each has a finished run in the current window. */
export async function crawlRound(db: Db, queue: JobQueue, targetIds: number[], tag: string): Promise<void> {
  const since = new Date();
  for (const id of targetIds)
    await queue.enqueue('crawl-target', { targetId: id }, { jobId: `t:${tag}:${id}` });
  await waitFor(
    async () =>
      (await count(db, 'crawl_runs', 'finished_at IS NOT NULL AND started_at >= $1 AND target_id = ANY($2)', [
        since,
        targetIds,
      ])) >= targetIds.length,
    `round ${tag}`,
    60_000,
  );
}

export async function runDemoScenario(db: Db, queue: JobQueue, demo: MovableDemo): Promise<void> {
  const targetIds = await seedStaticShops(db, queue, demo.market.manifest());
  expect(targetIds.length).toBeGreaterThanOrEqual(6);

  await crawlRound(db, queue, targetIds, 'day0');
  demo.advanceDays(2);
  await new Promise((r) => setTimeout(r, 1100)); // a new 1-second window
  await crawlRound(db, queue, targetIds, 'day2');

  // Every product has one observation per run, and the runs read real prices with their evidence.
  const dupes = await db.query(
    'test.dupes',
    'SELECT product_id, crawl_run_id FROM price_observations GROUP BY 1, 2 HAVING count(*) > 1',
  );
  expect(dupes.rows).toEqual([]);
  expect(await count(db, 'price_observations')).toBe(targetIds.length * 2);
  expect(await count(db, 'price_observations', 'price IS NULL')).toBe(0);
  expect(await count(db, 'price_observations', "source IN ('jsonld', 'microdata')")).toBe(
    targetIds.length * 2,
  );

  // Prices moved between day 0 and day 2: events, each linked to the observation that proves it.
  const changes = await db.query<{ pct: number; observation_id: number }>(
    'test.changes',
    `SELECT (payload->>'pct')::float8 AS pct, observation_id FROM events WHERE type = 'price_changed'`,
  );
  expect(changes.rows.length).toBeGreaterThan(0);
  expect(changes.rows.every((r) => r.observation_id !== null)).toBe(true);

  // The default rule alerts on drops of 10 % or more, and only on those.
  const drops = changes.rows.filter((r) => r.pct <= -10).length;
  expect(drops).toBeGreaterThan(0);
  await waitFor(
    async () => (await count(db, 'alerts', "payload->>'eventType' = 'price_changed'")) === drops,
    'alerts',
  );

  // A duplicate delivery in a new window: two jobs for one target and window make one run and one observation.
  await new Promise((r) => setTimeout(r, 1100));
  const [first] = targetIds;
  const before = await count(
    db,
    'price_observations',
    'product_id IN (SELECT id FROM products WHERE url = (SELECT url FROM targets WHERE id = $1))',
    [first],
  );
  await Promise.all([
    queue.enqueue('crawl-target', { targetId: first }, { jobId: 'dup-a' }),
    queue.enqueue('crawl-target', { targetId: first }, { jobId: 'dup-b' }),
  ]);
  await new Promise((r) => setTimeout(r, 1500));
  const after = await count(
    db,
    'price_observations',
    'product_id IN (SELECT id FROM products WHERE url = (SELECT url FROM targets WHERE id = $1))',
    [first],
  );
  expect(after - before).toBe(1);
  expect((await listTargets(db, { limit: 1000 })).length).toBe(targetIds.length);
}
