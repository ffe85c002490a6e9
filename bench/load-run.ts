/**
 * Reliability issue: a bounded load run of the worker as shipped (`startWorker`, its default concurrency and
 * politeness) on real BullMQ and Postgres. N targets × 3 product pages, each page a target crawled every
 * "15 simulated minutes" (compressed to `loadWindowSeconds` real seconds), spread over several demo markets on
 * 127.0.0.1 (as many origins as a real watch list has shops). Reports jobs completed, jobs lost (a schedule
 * window with no finished run after the drain; must be 0), crawl lag (run start minus its window), peak RSS.
 */
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { loadConfig } from '../config.ts';
import { type Db, upsertCompetitor, upsertTarget } from '../db/index.ts';
import { type DemoMarket, startDemoMarket } from '../demo/index.ts';
import { createBullmqQueue, createInProcessQueue, type JobQueue, startWorker } from '../jobs/index.ts';
import { createLogger } from '../logger.ts';
import { type Benchmark, benchDb, percentile, round, sampleRss, size, sleep } from './support.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';
const STATIC_SHOPS = ['glowco', 'belezabr'];
/** Product targets per shop origin: at most 4 pages/s per origin under the shipped politeness. */
const PAGES_PER_ORIGIN = 40;
const DRAIN_MS = 90_000;

interface RunRow {
  targetId: number;
  windowStart: Date;
  startedAt: Date;
  finishedAt: Date | null;
  outcome: string | null;
}

async function runs(db: Db): Promise<RunRow[]> {
  const { rows } = await db.query<RunRow>(
    'bench.runs',
    `SELECT target_id AS "targetId", window_start AS "windowStart", started_at AS "startedAt",
       finished_at AS "finishedAt", outcome FROM crawl_runs`,
  );
  return rows;
}

export const loadRun: Benchmark = {
  name: 'load',
  goal: 'reliability issue: N targets × 3 pages every 15 simulated minutes — jobs lost = 0, p99 crawl lag, peak RSS',
  async run(opts) {
    const n = size(opts, 'loadTargets', { quick: 20, normal: 100, full: 500 });
    const durationS = size(opts, 'loadSeconds', { quick: 45, normal: 120, full: 300 });
    const windowS = size(opts, 'loadWindowSeconds', { quick: 15, normal: 30, full: 30 });
    const inProcess = size(opts, 'loadInProcess', { quick: 0, normal: 0, full: 0 }) === 1;
    const pages = n * 3;
    const markets: DemoMarket[] = [];
    const origins = Math.ceil(pages / PAGES_PER_ORIGIN);
    const perShop = Math.ceil(pages / origins);
    const tdb = await benchDb();
    const { db } = tdb;
    const log = createLogger('silent');
    let queue: JobQueue | null = null;
    let worker: { close(): Promise<void> } | null = null;
    const rssAtStartMb = Math.round(process.memoryUsage().rss / 1e6);
    const rss = sampleRss();
    try {
      // Each demo market gives two static shops; three quarters of a catalogue is listed on day 0.
      for (let m = 0; m < Math.ceil(origins / STATIC_SHOPS.length); m++)
        markets.push(
          await startDemoMarket({
            basePort: 0,
            seed: 42 + m,
            productsPerShop: Math.ceil(perShop / 0.7),
            daySeconds: windowS * 96,
          }),
        );
      const targetIds: number[] = [];
      for (const [m, market] of markets.entries()) {
        const manifest = market.manifest();
        const ids = new Map<string, number>();
        for (const c of manifest.competitors.filter((c) => STATIC_SHOPS.includes(c.key)))
          ids.set(c.key, (await upsertCompetitor(db, { ...c, key: `${c.key}-${m}` })).id);
        for (const key of STATIC_SHOPS) {
          const products = manifest.targets.filter((t) => t.kind === 'product' && t.competitorKey === key);
          for (const t of products.slice(0, Math.min(perShop, pages - targetIds.length))) {
            const { target } = await upsertTarget(db, {
              competitorId: ids.get(key)!,
              kind: 'product',
              url: t.url,
              label: t.label,
              options: t.options,
              intervalSeconds: windowS,
            });
            targetIds.push(target.id);
          }
        }
      }
      if (targetIds.length < pages)
        throw new Error(`only ${targetIds.length} of ${pages} product pages available`);
      const allow = markets.flatMap((m) => Object.values(m.origins).map((o) => new URL(o).host));
      const config = loadConfig({ DEMO: '0', URL_ALLOWLIST: allow.join(','), LOG_LEVEL: 'silent' });
      const prefix = `mrbench-${randomBytes(4).toString('hex')}`;
      const concurrency = { crawl: config.worker.concurrency, analyze: 2, deliver: 2 };
      queue = inProcess
        ? createInProcessQueue({ log, concurrency })
        : await createBullmqQueue({ redisUrl: REDIS_URL, prefix, log, concurrency });
      opts.log(
        `load: ${n} targets × 3 = ${pages} pages on ${origins} origins every ${windowS} s for ${durationS} s (${round(pages / windowS, 1)} pages/s asked; worker concurrency ${config.worker.concurrency}, ${queue.mode})`,
      );
      const startedAt = Date.now();
      // startWorker asserts every target's schedule from Postgres, as a real worker start does.
      worker = await startWorker(config, db, queue, log);
      await sleep(durationS * 1000);
      const stoppedAt = Date.now();
      for (const id of targetIds) await queue.scheduler.remove(id);
      // Drain: every run that started finishes, and jobs already due get taken.
      const drainUntil = Date.now() + DRAIN_MS;
      let last = -1;
      let stable = 0;
      while (Date.now() < drainUntil) {
        const rs = await runs(db);
        const open = rs.filter((r) => !r.finishedAt).length;
        stable = rs.length === last && open === 0 ? stable + 1 : 0;
        last = rs.length;
        if (stable >= 6) break;
        await sleep(500);
      }
      const rs = await runs(db);
      // A job accepted by the queue and never finished is lost; a window the scheduler skipped while the previous
      // job of the same target was still waiting (BullMQ schedulers never pile up) is back-pressure, not loss.
      let leftInQueue: Record<string, number> = {};
      if (!inProcess) {
        const q = new Queue('crawl', { connection: { url: REDIS_URL }, prefix });
        leftInQueue = await q.getJobCounts('wait', 'active', 'delayed', 'failed', 'paused', 'prioritized');
        await q.close();
      }
      const windowMs = windowS * 1000;
      // Every aligned tick strictly inside the run is owed one finished run per target.
      const firstTick = Math.ceil((startedAt + 1000) / windowMs) * windowMs;
      const due: number[] = [];
      for (let t = firstTick; t < stoppedAt - 1000; t += windowMs) due.push(t);
      const done = new Set(
        rs.filter((r) => r.finishedAt).map((r) => `${r.targetId}:${r.windowStart.getTime()}`),
      );
      let skipped = 0;
      for (const id of targetIds) for (const t of due) if (!done.has(`${id}:${t}`)) skipped++;
      const unfinished = rs.filter((r) => !r.finishedAt).length;
      const lost =
        unfinished +
        (leftInQueue.wait ?? 0) +
        (leftInQueue.active ?? 0) +
        (leftInQueue.failed ?? 0) +
        (leftInQueue.prioritized ?? 0);
      // Lag of the aligned ticks only: the first run of each schedule starts mid-window by construction.
      const dueSet = new Set(due);
      const lags = rs
        .filter((r) => dueSet.has(r.windowStart.getTime()))
        .map((r) => (r.startedAt.getTime() - r.windowStart.getTime()) / 1000);
      const outcomes: Record<string, number> = {};
      for (const r of rs)
        outcomes[r.outcome ?? 'unfinished'] = (outcomes[r.outcome ?? 'unfinished'] ?? 0) + 1;
      const completed = rs.filter((r) => r.finishedAt).length;
      const peakRssMb = rss.stop();
      const finishedWithin =
        (rs.reduce((m, r) => Math.max(m, r.finishedAt?.getTime() ?? 0), 0) - stoppedAt) / 1000;
      return {
        goalMet: lost === 0,
        figures: {
          targets: n,
          pages,
          origins,
          windowSeconds: windowS,
          durationSeconds: durationS,
          queue: queue.mode,
          workerConcurrency: config.worker.concurrency,
          pagesPerSecondAsked: round(pages / windowS, 2),
          windowsDue: due.length,
          jobsDue: due.length * pages,
          jobsCompleted: completed,
          jobsLost: lost,
          jobsLeftInQueueAfterDrain: leftInQueue,
          unfinishedRuns: unfinished,
          windowsSkipped: skipped,
          outcomes,
          lagSeconds: {
            p50: round(percentile(lags, 50)),
            p99: round(percentile(lags, 99)),
            max: round(Math.max(...lags)),
          },
          lastRunFinishedSecondsAfterStop: round(finishedWithin, 1),
          rssAtStartMb,
          peakRssMb,
        },
        summary: [
          `${n} targets × 3 pages every ${windowS} s (15 simulated min) for ${durationS} s on ${origins} origins, ${queue.mode}: ${completed} jobs completed, **${lost} lost** (accepted, never finished; goal 0); ${skipped} of ${due.length * pages} due windows skipped by back-pressure (the worker did ${round(completed / (durationS + finishedWithin), 1)} jobs/s)`,
          `crawl lag (run start − window) p50 ${round(percentile(lags, 50))} s, p99 **${round(percentile(lags, 99))} s**, max ${round(Math.max(...lags))} s; last run finished ${round(finishedWithin, 1)} s after the schedules stopped; peak RSS ${peakRssMb} MB (${rssAtStartMb} MB at start; demo markets included)`,
          `outcomes: ${Object.entries(outcomes)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`,
        ],
        notes: [
          'Lag on a shared 2-core machine is mostly CPU contention; compare the lag with the window length (a lag longer than a window means the worker falls behind).',
        ],
      };
    } finally {
      rss.stop();
      await queue?.close(10_000);
      await worker?.close();
      for (const m of markets) await m.close();
      await tdb.close();
    }
  },
};
