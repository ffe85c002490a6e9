import { type EventInput, eventParams, insertEventsSql } from './events.ts';
import type { Db } from './pool.ts';
import {
  recordOutcomeParams,
  recordOutcomeSql,
  TARGET_COLUMNS,
  type Target,
  type TargetKind,
} from './targets.ts';

export type CrawlOutcome =
  | 'ok'
  | 'unchanged'
  | 'blocked'
  | 'robots_disallowed'
  | 'failed'
  | 'timeout'
  | 'too_large';

export interface CrawlRun {
  id: number;
  targetId: number;
  windowStart: Date;
  jobId: string | null;
  worker: string | null;
  attempts: number;
  startedAt: Date;
  finishedAt: Date | null;
  outcome: CrawlOutcome | null;
  reason: string | null;
  httpStatus: number | null;
  url: string | null;
  items: number;
}

/** crawl_runs column → CrawlRun field. */
const RUN_FIELDS = [
  ['id', 'id'],
  ['target_id', 'targetId'],
  ['window_start', 'windowStart'],
  ['job_id', 'jobId'],
  ['worker', 'worker'],
  ['attempts', 'attempts'],
  ['started_at', 'startedAt'],
  ['finished_at', 'finishedAt'],
  ['outcome', 'outcome'],
  ['reason', 'reason'],
  ['http_status', 'httpStatus'],
  ['url', 'url'],
  ['items', 'items'],
] as const;

const COLUMNS = RUN_FIELDS.map(([c, f]) => `${c} AS "${f}"`).join(', ');
/** The same columns as `run_<field>`, to sit beside a target's in one row. */
const PREFIXED = RUN_FIELDS.map(([c, f]) => `${c} AS "run_${f}"`).join(', ');

/** An unfinished run may be taken over by its own job's retry, or by anyone once abandoned for 10 minutes. */
const RECLAIMABLE = `crawl_runs.finished_at IS NULL AND (crawl_runs.job_id = EXCLUDED.job_id
  OR crawl_runs.started_at < now() - interval '10 minutes')`;

/**
 * Claims the run of a target for one schedule window. The caller owns the run when the returned `jobId` is its
 * own and `finishedAt` is null: a redelivered job (same id) takes its run back, a duplicate job (another id)
 * finds the run owned by someone else or finished, and must not crawl.
 */
export async function claimCrawlRun(
  db: Db,
  targetId: number,
  windowStart: Date,
  jobId: string,
  worker: string,
): Promise<CrawlRun> {
  const { rows } = await db.query<CrawlRun>(
    'crawl_runs.claim',
    `INSERT INTO crawl_runs (target_id, window_start, job_id, worker) VALUES ($1, $2, $3, $4)
     ON CONFLICT (target_id, window_start) DO UPDATE SET
       attempts = crawl_runs.attempts + CASE WHEN ${RECLAIMABLE} THEN 1 ELSE 0 END,
       worker = CASE WHEN ${RECLAIMABLE} THEN EXCLUDED.worker ELSE crawl_runs.worker END,
       job_id = CASE WHEN ${RECLAIMABLE} THEN EXCLUDED.job_id ELSE crawl_runs.job_id END
     RETURNING ${COLUMNS}`,
    [targetId, windowStart, jobId, worker],
  );
  return rows[0];
}

/** A job's view of its target and of the run it claimed for the window its schedule tick falls in. */
export interface ClaimedRun {
  /** Null when the target no longer exists. */
  target: Target | null;
  /** Null when nothing was claimed: no target, a disabled one, or a kind not in `kinds`. */
  run: CrawlRun | null;
}

/**
 * Reads a target and, when it is enabled and of one of `kinds`, claims its run for the schedule window of
 * `scheduledAt` (ms since epoch) in the same statement — one round trip where `getTarget` then `claimCrawlRun`
 * took two. The window is `windowStartOf(scheduledAt, target.intervalSeconds)` (jobs/crawl-target.ts), computed
 * here in integer milliseconds: a tick up to min(500 ms, interval / 4) early belongs to the window it was meant for.
 */
export async function claimTargetRun(
  db: Db,
  targetId: number,
  scheduledAt: number,
  jobId: string,
  worker: string,
  kinds: readonly TargetKind[],
): Promise<ClaimedRun> {
  if (!Number.isFinite(scheduledAt))
    throw new Error(`scheduledAt must be a number of ms, got ${scheduledAt}`);
  const { rows } = await db.query<Target & Record<string, unknown>>(
    'crawl_runs.claim_target',
    `WITH t AS (SELECT ${TARGET_COLUMNS} FROM targets WHERE id = $1),
     w AS (
       SELECT t.id, to_timestamp(
           ($2::bigint + least(500, t."intervalSeconds" * 250)) / (t."intervalSeconds" * 1000::bigint)
           * t."intervalSeconds") AS window_start
       FROM t WHERE t.enabled AND t.kind = ANY($5::text[])),
     run AS (
       INSERT INTO crawl_runs (target_id, window_start, job_id, worker) SELECT id, window_start, $3, $4 FROM w
       ON CONFLICT (target_id, window_start) DO UPDATE SET
         attempts = crawl_runs.attempts + CASE WHEN ${RECLAIMABLE} THEN 1 ELSE 0 END,
         worker = CASE WHEN ${RECLAIMABLE} THEN EXCLUDED.worker ELSE crawl_runs.worker END,
         job_id = CASE WHEN ${RECLAIMABLE} THEN EXCLUDED.job_id ELSE crawl_runs.job_id END
       RETURNING ${PREFIXED})
     SELECT t.*, run.* FROM t LEFT JOIN run ON true`,
    [targetId, Math.floor(scheduledAt), jobId, worker, kinds],
  );
  const row = rows[0];
  if (!row) return { target: null, run: null };
  const target = {} as Record<string, unknown>;
  const run = {} as Record<string, unknown>;
  for (const [k, v] of Object.entries(row)) {
    if (k.startsWith('run_')) run[k.slice(4)] = v;
    else target[k] = v;
  }
  return {
    target: target as unknown as Target,
    run: run.id === null ? null : (run as unknown as CrawlRun),
  };
}

export async function finishCrawlRun(
  db: Db,
  id: number,
  r: {
    outcome: CrawlOutcome;
    reason?: string | null;
    httpStatus?: number | null;
    url?: string | null;
    items?: number;
  },
): Promise<void> {
  await db.query(
    'crawl_runs.finish',
    `UPDATE crawl_runs SET finished_at = now(), outcome = $2, reason = $3, http_status = $4, url = $5, items = $6
     WHERE id = $1`,
    [id, r.outcome, r.reason ?? null, r.httpStatus ?? null, r.url ?? null, r.items ?? 0],
  );
}

export async function listCrawlRuns(
  db: Db,
  targetId: number,
  f: { beforeId?: number; limit?: number } = {},
): Promise<CrawlRun[]> {
  const { rows } = await db.query<CrawlRun>(
    'crawl_runs.list',
    `SELECT ${COLUMNS} FROM crawl_runs WHERE target_id = $1 AND ($2::bigint IS NULL OR id < $2)
     ORDER BY id DESC LIMIT $3`,
    [targetId, f.beforeId ?? null, f.limit ?? 50],
  );
  return rows;
}

/** How a product page's run ended, with the events it derived. */
export interface ProductRunEnd {
  runId: number;
  targetId: number;
  outcome: CrawlOutcome;
  httpStatus: number | null;
  url: string;
  reason: string | null;
  events: EventInput[];
}

/**
 * Ends a successful product-page run in one statement: stores its events (idempotent by dedup key), finishes the
 * run and records the outcome on its target. One statement is one transaction: either the run is finished with
 * all its events, or nothing of it is (and a redelivered job derives the same events from the same observation).
 * Returns the event ids, ascending.
 */
export async function finishProductRun(db: Db, end: ProductRunEnd): Promise<number[]> {
  const { rows } = await db.query<{ eventIds: string[] }>(
    'crawl_runs.finish_product',
    `WITH ev AS (${insertEventsSql(1)}),
     run AS (
       UPDATE crawl_runs SET finished_at = now(), outcome = $10, reason = $11, http_status = $12, url = $13, items = 1
       WHERE id = $14 RETURNING id),
     t AS (${recordOutcomeSql(15)} RETURNING id)
     SELECT COALESCE(array_agg(ev.id ORDER BY ev.id), '{}') AS "eventIds" FROM ev`,
    [
      ...eventParams(end.events),
      end.outcome,
      end.reason,
      end.httpStatus,
      end.url,
      end.runId,
      ...recordOutcomeParams(end.targetId, { outcome: end.outcome, ok: true }),
    ],
  );
  return rows[0].eventIds.map(Number);
}
