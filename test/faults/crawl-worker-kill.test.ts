/**
 * C14 of ../shared/RELIABILITY.md: a crawl worker `kill -9`'d halfway through a 200-URL site, then restarted.
 *
 * The site is the fault server FS: a catalog page linking 200 product pages (JSON-LD, one price each). A catalog
 * target is crawled through the real job path by a real worker process (BullMQ on the shared Redis under a unique
 * prefix, Postgres test database): the catalog run discovers the 200 products, schedules them and enqueues their
 * first crawl. When about half of them are stored, the worker gets SIGKILL (no shutdown, jobs left active with
 * their locks); a new worker process starts on the same queues and takes the stalled jobs over.
 *
 * Passing means: every URL exactly once in Postgres (one product target, one crawl run, one observation each);
 * none missing; URLs fetched twice no more than the worker's crawl concurrency; no job failed or dead-lettered.
 */
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { upsertTarget } from '../../db/index.ts';
import { QUEUES } from '../../jobs/index.ts';
import { createPostgresTestDb } from '../support/db.ts';
import { startFaultServer } from '../support/fault-server.ts';
import { bullmqQueue, count, waitFor } from '../support/pipeline.ts';
import { REDIS_URL, requireService } from '../support/services.ts';
import { spawnWorkerProcess, type WorkerProcess } from '../support/spawn-worker.ts';

const SUITE = 'C14 (crawl worker killed mid-crawl)';
const PAGES = 200;
/** Crawl jobs one worker runs at once: at most this many URLs may be fetched a second time. */
const CONCURRENCY = 4;

const ready = (await requireService('postgres', SUITE)) && (await requireService('redis', SUITE));

const pad = (i: number) => String(i).padStart(3, '0');

function productPage(i: number): string {
  const price = (10 + i / 4).toFixed(2);
  return `<!doctype html><html><head><title>Serum ${pad(i)}</title>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"Product","name":"Serum ${pad(i)}",
"sku":"SR-${pad(i)}","offers":{"@type":"Offer","price":"${price}","priceCurrency":"USD",
"availability":"https://schema.org/InStock"}}</script></head>
<body><h1>Serum ${pad(i)}</h1><p class="price">$${price}</p></body></html>`;
}

function catalogPage(): string {
  const tiles = Array.from(
    { length: PAGES },
    (_, i) =>
      `<li class="tile"><a href="/html/p-${pad(i)}.html"><img src="/img/${pad(i)}.png" alt="">Serum ${pad(i)}</a>
<span class="price">$${(10 + i / 4).toFixed(2)}</span></li>`,
  );
  return `<!doctype html><html><head><title>All serums</title></head><body><h1>Serums</h1>
<ul class="grid">${tiles.join('\n')}</ul></body></html>`;
}

interface Scenario {
  /** Where the first worker dies. */
  killWhen: 'half-stored' | 'fan-out';
  /** What takes over: a worker started after the crash, or a second worker that was running all along. */
  after: 'restart' | 'peer';
}

/**
 * Crawls the site with worker processes, SIGKILLs the one running the catalog at `killWhen`, lets a restarted or
 * a surviving worker finish, and returns what was stored.
 */
async function crawlThroughACrash({ killWhen, after }: Scenario) {
  const fixtures: Record<string, string> = { 'catalog.html': catalogPage() };
  for (let i = 0; i < PAGES; i++) fixtures[`p-${pad(i)}.html`] = productPage(i);
  const [tdb, fs] = await Promise.all([createPostgresTestDb(), startFaultServer({ fixtures })]);
  const prefix = `mrtest-c14-${randomBytes(4).toString('hex')}`;
  const producer = await bullmqQueue(prefix);
  const workers: WorkerProcess[] = [];
  const startWorker = async (id: string) => {
    const w = await spawnWorkerProcess({
      dbUrl: tdb.url,
      redisUrl: REDIS_URL,
      prefix,
      // A short lock, so the new worker notices the dead one's jobs within seconds.
      env: { URL_ALLOWLIST: fs.host, WORKER_LOCK_MS: '2000', WORKER_ID: id },
      concurrency: { crawl: CONCURRENCY, analyze: 2, deliver: 2 },
      logLevel: process.env.TEST_LOG_LEVEL,
    });
    workers.push(w);
    return w;
  };
  const crawlQueue = new Queue(QUEUES.crawl, { connection: { url: REDIS_URL }, prefix });
  try {
    const running = await Promise.all(
      (after === 'peer' ? ['c14-a', 'c14-b'] : ['c14-first']).map((id) => startWorker(id)),
    );
    // Created once the workers run (they re-assert every target's schedule when they start): this job alone
    // crawls the catalog.
    const { target: catalog } = await upsertTarget(tdb.db, {
      kind: 'catalog',
      url: `${fs.url}/html/catalog.html`,
      // Long windows: the whole test falls in one, so a second run of a URL could only be a duplicate.
      intervalSeconds: 7 * 86_400,
    });
    await producer.enqueue('crawl-target', { targetId: catalog.id }, { jobId: 'c14-catalog' });

    const stored = () =>
      count(tdb.db, 'crawl_runs', 'finished_at IS NOT NULL AND target_id <> $1', [catalog.id]);
    const discovered = () => count(tdb.db, 'targets', 'discovered_from = $1', [catalog.id]);
    const productSchedules = async () =>
      (await crawlQueue.getJobSchedulers(0, -1)).filter(
        (j) => j.key.startsWith('target:') && j.key !== `target:${catalog.id}`,
      ).length;
    if (killWhen === 'half-stored')
      await waitFor(async () => (await stored()) >= PAGES / 2, 'half of the site to be stored', 120_000, 20);
    else await waitFor(async () => (await discovered()) >= PAGES, 'the catalog run to commit', 120_000, 5);
    const { rows: catalogRun } = await tdb.db.query<{ worker: string }>(
      'c14.catalog_worker',
      'SELECT worker FROM crawl_runs WHERE target_id = $1',
      [catalog.id],
    );
    const victim = running.length === 1 ? 0 : ['c14-a', 'c14-b'].indexOf(catalogRun[0]?.worker ?? 'c14-a');
    await running[victim].kill();
    const atKill = {
      stored: await stored(),
      inFlight: await count(tdb.db, 'crawl_runs', 'finished_at IS NULL'),
      discovered: await discovered(),
      // Product schedules the catalog run had created when the worker died (the catalog's own is not counted).
      scheduled: await productSchedules(),
    };

    const second = after === 'restart' ? await startWorker('c14-second') : running[1 - victim];
    const restartedAt = Date.now();
    let settled = true;
    // The catalog job was active on the dead worker: it is taken over once its lock expires.
    await waitFor(
      async () => (await crawlQueue.getJob('c14-catalog'))?.finishedOn,
      'the catalog job to be taken over',
      60_000,
    );
    const scheduledAfterTakeover = await productSchedules();
    // No stuck queue: the crawl makes progress every 30 s (politeness alone spaces pages 250 ms apart) until done.
    for (let last = -1, lastAt = Date.now(); ; await new Promise((r) => setTimeout(r, 200))) {
      const now = await stored();
      if (now >= PAGES) break;
      if (now > last) [last, lastAt] = [now, Date.now()];
      else if (Date.now() - lastAt > 30_000) {
        settled = false;
        break;
      }
    }
    const settleMs = Date.now() - restartedAt;
    // Let late duplicates (a second job for a URL already stored) show themselves before counting.
    await new Promise((r) => setTimeout(r, 3000));

    const perUrl = await tdb.db.query<{ url: string; observations: number }>(
      'c14.per_url',
      `SELECT t.url, count(o.id)::int AS observations
       FROM targets t LEFT JOIN products p ON p.url = t.url LEFT JOIN price_observations o ON o.product_id = p.id
       WHERE t.discovered_from = $1 GROUP BY t.url`,
      [catalog.id],
    );
    const runs = await tdb.db.query<{ target_id: number; n: number; finished: number; attempts: number }>(
      'c14.runs',
      `SELECT t.id AS target_id, count(r.id)::int AS n, count(r.finished_at)::int AS finished,
         coalesce(max(r.attempts), 0)::int AS attempts
       FROM targets t LEFT JOIN crawl_runs r ON r.target_id = t.id GROUP BY t.id`,
    );
    const hits = new Map<string, number>();
    for (const e of fs.log)
      if (/^\/html\/p-\d+\.html/.test(e.path)) hits.set(e.path, (hits.get(e.path) ?? 0) + 1);
    const jobs: Record<string, number> = {};
    for (const name of Object.values(QUEUES)) {
      const q = new Queue(name, { connection: { url: REDIS_URL }, prefix });
      for (const [state, n] of Object.entries(await q.getJobCounts('active', 'waiting', 'failed')))
        jobs[state] = (jobs[state] ?? 0) + n;
      await q.close();
    }
    // A URL left unstored, with its runs and every job that names its target: a CI log shows only this line.
    const missingIds = (
      await tdb.db.query<{ id: number }>(
        'c14.missing',
        `SELECT t.id FROM targets t LEFT JOIN products p ON p.url = t.url
           LEFT JOIN price_observations o ON o.product_id = p.id
         WHERE t.discovered_from = $1 GROUP BY t.id HAVING count(o.id) = 0`,
        [catalog.id],
      )
    ).rows.map((r) => r.id);
    const missing: unknown[] = [];
    if (missingIds.length) {
      const { rows: missingRuns } = await tdb.db.query(
        'c14.missing_runs',
        `SELECT target_id, job_id, worker, attempts, started_at, finished_at, outcome FROM crawl_runs
         WHERE target_id = ANY($1::bigint[])`,
        [missingIds],
      );
      const all = await crawlQueue.getJobs(['active', 'waiting', 'delayed', 'completed', 'failed'], 0, -1);
      const theirs = all
        .filter((j) => missingIds.includes((j.data as { targetId?: number }).targetId ?? -1))
        .map((j) => ({ id: j.id, data: j.data, finishedOn: j.finishedOn, returned: j.returnvalue }));
      const schedulers = (await crawlQueue.getJobSchedulers(0, -1)).filter((j) =>
        missingIds.some((id) => j.key === `target:${id}`),
      );
      missing.push({ missingIds, missingRuns, jobs: theirs, schedulers });
    }
    const hasDeadLetters = (
      await tdb.db.query<{ t: string | null }>(
        'c14.has_dead_letters',
        "SELECT to_regclass('dead_letters')::text AS t",
      )
    ).rows[0].t;
    const result = {
      atKill,
      scheduledAfterTakeover,
      settled,
      settleMs,
      secondAlive: second.alive(),
      perUrl: perUrl.rows,
      runs: runs.rows,
      observations: await count(tdb.db, 'price_observations'),
      hits,
      refetched: [...hits.values()].filter((n) => n > 1).length,
      jobs,
      deadLetters: hasDeadLetters ? await count(tdb.db, 'dead_letters') : 0,
      missing,
    };
    console.info(
      `C14 (${killWhen}, ${after}): killed with ${atKill.stored}/${PAGES} stored, ${atKill.inFlight} runs in flight, ` +
        `${atKill.discovered} targets discovered, ${atKill.scheduled} scheduled; ${after} scheduled ${scheduledAfterTakeover} once the catalog job was taken over and finished the site in ` +
        `${(settleMs / 1000).toFixed(1)} s (settled ${settled}); URLs stored once ` +
        `${result.perUrl.filter((r) => r.observations === 1).length}/${PAGES}, missing ` +
        `${result.perUrl.filter((r) => r.observations === 0).length}, twice or more ` +
        `${result.perUrl.filter((r) => r.observations > 1).length}; re-fetched ${result.refetched} (concurrency ` +
        `${CONCURRENCY}); runs taken over ${result.runs.filter((r) => r.attempts > 1).length}; jobs ` +
        `${JSON.stringify(jobs)}, dead letters ${result.deadLetters}` +
        (missing.length ? `; missing: ${JSON.stringify(missing)}` : ''),
    );
    return result;
  } finally {
    for (const w of workers) await w.kill();
    await crawlQueue.close();
    await producer.close(2000);
    await fs.close();
    await tdb.close();
  }
}

function expectEveryUrlOnce(r: Awaited<ReturnType<typeof crawlThroughACrash>>) {
  expect(r.secondAlive).toBe(true);
  expect(r.perUrl.length).toBe(PAGES);
  expect(
    r.perUrl.filter((u) => u.observations !== 1),
    JSON.stringify(r.missing),
  ).toEqual([]);
  expect(r.observations).toBe(PAGES);
  expect(r.runs.filter((run) => run.n !== 1 || run.finished !== 1)).toEqual([]);
  expect(r.hits.size).toBe(PAGES);
  expect(r.refetched).toBeLessThanOrEqual(CONCURRENCY);
  expect(r.jobs.failed).toBe(0);
  expect(r.deadLetters).toBe(0);
}

describe.skipIf(!ready)('C14: a crawl worker killed mid-crawl and restarted', () => {
  it('halfway through the 200 pages: every URL stored exactly once, none missing, few fetched twice', async () => {
    const r = await crawlThroughACrash({ killWhen: 'half-stored', after: 'restart' });
    expect(r.atKill.stored).toBeLessThan(PAGES);
    expectEveryUrlOnce(r);
  }, 300_000);

  it('as the catalog run commits, before it has scheduled all it found: the restart crawls the rest', async () => {
    const r = await crawlThroughACrash({ killWhen: 'fan-out', after: 'restart' });
    expect(r.atKill.stored).toBeLessThan(PAGES);
    expectEveryUrlOnce(r);
  }, 300_000);

  // The survivor takes the catalog job over and finds its window already crawled; it still finishes the fan-out
  // (jobs/crawl-target.ts), or the products it found would wait for a worker restart to be crawled: a later catalog
  // run does not schedule them either, since they are no longer new.
  it('as the catalog run commits, with a second worker running and no restart: the survivor schedules the rest', async () => {
    const r = await crawlThroughACrash({ killWhen: 'fan-out', after: 'peer' });
    // The products' schedules exist once the survivor has finished the catalog job (not only after a restart).
    expect(r.scheduledAfterTakeover).toBe(PAGES);
    expectEveryUrlOnce(r);
  }, 300_000);
});
