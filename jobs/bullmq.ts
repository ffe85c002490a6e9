/**
 * The distributed job system: BullMQ queues over Redis, one Job Scheduler per target (upserted, so any number
 * of processes calling it keep exactly one), workers that run the same job definitions as the in-process runner.
 * Only this file (and the in-process runner) knows about queues.
 *
 * Redis outages (RELIABILITY Q3): producers fail fast with QueueUnavailableError (the API answers 503) instead of
 * queueing commands in memory; workers keep reconnecting and resume by themselves. Jobs that fail for good
 * (RELIABILITY Q2) are swept from the failed sets into Postgres' dead letters by every worker process.
 */
import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { DeadLetterInput } from '../db/index.ts';
import type { Logger } from '../logger.ts';
import { deadLetterJob } from './dead-letter.ts';
import { type JobQueue, QueueUnavailableError } from './job-queue.ts';
import { type ExtraJobs, jobDefinition } from './registry.ts';
import { isPermanentJobError, runJob, UnknownJobError, validatePayload } from './run-job.ts';
import {
  type JobServices,
  QUEUES,
  type QueueName,
  RETRY_POLICY,
  type Scheduler,
  STALL_POLICY,
  STALLED_TOO_OFTEN,
} from './types.ts';

export class RedisMisconfiguredError extends Error {
  readonly code = 'REDIS_MISCONFIGURED';
}

const schedulerId = (targetId: number) => `target:${targetId}`;

/** A producer command (enqueue, schedule) waits at most this long for a Redis that accepts but does not answer. */
export const PRODUCER_COMMAND_TIMEOUT_MS = 1_500;
/** How often each worker process moves failed-for-good jobs to the dead letters (also right after a failure). */
export const DEAD_LETTER_SWEEP_MS = 5_000;
const SWEEP_PAGE = 100;
const SWEEP_MAX_PER_RUN = 1_000;

/** One warning per source and period while Redis is down, not one per reconnection attempt. */
function throttledWarn(log: Logger, everyMs = 10_000) {
  const last = new Map<string, { at: number; suppressed: number }>();
  return (source: string, err: Error) => {
    const now = Date.now();
    const seen = last.get(source);
    if (seen && now - seen.at < everyMs) {
      seen.suppressed++;
      return;
    }
    log.warn({ err: err.message, suppressed: seen?.suppressed ?? 0 }, `redis (${source}) error`);
    last.set(source, { at: now, suppressed: 0 });
  };
}

/**
 * Our job ids use ':' between their parts (`trends:2026-11-22T10`, `alerts:run:42`), as the in-process queue keeps
 * them. BullMQ refuses a custom id with ':' unless it has exactly three parts (its own scheduler ids), so ids cross
 * into Redis with '|' instead and come back out as they went in.
 */
const toBullJobId = (id: string | undefined) => id?.replaceAll(':', '|');
const fromBullJobId = (id: string | undefined) => id?.replaceAll('|', ':');

/** What a failed-for-good BullMQ job becomes in the dead letters. */
function deadLetterOf(job: Job): DeadLetterInput {
  const lastError = job.failedReason || 'unknown error';
  const attemptsMade = job.attemptsMade ?? 0;
  const reason =
    lastError === STALLED_TOO_OFTEN
      ? 'stalled'
      : attemptsMade >= (job.opts.attempts ?? 1)
        ? 'attempts_exhausted'
        : 'unrecoverable';
  // A job failed for stalling is started once more only to be failed: that start ran nothing.
  const started = (job.attemptsStarted ?? 0) - (reason === 'stalled' ? 1 : 0);
  return {
    queue: job.queueName,
    jobName: job.name,
    jobId: fromBullJobId(job.id) ?? '?',
    data: job.data,
    attempts: Math.max(started, attemptsMade),
    stalls: job.stalledCounter ?? 0,
    reason,
    lastError,
    stack: job.stacktrace?.at(-1) ?? null,
    enqueuedAt: new Date(job.timestamp),
    failedAt: new Date(job.finishedOn ?? Date.now()),
  };
}

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
  /** Job definitions beside the registry's (tests, plugins). */
  jobs?: ExtraJobs;
  /** How often failed-for-good jobs are swept into the dead letters (default DEAD_LETTER_SWEEP_MS). */
  deadLetterSweepMs?: number;
  /**
   * The queues this process's workers take jobs from (default all). A process given only `crawl` keeps crawling at
   * full speed while an analyzer job holds another process's event loop (RELIABILITY Q2).
   */
  queues?: readonly QueueName[];
}): Promise<JobQueue> {
  const { log } = opts;
  const warn = throttledWarn(log);
  const definition = (name: string) => jobDefinition(name, opts.jobs);
  // Producers fail fast while Redis is down (the API answers 503) instead of queueing commands in memory: no
  // offline queue, one try per command, and a bound on a Redis that accepts connections but does not answer.
  const producer = new Redis(opts.redisUrl, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    lazyConnect: true,
    commandTimeout: PRODUCER_COMMAND_TIMEOUT_MS,
    connectTimeout: PRODUCER_COMMAND_TIMEOUT_MS,
  });
  producer.on('error', (err) => warn('producer', err));
  await producer.connect();
  const policy = (await producer.config('GET', 'maxmemory-policy')) as string[];
  if (policy[1] !== 'noeviction') {
    producer.disconnect();
    throw new RedisMisconfiguredError(
      `Redis maxmemory-policy is "${policy[1]}": set it to "noeviction" or jobs may be evicted silently`,
    );
  }
  const queues = new Map<QueueName, Queue>(
    Object.values(QUEUES).map((q) => {
      const queue = new Queue(q, {
        connection: producer,
        prefix: opts.prefix,
        defaultJobOptions: {
          ...RETRY_POLICY,
          removeOnComplete: { age: 3600, count: 10_000 },
          removeOnFail: { age: 7 * 24 * 3600 },
        },
      });
      // Without a listener BullMQ prints every connection error to stderr while Redis is down.
      queue.on('error', (err) => warn('queue', err));
      return [q, queue];
    }),
  );
  const workers: Worker[] = [];
  const workerConnections: Redis[] = [];
  let sweepTimer: NodeJS.Timeout | null = null;
  let sweeping: Promise<void> | null = null;
  let sweepAgain = false;
  let closing = false;

  const queueOf = (name: string): Queue => {
    const def = definition(name);
    if (!def) throw new UnknownJobError(`unknown job ${name}`);
    return queues.get(def.queue)!;
  };

  async function guarded<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const message = (err as Error).message ?? '';
      if (
        producer.status !== 'ready' ||
        /Connection is closed|ECONNREFUSED|Stream isn't writeable|Command timed out|max retries per request/i.test(
          message,
        )
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

  const enqueue: JobServices['enqueue'] = async (name, data, o = {}) => {
    const def = definition(name);
    if (!def) throw new UnknownJobError(`unknown job ${name}`);
    validatePayload(def, data);
    await guarded(() => queueOf(name).add(name, data, { jobId: toBullJobId(o.jobId), delay: o.delayMs }));
  };

  /**
   * Moves failed-for-good jobs from Redis' failed sets into Postgres' dead letters: record (idempotent), queue
   * the alert evaluation, then remove from Redis. Until all three happened the job stays in the failed set and the
   * next sweep (any worker process's) tries again, so an outage of Postgres or Redis loses nothing.
   */
  async function sweepOnce(services: JobServices): Promise<void> {
    let moved = 0;
    for (const queue of queues.values()) {
      while (moved < SWEEP_MAX_PER_RUN && !closing) {
        const failed = await queue.getFailed(0, SWEEP_PAGE - 1);
        let progressed = 0;
        for (const job of failed) {
          if (!job?.id) continue;
          await deadLetterJob({ db: services.db, log, enqueue }, deadLetterOf(job));
          await queue.remove(job.id);
          progressed++;
        }
        moved += progressed;
        if (failed.length < SWEEP_PAGE || progressed === 0) break;
      }
    }
  }

  function sweepDeadLetters(services: JobServices): void {
    if (closing) return;
    if (sweeping) {
      sweepAgain = true;
      return;
    }
    sweeping = sweepOnce(services)
      .catch((err: Error) => warn('dead-letter sweep', err))
      .finally(() => {
        sweeping = null;
        if (sweepAgain) {
          sweepAgain = false;
          sweepDeadLetters(services);
        }
      });
  }

  return {
    mode: 'bullmq',
    enqueue,
    scheduler,
    async startWorker(services: JobServices) {
      for (const q of opts.queues ?? Object.values(QUEUES)) {
        // Workers wait for Redis to come back (no per-command retry limit) and resume by themselves.
        const connection = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
        connection.on('error', (err) => warn('worker', err));
        workerConnections.push(connection);
        const worker = new Worker(
          q,
          async (job: Job) => {
            // BullMQ fails a job stalled too often, except one made by a Job Scheduler: that one would run (and
            // block its worker) forever. Both are failed here, before they run again.
            if ((job.stalledCounter ?? 0) > STALL_POLICY.maxStalledCount) {
              throw new UnrecoverableError(STALLED_TOO_OFTEN);
            }
            const def = definition(job.name);
            if (!def) throw new UnrecoverableError(`unknown job ${job.name}`);
            try {
              return await runJob(def, job.data, services, {
                jobId: fromBullJobId(job.id) ?? `${job.name}:?`,
                attempt: job.attemptsMade + 1,
                scheduledAt: job.timestamp + (job.opts.delay ?? 0),
              });
            } catch (err) {
              // No retry can fix these: fail at once (and dead-letter) instead of using up the attempts.
              if (isPermanentJobError(err)) throw new UnrecoverableError((err as Error).message);
              throw err;
            }
          },
          {
            connection,
            prefix: opts.prefix,
            concurrency: opts.concurrency[q] ?? 2,
            lockDuration: opts.lockDurationMs ?? 30_000,
            stalledInterval: opts.lockDurationMs ?? 30_000,
            maxStalledCount: STALL_POLICY.maxStalledCount,
          },
        );
        worker.on('failed', (job, err) => {
          log.warn(
            { job: job?.name, jobId: job?.id, attempt: job?.attemptsMade, err: err.message },
            'job failed',
          );
          sweepDeadLetters(services);
        });
        worker.on('stalled', (jobId) => log.warn({ jobId }, 'job stalled; another worker takes it over'));
        worker.on('error', (err) => warn('worker', err));
        workers.push(worker);
      }
      sweepTimer = setInterval(
        () => sweepDeadLetters(services),
        opts.deadLetterSweepMs ?? DEAD_LETTER_SWEEP_MS,
      );
      sweepTimer.unref();
      sweepDeadLetters(services);
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
      closing = true;
      if (sweepTimer) clearInterval(sweepTimer);
      await sweeping;
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
