import type { Db } from './pool.ts';

export type EventType =
  | 'price_changed'
  | 'launched'
  | 'promotion_started'
  | 'promotion_ended'
  | 'stock_out'
  | 'back_in_stock'
  | 'trend_emerging'
  | 'sentiment_shift'
  | 'target_failing'
  | 'target_stale'
  | 'job_dead_lettered';

export interface EventInput {
  type: EventType;
  dedupKey: string;
  occurredAt: Date | string;
  competitorId?: number | null;
  productId?: number | null;
  targetId?: number | null;
  observationId?: number | null;
  subject: string;
  payload: Record<string, unknown>;
}

export interface StoredEvent {
  id: number;
  type: EventType;
  occurredAt: Date;
  competitorId: number | null;
  productId: number | null;
  targetId: number | null;
  observationId: number | null;
  subject: string;
  payload: Record<string, unknown>;
  /** Joined for rule scoping and messages. */
  competitor: string | null;
  category: string | null;
  productName: string | null;
  url: string | null;
}

/**
 * The INSERT of events from parameter arrays `$first…$first+8` (see `eventParams`), returning `returning`: an event whose
 * dedup key exists is returned as stored. Shared with `finishProductRuns`, which stores runs' events with their end.
 */
export function insertEventsSql(first: number, returning = 'id'): string {
  const p = (i: number) => `$${first + i}`;
  return `INSERT INTO events (type, dedup_key, occurred_at, competitor_id, product_id, target_id, observation_id, subject, payload)
     SELECT * FROM unnest(${p(0)}::text[], ${p(1)}::text[], ${p(2)}::timestamptz[], ${p(3)}::bigint[], ${p(4)}::bigint[],
       ${p(5)}::bigint[], ${p(6)}::bigint[], ${p(7)}::text[], ${p(8)}::jsonb[])
     ON CONFLICT (dedup_key) DO UPDATE SET dedup_key = EXCLUDED.dedup_key
     RETURNING ${returning}`;
}

/** The nine parameter arrays of `insertEventsSql`. */
export function eventParams(events: EventInput[]): unknown[] {
  return [
    events.map((e) => e.type),
    events.map((e) => e.dedupKey),
    events.map((e) => e.occurredAt),
    events.map((e) => e.competitorId ?? null),
    events.map((e) => e.productId ?? null),
    events.map((e) => e.targetId ?? null),
    events.map((e) => e.observationId ?? null),
    events.map((e) => e.subject),
    events.map((e) => JSON.stringify(e.payload)),
  ];
}

/**
 * Stores events in one statement; an event whose dedup key exists is returned as stored, so a retried job
 * sees the same ids and the alert step stays idempotent.
 */
export async function insertEvents(db: Db, events: EventInput[]): Promise<number[]> {
  if (events.length === 0) return [];
  const { rows } = await db.query<{ id: number }>('events.insert', insertEventsSql(1), eventParams(events));
  return rows.map((r) => r.id);
}

/** An event's columns (`StoredEvent`) over `events e` with `EVENT_JOINS`. */
export const EVENT_COLUMNS = `e.id, e.type, e.occurred_at AS "occurredAt", e.competitor_id AS "competitorId",
  e.product_id AS "productId", e.target_id AS "targetId", e.observation_id AS "observationId", e.subject, e.payload,
  c.name AS competitor, p.category, p.name AS "productName", COALESCE(o.url, p.url) AS url`;
export const EVENT_JOINS = `LEFT JOIN competitors c ON c.id = e.competitor_id LEFT JOIN products p ON p.id = e.product_id
  LEFT JOIN price_observations o ON o.id = e.observation_id`;

export async function getEvents(db: Db, ids: number[]): Promise<StoredEvent[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<StoredEvent>(
    'events.get_many',
    `SELECT ${EVENT_COLUMNS} FROM events e ${EVENT_JOINS} WHERE e.id = ANY($1::bigint[]) ORDER BY e.id`,
    [ids],
  );
  return rows;
}

/**
 * Marks events evaluated: the alert step has stored their alerts and messages (or found no rule matching), so the
 * evaluation sweep leaves them alone. Ids already marked or deleted are ignored. A row another transaction holds
 * (re-stored under its dedup key at this moment) is skipped rather than waited for: it stays unevaluated and is
 * evaluated once more by the sweep, which the alert step's unique keys make a no-op, and no marker can deadlock.
 */
export async function markEventsEvaluated(db: Db, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.query(
    'events.mark_evaluated',
    `UPDATE events SET evaluated_at = now() WHERE id IN (
       SELECT id FROM events WHERE id = ANY($1::bigint[]) AND evaluated_at IS NULL ORDER BY id FOR UPDATE SKIP LOCKED)`,
    [ids],
  );
}

/**
 * Events stored more than `graceMs` ago and still not evaluated, oldest first, at most `limit`: those whose
 * evaluation request was lost between their commit and its enqueue (a crash, Redis failing) or whose evaluation
 * failed for good. (An evaluation that failed for good marks its events when it is dead-lettered: the dead
 * letter keeps them for a replay, and the sweep does not retry them forever.) Reads the partial index of
 * unevaluated events, never the whole table.
 */
export async function listUnevaluatedEvents(
  db: Db,
  o: { graceMs: number; limit: number },
): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>(
    'events.unevaluated',
    `SELECT id FROM events
     WHERE evaluated_at IS NULL AND created_at < now() - $1 * interval '1 millisecond'
     ORDER BY id LIMIT $2`,
    [o.graceMs, o.limit],
  );
  return rows.map((r) => r.id);
}

export async function eventIdsOfRun(db: Db, crawlRunId: number): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>(
    'events.of_run',
    `SELECT e.id FROM events e JOIN price_observations o ON o.id = e.observation_id WHERE o.crawl_run_id = $1
     UNION SELECT e.id FROM events e WHERE e.dedup_key LIKE 'run:' || $1::text || ':%'`,
    [crawlRunId],
  );
  return rows.map((r) => r.id);
}

export interface PriceChangeRow {
  eventId: number;
  occurredAt: Date;
  productId: number;
  product: string | null;
  competitor: string | null;
  category: string | null;
  oldPrice: string;
  newPrice: string;
  pct: number;
  currency: string | null;
  newLow30: boolean;
  newHigh30: boolean;
  url: string | null;
  source: string | null;
  reason: string | null;
}

export interface PriceChangeFilter {
  competitor?: string;
  category?: string;
  since?: Date;
  until?: Date;
  minPct?: number;
  direction?: 'down' | 'up';
  currency?: string;
  /** Cursor: (occurredAt, eventId) of the last row seen. */
  after?: { occurredAt: string; id: number };
  limit: number;
}

/** The analyst's price changes, newest first, by index range on (type, occurred_at). */
export async function listPriceChanges(db: Db, f: PriceChangeFilter): Promise<PriceChangeRow[]> {
  const { rows } = await db.query<PriceChangeRow>(
    'events.price_changes',
    `SELECT e.id AS "eventId", e.occurred_at AS "occurredAt", e.product_id AS "productId", p.name AS product,
       c.name AS competitor, p.category, e.payload->>'old' AS "oldPrice", e.payload->>'new' AS "newPrice",
       (e.payload->>'pct')::float8 AS pct, e.payload->>'currency' AS currency,
       COALESCE((e.payload->>'newLow30')::boolean, false) AS "newLow30",
       COALESCE((e.payload->>'newHigh30')::boolean, false) AS "newHigh30",
       COALESCE(o.url, p.url) AS url, o.source, o.reason
     FROM events e
     LEFT JOIN products p ON p.id = e.product_id
     LEFT JOIN competitors c ON c.id = e.competitor_id
     LEFT JOIN price_observations o ON o.id = e.observation_id
     WHERE e.type = 'price_changed'
       AND ($1::text IS NULL OR e.competitor_id IN (SELECT id FROM competitors WHERE key = $1 OR name ILIKE $1))
       AND ($2::text IS NULL OR p.category ILIKE $2)
       AND ($3::timestamptz IS NULL OR e.occurred_at >= $3)
       AND ($4::timestamptz IS NULL OR e.occurred_at < $4)
       AND ($5::float8 IS NULL OR abs((e.payload->>'pct')::float8) >= $5)
       AND ($6::text IS NULL OR ($6 = 'down' AND (e.payload->>'pct')::float8 < 0) OR ($6 = 'up' AND (e.payload->>'pct')::float8 > 0))
       AND ($7::text IS NULL OR e.payload->>'currency' = $7)
       AND ($8::timestamptz IS NULL OR (e.occurred_at, e.id) < ($8, $9))
     ORDER BY e.occurred_at DESC, e.id DESC
     LIMIT $10`,
    [
      f.competitor ?? null,
      f.category ?? null,
      f.since ?? null,
      f.until ?? null,
      f.minPct ?? null,
      f.direction ?? null,
      f.currency ?? null,
      f.after?.occurredAt ?? null,
      f.after?.id ?? 0,
      f.limit,
    ],
  );
  return rows;
}

export interface PromotionRow {
  eventId: number;
  startedAt: Date;
  endedAt: Date | null;
  competitor: string | null;
  productId: number | null;
  product: string | null;
  text: string | null;
  code: string | null;
  kind: string | null;
  percentOff: number | null;
  url: string | null;
}

/** Promotions as started, with when they ended (the matching promotion_ended event), newest first. */
export async function listPromotions(
  db: Db,
  f: { competitor?: string; active?: boolean; since?: Date; beforeId?: number; limit: number },
): Promise<PromotionRow[]> {
  const { rows } = await db.query<PromotionRow>(
    'events.promotions',
    `SELECT s.id AS "eventId", s.occurred_at AS "startedAt", e.occurred_at AS "endedAt", c.name AS competitor,
       s.product_id AS "productId", p.name AS product, s.payload->>'text' AS text, s.payload->>'code' AS code,
       s.payload->>'kind' AS kind, (s.payload->>'percentOff')::float8 AS "percentOff", p.url
     FROM events s
     LEFT JOIN competitors c ON c.id = s.competitor_id
     LEFT JOIN products p ON p.id = s.product_id
     LEFT JOIN LATERAL (
       SELECT x.occurred_at FROM events x
       WHERE x.type = 'promotion_ended' AND x.product_id = s.product_id AND x.occurred_at > s.occurred_at
         AND x.payload->>'text' = s.payload->>'text'
       ORDER BY x.occurred_at LIMIT 1) e ON true
     WHERE s.type = 'promotion_started'
       AND ($1::text IS NULL OR c.key = $1 OR c.name ILIKE $1)
       AND ($2::boolean IS NULL OR (e.occurred_at IS NULL) = $2)
       AND ($3::timestamptz IS NULL OR s.occurred_at >= $3)
       AND ($4::bigint IS NULL OR s.id < $4)
     ORDER BY s.id DESC LIMIT $5`,
    [f.competitor ?? null, f.active ?? null, f.since ?? null, f.beforeId ?? null, f.limit],
  );
  return rows;
}

export interface LaunchRow {
  eventId: number;
  launchedAt: Date;
  competitor: string | null;
  productId: number | null;
  product: string | null;
  price: string | null;
  currency: string | null;
  url: string | null;
}

const LAUNCH_SELECT = `SELECT e.id AS "eventId", e.occurred_at AS "launchedAt", c.name AS competitor,
  e.product_id AS "productId", p.name AS product, e.payload->>'price' AS price, e.payload->>'currency' AS currency, p.url
  FROM events e LEFT JOIN competitors c ON c.id = e.competitor_id LEFT JOIN products p ON p.id = e.product_id`;

export async function listLaunches(
  db: Db,
  f: { competitor?: string; since?: Date; beforeId?: number; limit: number },
): Promise<LaunchRow[]> {
  const { rows } = await db.query<LaunchRow>(
    'events.launches',
    `${LAUNCH_SELECT}
     WHERE e.type = 'launched' AND ($1::text IS NULL OR c.key = $1 OR c.name ILIKE $1)
       AND ($2::timestamptz IS NULL OR e.occurred_at >= $2) AND ($3::bigint IS NULL OR e.id < $3)
     ORDER BY e.id DESC LIMIT $4`,
    [f.competitor ?? null, f.since ?? null, f.beforeId ?? null, f.limit],
  );
  return rows;
}

export async function getLaunch(db: Db, eventId: number): Promise<LaunchRow | null> {
  const { rows } = await db.query<LaunchRow>(
    'events.launch',
    `${LAUNCH_SELECT} WHERE e.type = 'launched' AND e.id = $1`,
    [eventId],
  );
  return rows[0] ?? null;
}
