/**
 * P2 of ../shared/RELIABILITY.md: Postgres stops mid-ingest (`pg_ctl stop -m immediate`, a crash) and comes back.
 *
 * A private Postgres server (its own data directory and port; the shared one on 5432 is never touched) holds the
 * data; BullMQ runs on the shared Redis under a unique prefix. In this test process, as in a split deployment,
 * the API (`buildApp`, its own pool) and a worker (`startWorker`, the real job definitions, its own pool) run
 * side by side. 20 feed targets of 500 items each are added through the API and ingested by their schedules
 * while a client keeps adding small feed targets (5 items each) through the API.
 *
 * Once some feeds are stored and others are still being ingested, Postgres is stopped for OUTAGE_MS
 * (P2_OUTAGE_MS, default 15 s; the catalogue proposes 60 s). While it is down every API answer is a 503 JSON
 * `{error, message}` (never a 500, never a hang) and `/health` says `db: down`. Then Postgres starts again, and
 * nothing in this process is restarted. Passing means: the pools recover by themselves; every target whose
 * creation was answered 201 exists; every job's work lands exactly once (10,000 + 5 × accepted mentions, one per
 * source item, rollups counted once, one crawl run per target); no job ends failed.
 *
 * A hung server (every Postgres process SIGSTOPped: sockets open, no answers) must not hang `/health` or any API
 * route either.
 */
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../api/index.ts';
import { loadConfig } from '../../config.ts';
import { checkUrl } from '../../crawlers/index.ts';
import { createDb, type Db, migrate } from '../../db/index.ts';
import { type JobQueue, QUEUES } from '../../jobs/index.ts';
import { testLog } from '../support/db.ts';
import { type FaultServer, startFaultServer } from '../support/fault-server.ts';
import { bullmqQueue, count, waitFor } from '../support/pipeline.ts';
import { type PrivatePostgres, startPrivatePostgres } from '../support/private-postgres.ts';
import { REDIS_URL, requireService } from '../support/services.ts';
import { spawnWorkerProcess, type WorkerProcess } from '../support/spawn-worker.ts';

const SUITE = 'P2 (Postgres stopped mid-ingest)';
const OUTAGE_MS = Number(process.env.P2_OUTAGE_MS ?? 15_000);
const BIG_FEEDS = 20;
const BIG_ITEMS = 500;
const SMALL_ITEMS = 5;

const hasRedis = await requireService('redis', SUITE);
const server: PrivatePostgres | null = hasRedis ? await startPrivatePostgres(SUITE) : null;

const WORDS =
  `serum glow hydration barrier retinol niacinamide peptide sunscreen texture fragrance bottle price
shipping refill vegan gentle sticky matte dewy oily dry sensitive redness acne pores brightening vitamin ceramide
cleanser toner essence ampoule mask balm mist primer tint blush lipstick gloss liner mascara brow palette shimmer
launch review routine dermatologist budget luxury drugstore value scent packaging pump jar travel size formula
results week month morning night layer absorb finish coverage shade undertone swatch restock sale discount bundle
subscription loyalty sample pilling irritation soothing calming firming plumping exfoliating overnight hydrating`
    .split(/\s+/)
    .filter(Boolean);

/** Deterministic words, so every run ingests the same texts (and near-duplicate grouping sees distinct ones). */
function words(seed: number, n: number): string {
  let x = seed * 2654435761 + 1;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out.push(WORDS[x % WORDS.length]);
  }
  return out.join(' ');
}

/** An RSS 2.0 feed of `items` entries, each long enough (≥ 400 characters) not to fetch its article page. */
function feed(name: string, items: number, origin: string): string {
  const day = 86_400_000;
  const entries = Array.from({ length: items }, (_, i) => {
    const seed = [...name].reduce((a, c) => a * 31 + c.charCodeAt(0), 7) * 1000 + i;
    const at = new Date(Date.UTC(2026, 0, 10) - (i % 7) * day - i * 60_000).toUTCString();
    return `<item><title>${name} item ${i}: ${words(seed, 5)}</title>
<link>${origin}/html/${name}-${i}</link><guid isPermaLink="false">${name}-${i}</guid><pubDate>${at}</pubDate>
<description>${name} ${i} ${words(seed + 1, 80)}</description></item>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>${name}</title>
<link>${origin}/</link><description>fault-test feed</description>${entries.join('\n')}</channel></rss>`;
}

interface Probe {
  route: string;
  status: number;
  body: unknown;
  ms: number;
}

describe.skipIf(!server)('P2: Postgres stopped mid-ingest', () => {
  const pgs = server as PrivatePostgres;
  let fs: FaultServer;
  let apiDb: Db;
  let checkDb: Db;
  let apiQueue: JobQueue;
  let worker: WorkerProcess;
  let app: App;
  const prefix = `mrtest-p2-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    fs = await startFaultServer();
    const fixtures: Record<string, string> = {};
    for (let i = 0; i < BIG_FEEDS; i++) fixtures[`big-${i}.xml`] = feed(`big-${i}`, BIG_ITEMS, fs.url);
    for (let i = 0; i < 1000; i++) fixtures[`small-${i}.xml`] = feed(`small-${i}`, SMALL_ITEMS, fs.url);
    fs.fixtures = fixtures;
    apiDb = createDb(pgs.url, testLog, { max: 4 });
    checkDb = createDb(pgs.url, testLog, { max: 2 });
    await migrate(apiDb, testLog);
    apiQueue = await bullmqQueue(prefix);
    // The worker role in its own process, as deployed: its CPU work never delays the API's answers.
    worker = await spawnWorkerProcess({
      dbUrl: pgs.url,
      redisUrl: REDIS_URL,
      prefix,
      env: { URL_ALLOWLIST: fs.host, WORKER_ID: 'p2', CRAWL_MAX_RETRIES: '1' },
      concurrency: { crawl: 4, analyze: 2, deliver: 2 },
      dbMax: 8,
      logLevel: process.env.TEST_LOG_LEVEL,
    });
    app = await buildApp({
      config: loadConfig({ DEMO: '0', API_QUERY_TIMEOUT_MS: '2000' }),
      db: apiDb,
      queue: apiQueue,
      log: testLog,
      checkUrl: async (url) => {
        await checkUrl(url, { allowPrivate: false, allow: [fs.host] });
      },
    });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await apiQueue?.close(2000);
    await worker?.kill();
    await apiDb?.close();
    await checkDb?.close();
    await fs?.close();
    await pgs.close();
  }, 60_000);

  it('a hung Postgres (every process SIGSTOPped): /health answers 503 db down instead of hanging', async () => {
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    pgs.freeze();
    let res: Awaited<ReturnType<typeof app.inject>>;
    let route: Awaited<ReturnType<typeof app.inject>>;
    const started = performance.now();
    let routeMs = 0;
    try {
      res = await app.inject({ method: 'GET', url: '/health' });
      // Any route, not only /health: its statements give up after API_QUERY_TIMEOUT_MS (2 s here).
      const routeStarted = performance.now();
      route = await app.inject({ method: 'GET', url: '/api/price-changes?min_pct=5' });
      routeMs = performance.now() - routeStarted;
    } finally {
      pgs.thaw();
    }
    console.info(
      `P2 (hung server): /health answered ${res.statusCode} in ${(performance.now() - started - routeMs).toFixed(0)} ms, ` +
        `/api/price-changes ${route.statusCode} in ${routeMs.toFixed(0)} ms`,
    );
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'degraded', db: 'down' });
    expect(route.statusCode).toBe(503);
    // Bounded: the statement timeout (2 s) or, for a new connection, the connect timeout (5 s), plus slack.
    expect(routeMs).toBeLessThan(15_000);
    await waitFor(
      async () => (await app.inject({ method: 'GET', url: '/health' })).statusCode === 200,
      'health after SIGCONT',
    );
  }, 60_000);

  // The worker's jobs see the database through waitingForDatabase (jobs/worker.ts): without it a job spends its
  // three attempts (1 s and 2 s apart) within seconds of the crash, and its work waits for the next schedule tick.
  it('answers 503 while down, recovers by itself, and every accepted job lands exactly once', async () => {
    const key = (
      await app.inject({ method: 'POST', url: '/api/keys', payload: { role: 'admin', name: 'p2' } })
    ).json<{ key: string }>().key;
    const headers = { authorization: `Bearer ${key}` };
    const call = async (method: 'GET' | 'POST', url: string, payload?: object): Promise<Probe> => {
      const started = performance.now();
      const res = await app.inject({ method, url, payload, headers });
      let body: unknown = res.body;
      try {
        body = res.json();
      } catch {
        // not JSON: kept as text, and the assertions below say so
      }
      return { route: `${method} ${url}`, status: res.statusCode, body, ms: performance.now() - started };
    };
    const addFeed = (name: string) =>
      call('POST', '/api/targets', { kind: 'feed', url: `${fs.url}/rss/${name}.xml`, intervalSeconds: 3600 });

    // The big feeds, accepted through the API: their schedules start ingesting at once.
    for (let i = 0; i < BIG_FEEDS; i++) {
      const p = await addFeed(`big-${i}`);
      expect(p.status, JSON.stringify(p)).toBe(201);
    }

    // A client that keeps adding small feeds: what was answered 201 (or 409: a lost answer to a committed
    // insert) was accepted; a 503 is retried with the same feed; anything else is a failure of the test.
    const accepted = new Set<number>();
    let conflicts = 0;
    const unexpected: Probe[] = [];
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing && i < 1000; ) {
        const p = await addFeed(`small-${i}`);
        if (p.status === 409) conflicts++;
        if (p.status === 201 || p.status === 409) accepted.add(i++);
        else if (p.status !== 503) unexpected.push(p);
        await new Promise((r) => setTimeout(r, 150));
      }
    })();

    // Mid-ingest: some big feeds stored, others not yet.
    const bigDone = () =>
      count(
        checkDb,
        'crawl_runs r JOIN targets t ON t.id = r.target_id',
        "r.finished_at IS NOT NULL AND t.url LIKE '%/rss/big-%'",
      );
    await waitFor(async () => (await bigDone()) >= 3, 'the first big feeds to be stored', 120_000, 20);
    const storedAtStop = await count(checkDb, 'mentions');
    const bigDoneAtStop = await bigDone();
    pgs.stop('immediate');
    const stoppedAt = Date.now();

    // While down: every answer a 503 JSON {error, message}; /health says db: down.
    const outage: Probe[] = [];
    while (Date.now() - stoppedAt < OUTAGE_MS) {
      outage.push(
        ...(await Promise.all([
          call('GET', '/health'),
          call('GET', '/api/targets'),
          call('GET', '/api/mentions?limit=5'),
          call('POST', '/api/targets/1/crawl'),
        ])),
      );
      await new Promise((r) => setTimeout(r, 250));
    }
    await pgs.start();
    const downMs = Date.now() - stoppedAt;

    // Recovery, with nothing restarted: the same app, queue and worker objects as before the crash.
    await waitFor(
      async () => (await call('GET', '/health')).status === 200,
      'the API pool to recover',
      60_000,
    );
    const acceptedAfter = accepted.size;
    await waitFor(
      async () => accepted.size >= acceptedAfter + 3,
      'more feeds accepted after recovery',
      60_000,
    );
    writing = false;
    await writer;

    const expected = BIG_FEEDS * BIG_ITEMS + accepted.size * SMALL_ITEMS;
    const targets = BIG_FEEDS + accepted.size;
    const jobCounts = async () => {
      const all: Record<string, number> = {};
      for (const name of Object.values(QUEUES)) {
        const q = new Queue(name, { connection: { url: REDIS_URL }, prefix });
        for (const [state, n] of Object.entries(
          await q.getJobCounts('active', 'waiting', 'delayed', 'completed', 'failed'),
        ))
          all[state] = (all[state] ?? 0) + n;
        await q.close();
      }
      return all;
    };
    let settled = false;
    // Why the wait ended early, if it did: a failed count is polled again, never taken as the end of the wait.
    let settleError: string | null = null;
    try {
      await waitFor(
        async () => {
          try {
            return (
              (await count(checkDb, 'crawl_runs', 'finished_at IS NOT NULL')) >= targets &&
              (await count(checkDb, 'mentions')) >= expected &&
              (await count(checkDb, 'mentions', 'analyzed_at IS NULL')) === 0
            );
          } catch (err) {
            settleError = `count failed: ${(err as Error).message}`;
            return false;
          }
        },
        'every accepted feed to be ingested and analysed',
        // Ends as soon as it holds; generous for a CI machine running other suites beside this one.
        240_000,
        500,
      );
      settled = true;
    } catch (err) {
      settleError = `${(err as Error).message}; last count error: ${settleError}`;
    }

    const stored = await count(checkDb, 'mentions');
    const distinct = (
      await checkDb.query<{ n: number }>(
        'p2.distinct',
        'SELECT count(DISTINCT (source, source_id))::int AS n FROM mentions',
      )
    ).rows[0].n;
    const rolled = (
      await checkDb.query<{ n: number }>(
        'p2.rolled',
        'SELECT coalesce(sum(mentions), 0)::int AS n FROM mention_daily',
      )
    ).rows[0].n;
    const runs = await checkDb.query<{ target_id: number; n: number; attempts: number; finished: number }>(
      'p2.runs',
      `SELECT t.id AS target_id, count(r.id)::int AS n, coalesce(max(r.attempts), 0)::int AS attempts,
         count(r.finished_at)::int AS finished
       FROM targets t LEFT JOIN crawl_runs r ON r.target_id = t.id GROUP BY t.id`,
    );
    const dbTargets = await count(checkDb, 'targets');
    // Jobs that failed for good are moved from BullMQ's failed set to the dead letters (RELIABILITY Q2).
    const hasDeadLetters = (
      await checkDb.query<{ t: string | null }>(
        'p2.has_dead_letters',
        "SELECT to_regclass('dead_letters')::text AS t",
      )
    ).rows[0].t;
    const deadLetters = hasDeadLetters ? await count(checkDb, 'dead_letters') : 0;
    const jobs = await jobCounts();
    const failed = jobs.failed ?? 0;
    const statuses = outage.reduce<Record<string, number>>((m, p) => {
      m[p.status] = (m[p.status] ?? 0) + 1;
      return m;
    }, {});
    const slowest = Math.max(...outage.map((p) => p.ms));
    console.info(
      `P2: stopped at ${storedAtStop} mentions stored (${bigDoneAtStop}/${BIG_FEEDS} big feeds done), down ${(downMs / 1000).toFixed(1)} s; ` +
        `${outage.length} API calls while down: ${JSON.stringify(statuses)}, slowest ${slowest.toFixed(0)} ms; ` +
        `${accepted.size} small feeds accepted (${conflicts} by a 409: an answer lost as Postgres stopped); after restart: ${stored}/${expected} mentions (${distinct} distinct, rollup ${rolled}), ` +
        `targets ${dbTargets}/${targets}, runs finished ${runs.rows.filter((r) => r.finished === 1).length}/${targets}, ` +
        `max attempts ${Math.max(...runs.rows.map((r) => r.attempts))}, jobs ${JSON.stringify(jobs)}, dead letters ${deadLetters}, worker alive ${worker.alive()}, settled ${settled}`,
    );
    if (!settled) console.info(`P2 server log (tail):\n${pgs.log().split('\n').slice(-10).join('\n')}`);
    // Which targets fell short, with their runs and jobs: a CI log shows only the failed assertion, so it says this.
    const short = (
      await checkDb.query<{ id: number; url: string; n: number; synced: boolean; state: unknown }>(
        'p2.short',
        `SELECT t.id, t.url, count(m.id)::int AS n, t.schedule_synced_at IS NOT NULL AS synced, t.state
         FROM targets t LEFT JOIN mentions m ON m.target_id = t.id GROUP BY t.id
         HAVING count(m.id) <> CASE WHEN t.url LIKE '%/rss/big-%' THEN ${BIG_ITEMS} ELSE ${SMALL_ITEMS} END`,
      )
    ).rows;
    const runRows = await checkDb.query<Record<string, unknown>>(
      'p2.short_runs',
      `SELECT target_id, job_id, outcome, items, attempts, started_at, finished_at, reason FROM crawl_runs
       WHERE target_id = ANY($1::bigint[]) ORDER BY id`,
      [short.map((t) => t.id)],
    );
    const failedJobs: string[] = [];
    for (const name of Object.values(QUEUES)) {
      const q = new Queue(name, { connection: { url: REDIS_URL }, prefix });
      for (const j of await q.getJobs(['failed'], 0, 20))
        failedJobs.push(
          `${j.name} ${j.id} ${JSON.stringify(j.data)} attempts ${j.attemptsMade}: ${j.failedReason}`,
        );
      await q.close();
    }
    const diagnosis = JSON.stringify({ short, runs: runRows.rows, failedJobs, settled, settleError, jobs });
    if (short.length || failedJobs.length) console.info(`P2 diagnosis: ${diagnosis}`);

    // While down: only 503 JSON {error, message}; /health named the database.
    expect(bigDoneAtStop).toBeLessThan(BIG_FEEDS);
    expect(outage.length).toBeGreaterThan(0);
    expect(statuses).toEqual({ 503: outage.length });
    for (const p of outage) {
      expect(p.body, p.route).toMatchObject({});
      if (p.route === 'GET /health') expect(p.body).toMatchObject({ status: 'degraded', db: 'down' });
      else expect(p.body, p.route).toEqual({ error: 'SERVICE_UNAVAILABLE', message: expect.any(String) });
    }
    expect(unexpected).toEqual([]);
    // Recovered by itself: the worker process that was running before the crash is the one that finished.
    expect(worker.alive()).toBe(true);
    // Everything accepted landed, exactly once.
    expect(dbTargets).toBe(targets);
    expect(failed, diagnosis).toBe(0);
    expect(deadLetters, diagnosis).toBe(0);
    expect(stored, diagnosis).toBe(expected);
    expect(distinct).toBe(stored);
    expect(rolled).toBe(stored);
    expect(runs.rows.filter((r) => r.n !== 1 || r.finished !== 1)).toEqual([]);
  }, 600_000);
});
