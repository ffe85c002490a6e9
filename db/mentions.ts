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
  return storeMentions(db, prepareMentions(mentions));
}

/**
 * A batch made ready to store: what does not depend on the database (the rollups aggregated as if every mention
 * were new, the rows and links serialised) is computed here, so that a caller storing batches in order can
 * prepare the next one while Postgres stores the previous one.
 */
export interface PreparedMentions {
  /** The batch, first of each (source, source id) only, in input order. */
  mentions: MentionInput[];
  hashes: (Hashed | null)[];
  /** Each row as JSON without its closing brace: the near-copy fields are appended when they are known. */
  rows: string[];
  links: string;
  rollups: Rollups;
}

/** Pure: everything `storeMentions` sends that does not depend on what is stored already. */
export function prepareMentions(mentions: MentionInput[]): PreparedMentions {
  const byKey = new Map<string, MentionInput>();
  for (const x of mentions) {
    const k = `${x.source}\u0000${x.sourceId}`;
    if (!byKey.has(k)) byKey.set(k, x);
  }
  const m = [...byKey.values()];
  return {
    mentions: m,
    hashes: m.map(hashOf),
    rows: m.map(rowJson),
    links: linksJson(m),
    rollups: aggregateRollups(m),
  };
}

/** Stores a prepared batch (see insertMentions); returns the ids of the new mentions, in input order. */
export async function storeMentions(db: Db, p: PreparedMentions): Promise<number[]> {
  const m = p.mentions;
  if (m.length === 0) return [];
  return db.withTransaction(async (tx) => {
    const near = resolveNearCopies(m, p.hashes, await originalsNear(tx, p.hashes));
    const { rows, rolledUp } = await insertWithRollups(tx, p, near);
    if (rows.length === 0) return [];
    const order = new Map(m.map((x, i) => [`${x.source}\u0000${x.sourceId}`, i]));
    const fresh = rows
      .map((r) => ({ id: r.id, i: order.get(`${r.source}\u0000${r.sourceId}`)! }))
      .sort((a, b) => a.i - b.i);
    // Some were stored already (a re-run, or another writer): the rollups of exactly the new ones instead.
    if (!rolledUp) await writeRollups(tx, aggregateRollups(fresh.map((f) => m[f.i])));
    return fresh.map((f) => f.id);
  });
}

/** A 64-bit SimHash as two signed 32-bit halves, its four 16-bit band keys (band << 16 | value) and its time. */
interface Hashed {
  hi: number;
  lo: number;
  keys: number[];
  t: number;
}

function split(simhash: string, t: number): Hashed {
  const h = BigInt.asUintN(64, BigInt(simhash));
  const hi = Number(h >> 32n) | 0;
  const lo = Number(h & 0xffffffffn) | 0;
  return {
    hi,
    lo,
    t,
    keys: [lo & 0xffff, 0x10000 | (lo >>> 16), 0x20000 | (hi & 0xffff), 0x30000 | (hi >>> 16)],
  };
}

const hashOf = (x: MentionInput): Hashed | null =>
  x.simhash === null ? null : split(x.simhash, x.publishedAt.getTime());

const popcount32 = (x: number) => {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) as number;
};

const near = (a: Hashed, b: Hashed) =>
  Math.abs(a.t - b.t) <= NEAR_DUPLICATE_WINDOW_MS &&
  popcount32(a.hi ^ b.hi) + popcount32(a.lo ^ b.lo) <= NEAR_DUPLICATE_BITS;

/**
 * Stored originals (no copy themselves) sharing a 16-bit band with some mention of the batch, published within
 * the batch's span widened by two weeks. Two texts within NEAR_DUPLICATE_BITS share a band (pigeonhole), so no
 * original near a mention is missed. One scan with the four band tests OR-ed, each original once: four scans
 * (a UNION ALL per band) read the window four times and returned an original once per band it shares, 3-10×
 * slower at 90k stored mentions, and more so as history grows on a table not yet analysed.
 */
async function originalsNear(tx: Db, hashes: (Hashed | null)[]) {
  const bands: Set<number>[] = [new Set(), new Set(), new Set(), new Set()];
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const h of hashes) {
    if (h === null) continue;
    for (let k = 0; k < 4; k++) bands[k].add(h.keys[k] & 0xffff);
    from = Math.min(from, h.t);
    to = Math.max(to, h.t);
  }
  if (bands[0].size === 0) return [];
  const { rows } = await tx.query<{ id: number; h: string; p: Date }>(
    'mentions.originals_near',
    `SELECT id, simhash::text AS h, published_at AS p FROM mentions
     WHERE dup_of IS NULL AND published_at BETWEEN $5 AND $6
       AND (sh0 = ANY($1::int[]) OR sh1 = ANY($2::int[]) OR sh2 = ANY($3::int[]) OR sh3 = ANY($4::int[]))`,
    [
      ...bands.map((b) => [...b]),
      new Date(from - NEAR_DUPLICATE_WINDOW_MS),
      new Date(to + NEAR_DUPLICATE_WINDOW_MS),
    ],
  );
  return rows.map((r) => ({ id: r.id, ...split(r.h, new Date(r.p).getTime()) }));
}

/**
 * For each mention of the batch, in order: the earliest stored original near it (its `dup_of`), else the first
 * earlier mention of the batch that is an original itself and near it (its `twin`), else neither: an original.
 */
function resolveNearCopies(
  m: MentionInput[],
  hashes: (Hashed | null)[],
  stored: (Hashed & { id: number })[],
): { original: number | null; twin: number | null }[] {
  const byBand = new Map<number, (Hashed & { id: number })[]>();
  for (const c of stored)
    for (const key of c.keys) {
      const list = byBand.get(key);
      if (list) list.push(c);
      else byBand.set(key, [c]);
    }
  const batchByBand = new Map<number, number[]>();
  return m.map((_, i) => {
    const h = hashes[i];
    if (h === null) return { original: null, twin: null };
    let original: number | null = null;
    for (const key of h.keys)
      for (const c of byBand.get(key) ?? [])
        if ((original === null || c.id < original) && near(h, c)) original = c.id;
    let twin: number | null = null;
    if (original === null) {
      for (const key of h.keys)
        for (const j of batchByBand.get(key) ?? [])
          if ((twin === null || j < twin) && near(h, hashes[j]!)) twin = j;
      if (twin === null) {
        // An original: later mentions of the batch may be its copies.
        for (const key of h.keys) {
          const list = batchByBand.get(key);
          if (list) list.push(i);
          else batchByBand.set(key, [i]);
        }
      }
    }
    return { original, twin };
  });
}

const STORED_COLUMNS = `source, source_id, target_id, url, canonical_url, author, title, body, lang, published_at,
  entities, sentiment, sentiment_label, aspects, simhash, dup_of`;
const MENTION_VALUES = 's, i, t, u, c, a, ti, b, l, p, e, se, sl, as_, h';
const ONLY_IF_ALL_NEW = 'WHERE (SELECT all_new FROM ok)';

/**
 * The whole batch in one statement (one round trip, atomic): the mentions (rows travel as one JSON parameter:
 * one native JSON.stringify, where column arrays are escaped element by element by node-postgres), then the
 * copies of texts first seen in the batch, pointing at the id their original just got, the entity links of
 * whichever rows were new, and the rollups aggregated in advance — applied only if every row was new, which
 * `rolledUp` reports (otherwise the caller merges the rollups of the new rows itself).
 */
const INSERT_WITH_ROLLUPS = `WITH u AS (
    SELECT * FROM json_to_recordset($1::json) AS u(s text, i text, t bigint, u text, c text, a text, ti text,
      b text, l text, p timestamptz, e jsonb, se real, sl text, as_ jsonb, h bigint, d bigint, ts text, tsi text)),
  ins AS (
    INSERT INTO mentions (${STORED_COLUMNS}) SELECT ${MENTION_VALUES}, d FROM u WHERE ts IS NULL
    ON CONFLICT DO NOTHING RETURNING id, source, source_id),
  copies AS (
    INSERT INTO mentions (${STORED_COLUMNS})
    SELECT ${MENTION_VALUES}, (SELECT ins.id FROM ins WHERE ins.source = u.ts AND ins.source_id = u.tsi)
    FROM u WHERE ts IS NOT NULL
    ON CONFLICT DO NOTHING RETURNING id, source, source_id),
  fresh AS (SELECT * FROM ins UNION ALL SELECT * FROM copies),
  ok AS (SELECT count(*) = $2 AS all_new FROM fresh),
  links AS (
    INSERT INTO mention_entities (entity_key, published_at, mention_id, sentiment)
    SELECT l.k, l.p, f.id, l.s FROM json_to_recordset($3::json) AS l(src text, sid text, k text, p timestamptz, s real)
    JOIN fresh f ON f.source = l.src AND f.source_id = l.sid
    ON CONFLICT DO NOTHING),
  entity AS (${entityDailySql(4, ONLY_IF_ALL_NEW)}),
  daily AS (${mentionDailySql(5, ONLY_IF_ALL_NEW)}),
  terms AS (${termDailySql(7, ONLY_IF_ALL_NEW)})
SELECT f.id, f.source, f.source_id AS "sourceId", (SELECT all_new FROM ok) AS "rolledUp" FROM fresh f`;

/**
 * A lone surrogate would reach Postgres as a JSON escape it rejects; as UTF-8 bytes (what a column parameter
 * sends) it was a U+FFFD, so replace it with that here too.
 */
function wellFormed<T extends string | null>(s: T): T {
  return (s === null || s.isWellFormed() ? s : s.toWellFormed()) as T;
}

/** A mention as a row of INSERT_WITH_ROLLUPS' first parameter, without the near-copy fields and closing brace. */
function rowJson(x: MentionInput): string {
  const row = JSON.stringify({
    s: wellFormed(x.source),
    i: wellFormed(x.sourceId),
    t: x.targetId,
    u: wellFormed(x.url),
    c: wellFormed(x.canonicalUrl),
    a: wellFormed(x.author),
    ti: wellFormed(x.title),
    b: wellFormed(x.body),
    l: wellFormed(x.lang),
    p: x.publishedAt,
    e: x.entities,
    se: x.sentiment,
    sl: x.sentimentLabel,
    as_: x.aspects,
    h: x.simhash,
  });
  return row.slice(0, -1);
}

function linksJson(m: MentionInput[]): string {
  const links: { src: string; sid: string; k: string; p: Date; s: number | null }[] = [];
  for (const x of m)
    if (x.entities.length)
      for (const key of entityKeys(x))
        links.push({
          src: wellFormed(x.source),
          sid: wellFormed(x.sourceId),
          k: key,
          p: x.publishedAt,
          s: x.sentiment,
        });
  return JSON.stringify(links);
}

async function insertWithRollups(
  tx: Db,
  p: PreparedMentions,
  near: { original: number | null; twin: number | null }[],
): Promise<{ rows: { id: number; source: string; sourceId: string }[]; rolledUp: boolean }> {
  const m = p.mentions;
  let json = '[';
  for (let i = 0; i < m.length; i++) {
    if (i > 0) json += ',';
    json += p.rows[i];
    const { original, twin } = near[i];
    if (original !== null) json += `,"d":${original}`;
    if (twin !== null)
      json += `,"ts":${JSON.stringify(wellFormed(m[twin].source))},"tsi":${JSON.stringify(wellFormed(m[twin].sourceId))}`;
    json += '}';
  }
  json += ']';
  const r = p.rollups;
  const res = await tx.query<{ id: number; source: string; sourceId: string; rolledUp: boolean }>(
    'mentions.insert_with_rollups',
    INSERT_WITH_ROLLUPS,
    [json, m.length, p.links, r.entityDaily, r.days, r.dayCounts, ...(r.termDaily ?? NO_TERMS)],
  );
  return { rows: res.rows, rolledUp: res.rows.length > 0 && res.rows[0].rolledUp };
}

// Authors repeat across batches; md5 per mention was a visible share of the Node side. Bounded: cleared when full.
const authorHashes = new Map<string, number>();

function cachedAuthorHash(author: string): number {
  let h = authorHashes.get(author);
  if (h === undefined) {
    if (authorHashes.size >= 100_000) authorHashes.clear();
    h = authorHash(author);
    authorHashes.set(author, h);
  }
  return h;
}

interface TermCell {
  term: string;
  day: string;
  display: string;
  n: number;
  sum: number;
  sn: number;
  /** First hour seen; `hours` is allocated only when a second mention lands in the cell. */
  hour: number;
  hours: number[] | null;
  author: number;
  authors: Set<number> | null;
}

/** One order for every writer: concurrent batches touching the same rollup rows lock them in the same order. */
const byKey = (a: { k: string }, b: { k: string }) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0);

/** Every hash while fewer than AUTHOR_SKETCH_SIZE, else the smallest, sorted (the sketch's invariant). */
function sketchOf(c: TermCell): number[] {
  if (c.authors === null) return [c.author];
  const hashes = [...c.authors].sort((a, b) => a - b);
  return hashes.length > AUTHOR_SKETCH_SIZE ? hashes.slice(0, AUTHOR_SKETCH_SIZE) : hashes;
}

/**
 * The hourly counts as an array literal, or null for a cell of one mention (the usual case): its hour and count
 * travel as plain integers and Postgres builds the array (cheaper than parsing 24 numbers per row).
 */
function hoursLiteral(c: TermCell): string | null {
  return c.hours === null ? null : `{${c.hours.join(',')}}`;
}

/** A batch's rollup rows, aggregated in memory and serialised, ready for one statement per table. */
interface Rollups {
  entityDaily: string | null;
  days: string[];
  dayCounts: number[];
  termDaily: unknown[] | null;
}

/** Aggregates mentions into their rollup rows (pure; what `writeRollups` merges). */
function aggregateRollups(mentions: MentionInput[]): Rollups {
  // Per entity, aspect ('' = whole mention) and day: volume and sentiment.
  const ed = new Map<
    string,
    { k: string; key: string; aspect: string; day: string; n: number; sum: number; sn: number }
  >();
  const bump = (key: string, aspect: string, d: string, score: number | null) => {
    const k = `${key}\u0000${aspect}\u0000${d}`;
    let cell = ed.get(k);
    if (!cell) {
      cell = { k, key, aspect, day: d, n: 0, sum: 0, sn: 0 };
      ed.set(k, cell);
    }
    cell.n++;
    if (score !== null) {
      cell.sum += score;
      cell.sn++;
    }
  };
  const totals = new Map<string, number>();
  // Per day, then per term: the term keys are existing strings, so no key is built per occurrence.
  const td = new Map<string, Map<string, TermCell>>();
  let termCells = 0;
  for (const m of mentions) {
    const d = m.publishedAt.toISOString().slice(0, 10);
    const hour = m.publishedAt.getUTCHours();
    totals.set(d, (totals.get(d) ?? 0) + 1);
    if (m.entities.length) {
      for (const key of entityKeys(m)) {
        bump(key, '', d, m.sentiment);
        for (const a of m.aspects) bump(key, a.aspect, d, a.score);
      }
    }
    if (m.terms.length === 0) continue;
    const author = cachedAuthorHash(m.author ?? `anonymous:${m.source}`);
    let ofDay = td.get(d);
    if (!ofDay) {
      ofDay = new Map();
      td.set(d, ofDay);
    }
    for (const t of m.terms) {
      const cell = ofDay.get(t.key);
      if (!cell) {
        termCells++;
        ofDay.set(t.key, {
          term: t.key,
          day: d,
          display: t.display,
          n: 1,
          sum: m.sentiment ?? 0,
          sn: m.sentiment === null ? 0 : 1,
          hour,
          hours: null,
          author,
          authors: null,
        });
        continue;
      }
      // The spaced form ("glass skin") reads better than a hashtag ("#glassskin") and lets phrases nest.
      if (t.display.includes(' ') && !cell.display.includes(' ')) cell.display = t.display;
      if (cell.hours === null) {
        cell.hours = new Array<number>(24).fill(0);
        cell.hours[cell.hour] = cell.n;
      }
      cell.hours[hour]++;
      cell.n++;
      if (m.sentiment !== null) {
        cell.sum += m.sentiment;
        cell.sn++;
      }
      if (author !== cell.author) {
        cell.authors ??= new Set([cell.author]);
        cell.authors.add(author);
      }
    }
  }
  const days = [...totals.keys()].sort();
  let termDaily: unknown[] | null = null;
  if (termCells > 0) {
    const cells: TermCell[] = [];
    for (const ofDay of td.values()) for (const c of ofDay.values()) cells.push(c);
    // One order for every writer: concurrent batches lock shared rows in the same order (no deadlock).
    cells.sort((a, b) =>
      a.term < b.term ? -1 : a.term > b.term ? 1 : a.day < b.day ? -1 : a.day > b.day ? 1 : 0,
    );
    termDaily = [
      textArray(cells.map((c) => c.term)),
      textArray(cells.map((c) => c.day)),
      textArray(cells.map((c) => c.display)),
      `{${cells.map((c) => c.n).join(',')}}`,
      `{${cells.map((c) => c.sum).join(',')}}`,
      `{${cells.map((c) => c.sn).join(',')}}`,
      textArray(cells.map(hoursLiteral)),
      // One author (the usual case) travels as a plain integer, like the hour.
      textArray(cells.map((c) => (c.authors === null ? null : `{${sketchOf(c).join(',')}}`))),
      `{${cells.map((c) => c.hour).join(',')}}`,
      `{${cells.map((c) => c.author).join(',')}}`,
    ];
  }
  return {
    entityDaily: ed.size
      ? JSON.stringify(
          [...ed.values()]
            .sort(byKey)
            .map((c) => ({ key: c.key, aspect: c.aspect, day: c.day, n: c.n, sum: c.sum, sn: c.sn })),
        )
      : null,
    days,
    dayCounts: days.map((d) => totals.get(d)!),
    termDaily,
  };
}

const entityKeys = (m: MentionInput) => new Set(m.entities.map((e) => e.key));

/** The rollup statements, with their parameters from `$first` on and an optional condition on the rows. */
function entityDailySql(first: number, where = ''): string {
  return `INSERT INTO entity_daily (entity_key, aspect, day, mentions, sentiment_sum, sentiment_n)
   SELECT key, aspect, day, n, sum, sn
   FROM json_to_recordset($${first}::json) AS x(key text, aspect text, day date, n int, sum float8, sn int) ${where}
   ON CONFLICT (entity_key, aspect, day) DO UPDATE SET mentions = entity_daily.mentions + EXCLUDED.mentions,
     sentiment_sum = entity_daily.sentiment_sum + EXCLUDED.sentiment_sum,
     sentiment_n = entity_daily.sentiment_n + EXCLUDED.sentiment_n`;
}

function mentionDailySql(first: number, where = ''): string {
  return `INSERT INTO mention_daily (day, mentions)
   SELECT * FROM unnest($${first}::date[], $${first + 1}::int[]) AS x(day, n) ${where}
   ON CONFLICT (day) DO UPDATE SET mentions = mention_daily.mentions + EXCLUDED.mentions`;
}

// Column arrays, not JSON: for this many small rows Postgres spends a third less per row on unnest (measured).
function termDailySql(first: number, where = ''): string {
  const $ = (k: number) => `$${first + k}`;
  return `INSERT INTO term_daily AS d (term, day, display, mentions, sentiment_sum, sentiment_n, hourly, author_sketch)
   SELECT x.t, x.d, x.s, x.n, x.ss, x.sn,
     CASE WHEN x.h IS NULL THEN array_fill(0, ARRAY[x.hr]) || x.n || array_fill(0, ARRAY[23 - x.hr]) ELSE x.h::int[] END,
     CASE WHEN x.a IS NULL THEN ARRAY[x.a1] ELSE x.a::int[] END
   FROM unnest(${$(0)}::text[], ${$(1)}::date[], ${$(2)}::text[], ${$(3)}::int[], ${$(4)}::float8[], ${$(5)}::int[],
     ${$(6)}::text[], ${$(7)}::text[], ${$(8)}::int[], ${$(9)}::int[]) AS x(t, d, s, n, ss, sn, h, a, hr, a1) ${where}
   ON CONFLICT (term, day) DO UPDATE SET mentions = d.mentions + EXCLUDED.mentions,
     display = CASE WHEN position(' ' in d.display) = 0 THEN EXCLUDED.display ELSE d.display END,
     sentiment_sum = d.sentiment_sum + EXCLUDED.sentiment_sum, sentiment_n = d.sentiment_n + EXCLUDED.sentiment_n,
     hourly = mr_add_hours(d.hourly, EXCLUDED.hourly),
     author_sketch = mr_sketch_union(d.author_sketch, EXCLUDED.author_sketch)`;
}

const NO_TERMS = ['{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}'];

/** Merges rollups aggregated over exactly the new mentions of a batch (their links are already stored). */
async function writeRollups(tx: Db, r: Rollups): Promise<void> {
  if (r.entityDaily) await tx.query('entity_daily.bump', entityDailySql(1), [r.entityDaily]);
  await tx.query('mention_daily.bump', mentionDailySql(1), [r.days, r.dayCounts]);
  if (r.termDaily) await tx.query('term_daily.bump', termDailySql(1), r.termDaily);
}

/**
 * A Postgres text[] literal, quoting each element (node-postgres does the same, with two regex passes each; most
 * of these strings need neither).
 */
function textArray(values: (string | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    out += v === null ? 'NULL' : NEEDS_ESCAPE.test(v) ? `"${v.replace(/[\\"]/g, '\\$&')}"` : `"${v}"`;
  }
  return `${out}}`;
}
const NEEDS_ESCAPE = /[\\"]/;

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
