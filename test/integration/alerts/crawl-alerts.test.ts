/**
 * Alerts from real crawls: the real crawl-target job fetching a shop on 127.0.0.1 that the test scripts (good page,
 * bot block, server error), then the real evaluate-alerts job on what the crawls announced. Issue #7: "notify
 * after N consecutive failures" for any N, and "nothing fires from blocked or failed crawls".
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Db, insertAlertRule, type Target, upsertCompetitor, upsertTarget } from '../../../db/index.ts';
import {
  crawlTarget,
  type Enqueue,
  evaluateAlerts,
  type JobQueue,
  type RunningWorker,
} from '../../../jobs/index.ts';
import { createPostgresTestDb, type TestDb } from '../../support/db.ts';
import { count, inProcessQueue, startTestWorker } from '../../support/pipeline.ts';
import { requireService } from '../../support/services.ts';

const ready = await requireService('postgres', 'alerts from real crawls');

const HOUR = 3_600_000;

type Answer = 'ok' | 'blocked-200' | 'blocked-403' | 'error-500';

/** A shop serving one product page per slug with a JSON-LD price, or the answer the test scripted for it. */
async function startShop() {
  const prices = new Map<string, string>();
  const answers = new Map<string, Answer>();
  const server: Server = createServer((req, res) => {
    const slug = /^\/p\/([\w-]+)$/.exec(req.url ?? '')?.[1];
    const price = slug ? prices.get(slug) : undefined;
    if (!slug || price === undefined) return void res.writeHead(404).end('not found');
    const answer = answers.get(slug) ?? 'ok';
    if (answer === 'blocked-200' || answer === 'blocked-403')
      return void res
        .writeHead(answer === 'blocked-200' ? 200 : 403, { 'content-type': 'text/html' })
        .end(
          '<!doctype html><html><head><title>Attention Required! | Cloudflare</title></head><body>' +
            '<h1>Sorry, you have been blocked</h1><p>Price: 1.00</p></body></html>',
        );
    if (answer === 'error-500') return void res.writeHead(500).end('internal error');
    const ld = {
      '@context': 'https://schema.org',
      '@type': 'Product',
      name: `Product ${slug}`,
      sku: slug,
      offers: { '@type': 'Offer', price, priceCurrency: 'USD', availability: 'https://schema.org/InStock' },
    };
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(
        `<!doctype html><html><head><title>${slug}</title><script type="application/ld+json">${JSON.stringify(ld)}</script></head><body><h1>${slug}</h1><p>${'A fine product. '.repeat(40)}</p></body></html>`,
      );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    url: (slug: string) => `http://${host}/p/${slug}`,
    setPrice: (slug: string, price: string) => prices.set(slug, price),
    answer: (slug: string, a: Answer) => answers.set(slug, a),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe.skipIf(!ready)('alerts from real crawls', () => {
  let tdb: TestDb;
  let db: Db;
  let shop: Awaited<ReturnType<typeof startShop>>;
  let queue: JobQueue;
  let worker: RunningWorker;
  let competitorId: number;
  // What the crawls announced for evaluation; the test runs evaluate-alerts on it itself, so it knows when it is done.
  const announced: number[][] = [];
  const enqueue: Enqueue = async (name, data) => {
    if (name === 'evaluate-alerts') announced.push((data as { eventIds: number[] }).eventIds);
  };
  // Windows an hour apart, far from the real clock's: every crawl is the run of its own window.
  const t0 = Math.floor(Date.now() / HOUR) * HOUR - 1000 * HOUR;
  let window = 0;

  beforeAll(async () => {
    [tdb, shop] = await Promise.all([createPostgresTestDb(), startShop()]);
    db = tdb.db;
    queue = inProcessQueue();
    worker = await startTestWorker(db, queue, [shop.host], 'crawl-alerts-test');
    competitorId = (
      await upsertCompetitor(db, {
        key: 'shop',
        name: 'Shop',
        brand: null,
        homepage: null,
        currency: 'USD',
        locale: 'en-US',
      })
    ).id;
  });
  afterAll(async () => {
    await queue?.close(5000);
    await worker?.close();
    await shop?.close();
    await tdb?.close();
  });
  beforeEach(async () => {
    await db.query('test.isolate_rules', 'UPDATE alert_rules SET enabled = false');
  });

  const productTarget = async (slug: string, price: string): Promise<Target> => {
    shop.setPrice(slug, price);
    const { target } = await upsertTarget(db, {
      competitorId,
      kind: 'product',
      url: shop.url(slug),
      options: { currency: 'USD', locale: 'en-US', robots: false },
      intervalSeconds: 3600,
    });
    return target;
  };
  /** One crawl of the target in a window of its own, then evaluation of what it announced. */
  const crawl = async (t: Target, answer: Answer) => {
    shop.answer(t.url.split('/p/')[1], answer);
    const w = ++window;
    const ctx = {
      ...worker.services,
      enqueue,
      jobId: `j:${t.id}:${w}`,
      attempt: 1,
      scheduledAt: t0 + w * HOUR,
    };
    const result = (await crawlTarget.process({ targetId: t.id }, ctx)) as Record<string, unknown>;
    for (const eventIds of announced.splice(0))
      await evaluateAlerts.process({ eventIds }, { ...ctx, jobId: `e:${t.id}:${w}` });
    return result;
  };
  const rule = (name: string, eventType: string, params: Record<string, unknown>, cooldownSeconds = 86_400) =>
    insertAlertRule(db, { name, eventType, params, scope: {}, cooldownSeconds });
  const alertsOf = async (ruleId: number) =>
    (
      await db.query<{ failures: number }>(
        'test.alerts_of_rule',
        `SELECT (payload->>'failures')::int AS failures FROM alerts WHERE rule_id = $1 ORDER BY id`,
        [ruleId],
      )
    ).rows.map((r) => r.failures);
  const eventsOf = async (t: Target) =>
    (
      await db.query<{ type: string; failures: number | null }>(
        'test.events_of_target',
        `SELECT e.type, (e.payload->>'failures')::int AS failures FROM events e
         LEFT JOIN products p ON p.id = e.product_id
         WHERE e.target_id = $1 OR p.url = $2 ORDER BY e.id`,
        [t.id, t.url],
      )
    ).rows;

  it('"failing N times in a row" fires once per streak when the streak reaches N, for N = 1, 3 and 5', async () => {
    const t = await productTarget('flaky', '10.00');
    const n1 = await rule('Failing once', 'target_failing', { failures: 1 }, 0);
    const n3 = await rule('Failing 3 times', 'target_failing', { failures: 3 }, 0);
    const n5 = await rule('Failing 5 times', 'target_failing', { failures: 5 }, 0);
    expect(await crawl(t, 'ok')).toMatchObject({ outcome: 'product' });

    // A streak of 6: blocked pages and server errors alike count.
    const streak: Answer[] = [
      'blocked-403',
      'error-500',
      'blocked-200',
      'blocked-403',
      'error-500',
      'blocked-403',
    ];
    const seen: [number, number, number][] = [];
    for (const answer of streak) {
      await crawl(t, answer);
      seen.push([
        (await alertsOf(n1.id)).length,
        (await alertsOf(n3.id)).length,
        (await alertsOf(n5.id)).length,
      ]);
    }
    // After failure k: N=1 fired at 1, N=3 at 3, N=5 at 5, and none fires again later in the streak.
    expect(seen).toEqual([
      [1, 0, 0],
      [1, 0, 0],
      [1, 1, 0],
      [1, 1, 0],
      [1, 1, 1],
      [1, 1, 1],
    ]);
    expect(await alertsOf(n1.id)).toEqual([1]);
    expect(await alertsOf(n3.id)).toEqual([3]);
    expect(await alertsOf(n5.id)).toEqual([5]);
    // Every failed run raised the event with its streak length; the good run raised none.
    expect((await eventsOf(t)).map((e) => [e.type, e.failures])).toEqual(
      [1, 2, 3, 4, 5, 6].map((k) => ['target_failing', k]),
    );

    // A good run ends the streak; the next streak fires each rule again when it reaches N (no cool-down here;
    // the pause keeps the new alerts out of the first streak's one-second windows).
    await crawl(t, 'ok');
    await new Promise((r) => setTimeout(r, 1100));
    for (let k = 0; k < 3; k++) await crawl(t, 'blocked-403');
    expect(await alertsOf(n1.id)).toEqual([1, 1]);
    expect(await alertsOf(n3.id)).toEqual([3, 3]);
    expect(await alertsOf(n5.id)).toEqual([5]);

    // Evaluating the same events again (a re-delivered job) creates nothing.
    const all = (
      await db.query<{ id: number }>('test.event_ids', 'SELECT id FROM events WHERE target_id = $1', [t.id])
    ).rows.map((r) => r.id);
    const before = await count(db, 'alerts');
    await evaluateAlerts.process(
      { eventIds: all },
      { ...worker.services, jobId: 'e:again', attempt: 2, scheduledAt: Date.now() },
    );
    expect(await count(db, 'alerts')).toBe(before);
  });

  it('within the cool-down, a target that keeps flapping is one alert', async () => {
    const t = await productTarget('flapping', '10.00');
    const n2 = await rule('Failing twice', 'target_failing', { failures: 2 }, 86_400);
    for (const answer of ['blocked-403', 'blocked-403', 'ok', 'blocked-403', 'blocked-403'] as const)
      await crawl(t, answer);
    expect(await alertsOf(n2.id)).toEqual([2]);
  });

  for (const bad of ['blocked-200', 'blocked-403', 'error-500'] as const) {
    it(`a good crawl, a ${bad} crawl, then a good crawl at the same price: 0 alerts`, async () => {
      const slug = `steady-${bad}`;
      const t = await productTarget(slug, '24.90');
      // Every rule a bad crawl could wrongly trip: any price move, stock out/in, promotions, launch, and a
      // failing rule that needs 2 failures in a row.
      const rules = await Promise.all([
        rule('Any price move', 'price_changed', { minPct: 0, direction: 'any' }),
        rule('Out of stock', 'stock_out', {}),
        rule('Back in stock', 'back_in_stock', {}),
        rule('Promotion started', 'promotion_started', {}),
        rule('Promotion ended', 'promotion_ended', {}),
        rule('Failing twice', 'target_failing', { failures: 2 }),
      ]);
      expect(await crawl(t, 'ok')).toMatchObject({ outcome: 'product' });
      const before = await count(db, 'alerts', 'rule_id = ANY($1)', [rules.map((r) => r.id)]);
      expect(await crawl(t, bad)).toMatchObject({ outcome: bad === 'error-500' ? 'failed' : 'blocked' });
      expect(await crawl(t, 'ok')).toMatchObject({ outcome: 'product', events: 0 });
      expect(await count(db, 'alerts', 'rule_id = ANY($1)', [rules.map((r) => r.id)])).toBe(before);
      expect(before).toBe(0);
      // The only event is the failure itself: no price, stock or promotion change from the bad crawl.
      expect((await eventsOf(t)).map((e) => e.type)).toEqual(['target_failing']);
    });
  }
});
