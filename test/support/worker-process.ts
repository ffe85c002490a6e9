/**
 * A real worker process for crash tests (Q1, W7, C14, P2): real Postgres and BullMQ, the real job definitions.
 * Settings come from argv as JSON (`WORKER_LOCK_MS` in `env` sets the lock, `concurrency` the per-queue limits,
 * `logLevel` sends the worker's log to stderr, `dbMax` sizes its pool). Prints "ready" once it takes jobs; tests
 * kill it with SIGKILL (see `spawnWorkerProcess` in spawn-worker.ts).
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
  logLevel?: string;
  dbMax?: number;
};
const log = o.logLevel ? createLogger(o.logLevel, 'worker-process', process.stderr) : createLogger('silent');
const config = loadConfig({ DEMO: '0', ...o.env });
const db = createDb(o.dbUrl, log, { max: o.dbMax ?? 4 });
const queue = await createBullmqQueue({
  redisUrl: o.redisUrl,
  prefix: o.prefix,
  log,
  concurrency: o.concurrency ?? { crawl: 1 },
  lockDurationMs: config.worker.lockMs,
});
await startWorker(config, db, queue, log, { workerId: o.env.WORKER_ID ?? 'child' });
process.stdout.write('ready\n');
