import type { Db } from './pool.ts';

export type DeadLetterReason = 'attempts_exhausted' | 'unrecoverable' | 'stalled';

/** A job that failed for good, as the runner saw it. */
export interface DeadLetterInput {
  queue: string;
  jobName: string;
  jobId: string;
  data: unknown;
  /** Attempts started (a stalled run counts). */
  attempts: number;
  stalls: number;
  reason: DeadLetterReason;
  lastError: string;
  stack?: string | null;
  enqueuedAt: Date;
  failedAt: Date;
}

export interface DeadLetter {
  id: number;
  queue: string;
  jobName: string;
  jobId: string;
  data: unknown;
  attempts: number;
  stalls: number;
  reason: DeadLetterReason;
  lastError: string;
  stack: string | null;
  enqueuedAt: Date;
  failedAt: Date;
  recordedAt: Date;
  eventId: number | null;
  retriedAt: Date | null;
}

const COLUMNS = `id, queue, job_name AS "jobName", job_id AS "jobId", data, attempts, stalls, reason,
  last_error AS "lastError", stack, enqueued_at AS "enqueuedAt", failed_at AS "failedAt",
  recorded_at AS "recordedAt", event_id AS "eventId", retried_at AS "retriedAt"`;

/** Errors and stacks are kept readable, not unbounded: a runaway message must not bloat the table. */
const MAX_ERROR_CHARS = 2_000;
const MAX_STACK_CHARS = 8_000;

/**
 * Stores a dead letter and its `job_dead_lettered` event in one transaction. Idempotent per job instance
 * (queue, job id, enqueue time): any number of workers recording the same failed job get the same row and event,
 * and `created` is true for exactly one of them. The event's subject is `job:<name>`, so the operator rule alerts
 * once per job name and cool-down window however many jobs of that name die.
 */
export async function recordDeadLetter(
  db: Db,
  d: DeadLetterInput,
): Promise<{ id: number; eventId: number; created: boolean }> {
  const lastError = d.lastError.slice(0, MAX_ERROR_CHARS) || 'unknown error';
  return db.withTransaction(async (tx) => {
    const { rows } = await tx.query<{ id: number; eventId: number | null; created: boolean }>(
      'dead_letters.record',
      `INSERT INTO dead_letters (queue, job_name, job_id, data, attempts, stalls, reason, last_error, stack,
         enqueued_at, failed_at)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (queue, job_id, enqueued_at) DO UPDATE SET queue = EXCLUDED.queue
       RETURNING id, event_id AS "eventId", (xmax = 0) AS created`,
      [
        d.queue,
        d.jobName,
        d.jobId,
        JSON.stringify(d.data ?? {}),
        d.attempts,
        d.stalls,
        d.reason,
        lastError,
        d.stack ? d.stack.slice(0, MAX_STACK_CHARS) : null,
        d.enqueuedAt,
        d.failedAt,
      ],
    );
    const row = rows[0];
    if (row.eventId !== null) return { id: row.id, eventId: row.eventId, created: row.created };
    const ev = await tx.query<{ id: number }>(
      'dead_letters.event',
      `INSERT INTO events (type, dedup_key, occurred_at, subject, payload)
       VALUES ('job_dead_lettered', $1, $2, $3, $4::jsonb)
       ON CONFLICT (dedup_key) DO UPDATE SET dedup_key = EXCLUDED.dedup_key
       RETURNING id`,
      [
        `dead_letter:${row.id}`,
        d.failedAt,
        `job:${d.jobName}`,
        JSON.stringify({
          deadLetterId: row.id,
          queue: d.queue,
          jobName: d.jobName,
          jobId: d.jobId,
          attempts: d.attempts,
          stalls: d.stalls,
          reason: d.reason,
          lastError: lastError.slice(0, 300),
        }),
      ],
    );
    const eventId = ev.rows[0].id;
    await tx.query('dead_letters.link_event', 'UPDATE dead_letters SET event_id = $2 WHERE id = $1', [
      row.id,
      eventId,
    ]);
    return { id: row.id, eventId, created: row.created };
  });
}

export async function getDeadLetter(db: Db, id: number): Promise<DeadLetter | null> {
  const { rows } = await db.query<DeadLetter>(
    'dead_letters.get',
    `SELECT ${COLUMNS} FROM dead_letters WHERE id = $1`,
    [id],
  );
  return rows[0] ?? null;
}

/** Newest first, keyset-paginated by id. `open`: only those not yet retried. */
export async function listDeadLetters(
  db: Db,
  f: { jobName?: string; queue?: string; open?: boolean; beforeId?: number; limit: number },
): Promise<DeadLetter[]> {
  const { rows } = await db.query<DeadLetter>(
    'dead_letters.list',
    `SELECT ${COLUMNS} FROM dead_letters
      WHERE ($1::text IS NULL OR job_name = $1) AND ($2::text IS NULL OR queue = $2)
        AND (NOT $3::boolean OR retried_at IS NULL) AND ($4::bigint IS NULL OR id < $4)
      ORDER BY id DESC LIMIT $5`,
    [f.jobName ?? null, f.queue ?? null, f.open ?? false, f.beforeId ?? null, f.limit],
  );
  return rows;
}

/** What `/health` shows: dead letters not yet retried, those of the last 24 hours, and the latest one's time. */
export async function countDeadLetters(
  db: Db,
): Promise<{ open: number; last24h: number; lastFailedAt: Date | null }> {
  const { rows } = await db.query<{ open: number; last24h: number; lastFailedAt: Date | null }>(
    'dead_letters.count',
    `SELECT count(*) FILTER (WHERE retried_at IS NULL)::int AS open,
            count(*) FILTER (WHERE failed_at > now() - interval '24 hours')::int AS last24h,
            max(failed_at) AS "lastFailedAt"
       FROM dead_letters`,
  );
  return rows[0];
}

/** Marks a dead letter as re-enqueued; false when it does not exist or was already retried. */
export async function markDeadLetterRetried(db: Db, id: number): Promise<boolean> {
  const { rowCount } = await db.query(
    'dead_letters.mark_retried',
    'UPDATE dead_letters SET retried_at = now() WHERE id = $1 AND retried_at IS NULL',
    [id],
  );
  return rowCount === 1;
}
