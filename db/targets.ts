import type { Db } from './pool.ts';

export type TargetKind = 'product' | 'catalog' | 'sitemap' | 'feed' | 'social' | 'page';
export const TARGET_KINDS: readonly TargetKind[] = [
  'product',
  'catalog',
  'sitemap',
  'feed',
  'social',
  'page',
];

export interface TargetOptions {
  needsJs?: boolean;
  currency?: string;
  locale?: string;
  selectors?: { price?: string; listPrice?: string; name?: string; availability?: string };
  /** Social/search targets: the query sent to the source. */
  query?: string;
  /** Social targets: which adapter (bluesky, reddit, hackernews, mastodon, youtube); inferred from the URL if absent. */
  network?: string;
  /** Honour robots.txt (default true). */
  robots?: boolean;
}

export interface Target {
  id: number;
  competitorId: number | null;
  kind: TargetKind;
  url: string;
  label: string | null;
  options: TargetOptions;
  intervalSeconds: number;
  enabled: boolean;
  discoveredFrom: number | null;
  lastRunAt: Date | null;
  lastSuccessAt: Date | null;
  lastOutcome: string | null;
  consecutiveFailures: number;
  createdAt: Date;
  /** Source cursor (feeds, social): where the next run starts. */
  state: Record<string, unknown>;
  itemsFetched: number;
  lastError: string | null;
  lastErrorAt: Date | null;
  failingSince: Date | null;
}

export interface NewTarget {
  competitorId?: number | null;
  kind: TargetKind;
  url: string;
  label?: string | null;
  options?: TargetOptions;
  intervalSeconds?: number;
  enabled?: boolean;
  discoveredFrom?: number | null;
}

/** The columns of a `Target`, camel-cased (also selected by `claimTargetRun`). */
export const TARGET_COLUMNS = `id, competitor_id AS "competitorId", kind, url, label, options, interval_seconds AS "intervalSeconds",
  enabled, discovered_from AS "discoveredFrom", last_run_at AS "lastRunAt", last_success_at AS "lastSuccessAt",
  last_outcome AS "lastOutcome", consecutive_failures AS "consecutiveFailures", created_at AS "createdAt", state,
  items_fetched AS "itemsFetched", last_error AS "lastError", last_error_at AS "lastErrorAt",
  failing_since AS "failingSince"`;

export async function listTargets(
  db: Db,
  f: { kind?: TargetKind; competitorId?: number; enabled?: boolean; afterId?: number; limit?: number } = {},
): Promise<Target[]> {
  const { rows } = await db.query<Target>(
    'targets.list',
    `SELECT ${TARGET_COLUMNS} FROM targets
     WHERE ($1::text IS NULL OR kind = $1) AND ($2::bigint IS NULL OR competitor_id = $2)
       AND ($3::boolean IS NULL OR enabled = $3) AND id > $4
     ORDER BY id LIMIT $5`,
    [f.kind ?? null, f.competitorId ?? null, f.enabled ?? null, f.afterId ?? 0, f.limit ?? 10_000],
  );
  return rows;
}

/**
 * Enabled targets a catalog or sitemap discovered that were never crawled: a fan-out cut short by a crash left
 * them without a schedule or a first crawl (RELIABILITY C14), and they are no longer "new" to the next run.
 */
export async function listUncrawledDiscovered(db: Db, parentId: number): Promise<Target[]> {
  const { rows } = await db.query<Target>(
    'targets.uncrawled_discovered',
    `SELECT ${TARGET_COLUMNS} FROM targets t
     WHERE discovered_from = $1 AND enabled AND last_run_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM crawl_runs r WHERE r.target_id = t.id)
     ORDER BY id`,
    [parentId],
  );
  return rows;
}

export async function getTarget(db: Db, id: number): Promise<Target | null> {
  const { rows } = await db.query<Target>(
    'targets.get',
    `SELECT ${TARGET_COLUMNS} FROM targets WHERE id = $1`,
    [id],
  );
  return rows[0] ?? null;
}

/**
 * Inserts a target, or returns the existing one with the same (kind, url). Safe against a concurrent insert of the
 * same target (the API and a catalog's discovery, a seed and the first crawls it starts).
 */
export async function upsertTarget(
  db: Db,
  t: NewTarget,
): Promise<{ target: Target; created: boolean; schedulePending: boolean }> {
  for (let attempt = 1; ; attempt++) {
    const { rows } = await db.query<Target & { created: boolean; schedulePending: boolean }>(
      'targets.upsert',
      `WITH ins AS (
         INSERT INTO targets (competitor_id, kind, url, label, options, interval_seconds, enabled, discovered_from)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (kind, url) DO NOTHING
         RETURNING ${TARGET_COLUMNS}, true AS created, true AS "schedulePending")
       SELECT * FROM ins
       UNION ALL
       SELECT ${TARGET_COLUMNS}, false AS created, schedule_synced_at IS NULL AS "schedulePending"
       FROM targets WHERE kind = $2 AND url = $3 AND NOT EXISTS (SELECT 1 FROM ins)`,
      [
        t.competitorId ?? null,
        t.kind,
        t.url,
        t.label ?? null,
        JSON.stringify(t.options ?? {}),
        t.intervalSeconds ?? 3600,
        t.enabled ?? true,
        t.discoveredFrom ?? null,
      ],
    );
    if (rows.length > 0) {
      const { created, schedulePending, ...target } = rows[0];
      return { target, created, schedulePending };
    }
    // Neither inserted nor found: another transaction inserted this target after the statement's snapshot was
    // taken and committed before its insert, which then did nothing, while the snapshot cannot see the row. A new
    // statement (a new snapshot) sees it.
    if (attempt === 3)
      throw new Error(`target ${t.kind} ${t.url}: neither inserted nor found after 3 attempts`);
  }
}

export async function updateTarget(
  db: Db,
  id: number,
  patch: Partial<Pick<Target, 'label' | 'options' | 'intervalSeconds' | 'enabled' | 'url' | 'competitorId'>>,
): Promise<Target | null> {
  const { rows } = await db.query<Target>(
    'targets.update',
    `UPDATE targets SET
       label = CASE WHEN $2::boolean THEN $3 ELSE label END,
       options = COALESCE($4::jsonb, options),
       interval_seconds = COALESCE($5, interval_seconds),
       enabled = COALESCE($6, enabled),
       url = COALESCE($7, url),
       competitor_id = CASE WHEN $8::boolean THEN $9 ELSE competitor_id END,
       schedule_synced_at = CASE WHEN $5 <> interval_seconds OR $6 <> enabled THEN NULL ELSE schedule_synced_at END,
       updated_at = now()
     WHERE id = $1 RETURNING ${TARGET_COLUMNS}`,
    [
      id,
      'label' in patch,
      patch.label ?? null,
      patch.options ? JSON.stringify(patch.options) : null,
      patch.intervalSeconds ?? null,
      patch.enabled ?? null,
      patch.url ?? null,
      'competitorId' in patch,
      patch.competitorId ?? null,
    ],
  );
  return rows[0] ?? null;
}

/**
 * Records that these targets' schedules were written to the job queue as given. A target changed since (another
 * interval, enabled or not) stays pending, for its own writer or the sweep.
 */
export async function markSchedulesSynced(
  db: Db,
  targets: readonly Pick<Target, 'id' | 'intervalSeconds' | 'enabled'>[],
): Promise<void> {
  if (targets.length === 0) return;
  await db.query(
    'targets.mark_scheduled',
    `UPDATE targets t SET schedule_synced_at = now()
     FROM unnest($1::bigint[], $2::int[], $3::boolean[]) AS u(id, interval_seconds, enabled)
     WHERE t.id = u.id AND t.schedule_synced_at IS NULL
       AND t.interval_seconds = u.interval_seconds AND t.enabled = u.enabled`,
    [targets.map((t) => t.id), targets.map((t) => t.intervalSeconds), targets.map((t) => t.enabled)],
  );
}

/**
 * Targets whose schedule was never written to the job queue (or not since a change), stored or changed more than
 * `graceMs` ago (their own writer had its chance), oldest first.
 */
export async function listUnscheduledTargets(
  db: Db,
  { graceMs, limit }: { graceMs: number; limit: number },
): Promise<Target[]> {
  const { rows } = await db.query<Target>(
    'targets.unscheduled',
    `SELECT ${TARGET_COLUMNS} FROM targets
     WHERE schedule_synced_at IS NULL AND updated_at < now() - $1 * interval '1 millisecond'
     ORDER BY id LIMIT $2`,
    [graceMs, limit],
  );
  return rows;
}

/**
 * Of these URLs, the ones registered as targets of another kind than product (catalog, sitemap, feed, social,
 * page): a sitemap lists a shop's category pages beside its products, and a page the user registered as a
 * listing is not a product to price.
 */
export async function nonProductTargetUrls(db: Db, urls: readonly string[]): Promise<Set<string>> {
  if (urls.length === 0) return new Set();
  const { rows } = await db.query<{ url: string }>(
    'targets.non_product_urls',
    "SELECT DISTINCT url FROM targets WHERE url = ANY($1::text[]) AND kind <> 'product'",
    [urls],
  );
  return new Set(rows.map((r) => r.url));
}

export async function deleteTarget(db: Db, id: number): Promise<boolean> {
  const res = await db.query('targets.delete', 'DELETE FROM targets WHERE id = $1', [id]);
  return (res.rowCount ?? 0) > 0;
}

/**
 * The SET clause that records a run's outcome on a target, over SQL expressions for its values (parameters of
 * `recordTargetOutcome`, or columns of a batch in `finishProductRuns`): health, last success or error, failure
 * streak, and for sources the new cursor and item count.
 */
export function recordOutcomeSet(v: {
  outcome: string;
  ok: string;
  error: string;
  state: string;
  items: string;
}): string {
  return `last_run_at = now(), last_outcome = ${v.outcome},
       last_success_at = CASE WHEN ${v.ok} THEN now() ELSE last_success_at END,
       consecutive_failures = CASE WHEN ${v.ok} THEN 0 ELSE consecutive_failures + 1 END,
       last_error = CASE WHEN ${v.ok} THEN last_error ELSE ${v.error} END,
       last_error_at = CASE WHEN ${v.ok} THEN last_error_at ELSE now() END,
       failing_since = CASE WHEN ${v.ok} THEN NULL ELSE COALESCE(failing_since, now()) END,
       state = COALESCE(${v.state}, state),
       items_fetched = items_fetched + ${v.items}`;
}

/**
 * Records a run's outcome on its target: health, last success or error, consecutive failures, and for
 * sources the new cursor and item count. Returns the new failure streak.
 */
export async function recordTargetOutcome(
  db: Db,
  id: number,
  outcome: string,
  ok: boolean,
  extra: { error?: string | null; state?: Record<string, unknown>; items?: number } = {},
): Promise<number> {
  const { rows } = await db.query<{ consecutiveFailures: number }>(
    'targets.record_outcome',
    `UPDATE targets SET ${recordOutcomeSet({ outcome: '$2', ok: '$3::boolean', error: '$4::text', state: '$5::jsonb', items: '$6::int' })}
     WHERE id = $1 RETURNING consecutive_failures AS "consecutiveFailures"`,
    [
      id,
      outcome,
      ok,
      extra.error ?? outcome,
      extra.state ? JSON.stringify(extra.state) : null,
      extra.items ?? 0,
    ],
  );
  return rows[0]?.consecutiveFailures ?? 0;
}

export interface StaleTarget {
  id: number;
  competitorId: number | null;
  kind: TargetKind;
  url: string;
  label: string | null;
  intervalSeconds: number;
  lastSuccessAt: Date | null;
  lastError: string | null;
  ageSeconds: number;
}

/**
 * Enabled targets whose last successful crawl is older than `factor` × their interval (or that never succeeded
 * and were created that long ago): a schedule that silently stopped, or a source that keeps failing.
 */
export async function listStaleTargets(db: Db, factor = 2, limit = 1000): Promise<StaleTarget[]> {
  const { rows } = await db.query<StaleTarget>(
    'targets.stale',
    `SELECT id, competitor_id AS "competitorId", kind, url, label, interval_seconds AS "intervalSeconds",
       last_success_at AS "lastSuccessAt", last_error AS "lastError",
       extract(epoch FROM now() - COALESCE(last_success_at, created_at))::int AS "ageSeconds"
     FROM targets
     WHERE enabled AND COALESCE(last_success_at, created_at) < now() - make_interval(secs => interval_seconds * $1::float8)
     ORDER BY COALESCE(last_success_at, created_at) LIMIT $2`,
    [factor, limit],
  );
  return rows;
}
