import type { Db } from './pool.ts';

export interface ObservationInput {
  productId: number;
  crawlRunId: number;
  observedAt: Date;
  price: string | null;
  listPrice: string | null;
  currency: string | null;
  currencyRaw: string | null;
  availability: string | null;
  source: string | null;
  confidence: number | null;
  evidence: string | null;
  reason: string | null;
  promotions: unknown[];
  url: string;
}

export interface StoredObservation {
  id: number;
  productId: number;
  observedAt: Date;
  price: string | null;
  listPrice: string | null;
  currency: string | null;
  availability: string | null;
  promotions: { kind: string; text: string; code: string | null }[];
}

/** The observation a new one is compared with, plus the 30-day range before it. */
export interface ObservationContext {
  observationId: number;
  previous: StoredObservation | null;
  min30: string | null;
  max30: string | null;
}

/**
 * Stores a batch of observations in one statement. Idempotent per (product, crawl run): a re-delivered job
 * gets the already-stored rows back, so whatever it derives next is derived from the same ids.
 */
export async function insertObservations(db: Db, obs: ObservationInput[]): Promise<StoredObservation[]> {
  if (obs.length === 0) return [];
  const col = <K extends keyof ObservationInput>(k: K) => obs.map((o) => o[k]);
  const { rows } = await db.query<StoredObservation>(
    'price_observations.insert',
    `INSERT INTO price_observations (product_id, crawl_run_id, observed_at, price, list_price, currency, currency_raw,
       availability, source, confidence, evidence, reason, promotions, url)
     SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::numeric[], $5::numeric[], $6::text[],
       $7::text[], $8::text[], $9::text[], $10::real[], $11::text[], $12::text[], $13::jsonb[], $14::text[])
     ON CONFLICT (product_id, crawl_run_id) DO UPDATE SET url = EXCLUDED.url
     RETURNING id, product_id AS "productId", observed_at AS "observedAt", price::text, list_price::text AS "listPrice",
       currency, availability, promotions`,
    [
      col('productId'),
      col('crawlRunId'),
      col('observedAt'),
      col('price'),
      col('listPrice'),
      col('currency'),
      col('currencyRaw'),
      col('availability'),
      col('source'),
      col('confidence'),
      col('evidence'),
      col('reason'),
      obs.map((o) => JSON.stringify(o.promotions)),
      col('url'),
    ],
  );
  return rows;
}

/** For each observation id: the product's previous observation and its 30-day price range before it. */
export async function observationContexts(db: Db, observationIds: number[]): Promise<ObservationContext[]> {
  if (observationIds.length === 0) return [];
  const { rows } = await db.query<{
    observationId: number;
    previous: StoredObservation | null;
    min30: string | null;
    max30: string | null;
  }>(
    'price_observations.contexts',
    `SELECT o.id AS "observationId",
       (SELECT json_build_object('id', p.id, 'productId', p.product_id, 'observedAt', p.observed_at,
          'price', p.price::text, 'listPrice', p.list_price::text, 'currency', p.currency,
          'availability', p.availability, 'promotions', p.promotions)
        FROM price_observations p
        WHERE p.product_id = o.product_id AND (p.observed_at, p.id) < (o.observed_at, o.id)
        ORDER BY p.observed_at DESC, p.id DESC LIMIT 1) AS previous,
       r.min30::text AS min30, r.max30::text AS max30
     FROM price_observations o
     LEFT JOIN LATERAL (
       SELECT min(p.price) AS min30, max(p.price) AS max30 FROM price_observations p
       WHERE p.product_id = o.product_id AND p.observed_at >= o.observed_at - interval '30 days'
         AND (p.observed_at, p.id) < (o.observed_at, o.id) AND p.currency IS NOT DISTINCT FROM o.currency
     ) r ON true
     WHERE o.id = ANY($1::bigint[])`,
    [observationIds],
  );
  return rows;
}

export interface PricePoint {
  observedAt: Date;
  price: string | null;
  listPrice: string | null;
  currency: string | null;
  availability: string | null;
  source: string | null;
  url: string;
}

/** A product's price series in a time range, oldest first, by index range. */
export async function priceSeries(
  db: Db,
  productId: number,
  since: Date,
  until: Date,
): Promise<PricePoint[]> {
  const { rows } = await db.query<PricePoint>(
    'price_observations.series',
    `SELECT observed_at AS "observedAt", price::text, list_price::text AS "listPrice", currency, availability, source, url
     FROM price_observations WHERE product_id = $1 AND observed_at >= $2 AND observed_at < $3
     ORDER BY observed_at LIMIT 5000`,
    [productId, since, until],
  );
  return rows;
}
