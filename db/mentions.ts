import type { Db } from './pool.ts';

/** A mention ready to store: normalised, scored, with its entities and candidate terms already computed. */
export interface MentionInput {
  source: string;
  sourceId: string;
  targetId: number | null;
  url: string | null;
  canonicalUrl: string | null;
  author: string | null;
  title: string | null;
  body: string;
  lang: string | null;
  publishedAt: Date;
  entities: { key: string; kind: string; field: string; matched: string }[];
  sentiment: number | null;
  sentimentLabel: string | null;
  aspects: { aspect: string; score: number; label: string }[];
  simhash: string | null;
  /** Candidate trend terms: key and display form. */
  terms: { key: string; display: string }[];
}

const day = (d: Date) => d.toISOString().slice(0, 10);
const hour = (d: Date) => `${d.toISOString().slice(0, 13)}:00:00Z`;

/**
 * Stores mentions and, for those that are new, updates every rollup in the same transaction: per-entity and
 * per-aspect daily sentiment, daily totals, term counts per day and hour, distinct authors per term and day.
 * Re-running a source inserts nothing and counts nothing twice (unique (source, source_id) and canonical URL).
 * Returns the ids of the new mentions.
 */
export async function insertMentions(db: Db, mentions: MentionInput[]): Promise<number[]> {
  if (mentions.length === 0) return [];
  const byKey = new Map(mentions.map((x) => [`${x.source}\u0000${x.sourceId}`, x]));
  const m = [...byKey.values()];
  return db.withTransaction(async (tx) => {
    const { rows } = await tx.query<{ id: number; source: string; sourceId: string }>(
      'mentions.insert',
      `INSERT INTO mentions (source, source_id, target_id, url, canonical_url, author, title, body, lang, published_at,
         entities, sentiment, sentiment_label, aspects, simhash)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[],
         $8::text[], $9::text[], $10::timestamptz[], $11::jsonb[], $12::real[], $13::text[], $14::jsonb[], $15::bigint[])
       ON CONFLICT DO NOTHING
       RETURNING id, source, source_id AS "sourceId"`,
      [
        m.map((x) => x.source),
        m.map((x) => x.sourceId),
        m.map((x) => x.targetId),
        m.map((x) => x.url),
        m.map((x) => x.canonicalUrl),
        m.map((x) => x.author),
        m.map((x) => x.title),
        m.map((x) => x.body),
        m.map((x) => x.lang),
        m.map((x) => x.publishedAt),
        m.map((x) => JSON.stringify(x.entities)),
        m.map((x) => x.sentiment),
        m.map((x) => x.sentimentLabel),
        m.map((x) => JSON.stringify(x.aspects)),
        m.map((x) => x.simhash),
      ],
    );
    if (rows.length === 0) return [];
    const fresh = rows.map((r) => ({ id: r.id, m: byKey.get(`${r.source}\u0000${r.sourceId}`)! }));
    await groupNearDuplicates(
      tx,
      fresh.map((f) => f.id),
    );
    await updateRollups(tx, fresh);
    return fresh.map((f) => f.id);
  });
}

/** Largest SimHash distance (of 64 bits) at which two mentions are copies of one text (reposts, syndication). */
export const NEAR_DUPLICATE_BITS = 3;

/**
 * Points each new mention at the earliest mention within NEAR_DUPLICATE_BITS of its SimHash published within two
 * weeks of it, through the band indexes. The copy is still stored (it is still a mention), but can be grouped.
 */
async function groupNearDuplicates(tx: Db, ids: number[]): Promise<void> {
  await tx.query(
    'mentions.group_near_duplicates',
    `UPDATE mentions m SET dup_of = c.orig
     FROM (
       SELECT n.id, (
         SELECT o.id FROM mentions o
         WHERE o.id < n.id AND o.dup_of IS NULL
           AND (o.sh0 = n.sh0 OR o.sh1 = n.sh1 OR o.sh2 = n.sh2 OR o.sh3 = n.sh3)
           AND o.published_at BETWEEN n.published_at - interval '14 days' AND n.published_at + interval '14 days'
           AND bit_count((o.simhash # n.simhash)::bit(64)) <= $2
         ORDER BY o.id LIMIT 1) AS orig
       FROM mentions n WHERE n.id = ANY($1::bigint[]) AND n.simhash IS NOT NULL
     ) c
     WHERE m.id = c.id AND c.orig IS NOT NULL`,
    [ids, NEAR_DUPLICATE_BITS],
  );
}

async function updateRollups(tx: Db, fresh: { id: number; m: MentionInput }[]): Promise<void> {
  // Entities: mention links and daily sentiment per entity and aspect ('' = whole mention).
  const link = { key: [] as string[], at: [] as Date[], id: [] as number[], s: [] as (number | null)[] };
  const ed = new Map<
    string,
    { key: string; aspect: string; day: string; n: number; sum: number; sn: number }
  >();
  const bump = (key: string, aspect: string, d: string, score: number | null) => {
    const k = `${key}\u0000${aspect}\u0000${d}`;
    const cell = ed.get(k) ?? { key, aspect, day: d, n: 0, sum: 0, sn: 0 };
    cell.n++;
    if (score !== null) {
      cell.sum += score;
      cell.sn++;
    }
    ed.set(k, cell);
  };
  const totals = new Map<string, number>();
  const td = new Map<
    string,
    { term: string; display: string; day: string; n: number; sum: number; sn: number }
  >();
  const th = new Map<string, { term: string; hour: string; n: number }>();
  const ta = new Map<string, { term: string; day: string; author: string }>();
  for (const { id, m } of fresh) {
    const d = day(m.publishedAt);
    totals.set(d, (totals.get(d) ?? 0) + 1);
    for (const key of new Set(m.entities.map((e) => e.key))) {
      link.key.push(key);
      link.at.push(m.publishedAt);
      link.id.push(id);
      link.s.push(m.sentiment);
      bump(key, '', d, m.sentiment);
      for (const a of m.aspects) bump(key, a.aspect, d, a.score);
    }
    const h = hour(m.publishedAt);
    const author = m.author ?? `anonymous:${m.source}`;
    for (const t of m.terms) {
      const k = `${t.key}\u0000${d}`;
      const cell = td.get(k) ?? { term: t.key, display: t.display, day: d, n: 0, sum: 0, sn: 0 };
      // The spaced form ("glass skin") reads better than a hashtag ("#glassskin") and lets phrases nest.
      if (t.display.includes(' ') && !cell.display.includes(' ')) cell.display = t.display;
      cell.n++;
      if (m.sentiment !== null) {
        cell.sum += m.sentiment;
        cell.sn++;
      }
      td.set(k, cell);
      const hk = `${t.key}\u0000${h}`;
      th.set(hk, { term: t.key, hour: h, n: (th.get(hk)?.n ?? 0) + 1 });
      ta.set(`${t.key}\u0000${d}\u0000${author}`, { term: t.key, day: d, author });
    }
  }
  if (link.id.length) {
    await tx.query(
      'mention_entities.insert',
      `INSERT INTO mention_entities (entity_key, published_at, mention_id, sentiment)
       SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::bigint[], $4::real[]) ON CONFLICT DO NOTHING`,
      [link.key, link.at, link.id, link.s],
    );
  }
  if (ed.size) {
    const v = [...ed.values()];
    await tx.query(
      'entity_daily.bump',
      `INSERT INTO entity_daily (entity_key, aspect, day, mentions, sentiment_sum, sentiment_n)
       SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::int[], $5::float8[], $6::int[])
       ON CONFLICT (entity_key, aspect, day) DO UPDATE SET mentions = entity_daily.mentions + EXCLUDED.mentions,
         sentiment_sum = entity_daily.sentiment_sum + EXCLUDED.sentiment_sum,
         sentiment_n = entity_daily.sentiment_n + EXCLUDED.sentiment_n`,
      [
        v.map((c) => c.key),
        v.map((c) => c.aspect),
        v.map((c) => c.day),
        v.map((c) => c.n),
        v.map((c) => c.sum),
        v.map((c) => c.sn),
      ],
    );
  }
  await tx.query(
    'mention_daily.bump',
    `INSERT INTO mention_daily (day, mentions) SELECT * FROM unnest($1::date[], $2::int[])
     ON CONFLICT (day) DO UPDATE SET mentions = mention_daily.mentions + EXCLUDED.mentions`,
    [[...totals.keys()], [...totals.values()]],
  );
  if (td.size === 0) return;
  // Distinct authors: only (term, day, author) triples new to the table add an author.
  const a = [...ta.values()];
  const { rows: newAuthors } = await tx.query<{ term: string; day: string }>(
    'term_authors.insert',
    `INSERT INTO term_authors (term, day, author) SELECT * FROM unnest($1::text[], $2::date[], $3::text[])
     ON CONFLICT DO NOTHING RETURNING term, day::text AS day`,
    [a.map((x) => x.term), a.map((x) => x.day), a.map((x) => x.author)],
  );
  const authorBumps = new Map<string, number>();
  for (const r of newAuthors)
    authorBumps.set(`${r.term}\u0000${r.day}`, (authorBumps.get(`${r.term}\u0000${r.day}`) ?? 0) + 1);
  const t = [...td.entries()];
  await tx.query(
    'term_daily.bump',
    `INSERT INTO term_daily (term, day, display, mentions, authors, sentiment_sum, sentiment_n)
     SELECT * FROM unnest($1::text[], $2::date[], $3::text[], $4::int[], $5::int[], $6::float8[], $7::int[])
     ON CONFLICT (term, day) DO UPDATE SET mentions = term_daily.mentions + EXCLUDED.mentions,
       display = CASE WHEN position(' ' in term_daily.display) = 0 THEN EXCLUDED.display ELSE term_daily.display END,
       authors = term_daily.authors + EXCLUDED.authors, sentiment_sum = term_daily.sentiment_sum + EXCLUDED.sentiment_sum,
       sentiment_n = term_daily.sentiment_n + EXCLUDED.sentiment_n`,
    [
      t.map(([, c]) => c.term),
      t.map(([, c]) => c.day),
      t.map(([, c]) => c.display),
      t.map(([, c]) => c.n),
      t.map(([k]) => authorBumps.get(k) ?? 0),
      t.map(([, c]) => c.sum),
      t.map(([, c]) => c.sn),
    ],
  );
  const hs = [...th.values()];
  await tx.query(
    'term_hourly.bump',
    `INSERT INTO term_hourly (term, hour, mentions) SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::int[])
     ON CONFLICT (term, hour) DO UPDATE SET mentions = term_hourly.mentions + EXCLUDED.mentions`,
    [hs.map((x) => x.term), hs.map((x) => x.hour), hs.map((x) => x.n)],
  );
}

export interface MentionRow {
  id: number;
  source: string;
  url: string | null;
  author: string | null;
  title: string | null;
  text: string;
  lang: string | null;
  publishedAt: Date;
  entities: { key: string; kind: string }[];
  sentiment: number | null;
  sentimentLabel: string | null;
  aspects: { aspect: string; score: number; label: string }[];
  /** The earlier mention this one is a near-copy of (repost, syndicated copy), if any. */
  duplicateOf: number | null;
}

export interface MentionFilter {
  entity?: string;
  source?: string;
  lang?: string;
  since?: Date;
  until?: Date;
  sentiment?: 'positive' | 'neutral' | 'negative';
  q?: string;
  ids?: number[];
  after?: { publishedAt: string; id: number };
  limit: number;
}

const MENTION_COLUMNS = `m.id, m.source, m.url, m.author, m.title, m.body AS text, m.lang, m.published_at AS "publishedAt",
  m.entities, m.sentiment, m.sentiment_label AS "sentimentLabel", m.aspects, m.dup_of AS "duplicateOf"`;

/** Mentions newest first; by entity through mention_entities' (entity, time) index. */
export async function listMentions(db: Db, f: MentionFilter): Promise<MentionRow[]> {
  const from = f.entity
    ? 'mention_entities me JOIN mentions m ON m.id = me.mention_id WHERE me.entity_key = $1'
    : 'mentions m WHERE $1::text IS NULL';
  const time = f.entity ? 'me.published_at' : 'm.published_at';
  const { rows } = await db.query<MentionRow>(
    'mentions.list',
    `SELECT ${MENTION_COLUMNS} FROM ${from}
       AND ($2::text IS NULL OR m.source = $2) AND ($3::text IS NULL OR m.lang = $3)
       AND ($4::timestamptz IS NULL OR ${time} >= $4) AND ($5::timestamptz IS NULL OR ${time} < $5)
       AND ($6::text IS NULL OR m.sentiment_label = $6)
       AND ($7::text IS NULL OR m.body ILIKE '%' || $7 || '%' OR m.title ILIKE '%' || $7 || '%')
       AND ($8::bigint[] IS NULL OR m.id = ANY($8))
       AND ($9::timestamptz IS NULL OR (${time}, m.id) < ($9, $10))
     ORDER BY ${time} DESC, m.id DESC LIMIT $11`,
    [
      f.entity ?? null,
      f.source ?? null,
      f.lang ?? null,
      f.since ?? null,
      f.until ?? null,
      f.sentiment ?? null,
      f.q ? f.q.replace(/[\\%_]/g, (c) => `\\${c}`) : null,
      f.ids ?? null,
      f.after?.publishedAt ?? null,
      f.after?.id ?? 0,
      f.limit,
    ],
  );
  return rows;
}
