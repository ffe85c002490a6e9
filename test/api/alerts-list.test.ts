// GET /api/alerts with its filters (type, rule_id, acked, since), paging, and POST /api/alerts/:id/ack, over a
// real database: alerts stored by the real evaluate-alerts job from stored events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertAlertRule, insertEvents } from '../../db/index.ts';
import { evaluateAlerts, type RunningWorker, startWorker } from '../../jobs/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { testLog } from '../support/db.ts';

let t: TestApp;
let worker: RunningWorker;
const ids = { priceRule: 0, launchRule: 0, failingRule: 0 };
/** Alert ids by subject. */
const alertOf = new Map<string, number>();

interface AlertItem {
  id: number;
  ruleId: number;
  eventType: string;
  subject: string;
  ackedAt: string | null;
  createdAt: string;
}

const get = async (query: string): Promise<AlertItem[]> => {
  const res = await t.app.inject(`/api/alerts${query}`);
  expect(res.statusCode, `${query}: ${res.body}`).toBe(200);
  return res.json().items;
};
const subjects = (items: AlertItem[]) => items.map((a) => a.subject).sort();

beforeAll(async () => {
  t = await createTestApp();
  worker = await startWorker(t.app.deps.config, t.tdb.db, t.queue, testLog);
  const db = t.tdb.db;
  const rule = (name: string, eventType: string, params: Record<string, unknown> = {}) =>
    insertAlertRule(db, { name, eventType, params, scope: {}, cooldownSeconds: 60 });
  ids.priceRule = (await rule('Price drop', 'price_changed', { minPct: 10, direction: 'down' })).id;
  ids.launchRule = (await rule('Launch', 'launched')).id;
  ids.failingRule = (await rule('Failing', 'target_failing', { failures: 1 })).id;
  const eventIds = await insertEvents(db, [
    ...['p1', 'p2', 'p3'].map((s) => ({
      type: 'price_changed' as const,
      dedupKey: `list:${s}`,
      occurredAt: new Date(),
      subject: s,
      payload: { pct: -20, old: '10', new: '8', currency: 'EUR' },
    })),
    // Below the rule's threshold: no alert.
    {
      type: 'price_changed' as const,
      dedupKey: 'list:small',
      occurredAt: new Date(),
      subject: 'small',
      payload: { pct: -2, old: '10', new: '9.8', currency: 'EUR' },
    },
    { type: 'launched', dedupKey: 'list:l1', occurredAt: new Date(), subject: 'l1', payload: { price: '5' } },
    {
      type: 'target_failing',
      dedupKey: 'list:f1',
      occurredAt: new Date(),
      subject: 'f1',
      payload: { failures: 1, reason: 'HTTP 503' },
    },
  ]);
  await evaluateAlerts.process(
    { eventIds },
    { ...worker.services, jobId: 'list-eval', attempt: 1, scheduledAt: Date.now() },
  );
  const { rows } = await db.query<{ id: number; subject: string }>(
    'test.alerts',
    'SELECT id, subject FROM alerts',
  );
  for (const r of rows) alertOf.set(r.subject, Number(r.id));
  // p1 is two days old: `since` tells it apart.
  await db.query('test.age_alert', "UPDATE alerts SET created_at = now() - interval '2 days' WHERE id = $1", [
    alertOf.get('p1'),
  ]);
});
afterAll(async () => {
  await worker?.close();
  await t?.close();
});

describe('GET /api/alerts', () => {
  it('lists every alert newest first, with the rule name and event type', async () => {
    const all = await get('');
    expect(subjects(all)).toEqual(['f1', 'l1', 'p1', 'p2', 'p3']);
    expect(all.map((a) => a.id)).toEqual([...all.map((a) => a.id)].sort((x, y) => y - x));
    expect(all.find((a) => a.subject === 'l1')).toMatchObject({
      ruleId: ids.launchRule,
      eventType: 'launched',
    });
  });

  it('filters by event type and by rule', async () => {
    expect(subjects(await get('?type=price_changed'))).toEqual(['p1', 'p2', 'p3']);
    expect(subjects(await get('?type=target_failing'))).toEqual(['f1']);
    expect(await get('?type=stock_out')).toEqual([]);
    expect(subjects(await get(`?rule_id=${ids.launchRule}`))).toEqual(['l1']);
    expect(subjects(await get(`?rule_id=${ids.priceRule}&type=price_changed`))).toEqual(['p1', 'p2', 'p3']);
    expect(await get(`?rule_id=${ids.priceRule}&type=launched`)).toEqual([]);
  });

  it('filters by since (created at or after)', async () => {
    const oneDayAgo = new Date(Date.now() - 86_400_000).toISOString();
    expect(subjects(await get(`?since=${encodeURIComponent(oneDayAgo)}`))).toEqual(['f1', 'l1', 'p2', 'p3']);
    const threeDaysAgo = new Date(Date.now() - 3 * 86_400_000).toISOString();
    expect(subjects(await get(`?since=${encodeURIComponent(threeDaysAgo)}&type=price_changed`))).toEqual([
      'p1',
      'p2',
      'p3',
    ]);
    expect(await get(`?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toEqual(
      [],
    );
  });

  it('acks an alert (idempotent, keeps the first ack time) and filters by acked', async () => {
    const id = alertOf.get('p2')!;
    expect(subjects(await get('?acked=true'))).toEqual([]);
    const ack = await t.app.inject({ method: 'POST', url: `/api/alerts/${id}/ack` });
    expect(ack.statusCode).toBe(200);
    expect(ack.json()).toEqual({ acked: true });
    const [acked] = await get('?acked=true');
    expect(acked).toMatchObject({ id, subject: 'p2' });
    expect(acked.ackedAt).not.toBeNull();
    expect(subjects(await get('?acked=false'))).toEqual(['f1', 'l1', 'p1', 'p3']);
    expect(subjects(await get('?acked=false&type=price_changed'))).toEqual(['p1', 'p3']);

    await new Promise((r) => setTimeout(r, 20));
    expect((await t.app.inject({ method: 'POST', url: `/api/alerts/${id}/ack` })).statusCode).toBe(200);
    expect((await get('?acked=true'))[0].ackedAt).toBe(acked.ackedAt);
  });

  it('pages with a cursor, and refuses bad filters with 400 and an unknown alert with 404', async () => {
    const all = await get('');
    const first = (await t.app.inject('/api/alerts?limit=2')).json();
    expect(first.items.map((a: AlertItem) => a.id)).toEqual(all.slice(0, 2).map((a) => a.id));
    const second = (await t.app.inject(`/api/alerts?limit=2&cursor=${first.nextCursor}`)).json();
    expect(second.items.map((a: AlertItem) => a.id)).toEqual(all.slice(2, 4).map((a) => a.id));

    for (const q of ['?acked=maybe', '?rule_id=abc', '?rule_id=0', '?since=yesterday', '?limit=0'])
      expect((await t.app.inject(`/api/alerts${q}`)).statusCode, q).toBe(400);
    const missing = await t.app.inject({ method: 'POST', url: '/api/alerts/999999/ack' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toMatch(/NOT_FOUND/);
  });
});
