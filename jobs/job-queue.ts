import type { Enqueue, JobServices, Scheduler } from './types.ts';

/** What the rest of the app sees of the job system, in-process or BullMQ alike. */
export interface JobQueue {
  readonly mode: 'in-process' | 'bullmq';
  enqueue: Enqueue;
  scheduler: Scheduler;
  /** Starts processing jobs with these services (worker role). */
  startWorker(services: JobServices): Promise<void>;
  health(): Promise<{ ok: boolean; detail?: string }>;
  /** Stops taking jobs, waits for running ones (up to the grace period), then releases connections. */
  close(graceMs?: number): Promise<void>;
}

export class QueueUnavailableError extends Error {
  readonly code = 'QUEUE_UNAVAILABLE';
}
