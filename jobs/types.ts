import type { Static, TSchema } from '@sinclair/typebox';
import type { Config } from '../config.ts';
import type { PageCrawler } from '../crawlers/index.ts';
import type { Db } from '../db/index.ts';
import type { Logger } from '../logger.ts';
import type { JobMap } from './registry.ts';

/** Queue names: crawl load never delays alert evaluation or delivery. */
export const QUEUES = { crawl: 'crawl', analyze: 'analyze', deliver: 'deliver' } as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** One retry policy for every job: three attempts, exponential backoff from one second. */
export const RETRY_POLICY = { attempts: 3, backoff: { type: 'exponential' as const, delay: 1_000 } };

/**
 * A job whose lock lapses — its worker died, or its processor held the event loop longer than the lock — is
 * taken over at most `maxStalledCount` times; the next time it is failed as stalled and dead-lettered. Both
 * runners apply it (BullMQ's own `maxStalledCount`, which spares scheduler-made jobs, is backed by a check of
 * the job's stall count before it runs).
 */
export const STALL_POLICY = { maxStalledCount: 2 } as const;

/** The reason a job stalled past STALL_POLICY fails with (BullMQ's own wording, used by both runners). */
export const STALLED_TOO_OFTEN = 'job stalled more than allowable limit';

export interface EnqueueOptions {
  /** Same id while pending = enqueued once (BullMQ jobId semantics, mirrored in-process). */
  jobId?: string;
  delayMs?: number;
}

export type Enqueue = <N extends JobName>(name: N, data: JobData<N>, opts?: EnqueueOptions) => Promise<void>;

/** Keeps one recurring crawl per enabled target, whatever the number of processes calling it. */
export interface Scheduler {
  upsert(target: { id: number; intervalSeconds: number; enabled: boolean }): Promise<void>;
  remove(targetId: number): Promise<void>;
  /** Target schedules only. */
  count(): Promise<number>;
  /** Runs a payload-less maintenance job every `everyMs` (one schedule per job name, however many callers). */
  every(job: 'analyze-mentions' | 'check-freshness' | 'send-digests', everyMs: number): Promise<void>;
}

export interface JobServices {
  /** host:pid of this worker process, recorded on what it does. */
  workerId: string;
  config: Config;
  db: Db;
  log: Logger;
  enqueue: Enqueue;
  scheduler: Scheduler;
  /** Created on first use: API-only processes never start a crawler. */
  pageCrawler(): PageCrawler;
}

export interface JobContext extends JobServices {
  jobId: string;
  attempt: number;
  /** When the job was meant to run (the schedule's tick), ms since epoch. */
  scheduledAt: number;
}

export interface JobDefinition<S extends TSchema = TSchema> {
  name: string;
  queue: QueueName;
  schema: S;
  process(data: Static<S>, ctx: JobContext): Promise<unknown>;
}

/** Defines a job with its payload type inferred from the schema. */
export function defineJob<S extends TSchema>(def: JobDefinition<S>): JobDefinition<S> {
  return def;
}

export type JobName = keyof JobMap;
export type JobData<N extends JobName> = Static<JobMap[N]['schema']>;
