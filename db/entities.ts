import type { Db } from './pool.ts';

/** A brand, competitor or product people talk about, as a listening query. */
export interface Entity {
  key: string;
  name: string;
  kind: 'brand' | 'competitor' | 'product';
  aliases: string[];
  exclude: string[];
  required: string[];
  any: string[];
  languages: string[];
}

export async function upsertEntities(db: Db, entities: Entity[]): Promise<void> {
  for (const e of entities) {
    await db.query(
      'entities.upsert',
      `INSERT INTO entities (key, name, kind, aliases, exclude, required, any_terms, languages)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (key) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, aliases = EXCLUDED.aliases,
         exclude = EXCLUDED.exclude, required = EXCLUDED.required, any_terms = EXCLUDED.any_terms,
         languages = EXCLUDED.languages`,
      [e.key, e.name, e.kind, e.aliases, e.exclude, e.required, e.any, e.languages],
    );
  }
}

export async function listEntities(db: Db): Promise<Entity[]> {
  const { rows } = await db.query<Entity>(
    'entities.list',
    `SELECT key, name, kind, aliases, exclude, required, any_terms AS any, languages FROM entities ORDER BY kind, name`,
  );
  return rows;
}

export interface SentimentPoint {
  t: string;
  count: number;
  mean: number | null;
}

/** Daily volume and mean sentiment per entity (and aspect), from the entity_daily rollup. */
export async function sentimentSeries(
  db: Db,
  f: { entity?: string; aspect?: string; since: Date; until: Date },
): Promise<{ entity: string; name: string; points: SentimentPoint[] }[]> {
  const { rows } = await db.query<{
    entity: string;
    name: string;
    t: string;
    count: number;
    mean: number | null;
  }>(
    'entity_daily.series',
    `SELECT d.entity_key AS entity, COALESCE(e.name, d.entity_key) AS name, d.day::text AS t, d.mentions AS count,
       CASE WHEN d.sentiment_n > 0 THEN d.sentiment_sum / d.sentiment_n END AS mean
     FROM entity_daily d LEFT JOIN entities e ON e.key = d.entity_key
     WHERE d.aspect = $1 AND ${f.entity ? 'd.entity_key = $4' : 'true'} AND d.day >= $2::date AND d.day <= $3::date
     ORDER BY d.entity_key, d.day`,
    // Two plans, not one generic "$x IS NULL OR …": each uses its index range (entity, aspect, day) or (aspect, day).
    f.entity ? [f.aspect ?? '', f.since, f.until, f.entity] : [f.aspect ?? '', f.since, f.until],
  );
  const out = new Map<string, { entity: string; name: string; points: SentimentPoint[] }>();
  for (const r of rows) {
    const s = out.get(r.entity) ?? { entity: r.entity, name: r.name, points: [] };
    s.points.push({
      t: r.t,
      count: r.count,
      mean: r.mean === null ? null : Math.round(r.mean * 1000) / 1000,
    });
    out.set(r.entity, s);
  }
  return [...out.values()];
}
