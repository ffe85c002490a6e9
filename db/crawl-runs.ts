import { type EventInput, type EventType, eventParams, insertEventsSql } from './events.ts';
import { type ObservationInput, PREVIOUS_JSON, type StoredObservation } from './observations.ts';
import type { Db } from './pool.ts';
import { recordOutcomeSet, TARGET_COLUMNS, type Target, type TargetKind } from './targets.ts';

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

/** A job's view of its target and of the run it claimed for the window its schedule tick falls in. */
export interface ClaimedRun {
  /** Null when the target no longer exists. */
  target: Target | null;
  /** Null when nothing was claimed: no target, a disabled one, or a kind not in `kinds`. */
  run: CrawlRun | null;
  /** For a product target whose run is claimed and open: what its new observation will be compared with. */
  product: ProductRunContext | null;
}

/**
 * A product page's comparison context read when its run is claimed, so the page can be stored, compared and
 * its run finished in one statement after the fetch (`storeProductRuns`).
 */
export interface ProductRunContext {
  /** The claim's time (ms precision): the new observation's `observed_at`. */
  claimedAt: Date;
  /** The product's flag as stored (false when the product does not exist yet). */
  isLaunch: boolean;
  /** The product's latest observation at or before `claimedAt` from another run, null when none. */
  previous: StoredObservation | null;
  /** Price range per currency over the 30 days up to `claimedAt` (other runs only). */
  ranges: { currency: string | null; min: string | null; max: string | null }[];
  /** This run already stored an observation (a redelivery after a crash between two statements). */
  observationStored: boolean;
}

/** One job's claim: its target, when its schedule tick was meant to fire (ms since epoch), its id and worker. */
export interface RunClaim {
  targetId: number;
  scheduledAt: number;
  jobId: string;
  worker: string;
}

/**
 * Reads a target and, when it is enabled and of one of `kinds`, claims its run for the schedule window of
 * `scheduledAt` in the same statement — one round trip where `getTarget` then `claimCrawlRun` took two. The
 * window is `windowStartOf(scheduledAt, target.intervalSeconds)` (jobs/crawl-target.ts), computed here in
 * integer milliseconds: a tick up to min(500 ms, interval / 4) early belongs to the window it was meant for.
 * Claims of several jobs go in one statement (their targets must be distinct); results in input order.
 */
export async function claimTargetRuns(
  db: Db,
  claims: RunClaim[],
  kinds: readonly TargetKind[],
): Promise<ClaimedRun[]> {
  if (claims.length === 0) return [];
  for (const c of claims)
    if (!Number.isFinite(c.scheduledAt))
      throw new Error(`scheduledAt must be a number of ms, got ${c.scheduledAt}`);
  if (new Set(claims.map((c) => c.targetId)).size !== claims.length)
    throw new Error('claimTargetRuns: one claim per target per call');
  const { rows } = await db.query<Target & Record<string, unknown>>(
    'crawl_runs.claim_target',
    `WITH c AS (
       SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) WITH ORDINALITY
         AS c(target_id, scheduled_at, job_id, worker, i)),
     t AS (SELECT c.i AS claim_i, ${TARGET_COLUMNS} FROM c JOIN targets ON targets.id = c.target_id),
     run AS (
       INSERT INTO crawl_runs (target_id, window_start, job_id, worker)
       SELECT t.id, to_timestamp(
           (c.scheduled_at + least(500, t."intervalSeconds" * 250)) / (t."intervalSeconds" * 1000::bigint)
           * t."intervalSeconds"), c.job_id, c.worker
       FROM t JOIN c ON c.i = t.claim_i
       WHERE t.enabled AND t.kind = ANY($5::text[])
       ON CONFLICT (target_id, window_start) DO UPDATE SET
         attempts = crawl_runs.attempts + CASE WHEN ${RECLAIMABLE} THEN 1 ELSE 0 END,
         worker = CASE WHEN ${RECLAIMABLE} THEN EXCLUDED.worker ELSE crawl_runs.worker END,
         job_id = CASE WHEN ${RECLAIMABLE} THEN EXCLUDED.job_id ELSE crawl_runs.job_id END
       RETURNING ${PREFIXED})
     SELECT t.*, run.*, date_trunc('milliseconds', now()) AS "ctx_claimedAt",
       COALESCE(pr.is_launch, false) AS "ctx_isLaunch", prev.previous AS "ctx_previous",
       COALESCE(rng.ranges, '[]'::json) AS "ctx_ranges", own.id IS NOT NULL AS "ctx_observationStored"
     FROM t LEFT JOIN run ON run."run_targetId" = t.id
     LEFT JOIN products pr ON t.kind = 'product' AND run."run_id" IS NOT NULL AND run."run_finishedAt" IS NULL
       AND pr.url = t.url
     LEFT JOIN LATERAL (
       SELECT ${PREVIOUS_JSON} AS previous FROM price_observations p
       WHERE p.product_id = pr.id AND p.crawl_run_id <> run."run_id"
         AND p.observed_at <= date_trunc('milliseconds', now())
       ORDER BY p.observed_at DESC, p.id DESC LIMIT 1) prev ON true
     LEFT JOIN LATERAL (
       SELECT json_agg(json_build_object('currency', g.currency, 'min', g.min::text, 'max', g.max::text)) AS ranges
       FROM (SELECT p.currency, min(p.price) AS min, max(p.price) AS max FROM price_observations p
             WHERE p.product_id = pr.id AND p.crawl_run_id <> run."run_id"
               AND p.observed_at >= date_trunc('milliseconds', now()) - interval '30 days'
               AND p.observed_at <= date_trunc('milliseconds', now())
             GROUP BY p.currency) g) rng ON true
     LEFT JOIN LATERAL (
       SELECT p.id FROM price_observations p WHERE p.product_id = pr.id AND p.crawl_run_id = run."run_id" LIMIT 1
     ) own ON true`,
    [
      claims.map((c) => c.targetId),
      claims.map((c) => Math.floor(c.scheduledAt)),
      claims.map((c) => c.jobId),
      claims.map((c) => c.worker),
      kinds,
    ],
  );
  const out: ClaimedRun[] = claims.map(() => ({ target: null, run: null, product: null }));
  for (const row of rows) {
    const target = {} as Record<string, unknown>;
    const run = {} as Record<string, unknown>;
    const context = {} as Record<string, unknown>;
    for (const [k, v] of Object.entries(row)) {
      if (k.startsWith('run_')) run[k.slice(4)] = v;
      else if (k.startsWith('ctx_')) context[k.slice(4)] = v;
      else if (k !== 'claim_i') target[k] = v;
    }
    const claimed = run.id === null ? null : (run as unknown as CrawlRun);
    out[Number(row.claim_i) - 1] = {
      target: target as unknown as Target,
      run: claimed,
      product:
        claimed && !claimed.finishedAt && target.kind === 'product'
          ? (context as unknown as ProductRunContext)
          : null,
    };
  }
  return out;
}

/** `claimTargetRuns` for one job. */
export async function claimTargetRun(
  db: Db,
  claim: RunClaim,
  kinds: readonly TargetKind[],
): Promise<ClaimedRun> {
  const [claimed] = await claimTargetRuns(db, [claim], kinds);
  return claimed;
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
 * Ends successful product-page runs in one statement: stores their events (idempotent by dedup key), finishes
 * the runs and records the outcome on their targets. One statement is one transaction: either a run is finished
 * with all its events, or nothing of it is (and a redelivered job derives the same events from the same
 * observation). Runs and targets must be distinct. Returns each run's event ids, ascending, in input order.
 */
export async function finishProductRuns(db: Db, ends: ProductRunEnd[]): Promise<number[][]> {
  if (ends.length === 0) return [];
  if (
    new Set(ends.map((e) => e.runId)).size !== ends.length ||
    new Set(ends.map((e) => e.targetId)).size !== ends.length
  )
    throw new Error('finishProductRuns: one end per run and per target per call');
  const events = ends.flatMap((e) => e.events);
  const { rows } = await db.query<{ id: number; dedupKey: string }>(
    'crawl_runs.finish_product',
    `WITH ev AS (${insertEventsSql(1, 'id, dedup_key AS "dedupKey"')}),
     e AS (
       SELECT * FROM unnest($10::bigint[], $11::bigint[], $12::text[], $13::text[], $14::int[], $15::text[])
         AS e(run_id, target_id, outcome, reason, http_status, url)),
     run AS (
       UPDATE crawl_runs SET finished_at = now(), outcome = e.outcome, reason = e.reason,
         http_status = e.http_status, url = e.url, items = 1
       FROM e WHERE crawl_runs.id = e.run_id RETURNING crawl_runs.id),
     t AS (
       UPDATE targets SET ${recordOutcomeSet({ outcome: 'e.outcome', ok: 'true', error: 'NULL', state: 'NULL', items: '0' })}
       FROM e WHERE targets.id = e.target_id RETURNING targets.id)
     SELECT id, "dedupKey" FROM ev`,
    [
      ...eventParams(events),
      ends.map((e) => e.runId),
      ends.map((e) => e.targetId),
      ends.map((e) => e.outcome),
      ends.map((e) => e.reason),
      ends.map((e) => e.httpStatus),
      ends.map((e) => e.url),
    ],
  );
  const idOf = new Map(rows.map((r) => [r.dedupKey, r.id]));
  return ends.map((e) =>
    e.events
      .map((ev) => {
        const id = idOf.get(ev.dedupKey);
        if (id === undefined) throw new Error(`finishProductRuns: event ${ev.dedupKey} not stored`);
        return id;
      })
      .sort((a, b) => a - b),
  );
}

/** A product-page run ready to store in one statement: page, observation, derived events and outcome. */
export interface ProductRunWrite {
  competitorId: number | null;
  targetId: number;
  runId: number;
  product: {
    url: string;
    name?: string | null;
    sku?: string | null;
    brand?: string | null;
    category?: string | null;
  };
  observation: Omit<ObservationInput, 'productId' | 'crawlRunId'>;
  /** What the events were derived from (the claim's `ProductRunContext`): checked before anything is written. */
  basedOn: { previousId: number | null; isLaunch: boolean };
  /** Events without their observation: stored with dedup key `type:obs:<observation id>:key`. */
  events: { type: EventType; key: string; payload: Record<string, unknown> }[];
  outcome: CrawlOutcome;
  httpStatus: number | null;
}

export interface ProductRunWritten {
  observationId: number;
  productId: number;
  /** Ascending. */
  eventIds: number[];
}

/**
 * Stores product-page runs in one statement, each only if what its events were derived from still holds — the
 * product's latest observation is still `basedOn.previousId` and its launch flag unchanged — and no observation
 * of its run exists yet: then the product is upserted, the observation inserted, the events stored (linked to
 * it), the run finished and the target's outcome recorded, all or nothing. A run whose check fails is not
 * touched and comes back null: the caller stores it the slow way (store, compare with what is stored, finish).
 * Runs, targets and product URLs in one call must be distinct. Results in input order.
 */
export async function storeProductRuns(
  db: Db,
  writes: ProductRunWrite[],
): Promise<(ProductRunWritten | null)[]> {
  if (writes.length === 0) return [];
  for (const k of ['runId', 'targetId'] as const)
    if (new Set(writes.map((w) => w[k])).size !== writes.length)
      throw new Error(`storeProductRuns: ${k} must be distinct`);
  if (new Set(writes.map((w) => w.product.url)).size !== writes.length)
    throw new Error('storeProductRuns: product URLs must be distinct');
  const w = <T>(f: (x: ProductRunWrite) => T) => writes.map(f);
  const events = writes.flatMap((x) => x.events.map((e) => ({ runId: x.runId, ...e })));
  const { rows } = await db.query<{ runId: number } & ProductRunWritten>(
    'crawl_runs.store_product_runs',
    `WITH input AS (
       SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[],
         $8::text[], $9::timestamptz[], $10::numeric[], $11::numeric[], $12::text[], $13::text[], $14::text[],
         $15::text[], $16::real[], $17::text[], $18::text[], $19::jsonb[], $20::text[], $21::bigint[],
         $22::boolean[], $23::text[], $24::int[])
         AS i(competitor_id, target_id, run_id, product_url, name, sku, brand, category, observed_at, price,
           list_price, currency, currency_raw, availability, source, confidence, evidence, reason, promotions, url,
           previous_id, is_launch, outcome, http_status)),
     ok AS (
       SELECT i.* FROM input i LEFT JOIN products pr ON pr.url = i.product_url
       WHERE COALESCE(pr.is_launch, false) = i.is_launch
         AND NOT EXISTS (
           SELECT 1 FROM price_observations p WHERE p.product_id = pr.id
             AND (p.crawl_run_id = i.run_id OR i.previous_id IS NULL
               OR (p.observed_at, p.id) > (SELECT q.observed_at, q.id FROM price_observations q WHERE q.id = i.previous_id)))),
     prod AS (
       INSERT INTO products (competitor_id, url, name, sku, brand, category, is_launch)
       SELECT competitor_id, product_url, NULLIF(name, ''), NULLIF(sku, ''), NULLIF(brand, ''), NULLIF(category, ''),
         false
       FROM ok
       ON CONFLICT (url) DO UPDATE SET
         name = COALESCE(EXCLUDED.name, products.name), sku = COALESCE(EXCLUDED.sku, products.sku),
         brand = COALESCE(EXCLUDED.brand, products.brand), category = COALESCE(EXCLUDED.category, products.category),
         last_seen_at = now()
       RETURNING id, url),
     o AS (
       INSERT INTO price_observations (product_id, crawl_run_id, observed_at, price, list_price, currency,
         currency_raw, availability, source, confidence, evidence, reason, promotions, url)
       SELECT prod.id, ok.run_id, ok.observed_at, ok.price, ok.list_price, ok.currency, ok.currency_raw,
         ok.availability, ok.source, ok.confidence, ok.evidence, ok.reason, ok.promotions, ok.url
       FROM ok JOIN prod ON prod.url = ok.product_url
       ON CONFLICT (product_id, crawl_run_id) DO NOTHING
       RETURNING id, product_id, crawl_run_id, observed_at),
     done AS (
       SELECT ok.*, o.id AS observation_id, o.product_id, o.observed_at AS at FROM ok JOIN o ON o.crawl_run_id = ok.run_id),
     ev AS (
       INSERT INTO events (type, dedup_key, occurred_at, competitor_id, product_id, target_id, observation_id, subject,
         payload)
       SELECT e.type, e.type || ':obs:' || d.observation_id || ':' || e.key, d.at, d.competitor_id, d.product_id,
         d.target_id, d.observation_id, 'product:' || d.product_id, e.payload
       FROM unnest($25::bigint[], $26::text[], $27::text[], $28::jsonb[]) AS e(run_id, type, key, payload)
       JOIN done d ON d.run_id = e.run_id
       ON CONFLICT (dedup_key) DO UPDATE SET dedup_key = EXCLUDED.dedup_key
       RETURNING id, observation_id),
     run AS (
       UPDATE crawl_runs SET finished_at = now(), outcome = d.outcome, reason = d.reason, http_status = d.http_status,
         url = d.url, items = 1
       FROM done d WHERE crawl_runs.id = d.run_id RETURNING crawl_runs.id),
     t AS (
       UPDATE targets SET ${recordOutcomeSet({ outcome: 'd.outcome', ok: 'true', error: 'NULL', state: 'NULL', items: '0' })}
       FROM done d WHERE targets.id = d.target_id RETURNING targets.id)
     SELECT d.run_id AS "runId", d.observation_id AS "observationId", d.product_id AS "productId",
       COALESCE((SELECT array_agg(ev.id ORDER BY ev.id) FROM ev WHERE ev.observation_id = d.observation_id), '{}')
         AS "eventIds"
     FROM done d`,
    [
      w((x) => x.competitorId),
      w((x) => x.targetId),
      w((x) => x.runId),
      w((x) => x.product.url),
      w((x) => x.product.name ?? ''),
      w((x) => x.product.sku ?? ''),
      w((x) => x.product.brand ?? ''),
      w((x) => x.product.category ?? ''),
      w((x) => x.observation.observedAt),
      w((x) => x.observation.price),
      w((x) => x.observation.listPrice),
      w((x) => x.observation.currency),
      w((x) => x.observation.currencyRaw),
      w((x) => x.observation.availability),
      w((x) => x.observation.source),
      w((x) => x.observation.confidence),
      w((x) => x.observation.evidence),
      w((x) => x.observation.reason),
      w((x) => JSON.stringify(x.observation.promotions)),
      w((x) => x.observation.url),
      w((x) => x.basedOn.previousId),
      w((x) => x.basedOn.isLaunch),
      w((x) => x.outcome),
      w((x) => x.httpStatus),
      events.map((e) => e.runId),
      events.map((e) => e.type),
      events.map((e) => e.key),
      events.map((e) => JSON.stringify(e.payload)),
    ],
  );
  const byRun = new Map(rows.map((r) => [Number(r.runId), r]));
  return writes.map((x) => {
    const r = byRun.get(x.runId);
    return r
      ? {
          observationId: r.observationId,
          productId: r.productId,
          eventIds: (r.eventIds as unknown[]).map(Number),
        }
      : null;
  });
}
