/**
 * Commerce issue: the demo market's static product pages (glowco and belezabr) crawled through the FULL
 * pipeline — real `crawl-target` jobs on the in-process queue, the worker's CheerioCrawler with the guarded
 * HTTP client and robots.txt, extraction, Postgres writes, price-event detection, `evaluate-alerts` chained —
 * against a bare crawlee CheerioCrawler (in-memory storage, same concurrency, default HTTP client) that only
 * parses and calls `extractProductPage`. Several passes, the demo clock moved one day between passes so repeat
 * passes find price changes. The bare crawl runs before and after the pipeline; its mean is the baseline.
 *
 * The worker's per-origin politeness (HostLimiter: 2 loads at once, 250 ms between starts) caps a crawl of two
 * origins at 8 pages/s whatever the pipeline costs, so the ratio is measured with a limiter as open as the bare
 * crawler (maxPerOrigin = concurrency, no gap), and the shipped politeness is measured separately.
 */
import { CheerioCrawler } from '@crawlee/cheerio';
import { Configuration, log as crawleeLog, LogLevel } from '@crawlee/core';
import type { CheerioAPI } from 'cheerio';
import { loadConfig } from '../config.ts';
import {
  createPageCrawler,
  createRobotsCache,
  extractProductPage,
  GuardedHttpClient,
  HostLimiter,
} from '../crawlers/index.ts';
import { type Db, upsertCompetitor, upsertTarget } from '../db/index.ts';
import { type DemoMarket, startDemoMarket } from '../demo/index.ts';
import { createInProcessQueue, type JobServices } from '../jobs/index.ts';
import { createLogger } from '../logger.ts';
import { profile } from './cpu-profile.ts';
import { type Benchmark, benchDb, round, seconds, size, sleep } from './support.ts';

const DAY_SECONDS = 3600;
const STATIC_SHOPS = ['glowco', 'belezabr'];

interface PageTarget {
  id: number;
  url: string;
  currency: string;
  locale: string;
}

/** A bare crawlee crawler kept alive across passes, like the worker's; resolves each pass when all are handled. */
async function bareCrawl(targets: PageTarget[], passes: number, concurrency: number): Promise<number> {
  let handled = 0;
  let wanted = 0;
  let wake: (() => void) | null = null;
  const crawler = new CheerioCrawler(
    {
      keepAlive: true,
      maxConcurrency: concurrency,
      maxRequestRetries: 1,
      useSessionPool: false,
      persistCookiesPerSession: false,
      requestHandler: async ({ $, request }) => {
        extractProductPage($ as unknown as CheerioAPI, {
          ...(request.userData as { url: string; currency: string; locale: string }),
          fetchedAt: new Date().toISOString(),
        });
        handled++;
        if (handled >= wanted) wake?.();
      },
      failedRequestHandler: async () => {
        handled++;
        if (handled >= wanted) wake?.();
      },
    },
    new Configuration({ persistStorage: false, purgeOnStart: false }),
  );
  const running = crawler.run();
  const started = performance.now();
  for (let p = 0; p < passes; p++) {
    wanted += targets.length;
    const done = new Promise<void>((r) => {
      wake = r;
    });
    await crawler.addRequests(
      targets.map((t) => ({
        url: t.url,
        uniqueKey: `bare:${p}:${t.url}:${Math.random()}`,
        userData: { url: t.url, currency: t.currency, locale: t.locale },
      })),
    );
    if (handled < wanted) await done;
  }
  const s = seconds(started);
  crawler.stop();
  await crawler.teardown();
  await running.catch(() => undefined);
  return s;
}

/** The jobs' handle on the bench database, counting explicit transactions (their BEGIN and COMMIT are not logged). */
function countTransactions(db: Db): { db: Db; transactions(): number } {
  let n = 0;
  return {
    db: {
      query: (name, sql, params) => db.query(name, sql, params),
      withTransaction(fn) {
        n++;
        return db.withTransaction(fn);
      },
      ping: () => db.ping(),
      close: () => db.close(),
      pool: db.pool,
    },
    transactions: () => n,
  };
}

async function finishedRuns(db: Db): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'bench.finished_runs',
    'SELECT count(*)::int AS n FROM crawl_runs WHERE finished_at IS NOT NULL',
  );
  return rows[0].n;
}

/** Runs `passes` passes of crawl-target jobs over the targets; returns seconds and what the runs recorded. */
async function pipelineCrawl(
  db: Db,
  market: DemoMarket,
  targets: PageTarget[],
  passes: number,
  opts: {
    concurrency: number;
    politeness: 'open' | 'shipped';
    advanceDay: () => void;
    tag: string;
    /** The handle the jobs use (transactions counted); `db` is the bench's own. */
    jobsDb?: Db;
  },
) {
  const allow = Object.values(market.origins).map((o) => new URL(o).host);
  const config = loadConfig({
    DEMO: '0',
    URL_ALLOWLIST: allow.join(','),
    CRAWL_CONCURRENCY: String(opts.concurrency),
    WORKER_CONCURRENCY: String(opts.concurrency * 2), // the shipped ratio (config.ts)
    CRAWL_MAX_RETRIES: '1',
    LOG_LEVEL: 'silent',
  });
  const { userAgent, maxConcurrency, maxRetries, timeoutMs, maxBytes } = config.crawl;
  const policy = { allowPrivate: config.net.allowPrivate, allow: config.net.allow };
  const log = createLogger('silent');
  const queue = createInProcessQueue({
    log,
    concurrency: { crawl: opts.concurrency * 2, analyze: 2, deliver: 2 },
  });
  // What startWorker builds, minus the schedule re-assertion (the bench enqueues its passes itself).
  const crawler = createPageCrawler({
    userAgent,
    maxConcurrency,
    maxRetries,
    timeoutMs,
    robots: createRobotsCache({ policy, userAgent }),
    hostLimiter:
      opts.politeness === 'open'
        ? new HostLimiter({ maxPerOrigin: opts.concurrency, minDelayMs: 0 })
        : new HostLimiter(),
    httpClient: new GuardedHttpClient(policy, { timeoutMs, maxBytes, userAgent }),
  });
  const services: JobServices = {
    workerId: `bench:${process.pid}`,
    config,
    db: opts.jobsDb ?? db,
    log,
    enqueue: queue.enqueue,
    scheduler: queue.scheduler,
    pageCrawler: () => crawler,
  };
  await queue.startWorker(services);
  const base = await finishedRuns(db);
  let crawlSeconds = 0;
  try {
    for (let p = 0; p < passes; p++) {
      if (p > 0) opts.advanceDay();
      // A new schedule window per pass (targets have 1 s intervals): a repeat pass is a new run, never a duplicate.
      await sleep(1100);
      const started = performance.now();
      for (const t of targets)
        await queue.enqueue('crawl-target', { targetId: t.id }, { jobId: `${opts.tag}:${p}:${t.id}` });
      const want = base + (p + 1) * targets.length;
      while ((await finishedRuns(db)) < want) await sleep(50);
      crawlSeconds += seconds(started);
    }
  } finally {
    await queue.close(30_000);
    await crawler.close();
  }
  return crawlSeconds;
}

export const crawlPipeline: Benchmark = {
  name: 'crawl',
  goal: 'commerce issue: full pipeline (crawl-target jobs on Postgres) ≥ 0.9× the pages/s of bare crawlee',
  async run(opts) {
    crawleeLog.setLevel(LogLevel.OFF);
    const productsPerShop = size(opts, 'productsPerShop', { quick: 40, normal: 270, full: 270 });
    const passes = size(opts, 'passes', { quick: 2, normal: 2, full: 5 });
    const concurrency = size(opts, 'concurrency', { quick: 8, normal: 8, full: 8 });
    const shippedPages = size(opts, 'shippedPages', { quick: 24, normal: 80, full: 200 });
    let offset = 0;
    const market = await startDemoMarket({
      basePort: 0,
      daySeconds: DAY_SECONDS,
      productsPerShop,
      now: () => Date.now() + offset,
    });
    const advanceDay = () => {
      offset += DAY_SECONDS * 1000;
    };
    const tdb = await benchDb();
    const { db } = tdb;
    try {
      const manifest = market.manifest();
      const competitorIds = new Map<string, number>();
      for (const c of manifest.competitors.filter((c) => STATIC_SHOPS.includes(c.key)))
        competitorIds.set(c.key, (await upsertCompetitor(db, c)).id);
      const targets: PageTarget[] = [];
      for (const t of manifest.targets) {
        if (t.kind !== 'product' || !t.competitorKey || !competitorIds.has(t.competitorKey)) continue;
        const { target } = await upsertTarget(db, {
          competitorId: competitorIds.get(t.competitorKey)!,
          kind: 'product',
          url: t.url,
          label: t.label,
          options: t.options,
          intervalSeconds: 1,
        });
        targets.push({ id: target.id, url: t.url, currency: t.options.currency!, locale: t.options.locale! });
      }
      const pages = targets.length * passes;
      opts.log(`crawl: ${targets.length} product pages × ${passes} passes, concurrency ${concurrency}`);

      const bareA = await bareCrawl(targets, passes, concurrency);
      opts.log(`crawl: bare crawlee ${round(pages / bareA, 1)} pages/s`);
      tdb.profile.reset();
      const jobs = countTransactions(db);
      const pipeS = await pipelineCrawl(db, market, targets, passes, {
        concurrency,
        politeness: 'open',
        advanceDay,
        tag: 'open',
        jobsDb: jobs.db,
      });
      // The jobs' statements only (the bench's own polling is listed apart), plus BEGIN and COMMIT of each transaction.
      const all = tdb.profile.stats();
      const statements = all.filter((s) => !s.query.startsWith('bench.'));
      const benchStatements = all.filter((s) => s.query.startsWith('bench.'));
      const transactions = jobs.transactions();
      opts.log(`crawl: pipeline ${round(pages / pipeS, 1)} pages/s`);
      const bareB = await bareCrawl(targets, passes, concurrency);
      opts.log(`crawl: bare crawlee again ${round(pages / bareB, 1)} pages/s`);

      const { rows: outcomes } = await db.query<{ outcome: string; n: number }>(
        'bench.outcomes',
        'SELECT outcome, count(*)::int AS n FROM crawl_runs GROUP BY outcome ORDER BY n DESC',
      );
      const { rows: events } = await db.query<{ type: string; n: number }>(
        'bench.events',
        'SELECT type, count(*)::int AS n FROM events GROUP BY type ORDER BY n DESC',
      );

      // One more pass under the CPU profiler (not timed against the baseline: the profiler slows it).
      advanceDay();
      const prof = await profile('crawl-pipeline', opts.cpuProfDir, () =>
        pipelineCrawl(db, market, targets, 1, { concurrency, politeness: 'open', advanceDay, tag: 'prof' }),
      );

      // The shipped politeness on a slice of the pages.
      advanceDay();
      const slice = targets.slice(0, Math.min(shippedPages, targets.length));
      const shippedS = await pipelineCrawl(db, market, slice, 1, {
        concurrency,
        politeness: 'shipped',
        advanceDay,
        tag: 'shipped',
      });

      const bareRate = pages / ((bareA + bareB) / 2);
      const pipeRate = pages / pipeS;
      const ratio = pipeRate / bareRate;
      const queriesPerPage = (statements.reduce((a, b) => a + b.count, 0) + 2 * transactions) / pages;
      const dbMsPerPage = statements.reduce((a, b) => a + b.totalMs, 0) / pages;
      return {
        goalMet: ratio >= 0.9,
        figures: {
          productPages: targets.length,
          passes,
          concurrency,
          barePagesPerSecond: round(bareRate, 1),
          bareRunsPagesPerSecond: [round(pages / bareA, 1), round(pages / bareB, 1)],
          pipelinePagesPerSecond: round(pipeRate, 1),
          ratio: round(ratio, 3),
          outcomes: Object.fromEntries(outcomes.map((o) => [o.outcome, o.n])),
          events: Object.fromEntries(events.map((e) => [e.type, e.n])),
          dbStatementsPerPage: round(queriesPerPage, 2),
          transactionsPerPage: round(transactions / pages, 2),
          dbMsPerPage: round(dbMsPerPage, 1),
          statements,
          benchStatements,
          shippedPolitenessPagesPerSecond: round(slice.length / shippedS, 1),
          shippedPolitenessCapPagesPerSecond: STATIC_SHOPS.length * 4,
          profile: prof.summary,
        },
        summary: [
          `${targets.length} pages × ${passes} passes at concurrency ${concurrency}: pipeline ${round(pipeRate, 1)} pages/s vs bare crawlee ${round(bareRate, 1)} pages/s → **${round(ratio, 2)}×** (goal ≥ 0.9×)`,
          `per page: ${round(queriesPerPage, 2)} DB statements (${round(transactions / pages, 2)} explicit transactions) in ${round(dbMsPerPage, 1)} ms of statement time (${statements
            .slice(0, 5)
            .map((s) => `${s.query} ${s.meanMs} ms`)
            .join(', ')})`,
          `CPU (one profiled pass): ${prof.summary.buckets
            .slice(0, 8)
            .map((b) => `${b.bucket} ${b.pct}%`)
            .join(', ')}`,
          `with the shipped politeness (2 per origin, 250 ms apart): ${round(slice.length / shippedS, 1)} pages/s on ${slice.length} pages (cap ${STATIC_SHOPS.length * 4}/s for ${STATIC_SHOPS.length} origins)`,
        ],
        notes: [
          'Both crawlers run in this process against the demo market in this process: the demo server’s rendering shares the 2 cores with both.',
        ],
      };
    } finally {
      await tdb.close();
      await market.close();
    }
  },
};
