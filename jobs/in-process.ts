/**
 * The embedded job runner: the same job definitions BullMQ workers run, executed in this process, with the
 * same contracts — jobId dedup while pending, payload validation when added and when taken, retries with
 * exponential backoff, one recurring crawl per target, stalled jobs taken over at most STALL_POLICY times, and
 * jobs that fail for good dead-lettered. Nothing survives a restart: the schedules are rebuilt from Postgres at
 * start, and crawl runs are idempotent per window.
 */
import type { Logger } from '../logger.ts';
import { deadLetterJob } from './dead-letter.ts';
import type { JobQueue } from './job-queue.ts';
import { type ExtraJobs, jobDefinition } from './registry.ts';
import { isPermanentJobError, runJob, UnknownJobError, validatePayload } from './run-job.ts';
import {
  type EnqueueOptions,
  type JobServices,
  QUEUES,
  type QueueName,
  RETRY_POLICY,
  type Scheduler,
  STALL_POLICY,
  STALLED_TOO_OFTEN,
} from './types.ts';

interface QueuedJob {
  id: string;
  name: string;
  data: unknown;
  attempt: number;
  /** Runs lost to a stall (the event loop held past the lock). */
  stalls: number;
  scheduledAt: number;
  enqueuedAt: number;
}

type DeadLetterInput = Parameters<typeof deadLetterJob>[1];

const RECENT_IDS = 10_000;
/** How often an unrecorded dead letter (database down) is tried again. */
const DEAD_LETTER_RETRY_MS = 5_000;
/** Dead letters kept in memory while the database is down; beyond it the oldest are only logged. */
const MAX_PENDING_DEAD_LETTERS = 10_000;

export function createInProcessQueue(opts: {
  log: Logger;
  concurrency: Partial<Record<QueueName, number>>;
  /**
   * A job that holds the event loop longer than this has lost its lock, as it would on BullMQ: its run is
   * discarded and it is taken over (default 30 s, WORKER_LOCK_MS).
   */
  lockDurationMs?: number;
  /** Job definitions beside the registry's (tests, plugins). */
  jobs?: ExtraJobs;
}): JobQueue {
  const { log } = opts;
  const lockMs = opts.lockDurationMs ?? 30_000;
  let services: JobServices | null = null;
  let closing = false;
  let seq = 0;
  const waiting = new Map<QueueName, QueuedJob[]>(Object.values(QUEUES).map((q) => [q, []]));
  const active = new Map<QueueName, number>(Object.values(QUEUES).map((q) => [q, 0]));
  const known = new Set<string>(); // pending or active ids
  const recent: string[] = []; // completed ids kept for dedup, like BullMQ's removeOnComplete window
  const recentSet = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  const schedules = new Map<number, { timer: NodeJS.Timeout; intervalSeconds: number }>();
  const recurring = new Map<string, NodeJS.Timeout>();
  const activeIds = new Set<string>();
  const pendingDeadLetters: DeadLetterInput[] = [];
  let deadLetterTimer: NodeJS.Timeout | null = null;
  let heartbeat: NodeJS.Timeout | null = null;
  let lastBeat = performance.now();

  const limit = (q: QueueName) => opts.concurrency[q] ?? 2;
  const definition = (name: string) => jobDefinition(name, opts.jobs);

  function remember(id: string) {
    recent.push(id);
    recentSet.add(id);
    if (recent.length > RECENT_IDS) recentSet.delete(recent.shift()!);
  }

  /**
   * How long the event loop was held since the last check. BullMQ renews a job's lock from a timer, so a processor
   * that blocks the loop past the lock loses it; here the same hold is measured, by a heartbeat and at the end of
   * every run. A run that returns straight after such a hold is the one that held it (its continuation is the
   * first thing to run after the hold) and is charged with a stall. A hold noticed by the heartbeat, inside a run
   * that went on awaiting, cannot be pinned on one job: it is logged with the jobs in progress.
   */
  function heldSinceLastCheck(): number {
    const now = performance.now();
    const heldMs = now - lastBeat;
    lastBeat = now;
    return heldMs;
  }

  function heartbeatCheck() {
    const heldMs = heldSinceLastCheck();
    if (heldMs <= lockMs || running.size === 0) return;
    log.warn(
      { heldMs: Math.round(heldMs), lockMs, jobs: [...activeIds].slice(0, 20) },
      'the event loop was held longer than the job lock while these jobs ran',
    );
  }

  function pump(q: QueueName) {
    if (!services || closing) return;
    const list = waiting.get(q)!;
    while (list.length > 0 && active.get(q)! < limit(q)) {
      const job = list.shift()!;
      active.set(q, active.get(q)! + 1);
      const p = execute(q, job).finally(() => {
        running.delete(p);
        active.set(q, active.get(q)! - 1);
        pump(q);
      });
      running.add(p);
    }
  }

  async function execute(q: QueueName, job: QueuedJob) {
    activeIds.add(job.id);
    let error: unknown = null;
    let heldMs = 0;
    try {
      const def = definition(job.name);
      if (!def) throw new UnknownJobError(`unknown job ${job.name}`);
      await runJob(def, job.data, services!, {
        jobId: job.id,
        attempt: job.attempt,
        scheduledAt: job.scheduledAt,
      });
    } catch (err) {
      error = err;
    } finally {
      // A processor that returns straight after blocking is caught here, before any timer could notice.
      heldMs = heldSinceLastCheck();
      activeIds.delete(job.id);
    }
    if (heldMs > lockMs && !closing) {
      // As on BullMQ: the run's outcome no longer counts; the job is taken over, or fails as stalled.
      const stalls = job.stalls + 1;
      if (stalls <= STALL_POLICY.maxStalledCount) {
        log.warn(
          { job: job.name, jobId: job.id, stalls, heldMs: Math.round(heldMs), lockMs },
          'job held the event loop past its lock (stalled); it runs again',
        );
        waiting.get(q)!.push({ ...job, stalls });
        return;
      }
      return fail(q, { ...job, stalls }, STALLED_TOO_OFTEN, null, 'stalled');
    }
    if (error === null) {
      known.delete(job.id);
      remember(job.id);
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    const stack = error instanceof Error ? (error.stack ?? null) : null;
    if (isPermanentJobError(error)) return fail(q, job, message, stack, 'unrecoverable');
    if (job.attempt < RETRY_POLICY.attempts && !closing) {
      const delay = RETRY_POLICY.backoff.delay * 2 ** (job.attempt - 1);
      log.warn(
        { job: job.name, jobId: job.id, attempt: job.attempt, err: message },
        'job failed, will retry',
      );
      const t = setTimeout(() => {
        timers.delete(t);
        waiting.get(q)!.push({ ...job, attempt: job.attempt + 1 });
        pump(q);
      }, delay);
      timers.add(t);
      return;
    }
    return fail(q, job, message, stack, closing ? null : 'attempts_exhausted');
  }

  /** A job failed for good: dead-lettered (kept in memory and retried while the database is down). */
  async function fail(
    q: QueueName,
    job: QueuedJob,
    message: string,
    stack: string | null,
    reason: DeadLetterInput['reason'] | null,
  ) {
    known.delete(job.id);
    if (reason === null) {
      log.error(
        { job: job.name, jobId: job.id, attempts: job.attempt, err: message },
        'job failed at shutdown',
      );
      return;
    }
    await recordDeadLetter({
      queue: q,
      jobName: job.name,
      jobId: job.id,
      data: job.data,
      // Runs started: every stalled run, and every attempt but a last one that stalled.
      attempts: job.attempt + job.stalls - (reason === 'stalled' ? 1 : 0),
      stalls: job.stalls,
      reason,
      lastError: message,
      stack,
      enqueuedAt: new Date(job.enqueuedAt),
      failedAt: new Date(),
    });
  }

  async function recordDeadLetter(d: DeadLetterInput) {
    try {
      await deadLetterJob({ ...services!, enqueue }, d);
    } catch (err) {
      log.warn(
        { job: d.jobName, jobId: d.jobId, err: (err as Error).message },
        'could not record a dead letter yet; will retry',
      );
      if (pendingDeadLetters.push(d) > MAX_PENDING_DEAD_LETTERS) {
        const dropped = pendingDeadLetters.shift()!;
        log.error({ job: dropped.jobName, jobId: dropped.jobId, err: dropped.lastError }, 'dead letter lost');
      }
      if (!deadLetterTimer && !closing) {
        deadLetterTimer = setTimeout(retryDeadLetters, DEAD_LETTER_RETRY_MS);
        deadLetterTimer.unref();
      }
    }
  }

  async function retryDeadLetters() {
    deadLetterTimer = null;
    for (const d of pendingDeadLetters.splice(0)) await recordDeadLetter(d);
  }

  function add(name: string, data: unknown, o: EnqueueOptions & { scheduledAt?: number } = {}) {
    if (closing) return;
    const def = definition(name);
    if (!def) throw new UnknownJobError(`unknown job ${name}`);
    validatePayload(def, data);
    const id = o.jobId ?? `${name}:${++seq}`;
    if (known.has(id) || recentSet.has(id)) return;
    known.add(id);
    const job: QueuedJob = {
      id,
      name,
      data,
      attempt: 1,
      stalls: 0,
      scheduledAt: o.scheduledAt ?? Date.now() + (o.delayMs ?? 0),
      enqueuedAt: Date.now(),
    };
    const push = () => {
      waiting.get(def.queue)!.push(job);
      pump(def.queue);
    };
    if (o.delayMs) {
      const t = setTimeout(() => {
        timers.delete(t);
        push();
      }, o.delayMs);
      timers.add(t);
    } else push();
  }

  const enqueue: JobServices['enqueue'] = async (name, data, o) => add(name, data, o);

  const scheduler: Scheduler = {
    async upsert(target) {
      const existing = schedules.get(target.id);
      if (existing && existing.intervalSeconds === target.intervalSeconds && target.enabled) return;
      if (existing) clearTimeout(existing.timer);
      schedules.delete(target.id);
      if (!target.enabled) return;
      const ms = target.intervalSeconds * 1000;
      if (!existing) {
        // As BullMQ's `every` scheduler does, a new schedule's first job runs now, not when the next window
        // starts (up to an interval away: an hour for a target just added). A window already crawled (a restart)
        // is skipped by its claim.
        const now = Date.now();
        add(
          'crawl-target',
          { targetId: target.id },
          { jobId: `crawl:${target.id}:${Math.floor(now / ms) * ms}`, scheduledAt: now },
        );
      }
      const tick = () => {
        const at = Math.round(Date.now() / ms) * ms;
        add('crawl-target', { targetId: target.id }, { jobId: `crawl:${target.id}:${at}`, scheduledAt: at });
        schedule();
      };
      const schedule = () => {
        // Aligned to multiples of the interval: one job per window, whenever the schedule was upserted.
        const next = Math.floor(Date.now() / ms) * ms + ms;
        const timer = setTimeout(tick, next - Date.now());
        schedules.set(target.id, { timer, intervalSeconds: target.intervalSeconds });
      };
      schedule();
    },
    async remove(targetId) {
      const s = schedules.get(targetId);
      if (s) clearTimeout(s.timer);
      schedules.delete(targetId);
    },
    async count() {
      return schedules.size;
    },
    async every(job, everyMs) {
      if (recurring.has(job)) return;
      const tick = () => {
        const at = Math.round(Date.now() / everyMs) * everyMs;
        add(job, {}, { jobId: `${job}:${at}`, scheduledAt: at });
        schedule();
      };
      const schedule = () => {
        const t = setTimeout(tick, Math.floor(Date.now() / everyMs) * everyMs + everyMs - Date.now());
        recurring.set(job, t);
      };
      schedule();
    },
  };

  return {
    mode: 'in-process',
    enqueue,
    scheduler,
    async startWorker(s) {
      services = s;
      lastBeat = performance.now();
      heartbeat = setInterval(heartbeatCheck, Math.max(100, lockMs / 2));
      heartbeat.unref();
      for (const q of Object.values(QUEUES)) pump(q);
    },
    async health() {
      return { ok: !closing };
    },
    async close(graceMs = 30_000) {
      closing = true;
      for (const s of schedules.values()) clearTimeout(s.timer);
      schedules.clear();
      for (const t of recurring.values()) clearTimeout(t);
      recurring.clear();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      if (heartbeat) clearInterval(heartbeat);
      if (deadLetterTimer) clearTimeout(deadLetterTimer);
      const all = Promise.allSettled([...running]);
      await Promise.race([all, new Promise((r) => setTimeout(r, graceMs).unref())]);
      // One last try for dead letters recorded while the database was down.
      if (services && pendingDeadLetters.length) await retryDeadLetters();
    },
  };
}
