// A short C13 soak, part of `npm test`: 40 loads of a maisonjs product page through the browser crawler at
// concurrency 2, browsers retired every 10 pages. Reports RSS (this process, and this process plus its Chromium
// processes) first half vs second half; only a generous sanity bound is asserted. No Chromium process of ours
// survives close. The full soak (2,000 loads, ±15 % asserted) is test/faults/crawl-browser-soak.test.ts.
import { afterAll, describe, expect, it } from 'vitest';
import { createBrowserPageCrawler } from '../../../crawlers/commerce/browser-crawler.ts';
import { HostLimiter } from '../../../crawlers/commerce/host-limiter.ts';
import type { PageCrawler } from '../../../crawlers/index.ts';
import { type DemoMarket, startDemoMarket } from '../../../demo/index.ts';
import { sampleTreeMemory } from '../../support/process-memory.ts';
import { requireService } from '../../support/services.ts';
import { ourChromiumProcesses, survivingChromium } from './chromium-processes.ts';

const hasChromium = await requireService('chromium', 'browser soak (test/integration/crawl)');

describe.skipIf(!hasChromium)('C13 (short): browser crawler soak', () => {
  let market: DemoMarket;
  let crawler: PageCrawler | null = null;
  const seen = new Set<string>();
  afterAll(async () => {
    await crawler?.close();
    await market?.close();
    expect(await survivingChromium([...seen])).toEqual([]);
  }, 30_000);

  it('40 loads: every one a EUR price, RSS reported per half', async () => {
    market = await startDemoMarket({ basePort: 0, productsPerShop: 4 });
    const url = market.manifest().targets.find((t) => t.kind === 'product' && t.options.needsJs)
      ?.url as string;
    crawler = createBrowserPageCrawler({
      userAgent: 'MarketRadarSoak/1.0',
      maxConcurrency: 2,
      maxRetries: 1,
      timeoutMs: 5000,
      renderWaitMs: 3000,
      retireBrowserAfterPageCount: 10,
      policy: { allowPrivate: false, allow: [new URL(url).host] },
      hostLimiter: new HostLimiter({ minDelayMs: 0, maxPerOrigin: 2 }),
    });
    const rss: number[] = [];
    const total: number[] = [];
    let priced = 0;
    for (let batch = 0; batch < 20; batch++) {
      const outcomes = await crawler.fetchPages(
        [0, 1].map((i) => ({ url: `${url}?n=${batch}-${i}`, label: 'product' as const, hints: { url } })),
      );
      for (const o of outcomes) if (o.kind === 'product' && o.page.main?.currency === 'EUR') priced++;
      const m = sampleTreeMemory();
      rss.push(m.selfRss);
      total.push(m.selfRss + m.childrenRss);
      if (batch % 5 === 2) for (const p of ourChromiumProcesses()) seen.add(p);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length / 1048576;
    const first = mean(rss.slice(0, 10));
    const second = mean(rss.slice(10));
    const firstTotal = mean(total.slice(0, 10));
    const secondTotal = mean(total.slice(10));
    const pct = (a: number, b: number) => (((b - a) / a) * 100).toFixed(1);
    console.info(
      `C13 soak: 40 loads, ${priced} priced; node RSS first half ${first.toFixed(1)} MiB, second half ${second.toFixed(1)} MiB (${pct(first, second)} %); ` +
        `node+Chromium ${firstTotal.toFixed(0)} → ${secondTotal.toFixed(0)} MiB (${pct(firstTotal, secondTotal)} %)`,
    );
    expect(priced).toBe(40);
    expect(second).toBeLessThan(first * 2);
    expect(secondTotal).toBeLessThan(firstTotal * 2);
  }, 120_000);
});
