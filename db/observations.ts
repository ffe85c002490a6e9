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

/** Observation `p` as a JSON `StoredObservation` (its `observedAt` a string). */
export const PREVIOUS_JSON = `json_build_object('id', p.id, 'productId', p.product_id, 'observedAt', p.observed_at,
          'price', p.price::text, 'listPrice', p.list_price::text, 'currency', p.currency,
          'availability', p.availability, 'promotions', p.promotions)`;

/** The previous observation and the 30-day range before observation `o`, same currency (see `storeProductPages`). */
const CONTEXT_OF_O = `(SELECT ${PREVIOUS_JSON}
        FROM price_observations p
        WHERE p.product_id = o.product_id AND (p.observed_at, p.id) < (o.observed_at, o.id)
        ORDER BY p.observed_at DESC, p.id DESC LIMIT 1) AS previous,
       r.min30::text AS min30, r.max30::text AS max30`;
const RANGE_OF_O = `LEFT JOIN LATERAL (
       SELECT min(p.price) AS min30, max(p.price) AS max30 FROM price_observations p
       WHERE p.product_id = o.product_id AND p.observed_at >= o.observed_at - interval '30 days'
         AND (p.observed_at, p.id) < (o.observed_at, o.id) AND p.currency IS NOT DISTINCT FROM o.currency
     ) r ON true`;

/** A product page as fetched: the product it shows and what was observed on it in one crawl run. */
export interface ProductPageInput {
  competitorId: number | null;
  product: {
    url: string;
    name?: string | null;
    sku?: string | null;
    brand?: string | null;
    category?: string | null;
  };
  observation: Omit<ObservationInput, 'productId'>;
}

/** The stored observation of a product page, with what it is compared with. */
export interface StoredProductPage extends ObservationContext {
  observation: StoredObservation;
  product: { id: number; isLaunch: boolean };
}

/**
 * Stores product pages in one statement: upserts each page's product (never a launch: a
 * product page is not a discovery), inserts its observation (idempotent per product and run: a re-delivered job
 * gets the already-stored row back, so whatever it derives next is derived from the same ids) and returns it
 * with its context: the product's previous observation and its 30-day price range before it. The context is read from
 * the statement's snapshot, which cannot see the row being inserted and excludes a re-delivered run's stored
 * row by the strict (observed_at, id) order — the same answer as reading it after the insert. Product URLs in
 * one call must be distinct. Results come back in input order.
 */
export async function storeProductPages(db: Db, pages: ProductPageInput[]): Promise<StoredProductPage[]> {
  if (pages.length === 0) return [];
  const urls = pages.map((p) => p.product.url);
  if (new Set(urls).size !== urls.length) throw new Error('storeProductPages: product URLs must be distinct');
  const prod = <K extends keyof ProductPageInput['product']>(k: K) => pages.map((p) => p.product[k] ?? '');
  const obs = <K extends keyof ProductPageInput['observation']>(k: K) => pages.map((p) => p.observation[k]);
  const { rows } = await db.query<
    StoredObservation & {
      isLaunch: boolean;
      previous: StoredObservation | null;
      min30: string | null;
      max30: string | null;
    }
  >(
    'price_observations.store_pages',
    `WITH input AS (
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[],
         $8::timestamptz[], $9::numeric[], $10::numeric[], $11::text[], $12::text[], $13::text[], $14::text[],
         $15::real[], $16::text[], $17::text[], $18::jsonb[], $19::text[]) WITH ORDINALITY
         AS i(competitor_id, product_url, name, sku, brand, category, crawl_run_id, observed_at, price, list_price,
           currency, currency_raw, availability, source, confidence, evidence, reason, promotions, url, i)),
     prod AS (
       INSERT INTO products (competitor_id, url, name, sku, brand, category, is_launch)
       SELECT competitor_id, product_url, NULLIF(name, ''), NULLIF(sku, ''), NULLIF(brand, ''), NULLIF(category, ''), false
       FROM input
       ON CONFLICT (url) DO UPDATE SET
         name = COALESCE(EXCLUDED.name, products.name), sku = COALESCE(EXCLUDED.sku, products.sku),
         brand = COALESCE(EXCLUDED.brand, products.brand), category = COALESCE(EXCLUDED.category, products.category),
         last_seen_at = now()
       RETURNING id, url, is_launch),
     o AS (
       INSERT INTO price_observations (product_id, crawl_run_id, observed_at, price, list_price, currency,
         currency_raw, availability, source, confidence, evidence, reason, promotions, url)
       SELECT prod.id, i.crawl_run_id, i.observed_at, i.price, i.list_price, i.currency, i.currency_raw,
         i.availability, i.source, i.confidence, i.evidence, i.reason, i.promotions, i.url
       FROM input i JOIN prod ON prod.url = i.product_url
       ON CONFLICT (product_id, crawl_run_id) DO UPDATE SET url = EXCLUDED.url
       RETURNING id, product_id, observed_at, price, list_price, currency, availability, promotions)
     SELECT o.id, o.product_id AS "productId", o.observed_at AS "observedAt", o.price::text,
       o.list_price::text AS "listPrice", o.currency, o.availability, o.promotions, prod.is_launch AS "isLaunch",
       ${CONTEXT_OF_O}
     FROM o JOIN prod ON prod.id = o.product_id JOIN input ON input.product_url = prod.url
     ${RANGE_OF_O}
     ORDER BY input.i`,
    [
      pages.map((p) => p.competitorId),
      urls,
      prod('name'),
      prod('sku'),
      prod('brand'),
      prod('category'),
      obs('crawlRunId'),
      obs('observedAt'),
      obs('price'),
      obs('listPrice'),
      obs('currency'),
      obs('currencyRaw'),
      obs('availability'),
      obs('source'),
      obs('confidence'),
      obs('evidence'),
      obs('reason'),
      pages.map((p) => JSON.stringify(p.observation.promotions)),
      obs('url'),
    ],
  );
  if (rows.length !== pages.length)
    throw new Error(`storeProductPages: ${rows.length} of ${pages.length} stored`);
  return rows.map(({ isLaunch, previous, min30, max30, ...observation }) => ({
    observationId: observation.id,
    observation,
    product: { id: observation.productId, isLaunch },
    previous,
    min30,
    max30,
  }));
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
