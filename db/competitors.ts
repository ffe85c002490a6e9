import type { Db } from './pool.ts';

export interface Competitor {
  id: number;
  key: string;
  name: string;
  brand: string | null;
  homepage: string | null;
  currency: string | null;
  locale: string | null;
}

export async function upsertCompetitor(db: Db, c: Omit<Competitor, 'id'>): Promise<Competitor> {
  const { rows } = await db.query<Competitor>(
    'competitors.upsert',
    `INSERT INTO competitors (key, name, brand, homepage, currency, locale) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (key) DO UPDATE SET name = EXCLUDED.name, brand = EXCLUDED.brand, homepage = EXCLUDED.homepage,
       currency = EXCLUDED.currency, locale = EXCLUDED.locale
     RETURNING id, key, name, brand, homepage, currency, locale`,
    [c.key, c.name, c.brand, c.homepage, c.currency, c.locale],
  );
  return rows[0];
}

export async function listCompetitors(db: Db): Promise<Competitor[]> {
  const { rows } = await db.query<Competitor>(
    'competitors.list',
    'SELECT id, key, name, brand, homepage, currency, locale FROM competitors ORDER BY name',
  );
  return rows;
}
