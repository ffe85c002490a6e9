/**
 * Catalogue cases of ../shared/RELIABILITY.md owned by the foundation: Q1 (worker killed mid-job), Q5 (scheduler
 * storm), Q7 (duplicate enqueue), P1 (concurrent duplicate ingestion), P3 (concurrent migrations).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Job, Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db, insertMentions, migrate, readMigrations, upsertTarget } from '../../db/index.ts';
import { createBullmqQueue, type JobQueue, type RunningWorker, toMentions } from '../../jobs/index.ts';
import { createLogger } from '../../logger.ts';
import { createEmptyPostgresDb, createPostgresTestDb, type TestDb, testLog } from '../support/db.ts';
import { bullmqQueue, count, startTestWorker, waitFor } from '../support/pipeline.ts';
import { REDIS_URL, requireService } from '../support/services.ts';

const ready =
  (await requireService('postgres', 'reliability (Q1 Q5 Q7 P1 P3)')) &&
  (await requireService('redis', 'reliability'));

const PRODUCT_PAGE = `<!doctype html><html><head><title>Dew Serum</title>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"Product","name":"Dew Serum","sku":"DS-1",
"offers":{"@type":"Offer","price":"24.90","priceCurrency":"USD","availability":"https://schema.org/InStock"}}</script>
</head><body><h1>Dew Serum</h1><p>$24.90</p></body></html>`;

/** A product page whose first request hangs until released (so a worker can be killed mid-crawl). */
async function startSlowShop(slowFirst = true): Promise<{
  url: string;
  host: string;
  requests: number;
  release(): void;
  close(): Promise<void>;
}> {
  let requests = 0;
  const waiting: (() => void)[] = [];
  const server: Server = createServer((_req, res) => {
    requests++;
    const send = () => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PRODUCT_PAGE);
    if (slowFirst && requests === 1) waiting.push(send);
    else send();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/p/dew-serum`,
    host: `127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    release: () => {
      for (const w of waiting.splice(0)) w();
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe.skipIf(!ready)('reliability of the spine on real Postgres and Redis', () => {
  let tdb: TestDb;
  const queues: JobQueue[] = [];
  const workers: RunningWorker[] = [];
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    tdb = await createPostgresTestDb();
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    for (const q of queues) await q.close(3000);
    for (const w of workers) await w.close();
    await tdb?.close();
  });

  it('Q1: a worker killed mid-crawl; another takes the stalled job over and the side effects happen once', async () => {
    const shop = await startSlowShop();
    try {
      const prefix = `mrtest-q1-${randomBytes(3).toString('hex')}`;
      const env = {
        URL_ALLOWLIST: shop.host,
        WORKER_LOCK_MS: '2000',
        CRAWL_TIMEOUT_MS: '60000',
        WORKER_ID: 'doomed',
      };
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          fileURLToPath(new URL('../support/worker-process.ts', import.meta.url)),
          JSON.stringify({ dbUrl: tdb.url, redisUrl: REDIS_URL, prefix, env }),
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      children.push(child);
      await new Promise<void>((resolve, reject) => {
        child.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
        child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
      });
      const { target } = await upsertTarget(tdb.db, {
        kind: 'product',
        url: shop.url,
        intervalSeconds: 3600,
      });
      const producer = await bullmqQueue(prefix, 2000);
      queues.push(producer);
      // BullMQ's own record of the stall, independent of our logging: the events stream of the crawl queue.
      const events = new QueueEvents('crawl', { connection: { url: REDIS_URL }, prefix });
      await events.waitUntilReady();
      const stalledEvents: string[] = [];
      events.on('stalled', ({ jobId }) => stalledEvents.push(jobId));
      await producer.enqueue('crawl-target', { targetId: target.id }, { jobId: 'q1-job' });
      await waitFor(async () => shop.requests >= 1, 'the doomed worker to start fetching');
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));

      // The rescuer's own log, as an operator would read it: the stall must be logged, not only handled.
      const rescuerLog: string[] = [];
      const rescuer = await createBullmqQueue({
        redisUrl: REDIS_URL,
        prefix,
        log: createLogger('warn', 'rescuer', { write: (line: string) => void rescuerLog.push(line) }),
        concurrency: { crawl: 4 },
        lockDurationMs: 2000,
      });
      queues.push(rescuer);
      workers.push(await startTestWorker(tdb.db, rescuer, [shop.host], 'rescuer'));
      await waitFor(
        async () =>
          (await count(tdb.db, 'crawl_runs', 'target_id = $1 AND finished_at IS NOT NULL', [target.id])) ===
          1,
        'the stalled job to complete',
        30_000,
      );
      shop.release();

      expect(await count(tdb.db, 'crawl_runs', 'target_id = $1', [target.id])).toBe(1);
      const { rows } = await tdb.db.query<{ attempts: number; worker: string; outcome: string }>(
        'q1',
        'SELECT attempts, worker, outcome FROM crawl_runs WHERE target_id = $1',
        [target.id],
      );
      expect(rows[0]).toMatchObject({ attempts: 2, worker: 'rescuer', outcome: 'ok' });
      expect(await count(tdb.db, 'price_observations', 'url = $1', [shop.url])).toBe(1);
      const q = new Queue('crawl', { connection: { url: REDIS_URL }, prefix });
      const job = await q.getJob('q1-job');
      expect(job?.stalledCounter).toBe(1);
      await q.close();
      await waitFor(
        async () => stalledEvents.length > 0,
        'the stalled event on the queue events stream',
        5000,
      );
      await events.close();
      expect(stalledEvents).toEqual(['q1-job']);
      // The doomed worker may also have held a maintenance job of its own schedules (freshness, analysis sweep):
      // it stalls too and is taken over, which is right; this case is about the crawl.
      const stallLines = rescuerLog
        .map((l) => JSON.parse(l) as { msg: string; jobId?: string; level: number })
        .filter((l) => /stalled/.test(l.msg) && !l.jobId?.startsWith('repeat:job:'));
      expect(stallLines).toEqual([
        expect.objectContaining({
          jobId: 'q1-job',
          msg: 'job stalled; another worker takes it over',
          level: 40,
        }),
      ]);
    } finally {
      shop.release();
      await shop.close();
    }
  }, 60_000);

  it('Q5: four schedulers starting at once, a crash loop and a remove/re-add keep exactly one schedule per target', async () => {
    const prefix = `mrtest-q5-${randomBytes(3).toString('hex')}`;
    const targets = Array.from({ length: 20 }, (_, i) => ({
      id: 1000 + i,
      intervalSeconds: 3600,
      enabled: true,
    }));
    const storm = await Promise.all(Array.from({ length: 4 }, () => bullmqQueue(prefix)));
    await Promise.all(storm.map((q) => Promise.all(targets.map((t) => q.scheduler.upsert(t)))));
    expect(await storm[0].scheduler.count()).toBe(20);
    for (const q of storm) await q.close(1000);

    for (let i = 0; i < 10; i++) {
      const q = await bullmqQueue(prefix);
      await Promise.all(targets.map((t) => q.scheduler.upsert(t)));
      await q.close(1000);
    }
    const q = await bullmqQueue(prefix);
    queues.push(q);
    expect(await q.scheduler.count()).toBe(20);
    await q.scheduler.remove(1003);
    await q.scheduler.upsert(targets[3]);
    expect(await q.scheduler.count()).toBe(20);
    await q.scheduler.upsert({ ...targets[4], enabled: false });
    expect(await q.scheduler.count()).toBe(19);
  }, 60_000);

  it('Q7: the same (target, window) enqueued 100 times at once, and 100 more after its job completed and was removed, is one crawl run', async () => {
    const shop = await startSlowShop(false);
    const prefix = `mrtest-q7-${randomBytes(3).toString('hex')}`;
    const raw = new Queue('crawl', { connection: { url: REDIS_URL }, prefix });
    try {
      const queue = await bullmqQueue(prefix);
      queues.push(queue);
      workers.push(await startTestWorker(tdb.db, queue, [shop.host], 'q7'));
      const url = `${shop.url}?q7`;
      const { target } = await upsertTarget(tdb.db, { kind: 'product', url, intervalSeconds: 3600 });
      // A window's job id, as the scheduler ticks name them (crawl:<target>:<tick>). The tick rides in the payload
      // so both waves fall in the same window even if the test runs across an hour boundary.
      const windowStart = Math.floor(Date.now() / 3_600_000) * 3_600_000;
      const jobId = `crawl:${target.id}:${windowStart}`;
      const wave = () =>
        Promise.all(
          Array.from({ length: 100 }, () =>
            queue.enqueue('crawl-target', { targetId: target.id, scheduledAt: windowStart }, { jobId }),
          ),
        );
      /** Every job of this target in Redis, whatever its state (other tests' targets share the worker). */
      const jobsOfTarget = async () => {
        const all = await raw.getJobs(
          ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'],
          0,
          -1,
        );
        return all.filter((j): j is Job => j?.data?.targetId === target.id);
      };
      /** Resolves once this target's jobs have all finished, returning them with their final states. */
      const settled = async (what: string) =>
        waitFor(async () => {
          const jobs = await jobsOfTarget();
          const states = await Promise.all(jobs.map((j) => j.getState()));
          if (jobs.length === 0 || !states.every((st) => st === 'completed' || st === 'failed')) return null;
          // Read again: a job fetched while still active has no return value in hand even once it completed.
          const final = await Promise.all(jobs.map((j) => raw.getJob(j.id!)));
          return final.map((j, k) => ({ job: j!, state: states[k] }));
        }, what);

      await wave();
      const first = await settled('the first wave to finish');
      // The job id de-duplicated the wave: one job, which crawled.
      expect(first.map((f) => f.state)).toEqual(['completed']);
      expect(first[0].job.returnvalue).not.toHaveProperty('skipped');
      expect(
        await count(tdb.db, 'crawl_runs', 'target_id = $1 AND finished_at IS NOT NULL', [target.id]),
      ).toBe(1);
      const fetchedInFirstWave = shop.requests;

      // Production keeps completed jobs for an hour (removeOnComplete), then BullMQ drops them and the id is free
      // again: remove it now, as that expiry would.
      await first[0].job.remove();
      expect(await jobsOfTarget()).toEqual([]);

      await wave();
      const second = await settled('the second wave to finish');
      // The id was free, so the second wave made a new job; only Postgres' unique key on the window stopped it.
      expect(second.map((f) => f.state)).toEqual(['completed']);
      expect(second[0].job.returnvalue).toMatchObject({ skipped: 'window already crawled' });

      const { rows } = await tdb.db.query<{ job_id: string; worker: string }>(
        'q7',
        'SELECT job_id, worker FROM crawl_runs WHERE target_id = $1',
        [target.id],
      );
      expect(rows).toEqual([{ job_id: jobId, worker: 'q7' }]);
      expect(await count(tdb.db, 'price_observations', 'url = $1', [url])).toBe(1);
      // The second wave fetched nothing (no robots.txt, no page).
      expect(shop.requests).toBe(fetchedInFirstWave);
    } finally {
      await raw.close();
      await shop.close();
    }
  }, 60_000);

  it('job ids with any number of ":" parts cross BullMQ and come back unchanged (trend and alert ids have 2 and 4+)', async () => {
    const shop = await startSlowShop(false);
    try {
      const prefix = `mrtest-ids-${randomBytes(3).toString('hex')}`;
      const queue = await bullmqQueue(prefix);
      queues.push(queue);
      workers.push(await startTestWorker(tdb.db, queue, [shop.host], 'ids'));
      const { target } = await upsertTarget(tdb.db, {
        kind: 'product',
        url: `${shop.url}?ids`,
        intervalSeconds: 3600,
      });
      const jobId = `crawl:test:${target.id}:2026-11-22T10:00`;
      // BullMQ itself refuses these ids ("Custom Id cannot contain :") unless they are encoded on the way in.
      await queue.enqueue('crawl-target', { targetId: target.id }, { jobId });
      await queue.enqueue('crawl-target', { targetId: target.id }, { jobId });
      await queue.enqueue('detect-trends', {}, { jobId: 'trends:2026-11-22T10' });
      await waitFor(
        async () =>
          (await count(tdb.db, 'crawl_runs', 'target_id = $1 AND finished_at IS NOT NULL', [target.id])) ===
          1,
        'crawl run',
      );
      const { rows } = await tdb.db.query<{ job_id: string }>(
        'test.job_id',
        'SELECT job_id FROM crawl_runs WHERE target_id = $1',
        [target.id],
      );
      expect(rows.map((r) => r.job_id)).toEqual([jobId]);
    } finally {
      await shop.close();
    }
  }, 60_000);

  describe.each([
    ['READ COMMITTED', ''],
    ['SERIALIZABLE', 'options=-c%20default_transaction_isolation%3Dserializable'],
  ])('P1 on %s', (_name, options) => {
    it('8 concurrent writers of the same 10,000 mentions store exactly 10,000, with rollups counted once', async () => {
      const fresh = await createPostgresTestDb();
      const url = options ? `${fresh.url}${fresh.url.includes('?') ? '&' : '?'}${options}` : fresh.url;
      const writers: Db[] = Array.from({ length: 8 }, () => createDb(url, testLog, { max: 1 }));
      try {
        const items = Array.from({ length: 10_000 }, (_, i) => ({
          source: 'p1',
          sourceId: `p1-${i}`,
          url: `https://social.example/p1/${i}`,
          author: `author${i % 300}`,
          title: null,
          text: `post ${i}: the #glassskin routine is ${i % 3 ? 'great' : 'awful'} with the Lumina serum ${i % 17}`,
          publishedAt: new Date(Date.UTC(2026, 9, 1 + (i % 30), i % 24)).toISOString(),
          lang: 'en',
        }));
        const mentions = toMentions(items, null, [
          {
            key: 'lumina',
            name: 'Lumina',
            kind: 'brand',
            aliases: [],
            exclude: [],
            required: [],
            any: [],
            languages: [],
          },
        ]);
        await Promise.all(
          writers.map(async (w) => {
            for (let i = 0; i < mentions.length; i += 1000)
              await insertMentions(w, mentions.slice(i, i + 1000));
          }),
        );
        expect(await count(fresh.db, 'mentions')).toBe(10_000);
        const sums = await fresh.db.query<{ daily: number; entity: number; links: number }>(
          'p1',
          `SELECT (SELECT sum(mentions)::int FROM mention_daily) AS daily,
                  (SELECT sum(mentions)::int FROM entity_daily WHERE aspect = '') AS entity,
                  (SELECT count(*)::int FROM mention_entities) AS links`,
        );
        expect(sums.rows[0]).toEqual({ daily: 10_000, entity: 10_000, links: 10_000 });
      } finally {
        await Promise.all(writers.map((w) => w.close()));
        await fresh.close();
      }
    }, 120_000);
  });

  it('P3: four instances migrating an empty database at once, ten rounds; then ten rounds of one pending migration', async () => {
    const migrations = readMigrations();
    for (let round = 0; round < 10; round++) {
      const empty = await createEmptyPostgresDb();
      const pools = Array.from({ length: 4 }, () => createDb(empty.url, testLog, { max: 2 }));
      try {
        const applied = await Promise.all(pools.map((p) => migrate(p, testLog)));
        // Exactly one instance applied each migration; the others found it done.
        expect(applied.flat().sort()).toEqual(migrations.map((m) => m.version).sort());
        const pending = [
          ...migrations,
          { version: 9000 + round, name: `p3_probe`, sql: `CREATE TABLE p3_probe (id int)` },
        ];
        const second = await Promise.all(pools.map((p) => migrate(p, testLog, pending)));
        expect(second.flat()).toEqual([9000 + round]);
        expect(await count(pools[0], 'schema_migrations')).toBe(migrations.length + 1);
      } finally {
        await Promise.all(pools.map((p) => p.close()));
        await empty.drop();
      }
    }
  }, 120_000);
});
