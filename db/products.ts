import type { Db } from './pool.ts';

export interface ProductInput {
  url: string;
  name?: string | null;
  sku?: string | null;
  brand?: string | null;
  category?: string | null;
}

export interface ProductRef {
  id: number;
  url: string;
  isLaunch: boolean;
  created: boolean;
}

/**
 * Upserts products of one competitor in one statement (batched with unnest). New products found after the
 * competitor's baseline are flagged `isLaunch` so their first price becomes a `launched` event.
 */
export async function upsertProducts(
  db: Db,
  competitorId: number | null,
  products: ProductInput[],
  opts: { launches: boolean },
): Promise<ProductRef[]> {
  if (products.length === 0) return [];
  const { rows } = await db.query<ProductRef>(
    'products.upsert',
    `INSERT INTO products (competitor_id, url, name, sku, brand, category, is_launch)
     SELECT $1, u, NULLIF(n, ''), NULLIF(s, ''), NULLIF(b, ''), NULLIF(c, ''), $7
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t(u, n, s, b, c)
     ON CONFLICT (url) DO UPDATE SET
       name = COALESCE(EXCLUDED.name, products.name), sku = COALESCE(EXCLUDED.sku, products.sku),
       brand = COALESCE(EXCLUDED.brand, products.brand), category = COALESCE(EXCLUDED.category, products.category),
       last_seen_at = now()
     RETURNING id, url, is_launch AS "isLaunch", (xmax = 0) AS created`,
    [
      competitorId,
      products.map((p) => p.url),
      products.map((p) => p.name ?? ''),
      products.map((p) => p.sku ?? ''),
      products.map((p) => p.brand ?? ''),
      products.map((p) => p.category ?? ''),
      opts.launches,
    ],
  );
  return rows;
}

export interface ProductSummary {
  id: number;
  competitorId: number | null;
  competitor: string | null;
  url: string;
  name: string | null;
  sku: string | null;
  brand: string | null;
  category: string | null;
  firstSeenAt: Date;
  isLaunch: boolean;
}

export async function getProduct(db: Db, id: number): Promise<ProductSummary | null> {
  const { rows } = await db.query<ProductSummary>(
    'products.get',
    `SELECT p.id, p.competitor_id AS "competitorId", c.name AS competitor, p.url, p.name, p.sku, p.brand, p.category,
       p.first_seen_at AS "firstSeenAt", p.is_launch AS "isLaunch"
     FROM products p LEFT JOIN competitors c ON c.id = p.competitor_id WHERE p.id = $1`,
    [id],
  );
  return rows[0] ?? null;
}
