/**
 * A real BullMQ worker process for the queue fault suites (Q2, Q3, P4): the app's `startWorker` with the app's job
 * definitions plus FAULT_JOBS. Settings come from argv as JSON. Prints "ready <pid>" once it takes jobs; tests
 * SIGKILL it or send SIGTERM for a graceful close.
 */
import { loadConfig } from '../../config.ts';
import { createDb } from '../../db/index.ts';
import { createBullmqQueue, type QueueName, startWorker } from '../../jobs/index.ts';
import { createLogger } from '../../logger.ts';
import { FAULT_JOBS } from './queue-fault-jobs.ts';

const o = JSON.parse(process.argv[2]) as {
  dbUrl: string;
  redisUrl: string;
  prefix: string;
  env?: Record<string, string>;
  concurrency?: Partial<Record<QueueName, number>>;
  lockDurationMs?: number;
  freshnessEveryMs?: number;
  analyzeEveryMs?: number;
  workerId?: string;
};
const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const config = loadConfig({ DEMO: '0', ...o.env });
const db = createDb(o.dbUrl, log, { max: 6 });
const queue = await createBullmqQueue({
  redisUrl: o.redisUrl,
  prefix: o.prefix,
  log,
  concurrency: o.concurrency ?? {},
  lockDurationMs: o.lockDurationMs ?? config.worker.lockMs,
  jobs: FAULT_JOBS,
  deadLetterSweepMs: 1_000,
  queues: config.worker.queues,
});
const worker = await startWorker(config, db, queue, log, {
  workerId: o.workerId ?? `child:${process.pid}`,
  freshnessEveryMs: o.freshnessEveryMs,
  analyzeEveryMs: o.analyzeEveryMs,
});
process.once('SIGTERM', async () => {
  await queue.close(5_000);
  await worker.close();
  await db.close();
  process.exit(0);
});
process.stdout.write(`ready ${process.pid}\n`);
