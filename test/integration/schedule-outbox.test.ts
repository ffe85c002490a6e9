/**
 * Target schedules as an outbox (db/migrations/0013): a target whose schedule write was lost after its row
 * committed (the database going down as it answered the API, a crash, the queue failing) is still scheduled: by
 * the client's retry (409) at once, else by the sweep in check-freshness. Found by RELIABILITY P2 under load: a
 * feed whose creation answer was lost was accepted on retry (409) and never crawled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteTarget, updateTarget, upsertTarget } from '../../db/index.ts';
import {
  QueueUnavailableError,
  type RunningWorker,
  SCHEDULE_GRACE_MS,
  seedMarket,
  sweepUnscheduledTargets,
} from '../../jobs/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { testLog } from '../support/db.ts';
import { count, startTestWorker, waitFor } from '../support/pipeline.ts';

describe('target schedules as an outbox', () => {
  let t: TestApp;
  let worker: RunningWorker;
  let headers: Record<string, string>;

  const pending = async (id: number) =>
    (
      await t.tdb.db.query<{ pending: boolean }>(
        't.pending',
        'SELECT schedule_synced_at IS NULL AS pending FROM targets WHERE id = $1',
        [id],
      )
    ).rows[0].pending;
  const addTarget = (payload: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: '/api/targets', headers, payload });
  /** As if stored or changed longer ago than the sweep's grace period. */
  const age = (id: number) =>
    t.tdb.db.query(
      't.age',
      `UPDATE targets SET updated_at = now() - $2 * interval '1 millisecond' WHERE id = $1`,
      [id, SCHEDULE_GRACE_MS + 1000],
    );
  const sweep = async (jobId: string) => {
    const before = await t.queue.scheduler.count();
    await t.queue.enqueue('check-freshness', {}, { jobId });
    return before;
  };

  beforeAll(async () => {
    t = await createTestApp();
    await seedMarket(t.tdb.db, t.queue.scheduler, { competitors: [], targets: [] }, []);
    // Started before any target exists: a starting worker writes every schedule, which is not what is tested.
    worker = await startTestWorker(t.tdb.db, t.queue, []);
    const key = (
      await t.app.inject({ method: 'POST', url: '/api/keys', payload: { role: 'admin', name: 'outbox' } })
    ).json<{ key: string }>().key;
    headers = { authorization: `Bearer ${key}` };
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
  });

  it('the API writes a new target’s schedule and marks it; a change of interval or enabled marks it pending again', async () => {
    const res = await addTarget({ kind: 'feed', url: 'https://shop.test/a.xml', intervalSeconds: 3600 });
    expect(res.statusCode).toBe(201);
    const id = res.json<{ id: number }>().id;
    expect(await pending(id)).toBe(false);
    expect(await t.queue.scheduler.count()).toBe(1);
    // Its first crawl runs now, as BullMQ's schedulers start, not when the next hour-long window begins.
    await waitFor(
      async () =>
        (await count(t.tdb.db, 'crawl_runs', 'target_id = $1 AND finished_at IS NOT NULL', [id])) === 1,
      'the first crawl of a new target',
    );

    // A label is not part of the schedule: still synced. Interval and enabled are, and the API writes them.
    await updateTarget(t.tdb.db, id, { label: 'renamed', intervalSeconds: 3600 });
    expect(await pending(id)).toBe(false);
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/targets/${id}`,
      headers,
      payload: { enabled: false },
    });
    expect(patched.statusCode).toBe(200);
    expect(await pending(id)).toBe(false);
    expect(await t.queue.scheduler.count()).toBe(0);
    await deleteTarget(t.tdb.db, id);
  });

  it('a creation whose schedule write was lost is scheduled by the client’s retry (409)', async () => {
    // The row committed, the schedule never written: what a crash between the two leaves.
    const { target } = await upsertTarget(t.tdb.db, { kind: 'feed', url: 'https://shop.test/lost.xml' });
    expect(await pending(target.id)).toBe(true);
    const before = await t.queue.scheduler.count();
    const retry = await addTarget({ kind: 'feed', url: 'https://shop.test/lost.xml' });
    expect(retry.statusCode).toBe(409);
    expect(await t.queue.scheduler.count()).toBe(before + 1);
    expect(await pending(target.id)).toBe(false);
    // A second retry writes nothing more.
    const again = await addTarget({ kind: 'feed', url: 'https://shop.test/lost.xml' });
    expect(again.statusCode).toBe(409);
    expect(await t.queue.scheduler.count()).toBe(before + 1);
  });

  it('a schedule write that failed (the queue down) leaves the target pending, and the sweep writes it after the grace period', async () => {
    const upsert = t.queue.scheduler.upsert;
    t.queue.scheduler.upsert = async () => {
      throw new QueueUnavailableError('job queue unavailable: injected');
    };
    let res: Awaited<ReturnType<typeof t.app.inject>>;
    try {
      res = await addTarget({ kind: 'feed', url: 'https://shop.test/queue-down.xml', intervalSeconds: 7200 });
    } finally {
      t.queue.scheduler.upsert = upsert;
    }
    expect(res.statusCode).toBe(503);
    const { target } = await upsertTarget(t.tdb.db, {
      kind: 'feed',
      url: 'https://shop.test/queue-down.xml',
    });
    expect(await pending(target.id)).toBe(true);

    // Within the grace period the sweep leaves it to its own writer.
    const ctx = { db: t.tdb.db, scheduler: t.queue.scheduler, log: testLog };
    expect(await sweepUnscheduledTargets(ctx)).toBe(0);
    expect(await pending(target.id)).toBe(true);

    await age(target.id);
    const before = await sweep('fresh-outbox-2');
    await waitFor(async () => !(await pending(target.id)), 'the sweep to schedule the target');
    expect(await t.queue.scheduler.count()).toBe(before + 1);
  });

  it('a disabled target’s lost removal is swept too; a deleted target’s leftover schedule is removed by its next job', async () => {
    const { target } = await upsertTarget(t.tdb.db, { kind: 'feed', url: 'https://shop.test/off.xml' });
    await t.queue.scheduler.upsert(target);
    // Disabled in the database; the queue's removal lost.
    await updateTarget(t.tdb.db, target.id, { enabled: false });
    expect(await pending(target.id)).toBe(true);
    await age(target.id);
    const before = await sweep('fresh-outbox-3');
    await waitFor(async () => !(await pending(target.id)), 'the sweep to remove the schedule');
    expect(await t.queue.scheduler.count()).toBe(before - 1);

    const { target: gone } = await upsertTarget(t.tdb.db, {
      kind: 'feed',
      url: 'https://shop.test/gone.xml',
    });
    await t.queue.scheduler.upsert(gone);
    await deleteTarget(t.tdb.db, gone.id);
    const withGone = await t.queue.scheduler.count();
    await t.queue.enqueue('crawl-target', { targetId: gone.id }, { jobId: 'gone-1' });
    await waitFor(
      async () => (await t.queue.scheduler.count()) === withGone - 1,
      'the leftover schedule removed',
    );
  });
});
