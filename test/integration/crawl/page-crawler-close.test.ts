// Closing a page crawler at any point of its start-up ends its run. crawlee's teardown aborts the pool, and an abort
// that lands after the pool exists but before its run begins was lost: the run then started on an aborted pool that
// never ends (keepAlive), so close() waited forever (a crawler recycled right after its first requests hung CI).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CheerioCrawler, Configuration } from '@crawlee/cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPageCrawlCore, runPageCrawler } from '../../../crawlers/commerce/page-crawl.ts';
import { InMemoryRequestManager } from '../../../crawlers/commerce/request-manager.ts';

const page = (n: number) =>
  `<!doctype html><html><head><script type="application/ld+json">{"@type":"Product","name":"Item ${n}",
"offers":{"@type":"Offer","price":"${n}.50","priceCurrency":"EUR"}}</script></head><body></body></html>`;

/** Settles with 'closed' when `p` does, or 'hung' after `ms`. */
const within = (p: Promise<unknown>, ms: number) =>
  Promise.race([p.then(() => 'closed'), new Promise((r) => setTimeout(() => r('hung'), ms).unref())]);

describe('runPageCrawler close during start-up', () => {
  let server: http.Server;
  let origin: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const n = Number(/^\/p\/(\d+)/.exec(req.url ?? '')?.[1] ?? 0);
      res.writeHead(200, { 'content-type': 'text/html' }).end(page(n));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  function start() {
    const core = createPageCrawlCore({ userAgent: 'MarketRadarTest/1.0' });
    const requests = new InMemoryRequestManager();
    const crawler = new CheerioCrawler(
      {
        requestQueue: requests.asCrawlerQueue,
        keepAlive: true,
        useSessionPool: false,
        autoscaledPoolOptions: { maybeRunIntervalSecs: 0.05 },
        requestHandler: async ({ request }) => {
          core.afterAttempt(request);
          core.settle(request.uniqueKey, { kind: 'blocked', url: request.url, status: 200, reason: 'test' });
        },
        failedRequestHandler: async ({ request }, error) => core.fail(request, null, error),
      },
      new Configuration({ persistStorage: false, purgeOnStart: false }),
    );
    return { crawler, page: runPageCrawler(crawler, core, requests) };
  }

  it('a crawler closed once its pool exists, before the pool runs, still ends', async () => {
    for (let i = 0; i < 5; i++) {
      const { crawler, page: pc } = start();
      // The window: crawlee has made the pool (its _init is done) and is still starting its statistics.
      while (!crawler.autoscaledPool) await new Promise((r) => setImmediate(r));
      expect(await within(pc.close(), 10_000)).toBe('closed');
    }
  }, 60_000);

  it('requests handed over before the pool runs are fetched once it does, and close then ends it', async () => {
    const { page: pc } = start();
    const outcomes = await pc.fetchPages([
      { url: `${origin}/p/1`, label: 'product', hints: { url: `${origin}/p/1` } },
      { url: `${origin}/p/2`, label: 'product', hints: { url: `${origin}/p/2` } },
    ]);
    expect(outcomes.map((o) => o.kind)).toEqual(['blocked', 'blocked']);
    expect(outcomes.map((o) => o.url)).toEqual([`${origin}/p/1`, `${origin}/p/2`]);
    expect(await within(pc.close(), 10_000)).toBe('closed');
  }, 30_000);
});
