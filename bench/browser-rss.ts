/**
 * Commerce issue: "peak RSS of a 500-page Playwright crawl, which must stay flat (within 15 % over the second
 * half)". The demo market's JavaScript-rendered shop (maisonjs, its product pages marked needsJs) crawled 500
 * times through the worker's browser crawler (crawlers/commerce/browser-crawler.ts) with the worker's settings:
 * 2 pages rendered at once, every page in its own incognito context, each browser retired after 50 pages. Two
 * callers ask for one page at a time, as crawl jobs do. The per-origin politeness gap is opened (it would only
 * stretch the run), nothing else differs.
 *
 * Memory is read with `ps`: this process (the crawler and the demo server) and its Chromium processes, summed
 * (an upper bound: shared pages count once per process), five times per tenth of the run and every 500 ms for the
 * peak. Flat means every tenth of the second half (the mean of its samples) within ±15 % of the second half's
 * mean, for node and for node + Chromium. After `close()`, no Chromium process seen during the run may be left (orphans must be 0).
 */
import { log as crawleeLog, LogLevel } from '@crawlee/core';
import { createBrowserPageCrawler, HostLimiter } from '../crawlers/index.ts';
import { startDemoMarket } from '../demo/index.ts';
import { type ProcessId, processAlive, sampleTreeMemory } from '../test/support/process-memory.ts';
import { type Benchmark, round, seconds, size, sleep } from './support.ts';

const MIB = 1024 * 1024;
const CONCURRENCY = 2; // the worker's: min(2, CRAWL_CONCURRENCY)
const RETIRE_AFTER = 50; // the browser crawler's default
/** Ten windows per run, five samples per window. */
const WINDOWS = 10;
const SAMPLES_PER_WINDOW = 5;

interface Sample {
  loads: number;
  node: number;
  chromium: number;
  processes: number;
}

/** Mean per window of `window` loads, then per half: the mean, and the worst window's deviation from it. */
function flatness(samples: Sample[], loads: number, window: number, pick: (s: Sample) => number) {
  const windows: number[] = [];
  for (let from = 0; from < loads; from += window) {
    const inside = samples.filter((s) => s.loads > from && s.loads <= from + window);
    if (inside.length) windows.push(inside.reduce((a, s) => a + pick(s), 0) / inside.length);
  }
  const half = (ws: number[]) => {
    const mean = ws.reduce((a, b) => a + b, 0) / ws.length;
    return {
      meanMiB: round(mean / MIB, 1),
      worstDeviationPct: round(Math.max(...ws.map((w) => Math.abs(w / mean - 1))) * 100, 1),
    };
  };
  const mid = Math.floor(windows.length / 2);
  const first = half(windows.slice(0, mid));
  const second = half(windows.slice(mid));
  return {
    windowsMiB: windows.map((w) => round(w / MIB, 1)),
    firstHalf: first,
    secondHalf: second,
    growthPct: round((second.meanMiB / first.meanMiB - 1) * 100, 1),
    flat: second.worstDeviationPct <= 15,
  };
}

export const browserRss: Benchmark = {
  name: 'browser-rss',
  goal: 'commerce issue: RSS of a 500-page Playwright crawl flat (±15 % over the second half), 0 orphan Chromium after shutdown',
  async run(opts) {
    crawleeLog.setLevel(LogLevel.OFF);
    const loads = size(opts, 'browserPages', { quick: 100, normal: 500, full: 500 });
    const window = Math.max(1, Math.floor(loads / WINDOWS));
    const sampleEvery = Math.max(1, Math.floor(window / SAMPLES_PER_WINDOW));
    const market = await startDemoMarket({ basePort: 0, productsPerShop: 12 });
    const pages = market
      .manifest()
      .targets.filter((t) => t.kind === 'product' && t.options.needsJs)
      .map((t) => ({ url: t.url, currency: t.options.currency ?? null, locale: t.options.locale ?? null }));
    const urls = pages.map((p) => p.url);
    if (urls.length === 0) throw new Error('the demo market has no needsJs product page');
    const hosts = [...new Set(urls.map((u) => new URL(u).host))];
    const crawler = createBrowserPageCrawler({
      userAgent: 'MarketRadarBench/1.0',
      maxConcurrency: CONCURRENCY,
      maxRetries: 1,
      timeoutMs: 15_000,
      retireBrowserAfterPageCount: RETIRE_AFTER,
      policy: { allowPrivate: false, allow: hosts },
      hostLimiter: new HostLimiter({ minDelayMs: 0, maxPerOrigin: CONCURRENCY }),
    });
    opts.log(
      `browser-rss: ${loads} loads of ${urls.length} JavaScript-rendered product pages, ${CONCURRENCY} at once`,
    );

    const seen = new Map<number, ProcessId>();
    const samples: Sample[] = [];
    const take = (done: number): Sample => {
      const m = sampleTreeMemory();
      for (const c of m.children) seen.set(c.pid, c);
      return { loads: done, node: m.selfRss, chromium: m.childrenRss, processes: m.childrenPids.length };
    };
    let peak = { node: 0, total: 0, processes: 0 };
    const notePeak = (s: Sample) => {
      peak = {
        node: Math.max(peak.node, s.node),
        total: Math.max(peak.total, s.node + s.chromium),
        processes: Math.max(peak.processes, s.processes),
      };
    };
    let done = 0;
    let priced = 0;
    const failures: string[] = [];
    let stopSampler = false;
    const sampler = (async () => {
      while (!stopSampler) {
        notePeak(take(done));
        await sleep(500);
      }
    })();
    const started = performance.now();
    let orphans: number[] = [];
    try {
      let next = 0;
      const caller = async () => {
        for (let n = next++; n < loads; n = next++) {
          const page = pages[n % pages.length];
          const url = `${page.url}?load=${n}`;
          const [outcome] = await crawler.fetchPages([
            { url, label: 'product', hints: { ...page, selectors: null } },
          ]);
          if (outcome.kind === 'product' && outcome.page.main?.price) priced++;
          else if (failures.length < 3) failures.push(`${url}: ${JSON.stringify(outcome).slice(0, 160)}`);
          if (++done % sampleEvery === 0) {
            const s = take(done);
            samples.push(s);
            notePeak(s);
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, caller));
    } finally {
      const crawlSeconds = seconds(started);
      stopSampler = true;
      await sampler;
      await crawler.close();
      // Every Chromium pid seen during the run, and any descendant still matching, after up to 5 s of grace.
      for (let i = 0; i < 50; i++) {
        orphans = [
          ...new Set([
            ...[...seen.values()].filter(processAlive).map((p) => p.pid),
            ...sampleTreeMemory().childrenPids,
          ]),
        ];
        if (orphans.length === 0) break;
        await sleep(100);
      }
      await market.close();
      opts.log(`browser-rss: ${done} loads in ${round(crawlSeconds, 1)} s`);
    }

    const node = flatness(samples, loads, window, (s) => s.node);
    const total = flatness(samples, loads, window, (s) => s.node + s.chromium);
    const goalMet = node.flat && total.flat && orphans.length === 0 && priced === loads;
    return {
      goalMet,
      figures: {
        loads,
        pages: urls.length,
        concurrency: CONCURRENCY,
        retireBrowserAfterPageCount: RETIRE_AFTER,
        priced,
        failures,
        peakMiB: {
          node: round(peak.node / MIB, 1),
          nodePlusChromium: round(peak.total / MIB, 1),
          chromiumProcesses: peak.processes,
        },
        node,
        nodePlusChromium: total,
        chromiumProcessesSeen: seen.size,
        orphanChromiumAfterClose: orphans.length,
      },
      summary: [
        `${loads} loads (${priced} priced) at ${CONCURRENCY} at once, browsers retired every ${RETIRE_AFTER} pages: peak RSS node ${round(peak.node / MIB, 0)} MiB, node + Chromium ${round(peak.total / MIB, 0)} MiB (${peak.processes} Chromium processes at most)`,
        `node: first half ${node.firstHalf.meanMiB} MiB, second half ${node.secondHalf.meanMiB} MiB (${node.growthPct > 0 ? '+' : ''}${node.growthPct} %), second-half windows within ±${node.secondHalf.worstDeviationPct} % (goal ±15 %)`,
        `node + Chromium: first half ${total.firstHalf.meanMiB} MiB, second half ${total.secondHalf.meanMiB} MiB (${total.growthPct > 0 ? '+' : ''}${total.growthPct} %), second-half windows within ±${total.secondHalf.worstDeviationPct} % (goal ±15 %)`,
        `orphan Chromium processes after close: ${orphans.length} (goal 0; ${seen.size} seen during the run)`,
      ],
      notes: [
        'RSS from ps: this process (browser crawler and demo server) and its Chromium descendants; shared pages are counted once per process, so the Chromium sum is an upper bound compared only with itself.',
        `Ten windows of ${window} loads, each the mean of its samples (every ${sampleEvery} loads): a browser retiring every ${RETIRE_AFTER} pages makes single samples jump, the windows do not hide a trend.`,
      ],
    };
  },
};
