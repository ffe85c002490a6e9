/**
 * A large history written straight with SQL (generate_series), for the API benchmark: products crawled hourly
 * with their crawl runs and price observations, price_changed events on a share of them, alerts on the drops,
 * about a thousand mentions a day linked to the demo's entities, the sentiment rollups and a trend every few
 * days. `grow` adds OLDER history, so the recent window the overview asks for stays the same size.
 */
import { type Db, insertAlertRule, listAlertRules, upsertCompetitor, upsertEntities } from '../db/index.ts';
import { DEFAULT_ALERT_RULES } from '../jobs/index.ts';
import { demoEntities } from './voices-fixture.ts';

export const PRODUCTS = 2000;
const CATEGORIES = ['skincare', 'makeup', 'haircare', 'fragrance'];
/** Hours of observations written per statement (PRODUCTS rows an hour). */
const HOURS_PER_STATEMENT = 50;
const MENTIONS_PER_STATEMENT = 50_000;
/** Seconds between two generated mentions: about 1000 a day. */
const MENTION_GAP_S = 86;

export interface HistoryState {
  hours: number;
  mentions: number;
}

export async function seedCatalog(db: Db): Promise<void> {
  const ids: number[] = [];
  for (const key of ['glowco', 'belezabr', 'maisonjs']) {
    const c = await upsertCompetitor(db, {
      key,
      name: key,
      brand: key,
      homepage: `http://${key}.test/`,
      currency: 'USD',
      locale: 'en-US',
    });
    ids.push(c.id);
  }
  await db.query(
    'bench.products',
    `INSERT INTO products (competitor_id, url, name, sku, brand, category)
     SELECT ($1::bigint[])[1 + i % 3], 'http://shop' || (i % 3) || '.test/p/' || i, 'Product ' || i, 'SKU' || i,
       'brand' || (i % 3), ($2::text[])[1 + (i / 3) % 4]
     FROM generate_series(0, $3 - 1) i`,
    [ids, CATEGORIES, PRODUCTS],
  );
  await db.query(
    'bench.targets',
    `INSERT INTO targets (competitor_id, kind, url, interval_seconds) SELECT competitor_id, 'product', url, 3600 FROM products`,
  );
  await upsertEntities(db, demoEntities());
  if ((await listAlertRules(db)).length === 0)
    for (const r of DEFAULT_ALERT_RULES) await insertAlertRule(db, r);
}

/** Grows the history to `hours` of hourly observations per product and `mentions` mentions, going back in time. */
export async function growHistory(db: Db, from: HistoryState, to: HistoryState): Promise<void> {
  const { rows } = await db.query<{ id: number }>(
    'bench.rule',
    `SELECT id FROM alert_rules WHERE event_type = 'price_changed' ORDER BY id LIMIT 1`,
  );
  const ruleId = rows[0].id;
  for (let h = from.hours; h < to.hours; h += HOURS_PER_STATEMENT) {
    const end = Math.min(to.hours, h + HOURS_PER_STATEMENT);
    await db.query(
      'bench.observations',
      `WITH runs AS (
         INSERT INTO crawl_runs (target_id, window_start, started_at, finished_at, outcome, http_status, url, items)
         SELECT t.id, date_trunc('hour', now()) - k * interval '1 hour', date_trunc('hour', now()) - k * interval '1 hour',
           date_trunc('hour', now()) - k * interval '1 hour' + interval '2 seconds', 'ok', 200, t.url, 1
         FROM targets t, generate_series($1::int, $2::int - 1) k
         RETURNING id, target_id, window_start, url)
       INSERT INTO price_observations (product_id, crawl_run_id, observed_at, price, list_price, currency, availability,
         source, confidence, reason, url)
       SELECT p.id, runs.id, runs.window_start, 10 + ((p.id * 31 + runs.id * 7) % 900) / 10.0, NULL, 'USD', 'in_stock',
         'jsonld', 0.95, 'jsonld offer', runs.url
       FROM runs JOIN products p ON p.url = runs.url`,
      [h, end],
    );
    // One observation in twenty is a price change; the drops of 10 % or more raised an alert.
    await db.query(
      'bench.events',
      `WITH ev AS (
         INSERT INTO events (type, dedup_key, occurred_at, competitor_id, product_id, observation_id, subject, payload)
         SELECT 'price_changed', 'price_changed:obs:' || o.id, o.observed_at, p.competitor_id, p.id, o.id, 'product:' || p.id,
           jsonb_build_object('old', (o.price + 1)::text, 'new', o.price::text, 'pct', pct, 'currency', 'USD',
             'newLow30', pct < -20, 'newHigh30', pct > 20, 'productName', p.name)
         FROM price_observations o JOIN products p ON p.id = o.product_id,
           LATERAL (SELECT ((o.id * 7919) % 59) - 29 AS pct) x
         WHERE o.observed_at > date_trunc('hour', now()) - $2::int * interval '1 hour'
           AND o.observed_at <= date_trunc('hour', now()) - $1::int * interval '1 hour'
           AND o.id % 20 = 0 AND pct <> 0
         RETURNING id, occurred_at, subject, payload)
       INSERT INTO alerts (rule_id, event_id, subject, window_start, title, body, severity, payload, created_at)
       SELECT $3, ev.id, ev.subject, ev.occurred_at, 'Price drop', 'A competitor dropped a price', 'info', ev.payload,
         ev.occurred_at
       FROM ev WHERE (ev.payload->>'pct')::int <= -10`,
      [h, end, ruleId],
    );
  }
  const keys = demoEntities().map((e) => e.key);
  for (let i = from.mentions; i < to.mentions; i += MENTIONS_PER_STATEMENT) {
    const end = Math.min(to.mentions, i + MENTIONS_PER_STATEMENT);
    await db.query(
      'bench.mentions',
      `WITH m AS (
         INSERT INTO mentions (source, source_id, url, canonical_url, author, title, body, lang, published_at, entities,
           sentiment, sentiment_label, aspects, source_key, url_key, analyzed_at)
         SELECT 'bluesky', 'bench:' || i, 'https://bsky.app/p/' || i, 'https://bsky.app/p/' || i, 'author' || (i % 5000),
           NULL, 'Loving my ' || k || ' serum, the texture is great #glassskin ' || i, 'en',
           now() - i * $3::int * interval '1 second',
           jsonb_build_array(jsonb_build_object('key', k, 'kind', 'brand', 'field', 'body', 'matched', k)),
           s, CASE WHEN s > 0.05 THEN 'positive' WHEN s < -0.05 THEN 'negative' ELSE 'neutral' END, '[]',
           md5(md5('bluesky') || 'bench:' || i)::uuid, md5('https://bsky.app/p/' || i)::uuid, now()
         FROM generate_series($1::int, $2::int - 1) i,
           LATERAL (SELECT ($4::text[])[1 + i % cardinality($4::text[])] AS k, ((i * 37) % 200 - 100) / 100.0 AS s) x
         RETURNING id, published_at, entities, sentiment)
       INSERT INTO mention_entities (entity_key, published_at, mention_id, sentiment)
       SELECT m.entities->0->>'key', m.published_at, m.id, m.sentiment FROM m`,
      [i, end, MENTION_GAP_S, keys],
    );
  }
  // The rollups, recomputed (the ingest path keeps them incrementally). Written day by day, as ingest writes
  // them: a rollup rebuilt in (entity, day) order would scatter each day's rows over the whole table, so the
  // window's pages would grow with history in the fixture where they do not in a running system.
  await db.query('bench.rollup', 'TRUNCATE entity_daily, mention_daily');
  await db.query(
    'bench.rollup',
    `INSERT INTO entity_daily (entity_key, aspect, day, mentions, sentiment_sum, sentiment_n)
     SELECT entity_key, '', (published_at AT TIME ZONE 'UTC')::date, count(*), coalesce(sum(sentiment), 0), count(sentiment)
     FROM mention_entities GROUP BY 1, 3 ORDER BY 3, 1`,
  );
  await db.query(
    'bench.rollup',
    `INSERT INTO mention_daily (day, mentions)
     SELECT (published_at AT TIME ZONE 'UTC')::date, count(*) FROM mentions GROUP BY 1 ORDER BY 1`,
  );
  const days = Math.ceil((to.mentions * MENTION_GAP_S) / 86_400);
  await db.query(
    'bench.trends',
    `INSERT INTO trends (term, display, detected_at, first_seen, score, growth, count, baseline, window_days,
       distinct_authors, distinct_sources, sentiment, sample_mention_ids)
     SELECT 'term' || d, 'term ' || d, current_date - d, current_date - d - 3, 10 + d % 7, 3.5, 40, 2.1, 7, 25, 1, 0.3,
       '{}'::bigint[]
     FROM generate_series(0, $1::int, 4) d ON CONFLICT (term) DO NOTHING`,
    [days],
  );
  await db.query('bench.analyze', 'ANALYZE');
}

export type { Db };
