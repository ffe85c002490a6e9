/**
 * The distributed job system: BullMQ queues over Redis, one Job Scheduler per target (upserted, so any number
 * of processes calling it keep exactly one), workers that run the same job definitions as the in-process runner.
 * Only this file (and the in-process runner) knows about queues.
 */
import { type Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import { type JobQueue, QueueUnavailableError } from './job-queue.ts';
import { jobDefinition } from './registry.ts';
import { runJob, validatePayload } from './run-job.ts';
import { type JobServices, QUEUES, type QueueName, RETRY_POLICY, type Scheduler } from './types.ts';

export class RedisMisconfiguredError extends Error {
  readonly code = 'REDIS_MISCONFIGURED';
}

const schedulerId = (targetId: number) => `target:${targetId}`;

/**
 * Connects to Redis and checks it is safe for a queue: any eviction policy but `noeviction` can silently drop
 * jobs, so it refuses to start (throws RedisMisconfiguredError).
 */
export async function createBullmqQueue(opts: {
  redisUrl: string;
  prefix: string;
  log: Logger;
  concurrency: Partial<Record<QueueName, number>>;
  /** How long a worker holds a job before another may take it over as stalled. */
  lockDurationMs?: number;
}): Promise<JobQueue> {
  const { log } = opts;
  // Producers fail fast while Redis is down (the API answers 503) instead of queueing commands in memory.
  const producer = new Redis(opts.redisUrl, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    lazyConnect: true,
  });
  producer.on('error', (err) => log.warn({ err: err.message }, 'redis (producer) error'));
  await producer.connect();
  const policy = (await producer.config('GET', 'maxmemory-policy')) as string[];
  if (policy[1] !== 'noeviction') {
    producer.disconnect();
    throw new RedisMisconfiguredError(
      `Redis maxmemory-policy is "${policy[1]}": set it to "noeviction" or jobs may be evicted silently`,
    );
  }
  const queues = new Map<QueueName, Queue>(
    Object.values(QUEUES).map((q) => [
      q,
      new Queue(q, {
        connection: producer,
        prefix: opts.prefix,
        defaultJobOptions: {
          ...RETRY_POLICY,
          removeOnComplete: { age: 3600, count: 10_000 },
          removeOnFail: { age: 7 * 24 * 3600 },
        },
      }),
    ]),
  );
  const workers: Worker[] = [];
  const workerConnections: Redis[] = [];

  const queueOf = (name: string): Queue => {
    const def = jobDefinition(name);
    if (!def) throw new Error(`unknown job ${name}`);
    return queues.get(def.queue)!;
  };

  async function guarded<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const message = (err as Error).message ?? '';
      if (
        producer.status !== 'ready' ||
        /Connection is closed|ECONNREFUSED|Stream isn't writeable/.test(message)
      ) {
        throw new QueueUnavailableError(`job queue unavailable: ${message}`);
      }
      throw err;
    }
  }

  const scheduler: Scheduler = {
    async upsert(target) {
      const crawl = queues.get(QUEUES.crawl)!;
      if (!target.enabled) {
        await guarded(() => crawl.removeJobScheduler(schedulerId(target.id)));
        return;
      }
      await guarded(() =>
        crawl.upsertJobScheduler(
          schedulerId(target.id),
          { every: target.intervalSeconds * 1000 },
          { name: 'crawl-target', data: { targetId: target.id } },
        ),
      );
    },
    async remove(targetId) {
      await guarded(() => queues.get(QUEUES.crawl)!.removeJobScheduler(schedulerId(targetId)));
    },
    async count() {
      const crawl = queues.get(QUEUES.crawl)!;
      const all = await guarded(() => crawl.getJobSchedulers(0, -1));
      return all.filter((s) => s.key.startsWith('target:')).length;
    },
    async every(job, everyMs) {
      await guarded(() =>
        queueOf(job).upsertJobScheduler(`job:${job}`, { every: everyMs }, { name: job, data: {} }),
      );
    },
  };

  return {
    mode: 'bullmq',
    async enqueue(name, data, o = {}) {
      const def = jobDefinition(name)!;
      validatePayload(def, data);
      await guarded(() => queueOf(name).add(name, data, { jobId: o.jobId, delay: o.delayMs }));
    },
    scheduler,
    async startWorker(services: JobServices) {
      for (const q of Object.values(QUEUES)) {
        const connection = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
        connection.on('error', (err) => log.warn({ err: err.message }, 'redis (worker) error'));
        workerConnections.push(connection);
        const worker = new Worker(
          q,
          async (job: Job) => {
            const def = jobDefinition(job.name);
            if (!def) throw new Error(`unknown job ${job.name}`);
            return runJob(def, job.data, services, {
              jobId: job.id ?? `${job.name}:?`,
              attempt: job.attemptsMade + 1,
              scheduledAt: job.timestamp + (job.opts.delay ?? 0),
            });
          },
          {
            connection,
            prefix: opts.prefix,
            concurrency: opts.concurrency[q] ?? 2,
            lockDuration: opts.lockDurationMs ?? 30_000,
            stalledInterval: opts.lockDurationMs ?? 30_000,
            maxStalledCount: 2,
          },
        );
        worker.on('failed', (job, err) =>
          log.warn(
            { job: job?.name, jobId: job?.id, attempt: job?.attemptsMade, err: err.message },
            'job failed',
          ),
        );
        worker.on('stalled', (jobId) => log.warn({ jobId }, 'job stalled; another worker takes it over'));
        worker.on('error', (err) => log.warn({ err: err.message }, 'worker error'));
        workers.push(worker);
      }
    },
    async health() {
      try {
        await producer.ping();
        return { ok: true };
      } catch (err) {
        return { ok: false, detail: (err as Error).message };
      }
    },
    async close(graceMs = 30_000) {
      const closeWorkers = Promise.all(workers.map((w) => w.close()));
      const timedOut = await Promise.race([
        closeWorkers.then(() => false),
        new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref()),
      ]);
      if (timedOut) {
        log.warn('workers did not finish in the grace period; their jobs will be taken over as stalled');
        await Promise.all(workers.map((w) => w.close(true)));
      }
      await Promise.all([...queues.values()].map((q) => q.close()));
      for (const c of workerConnections) c.disconnect();
      producer.disconnect();
    },
  };
}
