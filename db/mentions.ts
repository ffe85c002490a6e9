import { createHash } from 'node:crypto';
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

/** Distinct authors per term and day are counted exactly below this many; above, estimated (see 0009). */
export const AUTHOR_SKETCH_SIZE = 256;

/** Largest SimHash distance (of 64 bits) at which two mentions are copies of one text (reposts, syndication). */
export const NEAR_DUPLICATE_BITS = 3;

/** A copy points at an original published at most this long before or after it. */
const NEAR_DUPLICATE_WINDOW_MS = 14 * 86_400_000;

/** The first 32 bits of md5(author) as a signed integer: `mr_author_hash` in SQL (migration 0009) agrees. */
export function authorHash(author: string): number {
  return createHash('md5').update(author, 'utf8').digest().readInt32BE(0);
}

/**
 * Stores mentions and, for those that are new, updates every rollup in the same transaction: per-entity and
 * per-aspect daily sentiment, daily totals, and per term and day the mentions, hourly counts, sentiment and
 * distinct authors (a sketch: exact below AUTHOR_SKETCH_SIZE authors). A copy of an earlier text (SimHash within
 * NEAR_DUPLICATE_BITS, published within two weeks) is stored pointing at its original. Re-running a source
 * inserts nothing and counts nothing twice (unique (source, source_id) and canonical URL); a crash leaves all of
 * a batch or none of it. Set-based: a handful of statements per batch, whatever its size.
 * Returns the ids of the new mentions, in input order.
 */
export async function insertMentions(db: Db, mentions: MentionInput[]): Promise<number[]> {
  if (mentions.length === 0) return [];
  const byKey = new Map<string, MentionInput>();
  for (const x of mentions) {
    const k = `${x.source}\u0000${x.sourceId}`;
    if (!byKey.has(k)) byKey.set(k, x);
  }
  const m = [...byKey.values()];
  const order = new Map(m.map((x, i) => [x, i]));
  const phases = nearCopyPhases(m);
  return db.withTransaction(async (tx) => {
    const fresh: { id: number; m: MentionInput }[] = [];
    for (const [p, phase] of phases.entries()) {
      const rows = await insertRows(tx, phase, p === 0 ? 'mentions.insert' : 'mentions.insert_near_copies');
      for (const r of rows) fresh.push({ id: r.id, m: byKey.get(`${r.source}\u0000${r.sourceId}`)! });
    }
    if (fresh.length === 0) return [];
    fresh.sort((a, b) => order.get(a.m)! - order.get(b.m)!);
    await updateRollups(tx, fresh);
    return fresh.map((f) => f.id);
  });
}

/** Originals sharing band k (16 bits) of the SimHash of `u.h`, published within two weeks of `u.p`, near it. */
const originalNear = (k: number) =>
  `SELECT o.id FROM mentions o WHERE o.dup_of IS NULL AND o.sh${k} = ((u.h >> ${16 * k}) & 65535)::integer
     AND o.published_at BETWEEN u.p - interval '14 days' AND u.p + interval '14 days'
     AND bit_count((o.simhash # u.h)::bit(64)) <= $16`;

const INSERT_MENTIONS = `INSERT INTO mentions (source, source_id, target_id, url, canonical_url, author, title, body, lang, published_at,
       entities, sentiment, sentiment_label, aspects, simhash, dup_of)
     SELECT u.*, (SELECT min(c.id) FROM (${[0, 1, 2, 3].map(originalNear).join(' UNION ALL ')}) c)
     FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[],
       $8::text[], $9::text[], $10::timestamptz[], $11::jsonb[], $12::real[], $13::text[], $14::jsonb[], $15::bigint[])
       AS u(s, sid, tid, url, curl, author, title, body, lang, p, ents, sent, label, aspects, h)
     ON CONFLICT DO NOTHING
     RETURNING id, source, source_id AS "sourceId"`;

/**
 * Inserts one phase of a batch; each row's `dup_of` is the earliest original (itself no copy) within
 * NEAR_DUPLICATE_BITS published within two weeks of it, found through the band indexes of originals (one index
 * range per band: four equality-and-range scans, which the planner does not pick for an OR of the bands).
 */
async function insertRows(tx: Db, m: MentionInput[], name: string) {
  const { rows } = await tx.query<{ id: number; source: string; sourceId: string }>(name, INSERT_MENTIONS, [
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
    NEAR_DUPLICATE_BITS,
  ]);
  return rows;
}

const popcount32 = (x: number) => {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) as number;
};

/** Phases deeper than this are merged into the last one (a chain of copies of copies that long is noise). */
const MAX_PHASE = 3;

/**
 * Splits a batch so that a copy is inserted after the batch mentions it may be a copy of: a mention with no
 * near twin earlier in the batch goes in phase 0; otherwise one phase after its shallowest earlier twin, so the
 * insert's lookup sees that twin. Copies of texts already stored (the usual case) stay in phase 0.
 */
function nearCopyPhases(m: MentionInput[]): MentionInput[][] {
  const hi = new Int32Array(m.length);
  const lo = new Int32Array(m.length);
  const depth = new Int8Array(m.length);
  const bands = new Map<number, number[]>();
  for (let i = 0; i < m.length; i++) {
    const s = m[i].simhash;
    if (s === null) continue;
    const h = BigInt.asUintN(64, BigInt(s));
    hi[i] = Number(h >> 32n) | 0;
    lo[i] = Number(h & 0xffffffffn) | 0;
    const keys = [
      lo[i] & 0xffff,
      0x10000 | (lo[i] >>> 16),
      0x20000 | (hi[i] & 0xffff),
      0x30000 | (hi[i] >>> 16),
    ];
    const t = m[i].publishedAt.getTime();
    let best = Number.POSITIVE_INFINITY;
    for (const key of keys) {
      for (const j of bands.get(key) ?? []) {
        if (depth[j] >= best) continue;
        if (Math.abs(t - m[j].publishedAt.getTime()) > NEAR_DUPLICATE_WINDOW_MS) continue;
        if (popcount32(hi[i] ^ hi[j]) + popcount32(lo[i] ^ lo[j]) <= NEAR_DUPLICATE_BITS) best = depth[j];
      }
    }
    depth[i] = best === Number.POSITIVE_INFINITY ? 0 : Math.min(best + 1, MAX_PHASE);
    for (const key of keys) {
      const list = bands.get(key);
      if (list) list.push(i);
      else bands.set(key, [i]);
    }
  }
  const phases: MentionInput[][] = [];
  for (let d = 0; d <= MAX_PHASE; d++) {
    const phase = m.filter((_, i) => depth[i] === d);
    if (phase.length) phases.push(phase);
  }
  return phases;
}
interface TermCell {
  term: string;
  day: string;
  display: string;
  n: number;
  sum: number;
  sn: number;
  hours: number[];
  authors: Set<number>;
}

const byKeyOrder = <T>(cells: Map<string, T>) =>
  // One order for every writer: concurrent batches touching the same rollup rows lock them in the same order.
  [...cells.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, v]) => v);

/** A sketch as an int[] literal: every hash while fewer than AUTHOR_SKETCH_SIZE, else the smallest, sorted. */
function sketchLiteral(authors: Set<number>): string {
  const hashes = [...authors].sort((a, b) => a - b);
  return `{${hashes.slice(0, AUTHOR_SKETCH_SIZE).join(',')}}`;
}

/** Aggregates the batch's new mentions in memory, then merges each rollup with one statement. */
async function updateRollups(tx: Db, fresh: { id: number; m: MentionInput }[]): Promise<void> {
  // Entities: mention links and daily sentiment per entity and aspect ('' = whole mention).
  const link = { key: [] as string[], at: [] as Date[], id: [] as number[], s: [] as (number | null)[] };
  const ed = new Map<
    string,
    { key: string; aspect: string; day: string; n: number; sum: number; sn: number }
  >();
  const bump = (key: string, aspect: string, d: string, score: number | null) => {
    const k = `${key}\u0000${aspect}\u0000${d}`;
    let cell = ed.get(k);
    if (!cell) {
      cell = { key, aspect, day: d, n: 0, sum: 0, sn: 0 };
      ed.set(k, cell);
    }
    cell.n++;
    if (score !== null) {
      cell.sum += score;
      cell.sn++;
    }
  };
  const totals = new Map<string, number>();
  const td = new Map<string, TermCell>();
  const hashes = new Map<string, number>();
  for (const { id, m } of fresh) {
    const iso = m.publishedAt.toISOString();
    const d = iso.slice(0, 10);
    const hour = m.publishedAt.getUTCHours();
    totals.set(d, (totals.get(d) ?? 0) + 1);
    if (m.entities.length) {
      for (const key of new Set(m.entities.map((e) => e.key))) {
        link.key.push(key);
        link.at.push(m.publishedAt);
        link.id.push(id);
        link.s.push(m.sentiment);
        bump(key, '', d, m.sentiment);
        for (const a of m.aspects) bump(key, a.aspect, d, a.score);
      }
    }
    if (m.terms.length === 0) continue;
    const author = m.author ?? `anonymous:${m.source}`;
    let ah = hashes.get(author);
    if (ah === undefined) {
      ah = authorHash(author);
      hashes.set(author, ah);
    }
    for (const t of m.terms) {
      const k = `${t.key}\u0000${d}`;
      let cell = td.get(k);
      if (!cell) {
        cell = {
          term: t.key,
          day: d,
          display: t.display,
          n: 0,
          sum: 0,
          sn: 0,
          hours: new Array<number>(24).fill(0),
          authors: new Set(),
        };
        td.set(k, cell);
      }
      // The spaced form ("glass skin") reads better than a hashtag ("#glassskin") and lets phrases nest.
      if (t.display.includes(' ') && !cell.display.includes(' ')) cell.display = t.display;
      cell.n++;
      if (m.sentiment !== null) {
        cell.sum += m.sentiment;
        cell.sn++;
      }
      cell.hours[hour]++;
      cell.authors.add(ah);
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
    const v = byKeyOrder(ed);
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
  const days = [...totals.keys()].sort();
  await tx.query(
    'mention_daily.bump',
    `INSERT INTO mention_daily (day, mentions) SELECT * FROM unnest($1::date[], $2::int[])
     ON CONFLICT (day) DO UPDATE SET mentions = mention_daily.mentions + EXCLUDED.mentions`,
    [days, days.map((d) => totals.get(d))],
  );
  if (td.size === 0) return;
  const t = byKeyOrder(td);
  await tx.query(
    'term_daily.bump',
    `INSERT INTO term_daily AS d (term, day, display, mentions, sentiment_sum, sentiment_n, hourly, author_sketch)
     SELECT u.term, u.day, u.display, u.n, u.ss, u.sn, u.hourly::int[], u.sketch::int[]
     FROM unnest($1::text[], $2::date[], $3::text[], $4::int[], $5::float8[], $6::int[], $7::text[], $8::text[])
       AS u(term, day, display, n, ss, sn, hourly, sketch)
     ON CONFLICT (term, day) DO UPDATE SET mentions = d.mentions + EXCLUDED.mentions,
       display = CASE WHEN position(' ' in d.display) = 0 THEN EXCLUDED.display ELSE d.display END,
       sentiment_sum = d.sentiment_sum + EXCLUDED.sentiment_sum, sentiment_n = d.sentiment_n + EXCLUDED.sentiment_n,
       hourly = mr_add_hours(d.hourly, EXCLUDED.hourly),
       author_sketch = mr_sketch_union(d.author_sketch, EXCLUDED.author_sketch)`,
    [
      t.map((c) => c.term),
      t.map((c) => c.day),
      t.map((c) => c.display),
      t.map((c) => c.n),
      t.map((c) => c.sum),
      t.map((c) => c.sn),
      t.map((c) => `{${c.hours.join(',')}}`),
      t.map((c) => sketchLiteral(c.authors)),
    ],
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
