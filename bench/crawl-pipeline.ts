/**
 * Commerce issue: the demo market's static product pages (glowco and belezabr) crawled through the FULL
 * pipeline — real `crawl-target` jobs on the in-process queue, the worker's CheerioCrawler with the guarded
 * HTTP client and robots.txt, extraction, Postgres writes, price-event detection, `evaluate-alerts` chained —
 * against a bare crawlee CheerioCrawler (in-memory storage, same concurrency, default HTTP client) that only
 * parses and calls `extractProductPage`. Passes alternate bare / pipeline after a warm-up, the demo clock moved one
 * day before each pipeline pass so it finds price changes; each pipeline pass is compared with the bare passes
 * around it, and the median of those ratios is the figure.
 *
 * The worker's per-origin politeness (HostLimiter: 2 loads at once, 250 ms between starts) caps a crawl of two
 * origins at 8 pages/s whatever the pipeline costs, so the ratio is measured with a limiter as open as the bare
 * crawler (maxPerOrigin = concurrency, no gap), and the shipped politeness is measured separately.
 */
import { CheerioCrawler } from '@crawlee/cheerio';
import { Configuration, log as crawleeLog, LogLevel } from '@crawlee/core';
import type { CheerioAPI } from 'cheerio';
import { pino } from 'pino';
import { loadConfig } from '../config.ts';
import {
  createPageCrawler,
  createRobotsCache,
  extractProductPage,
  GuardedHttpClient,
  HostLimiter,
  InMemoryRequestManager,
} from '../crawlers/index.ts';
import { type Db, upsertCompetitor, upsertTarget } from '../db/index.ts';
import { type DemoMarket, startDemoMarket } from '../demo/index.ts';
import { createInProcessQueue, type Enqueue, type JobServices } from '../jobs/index.ts';
import { profile } from './cpu-profile.ts';
import { type Benchmark, benchDb, cpuDelta, postgresCpu, round, seconds, size, sleep } from './support.ts';

const DAY_SECONDS = 3600;
const STATIC_SHOPS = ['glowco', 'belezabr'];

interface PageTarget {
  id: number;
  url: string;
  currency: string;
  locale: string;
}

/** A bare crawlee crawler kept alive across passes, like the worker's; resolves each pass when all are handled. */
export async function bareCrawl(
  targets: PageTarget[],
  passes: number,
  concurrency: number,
  /** Feed it through the pipeline's request manager instead of crawlee's default RequestQueue. */
  ownQueue = false,
): Promise<{ seconds: number; cpu: Cpu }> {
  let handled = 0;
  let wanted = 0;
  let wake: (() => void) | null = null;
  const crawler = new CheerioCrawler(
    {
      ...(ownQueue ? { requestQueue: new InMemoryRequestManager().asCrawlerQueue } : {}),
      keepAlive: true,
      maxConcurrency: concurrency,
      autoscaledPoolOptions: { desiredConcurrency: concurrency },
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
  const cpu = process.cpuUsage();
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
  const used = cpuSince(cpu);
  crawler.stop();
  await crawler.teardown();
  await running.catch(() => undefined);
  return { seconds: s, cpu: used };
}

/** Per-page milliseconds by profile bucket, pipeline minus bare, biggest difference first (idle left out). */
function profileDelta(bare: Record<string, number>, pipe: Record<string, number>, pages: number) {
  return [...new Set([...Object.keys(bare), ...Object.keys(pipe)])]
    .filter((b) => b !== '(idle)')
    .map((bucket) => ({ bucket, deltaMs: round(((pipe[bucket] ?? 0) - (bare[bucket] ?? 0)) / pages, 2) }))
    .sort((a, b) => Math.abs(b.deltaMs) - Math.abs(a.deltaMs))
    .slice(0, 14);
}

interface Cpu {
  userMs: number;
  systemMs: number;
}

/** CPU time of this process since `from` (both crawlers and the demo server; Postgres is another process). */
function cpuSince(from: NodeJS.CpuUsage): Cpu {
  const d = process.cpuUsage(from);
  return { userMs: d.user / 1000, systemMs: d.system / 1000 };
}

/** Mean CPU per page over runs, in ms. */
function cpuPerPage(runs: Cpu[], pages: number) {
  const sum = (k: keyof Cpu) => runs.reduce((a, r) => a + r[k], 0) / runs.length / pages;
  return {
    total: round(sum('userMs') + sum('systemMs'), 2),
    user: round(sum('userMs'), 2),
    system: round(sum('systemMs'), 2),
  };
}

/**
 * The jobs of a pass, from the runner's 'job done' log line: the crawl-target jobs the bench enqueued (a pass waits
 * for them, then checks in Postgres that their runs are finished) and the jobs they chain (evaluate-alerts), which
 * a pass waits for too (or for 2 minutes, reported). Waiting on the runner's own signal, not polling Postgres,
 * keeps the bench's statements out of the pipeline's time and its Postgres CPU.
 */
function chainedJobs() {
  const enqueued = new Set<string>();
  const finished = new Set<string>();
  const crawls = new Set<string>();
  let wake: (() => void) | null = null;
  const log = pino({
    level: 'debug',
    hooks: {
      logMethod(args) {
        const o = args[0] as { jobId?: unknown } | undefined;
        const msg = args[1];
        if (o && typeof o.jobId === 'string' && msg === 'job done') {
          finished.add(o.jobId);
          if (crawls.has(o.jobId)) {
            crawls.delete(o.jobId);
            if (crawls.size === 0) wake?.();
          }
        }
      },
    },
  });
  return {
    log,
    wrap(enqueue: Enqueue): Enqueue {
      return async (name, data, o) => {
        if (name !== 'crawl-target' && o?.jobId) enqueued.add(o.jobId);
        return enqueue(name, data, o);
      };
    },
    /** Enqueues the pass's crawl-target jobs; resolves when each has run to its end ('job done'). */
    async crawl(enqueue: Enqueue, jobIds: { jobId: string; targetId: number }[]): Promise<void> {
      const done = new Promise<void>((r) => {
        wake = r;
      });
      for (const j of jobIds) crawls.add(j.jobId);
      for (const j of jobIds) await enqueue('crawl-target', { targetId: j.targetId }, { jobId: j.jobId });
      if (crawls.size > 0) await done;
    },
    /** Chained jobs enqueued and not done (a job that failed for good stays here: the pass waits, then reports it). */
    unfinished: () => [...enqueued].filter((id) => !finished.has(id)).length,
  };
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
      copyFrom: (name, sql, chunks) => db.copyFrom(name, sql, chunks),
      canCopy: db.canCopy,
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
export async function pipelineCrawl(
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
    /** crawl-target jobs at once per fetch slot; default 2, the shipped WORKER_CONCURRENCY / CRAWL_CONCURRENCY. */
    jobsPerFetch?: number;
  },
) {
  const allow = Object.values(market.origins).map((o) => new URL(o).host);
  const config = loadConfig({
    DEMO: '0',
    URL_ALLOWLIST: allow.join(','),
    CRAWL_CONCURRENCY: String(opts.concurrency),
    WORKER_CONCURRENCY: String(opts.concurrency * (opts.jobsPerFetch ?? 2)), // 2: the shipped ratio (config.ts)
    CRAWL_MAX_RETRIES: '1',
    LOG_LEVEL: 'silent',
  });
  const { userAgent, maxConcurrency, maxRetries, timeoutMs, maxBytes } = config.crawl;
  const policy = { allowPrivate: config.net.allowPrivate, allow: config.net.allow };
  const chained = chainedJobs();
  const log = chained.log;
  const queue = createInProcessQueue({
    log,
    concurrency: { crawl: opts.concurrency * (opts.jobsPerFetch ?? 2), analyze: 2, deliver: 2 },
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
    enqueue: chained.wrap(queue.enqueue),
    scheduler: queue.scheduler,
    pageCrawler: () => crawler,
  };
  await queue.startWorker(services);
  const base = await finishedRuns(db);
  let crawlSeconds = 0;
  let unfinishedChained = 0;
  let withAlertsSeconds = 0;
  const cpuUsed: Cpu = { userMs: 0, systemMs: 0 };
  try {
    for (let p = 0; p < passes; p++) {
      if (p > 0) opts.advanceDay();
      // A new schedule window per pass (targets have 1 s intervals): a repeat pass is a new run, never a duplicate.
      await sleep(1100);
      const started = performance.now();
      const cpu = process.cpuUsage();
      await chained.crawl(
        queue.enqueue,
        targets.map((t) => ({ jobId: `${opts.tag}:${p}:${t.id}`, targetId: t.id })),
      );
      // Every job has returned; its run must be finished in Postgres (a job that skipped would leave it open).
      const want = base + (p + 1) * targets.length;
      while ((await finishedRuns(db)) < want) await sleep(20);
      crawlSeconds += seconds(started);
      const used = cpuSince(cpu);
      cpuUsed.userMs += used.userMs;
      cpuUsed.systemMs += used.systemMs;
      // The alert evaluations the runs chained (another queue, running alongside) finish before the pass is over,
      // so none is dropped and none runs during the next bare pass; timed apart.
      const deadline = performance.now() + 120_000;
      while (chained.unfinished() > 0 && performance.now() < deadline) await sleep(20);
      unfinishedChained += chained.unfinished();
      withAlertsSeconds += seconds(started);
    }
  } finally {
    await queue.close(30_000);
    await crawler.close();
  }
  return { seconds: crawlSeconds, withAlertsSeconds, cpu: cpuUsed, unfinishedChained };
}

export const crawlPipeline: Benchmark = {
  name: 'crawl',
  goal: 'commerce issue: full pipeline (crawl-target jobs on Postgres) ≥ 0.9× the pages/s of bare crawlee',
  async run(opts) {
    crawleeLog.setLevel(LogLevel.OFF);
    const productsPerShop = size(opts, 'productsPerShop', { quick: 40, normal: 270, full: 270 });
    const rounds = size(opts, 'rounds', { quick: 1, normal: 4, full: 8 });
    const concurrency = size(opts, 'concurrency', { quick: 8, normal: 8, full: 8 });
    const shippedPages = size(opts, 'shippedPages', { quick: 24, normal: 80, full: 200 });
    // crawl-target jobs at once per fetch slot: the shipped 2 (config.ts); `--set jobsPerFetch=N` to explore.
    const jobsPerFetch = size(opts, 'jobsPerFetch', { quick: 2, normal: 2, full: 2 });
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
      const n = targets.length;
      opts.log(
        `crawl: ${n} product pages, ${rounds} rounds (bare, pipeline, …, bare), concurrency ${concurrency}`,
      );
      const jobs = countTransactions(db);
      const pipelinePass = (tag: string) =>
        pipelineCrawl(db, market, targets, 1, {
          concurrency,
          politeness: 'open',
          advanceDay,
          tag,
          jobsDb: jobs.db,
          jobsPerFetch,
        });

      // Warm-up, not compared: one bare pass, and the pipeline's first pass (every product new: nothing to compare).
      await bareCrawl(targets, 1, concurrency);
      await pipelinePass('warm');
      tdb.profile.reset();
      const transactionsBefore = jobs.transactions();
      const { rows: eventsBefore } = await db.query<{ n: number }>(
        'bench.events_count',
        'SELECT count(*)::int AS n FROM events',
      );

      // Alternate passes so both sides see the same machine: each pipeline pass is compared with the bare passes
      // just before and after it. The demo clock moves a day before each pipeline pass: prices change.
      // A bare crawler fed through the pipeline's own request manager runs beside each pipeline pass too: what the
      // pipeline costs over crawlee used the same way, apart from what the request manager saves.
      await bareCrawl(targets, 1, concurrency, true);
      const bare = [await bareCrawl(targets, 1, concurrency)];
      const bareOwn: Awaited<ReturnType<typeof bareCrawl>>[] = [];
      const pipe: (Awaited<ReturnType<typeof pipelineCrawl>> & { pgCpuMs: number | null })[] = [];
      for (let r = 0; r < rounds; r++) {
        advanceDay();
        const pg0 = await postgresCpu(db);
        const p = await pipelinePass(`r${r}`);
        pipe.push({ ...p, pgCpuMs: cpuDelta(pg0, await postgresCpu(db)) });
        bareOwn.push(await bareCrawl(targets, 1, concurrency, true));
        bare.push(await bareCrawl(targets, 1, concurrency));
        opts.log(
          `crawl: round ${r + 1}: bare ${round(n / bare[r].seconds, 1)} → pipeline ${round(n / p.seconds, 1)} → bare with our request manager ${round(n / bareOwn[r].seconds, 1)} → bare ${round(n / bare[r + 1].seconds, 1)} pages/s`,
        );
      }
      // The jobs' statements only (the bench's own are listed apart), plus BEGIN and COMMIT of each transaction.
      const all = tdb.profile.stats();
      const statements = all.filter((s) => !s.query.startsWith('bench.'));
      const benchStatements = all.filter((s) => s.query.startsWith('bench.'));
      const transactions = jobs.transactions() - transactionsBefore;
      const { rows: eventsAfter } = await db.query<{ n: number }>(
        'bench.events_count',
        'SELECT count(*)::int AS n FROM events',
      );
      const { rows: outcomes } = await db.query<{ outcome: string; n: number }>(
        'bench.outcomes',
        'SELECT outcome, count(*)::int AS n FROM crawl_runs GROUP BY outcome ORDER BY n DESC',
      );
      const { rows: events } = await db.query<{ type: string; n: number }>(
        'bench.events',
        'SELECT type, count(*)::int AS n FROM events GROUP BY type ORDER BY n DESC',
      );
      const { rows: dupes } = await db.query<{ n: number }>(
        'bench.duplicate_observations',
        `SELECT count(*)::int AS n FROM (SELECT 1 FROM price_observations GROUP BY product_id, crawl_run_id
         HAVING count(*) > 1) d`,
      );

      // One more pass of each under the CPU profiler (not timed against the baseline: the profiler slows them),
      // compared bucket by bucket per page: where the pipeline spends CPU the bare crawler does not.
      advanceDay();
      const prof = await profile('crawl-pipeline', opts.cpuProfDir, () => pipelinePass('prof'));
      const bareProf = await profile('crawl-bare', opts.cpuProfDir, () => bareCrawl(targets, 1, concurrency));
      const cpuDiff = profileDelta(bareProf.summary.msByBucket, prof.summary.msByBucket, n);

      // The shipped politeness on a slice of the pages.
      advanceDay();
      const slice = targets.slice(0, Math.min(shippedPages, n));
      const shipped = await pipelineCrawl(db, market, slice, 1, {
        concurrency,
        politeness: 'shipped',
        advanceDay,
        tag: 'shipped',
      });

      const pages = n * rounds;
      const ratios = pipe.map(
        (p, r) => n / p.seconds / ((n / bare[r].seconds + n / bare[r + 1].seconds) / 2),
      );
      const ratio = median(ratios);
      const ownQueueRatios = pipe.map((p, r) => n / p.seconds / (n / bareOwn[r].seconds));
      const ownQueueRatio = median(ownQueueRatios);
      const bareOwnCpu = cpuPerPage(
        bareOwn.map((b) => b.cpu),
        n,
      );
      const bareRate = (n * bare.length) / bare.reduce((a, b) => a + b.seconds, 0);
      const pipeRate = pages / pipe.reduce((a, p) => a + p.seconds, 0);
      const withAlertsRatios = pipe.map(
        (p, r) => n / p.withAlertsSeconds / ((n / bare[r].seconds + n / bare[r + 1].seconds) / 2),
      );
      const bareCpu = cpuPerPage(
        bare.map((b) => b.cpu),
        n,
      );
      const pipeCpu = cpuPerPage(
        pipe.map((p) => p.cpu),
        n,
      );
      const pgCpu = pipe.every((p) => p.pgCpuMs !== null)
        ? round(pipe.reduce((a, p) => a + (p.pgCpuMs ?? 0), 0) / pages, 2)
        : null;
      const queriesPerPage = (statements.reduce((a, b) => a + b.count, 0) + 2 * transactions) / pages;
      const crawlStatements = statements.filter((s) => CRAWL_STATEMENTS.test(s.query));
      const crawlQueriesPerPage = crawlStatements.reduce((a, b) => a + b.count, 0) / pages;
      const dbMsPerPage = statements.reduce((a, b) => a + b.totalMs, 0) / pages;
      const unfinished = pipe.reduce((a, p) => a + p.unfinishedChained, 0);
      return {
        goalMet: ratio >= 0.9 && unfinished === 0 && dupes[0].n === 0,
        figures: {
          productPages: n,
          rounds,
          concurrency,
          ratio: round(ratio, 3),
          roundRatios: ratios.map((r) => round(r, 3)),
          ratioVsBareWithOurRequestManager: round(ownQueueRatio, 3),
          roundRatiosVsBareWithOurRequestManager: ownQueueRatios.map((r) => round(r, 3)),
          bareWithOurRequestManagerPagesPerSecond: bareOwn.map((b) => round(n / b.seconds, 1)),
          ratioWithAlertEvaluation: round(median(withAlertsRatios), 3),
          roundRatiosWithAlertEvaluation: withAlertsRatios.map((r) => round(r, 3)),
          barePagesPerSecond: round(bareRate, 1),
          bareRunsPagesPerSecond: bare.map((b) => round(n / b.seconds, 1)),
          pipelinePagesPerSecond: round(pipeRate, 1),
          pipelineRunsPagesPerSecond: pipe.map((p) => round(n / p.seconds, 1)),
          cpuMsPerPage: {
            bare: bareCpu,
            bareWithOurRequestManager: bareOwnCpu,
            pipeline: pipeCpu,
            postgresForPipeline: pgCpu,
          },
          eventsInComparedRounds: eventsAfter[0].n - eventsBefore[0].n,
          unfinishedChainedJobs: unfinished,
          duplicateObservations: dupes[0].n,
          outcomes: Object.fromEntries(outcomes.map((o) => [o.outcome, o.n])),
          events: Object.fromEntries(events.map((e) => [e.type, e.n])),
          dbStatementsPerPage: round(queriesPerPage, 2),
          crawlStatementsPerPage: round(crawlQueriesPerPage, 2),
          transactionsPerPage: round(transactions / pages, 2),
          dbMsPerPage: round(dbMsPerPage, 1),
          statements,
          benchStatements,
          shippedPolitenessPagesPerSecond: round(slice.length / shipped.seconds, 1),
          shippedPolitenessCapPagesPerSecond: STATIC_SHOPS.length * 4,
          profile: prof.summary,
          bareProfile: bareProf.summary,
          cpuDeltaMsPerPage: cpuDiff,
        },
        summary: [
          `${n} pages, ${rounds} rounds at concurrency ${concurrency}: pipeline ${round(pipeRate, 1)} pages/s vs bare crawlee ${round(bareRate, 1)} pages/s; per round ${ratios.map((r) => round(r, 2)).join(', ')} → median **${round(ratio, 2)}×** (goal ≥ 0.9×)`,
          `against a bare crawler fed through the pipeline's own request manager (crawlee's RequestQueue left out on both sides): per round ${ownQueueRatios.map((r) => round(r, 2)).join(', ')} → median ${round(ownQueueRatio, 2)}×`,
          `CPU per page: this process (both crawlers and the demo server) bare ${bareCpu.total} ms, bare with our request manager ${bareOwnCpu.total} ms, pipeline ${pipeCpu.total} ms; Postgres backends for the pipeline ${pgCpu ?? 'n/a'} ms`,
          `per page: ${round(queriesPerPage, 2)} DB statements, ${round(crawlQueriesPerPage, 2)} of them crawl-target's (${round(transactions / pages, 2)} explicit transactions), ${round(dbMsPerPage, 1)} ms of statement time (${statements
            .slice(0, 5)
            .map((s) => `${s.query} ×${round(s.count / pages, 2)} ${s.meanMs} ms`)
            .join(', ')})`,
          `${eventsAfter[0].n - eventsBefore[0].n} events in the compared rounds; counting until their chained alert evaluations are done too: per round ${withAlertsRatios.map((r) => round(r, 2)).join(', ')} → median ${round(median(withAlertsRatios), 2)}× (${unfinished} unfinished); ${dupes[0].n} duplicate observations`,
          `CPU (one profiled pass): ${prof.summary.buckets
            .slice(0, 8)
            .map((b) => `${b.bucket} ${b.pct}%`)
            .join(', ')}`,
          `profiled ms per page, pipeline minus bare: ${cpuDiff
            .slice(0, 8)
            .map((d) => `${d.bucket} ${d.deltaMs > 0 ? '+' : ''}${d.deltaMs}`)
            .join(', ')}`,
          `with the shipped politeness (2 per origin, 250 ms apart): ${round(slice.length / shipped.seconds, 1)} pages/s on ${slice.length} pages (cap ${STATIC_SHOPS.length * 4}/s for ${STATIC_SHOPS.length} origins)`,
        ],
        notes: [
          `Bare side: a crawlee CheerioCrawler with its defaults (got-scraping client, RequestQueue over in-memory storage) except that it starts at the same concurrency as the pipeline’s crawler instead of ramping up from 1, that parses each page and calls extractProductPage — nothing stored. The pipeline’s crawler is fed through its own request manager (crawlers/commerce/request-manager.ts: a FIFO that forgets handled requests, no per-call schema validation), which crawlee supports in place of its RequestQueue; a third crawler, bare but fed through that same manager, runs after each pipeline pass and its ratio is reported beside, so the gain of the manager is not hidden in the headline. Pipeline side: one crawl-target job per page on the in-process queue (${concurrency * jobsPerFetch} at once, ${jobsPerFetch} per fetch slot; the shipped ratio is 2) — claim the run in Postgres, robots.txt, the worker’s CheerioCrawler with the SSRF-guarded client, the same extraction, product + observation (with evidence) stored, price events detected and stored, run and target outcome recorded; a pass is timed until every job has returned (the runner’s own signal; the bench does not poll Postgres meanwhile) and its run is checked finished. The evaluate-alerts jobs the runs chain run alongside on the analyze queue (2 at once, as shipped) and are waited for before the next pass; the ratio counting them too is reported beside.`,
          'Same concurrency (8 fetches) on both sides; the ratio uses a per-origin limiter as open as the bare crawler, the shipped politeness is measured separately. Passes alternate (bare, pipeline, bare, …) after one warm-up pass of each; each pipeline pass is compared with the mean of the bare passes around it and the headline is the median.',
          'Both crawlers and the demo market run in this process, Postgres in its own: on the shared 2-core machine, Postgres CPU is taken from the same cores.',
        ],
      };
    } finally {
      await tdb.close();
      await market.close();
    }
  },
};

/** crawl-target's own statements (the rest of the pipeline's are the chained alert evaluation). */
const CRAWL_STATEMENTS = /^(crawl_runs|price_observations|products|targets|events\.(insert|of_run))/;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
