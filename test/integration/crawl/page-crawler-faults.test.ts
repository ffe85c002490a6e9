// Crawl faults through the real Cheerio page crawler (createPageCrawler + GuardedHttpClient) and the fault
// server: RELIABILITY.md C1-C9 and C12, plus bot blocks from the demo market. Timing checks are lower bounds
// the code guarantees (backoff, Retry-After, per-origin spacing), never upper bounds.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPageCrawler,
  createRobotsCache,
  GuardedHttpClient,
  HostLimiter,
  type PageCrawler,
  type PageOutcome,
  type PageRequest,
  type UrlPolicy,
} from '../../../crawlers/index.ts';
import { type DemoMarket, shopStateOn, startDemoMarket } from '../../../demo/index.ts';
import { type FaultServer, startFaultServer } from '../../support/fault-server.ts';

const UA = 'MarketRadarTest/1.0';
const MAX_BYTES = 6 * 1024 * 1024;
const SEED = 42;

type Product = Extract<PageOutcome, { kind: 'product' }>;

function product(url: string, extra: Partial<PageRequest> = {}): PageRequest {
  return { url, label: 'product', hints: { url }, ...extra };
}

function hitsOf(fs: FaultServer, prefix: string): number[] {
  return fs.log.filter((e) => e.path.startsWith(prefix)).map((e) => e.at);
}

/** Serves raw bytes, for encodings a string fixture cannot carry. */
async function startBytesServer(pages: Record<string, { type: string; body: Buffer }>) {
  const server = http.createServer((req, res) => {
    const page = pages[req.url ?? ''];
    if (!page) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': page.type, 'content-length': page.body.length });
    res.end(page.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('Cheerio page crawler under crawl faults', () => {
  let fs: FaultServer;
  let market: DemoMarket;
  let bytes: Awaited<ReturnType<typeof startBytesServer>>;
  let policy: UrlPolicy;
  let limiter: HostLimiter;
  let crawler: PageCrawler;

  beforeAll(async () => {
    const latin1 = Buffer.from(
      '<html><body><h1>Crème brûlée été</h1><span class="price">12,50 €</span></body></html>',
      'latin1',
    );
    [fs, market, bytes] = await Promise.all([
      startFaultServer({
        trickleIntervalMs: 500,
        robots: 'User-agent: *\nDisallow: /html/private\nAllow: /html/private-ok$\n',
        fixtures: {
          ok: '<html><body><h1>Fine</h1><span class="price">$10.00</span></body></html>',
          private: 'never served',
          'private-ok': '<html><body>allowed by the longer rule</body></html>',
          unclosed: '<html><body><div class="price">9,99 €<p><span><b>unclosed <i>tags <table><tr><td>x',
          deep: `<html><body>${'<div>'.repeat(100_000)}<span itemprop="price">5</span></body></html>`,
          line: `<html><body><p>${'word '.repeat(1_000_000)}</p><span class="price">7 €</span></body></html>`,
          'no-body': '<title>No body</title><span class="price">3 €</span>',
          nul: '<html><body><h1>Na\u0000me</h1><span class="price">4,00 €</span>\u0000</body></html>',
        },
      }),
      startDemoMarket({ basePort: 0, productsPerShop: 4, seed: SEED }),
      startBytesServer({
        '/latin1': { type: 'text/html; charset=utf-8', body: latin1 },
        '/bom': {
          type: 'text/html; charset=utf-8',
          body: Buffer.concat([
            Buffer.from([0xef, 0xbb, 0xbf]),
            Buffer.from('<html><body><h1>Avec BOM</h1>\r\n<span class="price">1,00 €</span></body></html>'),
          ]),
        },
        '/invalid': {
          type: 'text/html',
          body: Buffer.concat([
            Buffer.from('<html><body><h1>Bad '),
            Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]),
            Buffer.from(' bytes</h1></body></html>'),
          ]),
        },
      }),
    ]);
    policy = {
      allowPrivate: false,
      allow: [
        `127.0.0.1:${fs.port}`,
        `127.0.0.1:${bytes.port}`,
        ...Object.values(market.origins).map((o) => new URL(o).host),
      ],
    };
    limiter = new HostLimiter({
      minDelayMs: 0,
      maxPerOrigin: 4,
      maxWaitMs: 10_000,
      rateLimitCooldownMs: 4000,
    });
    crawler = createPageCrawler({
      userAgent: UA,
      maxConcurrency: 8,
      maxRetries: 2,
      timeoutMs: 2000,
      retryBaseDelayMs: 100,
      hostLimiter: limiter,
      // A robots.txt timeout disallows: generous on a loaded CI.
      robots: createRobotsCache({ policy, userAgent: UA, timeoutMs: 5000 }),
      httpClient: new GuardedHttpClient(policy, { timeoutMs: 2000, maxBytes: MAX_BYTES, userAgent: UA }),
    });
  }, 30_000);

  afterAll(async () => {
    await crawler?.close();
    await Promise.all([fs?.close(), market?.close(), bytes?.close()]);
  });

  it('C1: 500 twice then 200 is one success, retried with growing delays', async () => {
    const [outcome] = await crawler.fetchPages([product(`${fs.url}/flaky?fail=2&key=c1`)]);
    expect(outcome).toMatchObject({ kind: 'product', status: 200 });
    const at = hitsOf(fs, '/flaky?fail=2&key=c1');
    expect(at).toHaveLength(3);
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(100);
    expect(at[2] - at[1]).toBeGreaterThanOrEqual(200);
  });

  it('C1: a 5xx that never recovers fails after maxRetries with the status as reason', async () => {
    const [outcome] = await crawler.fetchPages([product(`${fs.url}/status/503`)]);
    expect(outcome).toMatchObject({ kind: 'failed', outcome: 'failed', status: 503, reason: 'HTTP 503' });
    expect(hitsOf(fs, '/status/503')).toHaveLength(3);
  });

  it('C2: 404 and 410 are not retried and fail with the status', async () => {
    const outcomes = await crawler.fetchPages([
      product(`${fs.url}/status/404`),
      product(`${fs.url}/status/410`),
    ]);
    expect(outcomes).toMatchObject([
      { kind: 'failed', status: 404, reason: 'HTTP 404', outcome: 'failed' },
      { kind: 'failed', status: 410, reason: 'HTTP 410', outcome: 'failed' },
    ]);
    expect(hitsOf(fs, '/status/404')).toHaveLength(1);
    expect(hitsOf(fs, '/status/410')).toHaveLength(1);
  });

  it('C3: 429 + Retry-After pauses the origin and drops it to one request at a time', async () => {
    const [outcome] = await crawler.fetchPages([product(`${fs.url}/retry-after?s=1&fail=2&key=c3`)]);
    expect(outcome).toMatchObject({ kind: 'product', status: 200 });
    const at = hitsOf(fs, '/retry-after?s=1&fail=2&key=c3');
    expect(at).toHaveLength(3);
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(1000);
    expect(at[2] - at[1]).toBeGreaterThanOrEqual(1000);
    expect(limiter.state(fs.url).limit).toBe(1);
    // Concurrency 1: each 300 ms answer must finish before the next request starts.
    const outcomes = await crawler.fetchPages(
      [1, 2, 3].map((i) => product(`${fs.url}/delay?ms=300&c3=${i}`)),
    );
    expect(outcomes.every((o) => o.kind === 'product')).toBe(true);
    const starts = hitsOf(fs, '/delay?ms=300&c3=').sort((a, b) => a - b);
    expect(starts[1] - starts[0]).toBeGreaterThanOrEqual(300);
    expect(starts[2] - starts[1]).toBeGreaterThanOrEqual(300);
  }, 20_000);

  it('C3: a 429 that never ends is recorded as blocked, not retried forever', async () => {
    const other = await startFaultServer();
    try {
      const local = createPageCrawler({
        userAgent: UA,
        maxConcurrency: 2,
        maxRetries: 0,
        timeoutMs: 2000,
        maxRateLimitRetries: 1,
        hostLimiter: new HostLimiter({ minDelayMs: 0 }),
        httpClient: new GuardedHttpClient({ allowPrivate: false, allow: [`127.0.0.1:${other.port}`] }),
      });
      const [outcome] = await local.fetchPages([product(`${other.url}/retry-after?s=0&key=x`)]);
      await local.close();
      expect(outcome).toMatchObject({ kind: 'blocked', status: 429 });
      expect(hitsOf(other, '/retry-after')).toHaveLength(2);
    } finally {
      await other.close();
    }
  });

  it('C4: slow and endless bodies end as timeout', async () => {
    const outcomes = await crawler.fetchPages([
      product(`${fs.url}/trickle`),
      product(`${fs.url}/forever`),
      product(`${fs.url}/delay?ms=120000&headersFirst=1`),
    ]);
    for (const o of outcomes) expect(o).toMatchObject({ kind: 'failed', outcome: 'timeout' });
  }, 25_000);

  it('C5: 10 MB, chunked-infinite and a gzip bomb stop at the cap as too_large', async () => {
    const rss0 = process.memoryUsage().rss;
    const outcomes = await crawler.fetchPages([
      product(`${fs.url}/huge?mb=10`),
      product(`${fs.url}/huge?mb=10&chunked=1`),
      product(`${fs.url}/chunked-infinite`),
      product(`${fs.url}/gzip-bomb`),
    ]);
    const grew = process.memoryUsage().rss - rss0;
    console.info(
      `C5: RSS grew ${(grew / 1048576).toFixed(1)} MiB over 4 oversized bodies (cap ${MAX_BYTES / 1048576} MiB)`,
    );
    for (const o of outcomes) expect(o).toMatchObject({ kind: 'failed', outcome: 'too_large' });
    expect(grew).toBeLessThan(3 * MAX_BYTES * 4);
    // Permanent, so not retried. Checked with a timeout only the cap can beat: on a loaded CI the shared crawler's
    // 2 s ran out while the bomb inflated beside three other oversized bodies, and a timeout is rightly retried.
    const local = createPageCrawler({
      userAgent: UA,
      maxConcurrency: 1,
      maxRetries: 2,
      timeoutMs: 60_000,
      retryBaseDelayMs: 100,
      hostLimiter: new HostLimiter({ minDelayMs: 0 }),
      httpClient: new GuardedHttpClient(policy, { timeoutMs: 60_000, maxBytes: MAX_BYTES, userAgent: UA }),
    });
    try {
      const [alone] = await local.fetchPages([product(`${fs.url}/gzip-bomb?alone=1`)]);
      expect(alone).toMatchObject({ kind: 'failed', outcome: 'too_large' });
    } finally {
      await local.close();
    }
    expect(fs.log.filter((e) => e.path.startsWith('/gzip-bomb') && e.path.includes('alone=1'))).toHaveLength(
      1,
    );
  }, 60_000);

  it('C6: truncated and dropped bodies are never a success', async () => {
    const outcomes = await crawler.fetchPages([
      product(`${fs.url}/partial`),
      product(`${fs.url}/drop?abort=1`),
      product(`${fs.url}/drop`),
    ]);
    for (const o of outcomes) expect(o.kind).toBe('failed');
    expect(hitsOf(fs, '/partial').length).toBeGreaterThan(1); // transient: retried
  }, 20_000);

  it('C7: a redirect loop and a 20-hop chain fail as too_many_redirects', async () => {
    const outcomes = await crawler.fetchPages([product(`${fs.url}/loop`), product(`${fs.url}/chain?n=20`)]);
    for (const o of outcomes) {
      expect(o).toMatchObject({ kind: 'failed', outcome: 'failed' });
      expect((o as { reason: string }).reason).toMatch(/^too_many_redirects/);
    }
    expect(hitsOf(fs, '/chain?n=20')).toHaveLength(1);
  });

  it('C8: malformed HTML parses without crashing or long event-loop stalls', async () => {
    const delay = monitorEventLoopDelay({ resolution: 20 });
    delay.enable();
    const outcomes = await crawler.fetchPages(
      ['unclosed', 'line', 'no-body', 'nul'].map((n) => product(`${fs.url}/html/${n}`)),
    );
    delay.disable();
    console.info(`C8: longest event-loop delay ${(delay.max / 1e6).toFixed(0)} ms across the four fixtures`);
    expect(outcomes.map((o) => o.kind)).toEqual(['product', 'product', 'product', 'product']);
    const nul = outcomes[3] as Product;
    expect(JSON.stringify(nul.page)).not.toContain('\\u0000');
    expect(nul.page.name ?? '').toContain('Na\uFFFDme');
  }, 25_000);

  // C8: a 100 000-deep <div> nesting used to stall htmlparser2/cheerio for 20-50 s (superlinear), parsed twice by
  // crawlee. The crawler now parses once, after cutting the body where nesting passes MAX_NESTING (cap-nesting.ts).
  it('C8: a 100k-deep nesting does not stall the Cheerio path: the body is cut where nesting passes 1,000', async () => {
    const delay = monitorEventLoopDelay({ resolution: 20 });
    delay.enable();
    const [outcome] = await crawler.fetchPages([product(`${fs.url}/html/deep`)]);
    delay.disable();
    console.info(`C8 deep nesting: longest event-loop delay ${(delay.max / 1e6).toFixed(0)} ms`);
    expect(outcome.kind).toBe('product');
    expect(delay.max / 1e6).toBeLessThan(5_000); // was 20-50 s; a generous bound on a shared machine
  }, 30_000);

  it('C9: Latin-1 served as UTF-8, a BOM and invalid bytes give well-formed text', async () => {
    const outcomes = await crawler.fetchPages(
      ['/latin1', '/bom', '/invalid'].map((p) => product(`${bytes.url}${p}`)),
    );
    expect(outcomes.map((o) => o.kind)).toEqual(['product', 'product', 'product']);
    for (const o of outcomes) {
      const text = JSON.stringify((o as Product).page);
      expect(text.isWellFormed()).toBe(true);
      expect(text).not.toContain('\\u0000');
    }
    expect((outcomes[0] as Product).page.name).toContain('\uFFFD');
    expect((outcomes[1] as Product).page.name).toBe('Avec BOM');
  });

  it('C12: a disallowed path gets 0 requests; the longer Allow wins; robots: false opts out', async () => {
    const outcomes = await crawler.fetchPages([
      product(`${fs.url}/html/private`),
      product(`${fs.url}/html/private-ok`),
      product(`${fs.url}/html/ok`),
    ]);
    expect(outcomes[0]).toMatchObject({ kind: 'failed', outcome: 'robots_disallowed', status: null });
    expect((outcomes[0] as { reason: string }).reason).toContain('Disallow: /html/private');
    expect(outcomes[1].kind).toBe('product');
    expect(outcomes[2].kind).toBe('product');
    expect(hitsOf(fs, '/html/private?')).toEqual([]);
    expect(fs.log.filter((e) => e.path === '/html/private')).toEqual([]);
    const [optedOut] = await crawler.fetchPages([product(`${fs.url}/html/private`, { robots: false })]);
    expect(optedOut.kind).toBe('product');
  });

  it('C12: robots.txt answering 500 or timing out disallows; 404 allows', async () => {
    const [s500, hang, s404] = await Promise.all([
      startFaultServer({ robots: { status: 500 }, fixtures: { ok: '<p>ok</p>' } }),
      startFaultServer({ robots: 'hang', fixtures: { ok: '<p>ok</p>' } }),
      startFaultServer({ robots: { status: 404 }, fixtures: { ok: '<p>ok</p>' } }),
    ]);
    try {
      const p: UrlPolicy = {
        allowPrivate: false,
        allow: [s500, hang, s404].map((s) => `127.0.0.1:${s.port}`),
      };
      const local = createPageCrawler({
        userAgent: UA,
        maxConcurrency: 3,
        maxRetries: 0,
        timeoutMs: 2000,
        hostLimiter: new HostLimiter({ minDelayMs: 0 }),
        // Long enough for a loaded machine to answer the 500; the hanging one still times out.
        robots: createRobotsCache({ policy: p, userAgent: UA, timeoutMs: 2500 }),
        httpClient: new GuardedHttpClient(p),
      });
      const outcomes = await local.fetchPages([s500, hang, s404].map((s) => product(`${s.url}/html/ok`)));
      await local.close();
      expect(outcomes[0]).toMatchObject({ kind: 'failed', outcome: 'robots_disallowed' });
      expect((outcomes[0] as { reason: string }).reason).toMatch(/HTTP 500/);
      expect(outcomes[1]).toMatchObject({ kind: 'failed', outcome: 'robots_disallowed' });
      expect((outcomes[1] as { reason: string }).reason).toMatch(/timeout/);
      expect(outcomes[2].kind).toBe('product');
      expect(hitsOf(s500, '/html/ok')).toEqual([]);
      expect(hitsOf(hang, '/html/ok')).toEqual([]);
      expect(hitsOf(s404, '/html/ok')).toHaveLength(1);
    } finally {
      await Promise.all([s500.close(), hang.close(), s404.close()]);
    }
  });

  it('bot blocks: the 403 interstitial and the 200 captcha page are blocked, never a product', async () => {
    const glowco = market.origins.glowco;
    const challenged = shopStateOn(SEED, 'glowco', 3, 4).products.find((p) => p.sku === 'GC-1003');
    expect(challenged).toBeDefined();
    const slug = challenged?.slug as string;
    const outcomes = await crawler.fetchPages([
      product(`${glowco}/p/${slug}?blocked=1`),
      product(`${glowco}/p/${slug}?day=3`),
      product(`${glowco}/p/${slug}?day=4`),
    ]);
    expect(outcomes[0]).toMatchObject({ kind: 'blocked', status: 403 });
    expect(outcomes[1]).toMatchObject({ kind: 'blocked', status: 200 });
    expect(outcomes[2].kind).toBe('product');
  });
});
