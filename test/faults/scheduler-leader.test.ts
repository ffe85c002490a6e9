/**
 * RELIABILITY P4: one scheduler, however many workers; one alert per rule and window, however many retries.
 *
 * There is no elected leader to lose: every schedule (a crawl per target, the freshness check, the digest tick) is
 * one BullMQ Job Scheduler in Redis, upserted by every worker at start, and the job of the next window is created
 * atomically when the current one is taken, by whichever worker takes it. So the test runs three worker processes
 * that start at different moments (each upserting every schedule), SIGKILLs the first one mid-run and starts a
 * replacement (which upserts again), and then counts the jobs of every schedule per window: never two in a window,
 * no schedule without a run for longer than 2 periods, and Postgres' crawl runs agree with Redis.
 *
 * Then the real alert evaluation is made to fail after its database writes on every attempt (3 attempts, then
 * dead-lettered), on both runners: one alert row for the rule and window, one Slack message.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Job, Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.ts';
import { type Db, insertAlertRule, insertChannel, insertEvents, upsertTarget } from '../../db/index.ts';
import {
  createBullmqQueue,
  createInProcessQueue,
  FRESHNESS_EVERY_MS,
  JOBS,
  type JobQueue,
  type RunningWorker,
  startWorker,
} from '../../jobs/index.ts';
import { createPgliteTestDb, createPostgresTestDb, type TestDb, testLog } from '../support/db.ts';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.ts';
import { count } from '../support/pipeline.ts';
import { REDIS_URL, requireService } from '../support/services.ts';
import { enqueueFault, FAULT_JOBS, until } from './queue-fault-jobs.ts';
import { spawnWorkerProcess, stopProcess } from './queue-support.ts';

const ready =
  (await requireService('postgres', 'P4 scheduler and alerts')) &&
  (await requireService('redis', 'P4 scheduler and alerts'));

const figures: Record<string, unknown> = {};
afterAll(() => console.log(`P4 figures: ${JSON.stringify(figures)}`));

const PAGE = `<!doctype html><html><head><title>Dew Serum</title>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"Product","name":"Dew Serum",
"offers":{"@type":"Offer","price":"24.90","priceCurrency":"USD"}}</script></head><body><h1>Dew Serum</h1></body></html>`;

/** Every schedule's period in the test (production: a target's interval, 60 s, DIGEST_TICK_MS). */
const EVERY_MS = 2000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The window (ms since epoch) a scheduler-made job belongs to: its id is `repeat:<scheduler>:<millis>`. */
function windowOf(job: Job): number {
  return Number(job.id!.slice(job.id!.lastIndexOf(':') + 1));
}

describe.skipIf(!ready)('P4: one schedule per window among several worker processes', () => {
  let tdb: TestDb;
  let shop: Server;
  const prefix = `mrtest-p4-${randomBytes(4).toString('hex')}`;
  const children: Awaited<ReturnType<typeof spawnWorkerProcess>>[] = [];
  beforeAll(async () => {
    tdb = await createPostgresTestDb();
    shop = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE));
    await new Promise<void>((r) => shop.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    for (const c of children) await stopProcess(c, 'SIGKILL');
    await new Promise((r) => shop?.close(r));
    await tdb?.close();
  });

  it('three workers (one SIGKILLed, one replacement): every schedule runs once per window, never twice', async () => {
    const host = `127.0.0.1:${(shop.address() as AddressInfo).port}`;
    const targets = [];
    for (let i = 0; i < 3; i++) {
      const { target } = await upsertTarget(tdb.db, {
        kind: 'product',
        url: `http://${host}/p/${i}`,
        intervalSeconds: EVERY_MS / 1000,
      });
      targets.push(target);
    }
    const spawn = (name: string) =>
      spawnWorkerProcess({
        dbUrl: tdb.url,
        redisUrl: REDIS_URL,
        prefix,
        env: { URL_ALLOWLIST: host, DIGEST_TICK_MS: String(EVERY_MS), CRAWL_MAX_RETRIES: '0' },
        concurrency: { crawl: 2, analyze: 2, deliver: 1 },
        lockDurationMs: 2000,
        freshnessEveryMs: EVERY_MS,
        analyzeEveryMs: EVERY_MS,
        workerId: name,
      });
    // Staggered starts: each one upserts every schedule at a different moment.
    for (const name of ['worker-a', 'worker-b', 'worker-c']) {
      children.push(await spawn(name));
      await sleep(700);
    }
    await sleep(8000);
    await stopProcess(children[0], 'SIGKILL');
    await sleep(1500);
    children.push(await spawn('worker-d'));
    await sleep(8000);
    for (const c of children) await stopProcess(c);

    const schedulers = [
      ...targets.map((t) => ({ key: `target:${t.id}`, queue: JOBS['crawl-target'].queue })),
      { key: 'job:check-freshness', queue: JOBS['check-freshness'].queue },
      { key: 'job:send-digests', queue: JOBS['send-digests'].queue },
      { key: 'job:analyze-mentions', queue: JOBS['analyze-mentions'].queue },
    ];
    const perQueue = (queue: string) => schedulers.filter((x) => x.queue === queue).length;
    const perScheduler: Record<string, { windows: number; duplicates: number; skipped: number }> = {};
    for (const { key, queue } of schedulers) {
      const q = new Queue(queue, { connection: { url: REDIS_URL }, prefix });
      const jobs = (
        await q.getJobs(['completed', 'failed', 'active', 'wait', 'delayed', 'prioritized'], 0, -1)
      ).filter((j) => j?.repeatJobKey === key);
      expect(await q.getJobSchedulersCount()).toBe(perQueue(queue));
      const ran = (await q.getJobs(['completed'], 0, -1)).filter((j) => j?.repeatJobKey === key).length;
      await q.close();
      const windows = jobs.map(windowOf).sort((a, b) => a - b);
      const duplicates = windows.length - new Set(windows).size;
      const steps = windows.slice(1).map((w, i) => w - windows[i]);
      // A job taken later than its window (a loaded machine, every worker busy) makes BullMQ skip, never double,
      // the windows it missed: counted, and bounded by the catalogue's "no longer than 2 intervals without a run".
      const skipped = steps.reduce((n, d) => n + Math.max(0, d / EVERY_MS - 1), 0);
      perScheduler[key] = { windows: windows.length, duplicates, skipped };
      expect(windows.length).toBeGreaterThanOrEqual(6);
      expect(duplicates).toBe(0);
      for (const d of steps) {
        expect(d % EVERY_MS).toBe(0);
        expect(d).toBeLessThanOrEqual(2 * EVERY_MS);
      }
      expect(jobs.filter((j) => j.failedReason)).toEqual([]);
      if (key.startsWith('target:')) {
        // Postgres agrees: one crawl run per window that ran, never two.
        const targetId = Number(key.slice('target:'.length));
        expect(await count(tdb.db, 'crawl_runs', 'target_id = $1', [targetId])).toBe(ran);
      }
    }
    figures.schedules = perScheduler;
    expect(FRESHNESS_EVERY_MS).toBe(60_000); // the production default the test compressed
  }, 300_000); // ~24 two-second windows plus three worker processes: 70-85 s quiet, much more on a loaded CI
});

async function alertUnderRetries(db: Db, queue: JobQueue, slack: FakeSlack, label: string) {
  const channel = await insertChannel(db, { kind: 'slack', name: `P4 ${label}`, config: { url: slack.url } });
  const rule = await insertAlertRule(db, {
    name: `P4 ${label}: emerging trends`,
    eventType: 'trend_emerging',
    params: {},
    scope: {},
    cooldownSeconds: 3600,
    channelIds: [channel.id],
  });
  const eventIds = await insertEvents(db, [
    {
      type: 'trend_emerging',
      dedupKey: `p4:${label}:glass-skin`,
      occurredAt: new Date(),
      subject: 'glass skin',
      payload: { term: 'glass skin', score: 9.5, source: 'blog' },
    },
  ]);
  await enqueueFault(queue, 'fault-evaluate-then-fail', { eventIds }, { jobId: `p4-${label}` });
  await until(
    async () => (await count(db, 'dead_letters', "job_name = 'fault-evaluate-then-fail'")) === 1,
    'three failed attempts, then the dead letter',
    60_000,
  );
  await until(async () => slack.requests.length >= 1, 'the Slack message', 30_000);
  await sleep(2000); // room for a duplicate to show up, were there one
  const { rows } = await db.query<{ attempts: number }>(
    'test.p4',
    "SELECT attempts FROM dead_letters WHERE job_name = 'fault-evaluate-then-fail'",
  );
  expect(rows[0].attempts).toBe(3);
  expect(await count(db, 'alerts', 'rule_id = $1', [rule.id])).toBe(1);
  expect(await count(db, 'delivery_messages', 'channel_id = $1', [channel.id])).toBe(1);
  expect(slack.requests).toHaveLength(1);
  figures[`${label}AlertUnderRetries`] = { attempts: 3, alerts: 1, slackMessages: slack.requests.length };
}

describe('P4: one alert per rule and window while the evaluation fails after its writes, 3 times', () => {
  const env = (slack: FakeSlack) => ({
    URL_ALLOWLIST: `127.0.0.1:${slack.port}`,
    DELIVERY_SLACK_INTERVAL_MS: '50',
  });

  it('in-process runner (PGlite)', async () => {
    const [slack, tdb] = await Promise.all([startFakeSlack(), createPgliteTestDb()]);
    const queue = createInProcessQueue({ log: testLog, concurrency: {}, jobs: FAULT_JOBS });
    let worker: RunningWorker | null = null;
    try {
      worker = await startWorker(loadConfig({ DEMO: '0', ...env(slack) }), tdb.db, queue, testLog);
      await alertUnderRetries(tdb.db, queue, slack, 'inProcess');
    } finally {
      await queue.close(2000);
      await worker?.close();
      await tdb.close();
      await slack.close();
    }
  }, 180_000);

  it.skipIf(!ready)(
    'BullMQ runner (real Postgres and Redis)',
    async () => {
      const [slack, tdb] = await Promise.all([startFakeSlack(), createPostgresTestDb()]);
      const queue = await createBullmqQueue({
        redisUrl: REDIS_URL,
        prefix: `mrtest-p4a-${randomBytes(4).toString('hex')}`,
        log: testLog,
        concurrency: {},
        jobs: FAULT_JOBS,
      });
      let worker: RunningWorker | null = null;
      try {
        worker = await startWorker(loadConfig({ DEMO: '0', ...env(slack) }), tdb.db, queue, testLog);
        await alertUnderRetries(tdb.db, queue, slack, 'bullmq');
      } finally {
        await queue.close(2000);
        await worker?.close();
        await tdb.close();
        await slack.close();
      }
    },
    60_000,
  );
});
