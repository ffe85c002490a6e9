// recyclePageCrawler over real Cheerio page crawlers and a local shop: a fresh crawler every N requests, every
// request answered by the instance it was given to, old instances closed only once their last call has returned.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPageCrawler,
  createRobotsCache,
  GuardedHttpClient,
  HostLimiter,
  type PageCrawler,
  type PageOutcome,
  recyclePageCrawler,
} from '../../../crawlers/index.ts';

const UA = 'MarketRadarTest/1.0';

const page = (n: number) => `<!doctype html><html><head><title>Item ${n}</title>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"Product","name":"Item ${n}",
"offers":{"@type":"Offer","price":"${n}.50","priceCurrency":"EUR"}}</script></head><body><h1>Item ${n}</h1></body></html>`;

describe('recyclePageCrawler', () => {
  let server: http.Server;
  let origin: string;
  let slowRelease: (() => void) | null = null;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const n = Number(/^\/p\/(\d+)/.exec(req.url ?? '')?.[1]);
      if (req.url === '/robots.txt') return void res.writeHead(404).end();
      if (!Number.isFinite(n)) return void res.writeHead(404).end();
      const send = () => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(n));
      // /p/999 answers only when the test says so: a request still in flight on an instance being retired.
      if (n === 999) slowRelease = send;
      else send();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  function instrumented() {
    const policy = { allowPrivate: false, allow: [new URL(origin).host] };
    const robots = createRobotsCache({ policy, userAgent: UA, timeoutMs: 5000 });
    const hostLimiter = new HostLimiter({ minDelayMs: 0, maxPerOrigin: 8, maxWaitMs: 10_000 });
    const made: { closed: boolean; pending: number }[] = [];
    const create = (): PageCrawler => {
      const crawler = createPageCrawler({
        userAgent: UA,
        maxConcurrency: 4,
        maxRetries: 0,
        timeoutMs: 10_000,
        robots,
        hostLimiter,
        httpClient: new GuardedHttpClient(policy, { timeoutMs: 10_000, maxBytes: 1 << 20, userAgent: UA }),
      });
      const state = { closed: false, pending: 0 };
      made.push(state);
      return {
        deferMs: (url, opts) => crawler.deferMs(url, opts),
        async fetchPages(requests) {
          expect(state.closed).toBe(false);
          state.pending++;
          try {
            return await crawler.fetchPages(requests);
          } finally {
            state.pending--;
          }
        },
        async close() {
          // The wrapper closes an instance only once nothing it was given is still waiting for outcomes.
          expect(state.pending).toBe(0);
          state.closed = true;
          await crawler.close();
        },
      };
    };
    return { create, made };
  }

  const fetchOne = (c: PageCrawler, n: number) =>
    c.fetchPages([{ url: `${origin}/p/${n}`, label: 'product', hints: { url: `${origin}/p/${n}` } }]);
  const priceOf = (o: PageOutcome) => (o.kind === 'product' ? o.page.offers[0]?.price : o.kind);

  it('hands calls to a fresh crawler every N requests; every page is extracted and old crawlers are closed', async () => {
    const { create, made } = instrumented();
    const recycled: number[] = [];
    const crawler = recyclePageCrawler(create, { afterRequests: 5, onRecycle: (g) => recycled.push(g) });
    const results: (string | null | undefined)[] = [];
    for (let start = 0; start < 23; start += 4) {
      const batch = Array.from({ length: Math.min(4, 23 - start) }, (_, i) => start + i);
      const outcomes = await Promise.all(batch.map((n) => fetchOne(crawler, n)));
      results.push(...outcomes.map((o) => priceOf(o[0])));
    }
    expect(results).toEqual(Array.from({ length: 23 }, (_, n) => `${n}.5`));
    // 4 calls per round: a crawler takes calls until it has served 5 requests, so rounds of 8, 8, 7.
    expect(made.length).toBeGreaterThanOrEqual(3);
    expect(recycled).toEqual(Array.from({ length: made.length - 1 }, (_, i) => i + 1));
    await crawler.close();
    expect(made.every((m) => m.closed)).toBe(true);
  }, 60_000);

  it('a request still in flight on a retired crawler gets its page, and the crawler closes after it', async () => {
    const { create, made } = instrumented();
    const crawler = recyclePageCrawler(create, { afterRequests: 2 });
    const slow = fetchOne(crawler, 999);
    await fetchOne(crawler, 1);
    // The first crawler has served 2: this call goes to a second one, the first is retired with /p/999 in flight.
    expect(priceOf((await fetchOne(crawler, 2))[0])).toBe('2.5');
    expect(made.length).toBe(2);
    expect(made[0].closed).toBe(false);
    await expect.poll(() => slowRelease).not.toBeNull();
    slowRelease?.();
    expect(priceOf((await slow)[0])).toBe('999.5');
    await expect.poll(() => made[0].closed).toBe(true);
    await crawler.close();
    expect(made[1].closed).toBe(true);
  }, 60_000);
});
