/**
 * C13 of ../shared/RELIABILITY.md: the Playwright soak. 2,000 loads of a JavaScript-rendered product page (a few
 * thousand DOM nodes, a price and its JSON-LD written by script, a timer ticking every 20 ms) through the real
 * browser crawler at concurrency 4: four callers each asking for one page at a time, as crawl jobs do, every page
 * in its own incognito context, each browser retired after RETIRE_AFTER pages (the worker's default).
 *
 * Passing means: every load gives its price; the memory of this process and of its Chromium processes stays
 * within ±15 % of its mean over the second half (window by window, each window the mean of its samples), and the
 * peak stays under crawlee's critical-overload line; after `close()`, no Chromium process we started is left
 * (none of the pids seen during the run, no descendant). The figures are printed.
 */
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { totalmem } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { createBrowserPageCrawler, HostLimiter, type PageCrawler } from '../../crawlers/index.ts';
import { type ProcessId, processAlive, sampleTreeMemory } from '../support/process-memory.ts';
import { CHROMIUM_PATH, requireService } from '../support/services.ts';

const LOADS = Number(process.env.C13_LOADS ?? 2000);
const CONCURRENCY = 4;
const RETIRE_AFTER = 50;
/** Memory is sampled every SAMPLE_EVERY loads; windows of WINDOW loads are compared. */
const SAMPLE_EVERY = 20;
const WINDOW = 100;
const MIB = 1024 * 1024;

const hasChromium = await requireService('chromium', 'C13 (Playwright soak)');

const LIST = Array.from(
  { length: 1500 },
  (_, i) => `<li class="row" data-i="${i}"><span>Shade ${i}</span> <em>in stock</em></li>`,
).join('');

function page(n: number): string {
  const price = (10 + (n % 500) / 100).toFixed(2);
  const jsonLd = JSON.stringify({
    '@context': 'https://schema.org',
    '@type': 'Product',
    name: `Soak serum ${n}`,
    sku: `SOAK-${n}`,
    offers: { '@type': 'Offer', price, priceCurrency: 'EUR', availability: 'https://schema.org/InStock' },
  });
  return `<!doctype html><html><head><meta charset="utf-8"><title>Soak ${n}</title></head><body>
<h1>Soak serum ${n}</h1><p class="price" id="price"></p><ul>${LIST}</ul>
<script>
let ticks = 0;
setInterval(() => { document.title = 'tick ' + ++ticks; }, 20);
const keep = Array.from({ length: 5000 }, (_, i) => ({ i, s: 'x' + i }));
setTimeout(() => {
  document.getElementById('price').textContent = '€' + '${price}'.replace('.', ',');
  const s = document.createElement('script');
  s.type = 'application/ld+json';
  s.textContent = ${JSON.stringify(jsonLd)};
  document.head.appendChild(s);
  window.kept = keep.length;
}, 30);
</script></body></html>`;
}

describe.skipIf(!hasChromium)('C13: Playwright soak', () => {
  let server: Server | null = null;
  let crawler: PageCrawler | null = null;
  afterAll(async () => {
    await crawler?.close();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  it(`${LOADS} loads at concurrency ${CONCURRENCY}: prices read, memory flat, no Chromium left after close`, async () => {
    server = createServer((req, res) => {
      const n = Number(/\/p\/(\d+)/.exec(req.url ?? '')?.[1] ?? -1);
      if (n < 0) return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(n));
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    crawler = createBrowserPageCrawler({
      userAgent: 'MarketRadarSoak/1.0',
      maxConcurrency: CONCURRENCY,
      maxRetries: 1,
      timeoutMs: 15_000,
      renderWaitMs: 5000,
      retireBrowserAfterPageCount: RETIRE_AFTER,
      chromiumPath: CHROMIUM_PATH,
      policy: { allowPrivate: false, allow: [host] },
      // Politeness is not what this measures: one origin may take all four slots at once.
      hostLimiter: new HostLimiter({ minDelayMs: 0, maxPerOrigin: CONCURRENCY }),
    });

    const seen = new Map<number, ProcessId>();
    const samples: { loads: number; self: number; total: number; browsers: number }[] = [];
    const failures: string[] = [];
    let next = 0;
    let done = 0;
    let priced = 0;
    const started = performance.now();
    const caller = async () => {
      for (let n = next++; n < LOADS; n = next++) {
        const url = `http://${host}/p/${n}`;
        const [outcome] = await crawler!.fetchPages([{ url, label: 'product', hints: { url } }]);
        if (outcome.kind === 'product' && outcome.page.main?.currency === 'EUR') priced++;
        else if (failures.length < 5) failures.push(`${url}: ${JSON.stringify(outcome).slice(0, 200)}`);
        if (++done % SAMPLE_EVERY === 0) {
          const m = sampleTreeMemory();
          for (const c of m.children) seen.set(c.pid, c);
          samples.push({
            loads: done,
            self: m.selfRss,
            total: m.selfRss + m.childrenRss,
            browsers: m.childrenPids.length,
          });
          if (done % 500 === 0)
            console.info(
              `C13: ${done} loads after ${((performance.now() - started) / 1000).toFixed(0)} s, node+Chromium ${((m.selfRss + m.childrenRss) / MIB).toFixed(0)} MiB`,
            );
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, caller));
    const seconds = (performance.now() - started) / 1000;
    await crawler.close();
    crawler = null;

    // Orphans: every Chromium pid seen during the run, and any descendant still matching, after a short grace.
    let left: number[] = [];
    for (let i = 0; i < 50; i++) {
      left = [
        ...new Set([
          ...[...seen.values()].filter(processAlive).map((p) => p.pid),
          ...sampleTreeMemory().childrenPids,
        ]),
      ];
      if (left.length === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }

    const windows: { self: number; total: number }[] = [];
    for (let from = 0; from < LOADS; from += WINDOW) {
      const inside = samples.filter((s) => s.loads > from && s.loads <= from + WINDOW);
      if (!inside.length) continue;
      const mean = (k: 'self' | 'total') => inside.reduce((a, s) => a + s[k], 0) / inside.length;
      windows.push({ self: mean('self'), total: mean('total') });
    }
    const firstHalf = windows.slice(0, Math.floor(windows.length / 2));
    const secondHalf = windows.slice(Math.floor(windows.length / 2));
    const spread = (k: 'self' | 'total') => {
      const mean = secondHalf.reduce((a, w) => a + w[k], 0) / secondHalf.length;
      const worst = Math.max(...secondHalf.map((w) => Math.abs(w[k] / mean - 1)));
      return { mean, worst };
    };
    const self = spread('self');
    const total = spread('total');
    const firstHalfTotal = firstHalf.reduce((a, w) => a + w.total, 0) / Math.max(1, firstHalf.length);
    const peak = Math.max(...samples.map((s) => s.total));
    // crawlee's memory budget is a quarter of the machine; it warns "critically overloaded" near 90 % of it.
    const criticalLine = 0.25 * totalmem() * 0.9;
    console.info(
      `C13: ${LOADS} loads in ${seconds.toFixed(0)} s (${(LOADS / seconds).toFixed(1)}/s), ${priced} priced; ` +
        `${seen.size} Chromium pids seen, ${left.length} left after close; ` +
        `node RSS second half ${(self.mean / MIB).toFixed(0)} MiB ±${(self.worst * 100).toFixed(1)} % (worst window); ` +
        `node+Chromium RSS first half ${(firstHalfTotal / MIB).toFixed(0)} MiB, second half ${(total.mean / MIB).toFixed(0)} MiB ` +
        `±${(total.worst * 100).toFixed(1)} %, peak ${(peak / MIB).toFixed(0)} MiB (critical line ${(criticalLine / MIB).toFixed(0)} MiB); ` +
        `windows (MiB): ${windows.map((w) => (w.total / MIB).toFixed(0)).join(' ')}`,
    );

    expect(failures).toEqual([]);
    expect(priced).toBe(LOADS);
    if (left.length)
      console.info(
        `C13: left after close:\n${execFileSync('ps', ['-o', 'pid,ppid,lstart,args', '-p', left.join(',')], { encoding: 'utf8' })}`,
      );
    expect(left).toEqual([]);
    expect(self.worst).toBeLessThanOrEqual(0.15);
    expect(total.worst).toBeLessThanOrEqual(0.15);
    expect(peak).toBeLessThan(criticalLine);
  }, 3_600_000);
});
