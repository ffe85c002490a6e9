/**
 * A real worker process for crash tests (Q1, W7): real Postgres and BullMQ, the real job definitions. Settings
 * come from argv as JSON (`WORKER_LOCK_MS` in `env` sets the lock, `concurrency` the per-queue limits). Prints
 * "ready" once it takes jobs; tests kill it with SIGKILL.
 */
import { loadConfig } from '../../config.ts';
import { createDb } from '../../db/index.ts';
import { createBullmqQueue, type QueueName, startWorker } from '../../jobs/index.ts';
import { createLogger } from '../../logger.ts';

const o = JSON.parse(process.argv[2]) as {
  dbUrl: string;
  redisUrl: string;
  prefix: string;
  env: Record<string, string>;
  concurrency?: Partial<Record<QueueName, number>>;
};
const log = createLogger('silent');
const config = loadConfig({ DEMO: '0', ...o.env });
const db = createDb(o.dbUrl, log, { max: 4 });
const queue = await createBullmqQueue({
  redisUrl: o.redisUrl,
  prefix: o.prefix,
  log,
  concurrency: o.concurrency ?? { crawl: 1 },
  lockDurationMs: config.worker.lockMs,
});
await startWorker(config, db, queue, log, { workerId: o.env.WORKER_ID ?? 'child' });
process.stdout.write('ready\n');
