// The browser page crawler (PlaywrightCrawler on guarded Chromium) end to end: the demo market's maisonjs
// shop (prices rendered by client-side JS), bot blocks (RELIABILITY blocked interstitials), S5 through the
// crawler, crawl faults C2/C4/C5/C7/C8 on the Playwright path, C12 robots, and no orphan Chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrowserPageCrawler } from '../../../crawlers/commerce/browser-crawler.ts';
import { HostLimiter } from '../../../crawlers/commerce/host-limiter.ts';
import { createRobotsCache } from '../../../crawlers/commerce/robots.ts';
import type { PageCrawler, PageOutcome, PageRequest } from '../../../crawlers/index.ts';
import { type DemoMarket, startDemoMarket } from '../../../demo/index.ts';
import { type Canary, startCanary } from '../../support/canary.ts';
import { type FaultServer, startFaultServer } from '../../support/fault-server.ts';
import { requireService } from '../../support/services.ts';
import { allChromiumProcesses, ourChromiumProcesses, survivingChromium } from './chromium-processes.ts';

const hasChromium = await requireService('chromium', 'browser page crawler (test/integration/crawl)');
const UA = 'MarketRadarTest/1.0';

function product(url: string, extra: Partial<PageRequest> = {}): PageRequest {
  return { url, label: 'product', hints: { url }, ...extra };
}

function attackPage(canaryUrl: string): string {
  return `<!doctype html><html><head><title>S5</title><link rel="preconnect" href="${canaryUrl}">
<link rel="stylesheet" href="${canaryUrl}/style.css"></head><body>
<img src="${canaryUrl}/img.png"><iframe src="${canaryUrl}/iframe"></iframe>
<div class="price">12,50 €</div>
<script>
fetch('${canaryUrl}/fetch').catch(() => {});
const x = new XMLHttpRequest(); x.open('GET', '${canaryUrl}/xhr'); x.send();
try { new WebSocket('${canaryUrl.replace('http:', 'ws:')}/ws') } catch {}
navigator.sendBeacon('${canaryUrl}/beacon', 'x');
navigator.serviceWorker && navigator.serviceWorker.register('/html/sw.js').catch(() => {});
</script></body></html>`;
}

describe.skipIf(!hasChromium)('browser page crawler', () => {
  let market: DemoMarket;
  let fs: FaultServer;
  let canary: Canary;
  let crawler: PageCrawler;
  const seen = new Set<string>();

  beforeAll(async () => {
    [market, fs, canary] = await Promise.all([
      startDemoMarket({ basePort: 0, productsPerShop: 4 }),
      startFaultServer({
        fixtures: {
          unclosed: '<html><body><div class="price">9,99 €<p><span><b>unclosed <i>tags',
          deep: `<html><body>${'<div>'.repeat(100_000)}<span itemprop="price">5</span></body></html>`,
          'no-body': '<title>No body</title><span class="price">3 €</span>',
          nul: '<html><body><h1>Na\u0000me</h1><span class="price">4\u0000,00 €</span></body></html>',
          'sw.js': 'self.addEventListener("fetch", () => {})',
          private: '<html><body>secret</body></html>',
        },
        robots: 'User-agent: *\nDisallow: /html/private\n',
      }),
      startCanary(),
    ]);
    fs.fixtures.attack = attackPage(canary.url);
    const policy = {
      allowPrivate: false,
      allow: [...Object.values(market.origins).map((o) => new URL(o).host), `127.0.0.1:${fs.port}`],
    };
    crawler = createBrowserPageCrawler({
      userAgent: UA,
      maxConcurrency: 2,
      maxRetries: 1,
      // Generous: under a loaded CI, rendering the 100k-deep fixture took longer than 3 s and failed C8.
      timeoutMs: 8000,
      maxBytes: 1024 * 1024,
      policy,
      renderWaitMs: 3000,
      retryBaseDelayMs: 50,
      hostLimiter: new HostLimiter({ minDelayMs: 0, maxPerOrigin: 2 }),
      robots: createRobotsCache({ policy, userAgent: UA, timeoutMs: 2000 }),
    });
  }, 30_000);

  afterAll(async () => {
    await crawler?.close();
    await Promise.all([market?.close(), fs?.close(), canary?.close()]);
    // No Chromium of ours survives close (C13).
    expect(seen.size).toBeGreaterThan(0);
    expect(await survivingChromium([...seen])).toEqual([]);
    console.info(
      `chromium processes on the machine after close (pgrep -f chromium): ${allChromiumProcesses().length}`,
    );
  }, 30_000);

  it('extracts the JS-rendered price of a maisonjs product (EUR)', async () => {
    const target = market.manifest().targets.find((t) => t.kind === 'product' && t.options.needsJs);
    expect(target).toBeDefined();
    const url = target?.url as string;
    const [outcome] = await crawler.fetchPages([
      product(url, { hints: { url, currency: 'EUR', locale: 'fr-FR' } }),
    ]);
    expect(outcome.kind).toBe('product');
    const page = (outcome as Extract<PageOutcome, { kind: 'product' }>).page;
    expect(page.main?.currency).toBe('EUR');
    expect(Number(page.main?.price)).toBeGreaterThan(0);
    expect(page.name).not.toMatch(/Chargement/);
    for (const p of ourChromiumProcesses()) seen.add(p);
  }, 30_000);

  it('calls a 403 interstitial and a captcha page blocked, never a product', async () => {
    const glowProduct = market
      .manifest()
      .targets.find((t) => t.kind === 'product' && t.competitorKey === 'glowco');
    const url = `${glowProduct?.url}?blocked=1`;
    const [outcome] = await crawler.fetchPages([product(url)]);
    expect(outcome).toMatchObject({ kind: 'blocked', status: 403 });
  }, 30_000);

  it('S5: subresources aimed at the canary never reach it; the page still extracts', async () => {
    const [outcome] = await crawler.fetchPages([product(`${fs.url}/html/attack`)]);
    expect(outcome.kind).toBe('product');
    expect(canary.requests).toEqual([]);
    expect(canary.hits).toBe(0);
  }, 30_000);

  it('C2/C4/C5/C7 on the Playwright path: 404, endless body, 10 MB, redirect loop', async () => {
    const outcomes = await crawler.fetchPages([
      product(`${fs.url}/status/404`),
      product(`${fs.url}/forever`),
      product(`${fs.url}/huge?mb=10`),
      product(`${fs.url}/loop`),
    ]);
    expect(outcomes[0]).toMatchObject({ kind: 'failed', status: 404, reason: 'HTTP 404' });
    expect(outcomes[1]).toMatchObject({ kind: 'failed', outcome: 'timeout' });
    expect(outcomes[2]).toMatchObject({ kind: 'failed', outcome: 'too_large' });
    expect(outcomes[3]).toMatchObject({ kind: 'failed', outcome: 'failed' });
    expect((outcomes[3] as { reason: string }).reason).toMatch(/too_many_redirects/);
  }, 90_000);

  it('C8 on the Playwright path: malformed pages parse without crashing', async () => {
    const outcomes = await crawler.fetchPages(
      ['unclosed', 'deep', 'no-body', 'nul'].map((n) => product(`${fs.url}/html/${n}`)),
    );
    expect(outcomes.map((o) => o.kind)).toEqual(['product', 'product', 'product', 'product']);
    for (const p of ourChromiumProcesses()) seen.add(p);
    const nul = outcomes[3] as Extract<PageOutcome, { kind: 'product' }>;
    expect(JSON.stringify(nul.page)).not.toContain('\\u0000');
  }, 30_000);

  it('C12: a robots-disallowed page is never requested', async () => {
    const [outcome] = await crawler.fetchPages([product(`${fs.url}/html/private`)]);
    expect(outcome).toMatchObject({ kind: 'failed', outcome: 'robots_disallowed' });
    expect(fs.log.filter((e) => e.path.startsWith('/html/private'))).toEqual([]);
  }, 30_000);
});
