/**
 * How crawl-target stores a product page on real Postgres: the claim that reads the target and its comparison
 * context, the one-statement write and the checks that send it down the slow path, redelivery after a crash
 * between the slow path's two statements, and many jobs at once through the write batchers.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claimTargetRun,
  claimTargetRuns,
  type Db,
  storeProductPages,
  storeProductRuns,
  type Target,
  updateTarget,
  upsertCompetitor,
  upsertProducts,
  upsertTarget,
} from '../../db/index.ts';
import { crawlTarget, type JobQueue, type RunningWorker, windowStartOf } from '../../jobs/index.ts';
import { createPostgresTestDb, type TestDb } from '../support/db.ts';
import { count, inProcessQueue, startTestWorker } from '../support/pipeline.ts';
import { requireService } from '../support/services.ts';

const ready = await requireService('postgres', 'crawl-target storage');

const HOUR = 3_600_000;

/** A shop whose product prices the test sets; robots.txt is a 404 (everything allowed). */
async function startShop() {
  const prices = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    const slug = /^\/p\/([\w-]+)$/.exec(req.url ?? '')?.[1];
    const price = slug ? prices.get(slug) : undefined;
    if (!slug || price === undefined) return void res.writeHead(404).end('not found');
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
        `<!doctype html><html><head><title>${slug}</title><script type="application/ld+json">${JSON.stringify(ld)}</script></head><body><h1>${slug}</h1></body></html>`,
      );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    url: (slug: string) => `http://${host}/p/${slug}`,
    setPrice: (slug: string, price: string) => prices.set(slug, price),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe.skipIf(!ready)('crawl-target on Postgres: storing a product page', () => {
  let tdb: TestDb;
  let db: Db;
  let shop: Awaited<ReturnType<typeof startShop>>;
  let queue: JobQueue;
  let worker: RunningWorker;
  let competitorId: number;
  // Windows an hour apart, far from the real clock's: every call is the run of its own window.
  const t0 = Math.floor(Date.now() / HOUR) * HOUR - 1000 * HOUR;

  beforeAll(async () => {
    [tdb, shop] = await Promise.all([createPostgresTestDb(), startShop()]);
    db = tdb.db;
    queue = inProcessQueue();
    worker = await startTestWorker(db, queue, [shop.host], 'store-test');
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
  const crawl = (targetId: number, window: number, jobId = `j:${targetId}:${window}`) =>
    crawlTarget.process(
      { targetId },
      { ...worker.services, jobId, attempt: 1, scheduledAt: t0 + window * HOUR },
    ) as Promise<Record<string, unknown>>;
  const eventsOf = (productUrl: string) =>
    db
      .query<{ type: string; payload: Record<string, unknown>; observation_id: number; dedup_key: string }>(
        'test.events',
        `SELECT e.type, e.payload, e.observation_id, e.dedup_key FROM events e JOIN products p ON p.id = e.product_id
         WHERE p.url = $1 ORDER BY e.id`,
        [productUrl],
      )
      .then((r) => r.rows);
  const observationsOf = (productUrl: string) =>
    db
      .query<{ id: number; crawl_run_id: number; price: string; evidence: string | null; source: string }>(
        'test.observations',
        `SELECT o.id, o.crawl_run_id, o.price::text, o.evidence, o.source FROM price_observations o
         JOIN products p ON p.id = o.product_id WHERE p.url = $1 ORDER BY o.observed_at, o.id`,
        [productUrl],
      )
      .then((r) => r.rows);

  it('claims: the window of windowStartOf; nothing for a missing, disabled or uncrawlable target', async () => {
    const ids: number[] = [];
    for (const interval of [1, 60, 3600, 86_400]) {
      const { target } = await upsertTarget(db, {
        kind: 'product',
        url: `${shop.url('window')}?every=${interval}`,
        intervalSeconds: interval,
      });
      ids.push(target.id);
      for (const at of [t0 - 400, t0, t0 + 123, t0 + interval * 1000 - 200, t0 + interval * 1000 - 600]) {
        const { run } = await claimTargetRun(
          db,
          { targetId: target.id, scheduledAt: at, jobId: `w:${interval}:${at}`, worker: 'w' },
          ['product'],
        );
        expect(run?.windowStart.getTime(), `interval ${interval}, at ${at}`).toBe(
          windowStartOf(at, interval).getTime(),
        );
      }
    }
    const { target: disabled } = await upsertTarget(db, { kind: 'product', url: shop.url('off') });
    await updateTarget(db, disabled.id, { enabled: false });
    const { target: page } = await upsertTarget(db, { kind: 'page', url: shop.url('page') });
    const claims = await claimTargetRuns(
      db,
      [disabled.id, 999_999_999, page.id, ids[0]].map((targetId) => ({
        targetId,
        scheduledAt: t0 + 5 * HOUR,
        jobId: `m:${targetId}`,
        worker: 'w',
      })),
      ['product'],
    );
    expect(claims.map((c) => [c.target?.id ?? null, c.run?.targetId ?? null])).toEqual([
      [disabled.id, null],
      [null, null],
      [page.id, null],
      [ids[0], ids[0]],
    ]);
    await expect(
      claimTargetRuns(
        db,
        [ids[0], ids[0]].map((targetId, i) => ({ targetId, scheduledAt: t0, jobId: `d${i}`, worker: 'w' })),
        ['product'],
      ),
    ).rejects.toThrow('one claim per target');
  });

  it('a price change: one observation with its evidence, one event with the stored amounts, runs finished', async () => {
    const t = await productTarget('serum', '24.90');
    expect(await crawl(t.id, 1)).toMatchObject({ outcome: 'product', events: 0 });
    shop.setPrice('serum', '19.90');
    expect(await crawl(t.id, 2)).toMatchObject({ outcome: 'product', events: 1 });
    expect(await crawl(t.id, 3)).toMatchObject({ outcome: 'product', events: 0 });
    // The same job delivered again: its window is done, nothing more is stored.
    expect(await crawl(t.id, 2)).toMatchObject({ skipped: 'window already crawled' });

    const obs = await observationsOf(t.url);
    expect(obs.map((o) => o.price)).toEqual(['24.9000', '19.9000', '19.9000']);
    expect(obs.every((o) => o.source === 'jsonld' && o.evidence)).toBe(true);
    const events = await eventsOf(t.url);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'price_changed',
      observation_id: obs[1].id,
      dedup_key: `price_changed:obs:${obs[1].id}:price`,
      payload: {
        old: '24.9000',
        new: '19.9000',
        pct: -20.08,
        currency: 'USD',
        newLow30: true,
        newHigh30: false,
        productName: 'Product serum',
      },
    });
    const runs = await db.query<{ outcome: string; items: number; finished: boolean }>(
      'test.runs',
      `SELECT outcome, items, finished_at IS NOT NULL AS finished FROM crawl_runs WHERE target_id = $1
       ORDER BY window_start`,
      [t.id],
    );
    expect(runs.rows).toEqual([
      { outcome: 'ok', items: 1, finished: true },
      { outcome: 'ok', items: 1, finished: true },
      { outcome: 'unchanged', items: 1, finished: true },
    ]);
    const target = await db.query<{ last_outcome: string; consecutive_failures: number }>(
      'test.target',
      'SELECT last_outcome, consecutive_failures FROM targets WHERE id = $1',
      [t.id],
    );
    expect(target.rows[0]).toEqual({ last_outcome: 'unchanged', consecutive_failures: 0 });
  });

  it('redelivered after a crash between the slow path’s statements: the stored observation decides, once', async () => {
    const t = await productTarget('balm', '30.00');
    await crawl(t.id, 1);
    // The first delivery of window 2 claimed its run and stored what it saw (27.00), then its process died.
    const { run } = await claimTargetRun(
      db,
      { targetId: t.id, scheduledAt: t0 + 2 * HOUR, jobId: 'crashy', worker: 'doomed' },
      ['product'],
    );
    await storeProductPages(db, [
      {
        competitorId,
        product: { url: t.url, name: 'Product balm' },
        observation: {
          crawlRunId: run!.id,
          observedAt: new Date(),
          price: '27.00',
          listPrice: null,
          currency: 'USD',
          currencyRaw: 'USD',
          availability: 'InStock',
          source: 'jsonld',
          confidence: 0.95,
          evidence: 'first attempt',
          reason: null,
          promotions: [],
          url: t.url,
        },
      },
    ]);
    // By the time the job comes back the page shows another price: what was stored for the run wins.
    shop.setPrice('balm', '25.00');
    expect(await crawl(t.id, 2, 'crashy')).toMatchObject({ outcome: 'product', events: 1 });
    expect(await crawl(t.id, 2, 'crashy')).toMatchObject({ skipped: 'window already crawled' });

    expect((await observationsOf(t.url)).map((o) => o.price)).toEqual(['30.0000', '27.0000']);
    const events = await eventsOf(t.url);
    expect(events.map((e) => [e.type, e.payload.old, e.payload.new])).toEqual([
      ['price_changed', '30.0000', '27.0000'],
    ]);
    const runs = await db.query<{ attempts: number; worker: string; outcome: string }>(
      'test.run',
      'SELECT attempts, worker, outcome FROM crawl_runs WHERE id = $1',
      [run!.id],
    );
    expect(runs.rows[0]).toEqual({ attempts: 2, worker: 'store-test', outcome: 'ok' });
  });

  it('the one-statement write refuses when its context no longer holds, and writes nothing', async () => {
    const t = await productTarget('toner', '12.00');
    const claim = (window: number, jobId: string) =>
      claimTargetRun(db, { targetId: t.id, scheduledAt: t0 + window * HOUR, jobId, worker: 'w' }, [
        'product',
      ]);
    const first = await claim(1, 'slow');
    expect(first.product).toMatchObject({ previous: null, isLaunch: false, observationStored: false });
    // Another run of the product (the next window) stores first.
    const second = await claim(2, 'fast');
    const observation = (price: string) => ({
      observedAt: new Date(),
      price,
      listPrice: null,
      currency: 'USD',
      currencyRaw: 'USD',
      availability: 'InStock',
      source: 'jsonld',
      confidence: 0.95,
      evidence: null,
      reason: null,
      promotions: [],
      url: t.url,
    });
    await storeProductPages(db, [
      {
        competitorId,
        product: { url: t.url },
        observation: { ...observation('11.00'), crawlRunId: second.run!.id },
      },
    ]);
    const write = {
      competitorId,
      targetId: t.id,
      runId: first.run!.id,
      product: { url: t.url },
      observation: observation('12.00'),
      basedOn: { previousId: null, isLaunch: false },
      events: [],
      outcome: 'ok' as const,
      httpStatus: 200,
    };
    expect(await storeProductRuns(db, [write])).toEqual([null]);
    expect(await count(db, 'price_observations', 'crawl_run_id = $1', [first.run!.id])).toBe(0);
    expect(await count(db, 'crawl_runs', 'id = $1 AND finished_at IS NULL', [first.run!.id])).toBe(1);

    // A product that a catalog marked as a launch after the claim: refused too (its first price is a launch).
    const u = await productTarget('mask', '9.00');
    const claimed = await claimTargetRun(
      db,
      { targetId: u.id, scheduledAt: t0, jobId: 'mask', worker: 'w' },
      ['product'],
    );
    expect(claimed.product?.isLaunch).toBe(false);
    await upsertProducts(db, competitorId, [{ url: u.url }], { launches: true });
    const refused = await storeProductRuns(db, [
      { ...write, targetId: u.id, runId: claimed.run!.id, product: { url: u.url } },
    ]);
    expect(refused).toEqual([null]);
    // The job, claiming afresh, reads the flag and reports the launch.
    expect(await crawl(u.id, 0, 'mask')).toMatchObject({ outcome: 'product', events: 1 });
    expect((await eventsOf(u.url)).map((e) => e.type)).toEqual(['launched']);
  });

  it('twenty jobs at once: one observation each, events right, whatever the batches', async () => {
    const targets = await Promise.all(
      Array.from({ length: 20 }, (_, i) => productTarget(`bulk-${i}`, `${10 + i}.00`)),
    );
    await Promise.all(targets.map((t) => crawl(t.id, 1)));
    for (const i of targets.keys()) shop.setPrice(`bulk-${i}`, i % 2 ? `${10 + i}.00` : `${5 + i}.50`);
    const results = await Promise.all(targets.map((t) => crawl(t.id, 2)));
    expect(results.map((r) => r.events)).toEqual(targets.map((_, i) => (i % 2 ? 0 : 1)));
    for (const [i, t] of targets.entries()) {
      expect(
        await count(db, 'price_observations o JOIN products p ON p.id = o.product_id', 'p.url = $1', [t.url]),
      ).toBe(2);
      const events = await eventsOf(t.url);
      expect(events.map((e) => e.payload.new)).toEqual(i % 2 ? [] : [`${5 + i}.5000`]);
    }
  });
});
