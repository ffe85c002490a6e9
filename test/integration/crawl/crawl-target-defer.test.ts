// A crawl-target job whose origin is busy (its politeness slots spoken for) gives its worker slot back and comes back
// later as a deferred job that crawls the same window: the real worker, in-process queue, crawler and Postgres.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, upsertTarget } from '../../../db/index.ts';
import { crawlTarget, type JobQueue, type RunningWorker, windowStartOf } from '../../../jobs/index.ts';
import { createPostgresTestDb, type TestDb } from '../../support/db.ts';
import { inProcessQueue, startTestWorker, waitFor } from '../../support/pipeline.ts';
import { requireService } from '../../support/services.ts';

const ready = await requireService('postgres', 'crawl-target deferral');

const DAY_S = 86_400;

/** Every /p/<slug> is a product page; robots.txt is not consulted (targets opt out). */
async function startShop() {
  const server: Server = createServer((req, res) => {
    const slug = /^\/p\/([\w-]+)$/.exec(req.url ?? '')?.[1] ?? 'x';
    const ld = {
      '@context': 'https://schema.org',
      '@type': 'Product',
      name: `Product ${slug}`,
      sku: slug,
      offers: { '@type': 'Offer', price: '10.00', priceCurrency: 'USD' },
    };
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(
        `<!doctype html><html><head><script type="application/ld+json">${JSON.stringify(ld)}</script></head></html>`,
      );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    url: (slug: string) => `http://${host}/p/${slug}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe.skipIf(!ready)('crawl-target on a busy origin', () => {
  let tdb: TestDb;
  let db: Db;
  let shop: Awaited<ReturnType<typeof startShop>>;
  let queue: JobQueue;
  let worker: RunningWorker;

  beforeAll(async () => {
    [tdb, shop] = await Promise.all([createPostgresTestDb(), startShop()]);
    db = tdb.db;
    queue = inProcessQueue();
    worker = await startTestWorker(db, queue, [shop.host], 'defer-test');
  });
  afterAll(async () => {
    await queue?.close(5000);
    await worker?.close();
    await shop?.close();
    await tdb?.close();
  });

  /**
   * A daily product target, and ten pages of its origin put ahead of it: with the shipped spacing (250 ms) the last
   * starts ~2 s from now. `ahead` settles when they are crawled.
   */
  async function targetOnABusyOrigin(slug: string) {
    const { target } = await upsertTarget(db, {
      kind: 'product',
      url: shop.url(slug),
      options: { currency: 'USD', robots: false },
      intervalSeconds: DAY_S,
    });
    const ahead = worker.services.pageCrawler().fetchPages(
      Array.from({ length: 10 }, (_, i) => ({
        url: shop.url(`${slug}-ahead-${i}`),
        label: 'product' as const,
        hints: { url: shop.url(`${slug}-ahead-${i}`) },
        robots: false,
      })),
    );
    await new Promise((r) => setImmediate(r));
    return { target, ahead };
  }

  it('defers instead of waiting, then crawls the same window once the origin has room', async () => {
    const { target, ahead } = await targetOnABusyOrigin('watched');
    const scheduledAt = Date.now();
    const result = (await crawlTarget.process(
      { targetId: target.id },
      { ...worker.services, jobId: 'first', attempt: 1, scheduledAt },
    )) as Record<string, unknown>;
    expect(result.deferredMs).toBeGreaterThan(500);
    const runsOf = () =>
      db
        .query<{ job_id: string; window_start: Date; finished_at: Date | null }>(
          'test.runs',
          'SELECT job_id, window_start, finished_at FROM crawl_runs WHERE target_id = $1',
          [target.id],
        )
        .then((r) => r.rows);
    expect(await runsOf()).toEqual([]); // nothing claimed while deferred
    const [run] = await waitFor(async () => {
      const rs = await runsOf();
      return rs.length > 0 && rs.every((r) => r.finished_at) ? rs : null;
    }, 'the deferred job to crawl');
    // Crawled by the deferred job, in the original job's name (claimAs): a re-delivery of 'first' still owns the run.
    expect(run.job_id).toBe('first');
    expect(run.window_start.getTime()).toBe(windowStartOf(scheduledAt, DAY_S).getTime());
    expect((await ahead).every((o) => o.kind === 'product')).toBe(true);
  }, 30_000);

  // The first crawl and the schedule's job of one target both defer in one window. The schedule's job had claimed
  // the run and died (its worker killed); its re-delivery finds the origin busy and defers too. With one deferral
  // id per (target, window, step) the queue dropped that chain as a duplicate of the first crawl's, which only
  // skips (the run is not its own): nobody crawled the window (C14 lost a URL in CI).
  it('a re-delivered owner of the run defers on a chain of its own, beside another job deferred in the window', async () => {
    const { target, ahead } = await targetOnABusyOrigin('contested');
    const scheduledAt = Date.now();
    const run = (jobId: string) =>
      crawlTarget.process(
        { targetId: target.id },
        { ...worker.services, jobId, attempt: 1, scheduledAt },
      ) as Promise<Record<string, unknown>>;
    expect((await run('crawl:first')).deferredMs).toBeGreaterThan(500);
    // The schedule's job claimed the window's run, then its worker died.
    await db.query(
      'test.dead_claim',
      "INSERT INTO crawl_runs (target_id, window_start, job_id, worker) VALUES ($1, $2, 'schedule-job', 'dead-worker')",
      [target.id, windowStartOf(scheduledAt, DAY_S)],
    );
    expect((await run('schedule-job')).deferredMs).toBeGreaterThan(0);
    const finished = await waitFor(async () => {
      const { rows } = await db.query<{ job_id: string; attempts: number; finished_at: Date | null }>(
        'test.runs',
        'SELECT job_id, attempts, finished_at FROM crawl_runs WHERE target_id = $1',
        [target.id],
      );
      return rows.length === 1 && rows[0].finished_at ? rows[0] : null;
    }, "the run's owner to come back and crawl");
    expect(finished).toMatchObject({ job_id: 'schedule-job', attempts: 2 });
    await ahead;
  }, 30_000);
});
