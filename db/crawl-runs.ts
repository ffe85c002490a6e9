import type { Db } from './pool.ts';

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

const COLUMNS = `id, target_id AS "targetId", window_start AS "windowStart", job_id AS "jobId", worker, attempts,
  started_at AS "startedAt", finished_at AS "finishedAt", outcome, reason, http_status AS "httpStatus", url, items`;

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
