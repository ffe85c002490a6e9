/**
 * The embedded job runner: the same job definitions BullMQ workers run, executed in this process, with the
 * same contracts — jobId dedup while pending, payload validation when added and when taken, retries with
 * exponential backoff, one recurring crawl per target. Nothing survives a restart: the schedules are rebuilt
 * from Postgres at start, and crawl runs are idempotent per window.
 */
import type { Logger } from '../logger.ts';
import type { JobQueue } from './job-queue.ts';
import { jobDefinition } from './registry.ts';
import { runJob, validatePayload } from './run-job.ts';
import {
  type EnqueueOptions,
  type JobServices,
  QUEUES,
  type QueueName,
  RETRY_POLICY,
  type Scheduler,
} from './types.ts';

interface QueuedJob {
  id: string;
  name: string;
  data: unknown;
  attempt: number;
  scheduledAt: number;
}

const RECENT_IDS = 10_000;

export function createInProcessQueue(opts: {
  log: Logger;
  concurrency: Partial<Record<QueueName, number>>;
}): JobQueue {
  const { log } = opts;
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

  const limit = (q: QueueName) => opts.concurrency[q] ?? 2;

  function remember(id: string) {
    recent.push(id);
    recentSet.add(id);
    if (recent.length > RECENT_IDS) recentSet.delete(recent.shift()!);
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
    const def = jobDefinition(job.name)!;
    try {
      await runJob(def, job.data, services!, {
        jobId: job.id,
        attempt: job.attempt,
        scheduledAt: job.scheduledAt,
      });
      known.delete(job.id);
      remember(job.id);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
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
      } else {
        known.delete(job.id);
        log.error(
          { job: job.name, jobId: job.id, attempts: job.attempt, err: message },
          'job failed for good',
        );
      }
    }
  }

  function add(name: string, data: unknown, o: EnqueueOptions & { scheduledAt?: number } = {}) {
    if (closing) return;
    const def = jobDefinition(name);
    if (!def) throw new Error(`unknown job ${name}`);
    validatePayload(def, data);
    const id = o.jobId ?? `${name}:${++seq}`;
    if (known.has(id) || recentSet.has(id)) return;
    known.add(id);
    const job: QueuedJob = {
      id,
      name,
      data,
      attempt: 1,
      scheduledAt: o.scheduledAt ?? Date.now() + (o.delayMs ?? 0),
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

  const scheduler: Scheduler = {
    async upsert(target) {
      const existing = schedules.get(target.id);
      if (existing && existing.intervalSeconds === target.intervalSeconds && target.enabled) return;
      if (existing) clearTimeout(existing.timer);
      schedules.delete(target.id);
      if (!target.enabled) return;
      const ms = target.intervalSeconds * 1000;
      const tick = () => {
        const at = Math.round(Date.now() / ms) * ms;
        add('crawl-target', { targetId: target.id }, { jobId: `crawl:${target.id}:${at}`, scheduledAt: at });
        schedule();
      };
      const schedule = () => {
        // Aligned to multiples of the interval, like BullMQ's `every` schedulers.
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
    enqueue: async (name, data, o) => add(name, data, o),
    scheduler,
    async startWorker(s) {
      services = s;
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
      const all = Promise.allSettled([...running]);
      await Promise.race([all, new Promise((r) => setTimeout(r, graceMs).unref())]);
    },
  };
}
