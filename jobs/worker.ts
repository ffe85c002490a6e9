/**
 * The worker role: runs jobs from the queue with the crawler and analyzers. `npm run start:worker` runs only
 * this; `npm start` runs it beside the API in one process.
 */
import { hostname } from 'node:os';
import type { Config } from '../config.ts';
import {
  createBrowserPageCrawler,
  createPageCrawler,
  createRobotsCache,
  GuardedHttpClient,
  HostLimiter,
  type PageCrawler,
  recyclePageCrawler,
  routePageCrawlers,
} from '../crawlers/index.ts';
import type { Db } from '../db/index.ts';
import { listTargets, waitingForDatabase } from '../db/index.ts';
import type { Logger } from '../logger.ts';
import { ANALYZE_SWEEP_MS } from './analyze-mentions.ts';
import { FRESHNESS_EVERY_MS } from './check-freshness.ts';
import type { JobQueue } from './job-queue.ts';
import { scheduleTargets } from './schedule-targets.ts';
import type { JobServices } from './types.ts';

export interface RunningWorker {
  services: JobServices;
  close(): Promise<void>;
}

/** Builds the worker's services, re-asserts every target's schedule from Postgres, and starts taking jobs. */
export async function startWorker(
  config: Config,
  db: Db,
  queue: JobQueue,
  log: Logger,
  opts: {
    workerId?: string;
    /** How often the freshness check runs (default FRESHNESS_EVERY_MS; tests compress time). */
    freshnessEveryMs?: number;
    /** How often the sweep for mentions left unanalysed runs (default ANALYZE_SWEEP_MS; tests compress time). */
    analyzeEveryMs?: number;
  } = {},
): Promise<RunningWorker> {
  let crawler: PageCrawler | null = null;
  const services: JobServices = {
    workerId: opts.workerId ?? `${hostname()}:${process.pid}`,
    config,
    // Jobs wait out a database outage instead of spending their attempts on it (RELIABILITY P2).
    db: waitingForDatabase(db, log),
    log,
    enqueue: queue.enqueue,
    scheduler: queue.scheduler,
    pageCrawler() {
      if (!crawler) {
        const policy = { allowPrivate: config.net.allowPrivate, allow: config.net.allow };
        const { userAgent, maxConcurrency, maxRetries, timeoutMs, maxBytes, chromiumPath } = config.crawl;
        // One robots.txt cache and one politeness limiter for both crawlers: an origin is one origin.
        const robots = createRobotsCache({ policy, userAgent });
        const hostLimiter = new HostLimiter();
        crawler = routePageCrawlers({
          // Each replaced by a fresh instance every RECYCLE_AFTER_REQUESTS requests: whatever a crawlee crawler
          // accumulates over weeks (statistics, error trackers) starts afresh.
          static: () =>
            recyclePageCrawler(() =>
              createPageCrawler({
                userAgent,
                maxConcurrency,
                maxRetries,
                timeoutMs,
                robots,
                hostLimiter,
                httpClient: new GuardedHttpClient(policy, { timeoutMs, maxBytes, userAgent }),
              }),
            ),
          // Started only when a needsJs target is crawled.
          browser: () =>
            recyclePageCrawler(() =>
              createBrowserPageCrawler({
                userAgent,
                maxConcurrency: Math.min(2, maxConcurrency),
                maxRetries,
                timeoutMs,
                maxBytes,
                chromiumPath,
                policy,
                robots,
                hostLimiter,
              }),
            ),
        });
      }
      return crawler;
    },
  };
  // Schedules are derived state: rebuild them from the targets table (upserts are idempotent).
  for (let afterId = 0; ; ) {
    const page = await listTargets(db, { enabled: true, afterId, limit: 1000 });
    await scheduleTargets(db, queue.scheduler, page);
    if (page.length < 1000) break;
    afterId = page[page.length - 1].id;
  }
  // Upserted by every worker, yet one schedule each: maintenance runs once per period, not once per worker.
  await queue.scheduler.every('check-freshness', opts.freshnessEveryMs ?? FRESHNESS_EVERY_MS);
  await queue.scheduler.every('send-digests', config.delivery.digestTickMs);
  // Stores queue their own analysis; this sweep catches a store whose request was lost (a crash in between).
  await queue.scheduler.every('analyze-mentions', opts.analyzeEveryMs ?? ANALYZE_SWEEP_MS);
  await queue.startWorker(services);
  return {
    services,
    async close() {
      await crawler?.close();
    },
  };
}
