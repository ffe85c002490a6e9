import type { Db } from './pool.ts';

export interface FxRateRow {
  day: string;
  base: string;
  quote: string;
  rate: string;
}

/** Loads rates in one statement; a rate for an existing (day, base, quote) is replaced. Returns the row count. */
export async function upsertFxRates(db: Db, rates: FxRateRow[]): Promise<number> {
  if (rates.length === 0) return 0;
  const res = await db.query(
    'fx_rates.upsert',
    `INSERT INTO fx_rates (day, base, quote, rate)
     SELECT DISTINCT ON (d, b, q) d, b, q, r FROM unnest($1::date[], $2::text[], $3::text[], $4::numeric[]) AS t(d, b, q, r)
     ON CONFLICT (day, base, quote) DO UPDATE SET rate = EXCLUDED.rate`,
    [rates.map((r) => r.day), rates.map((r) => r.base), rates.map((r) => r.quote), rates.map((r) => r.rate)],
  );
  return res.rowCount ?? 0;
}

/**
 * The rate to turn `from` into `to` on a day: the latest published on or before it, direct, inverse, or through
 * a common base (e.g. BRL→USD through EUR). Returns the rate and the day it was published, or null.
 */
export async function fxRateOn(
  db: Db,
  from: string,
  to: string,
  day: string,
): Promise<{ rate: number; day: string } | null> {
  if (from === to) return { rate: 1, day };
  const { rows } = await db.query<{ rate: number; day: string }>(
    'fx_rates.on',
    `WITH latest AS (
       SELECT DISTINCT ON (base, quote) base, quote, rate::float8 AS rate, day FROM fx_rates
       WHERE day <= $3::date AND (base IN ($1, $2) OR quote IN ($1, $2))
       ORDER BY base, quote, day DESC),
     pairs AS (
       SELECT base AS a, quote AS b, rate, day FROM latest
       UNION ALL SELECT quote, base, 1 / rate, day FROM latest)
     SELECT rate, day::text AS day FROM (
       SELECT rate, day, 0 AS hops FROM pairs WHERE a = $1 AND b = $2
       UNION ALL
       SELECT x.rate * y.rate, least(x.day, y.day), 1 FROM pairs x JOIN pairs y ON x.b = y.a
       WHERE x.a = $1 AND y.b = $2 AND x.b NOT IN ($1, $2)
     ) found ORDER BY hops, day DESC LIMIT 1`,
    [from, to, day],
  );
  return rows[0] ?? null;
}
