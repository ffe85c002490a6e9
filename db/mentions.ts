import { createHash, hash } from 'node:crypto';
import { copyChunks } from './copy.ts';
import type { Db } from './pool.ts';

/** A mention as fetched: what a source's run stores. The analyzer fills in the rest (see MentionAnalysis). */
export interface RawMention {
  source: string;
  sourceId: string;
  targetId: number | null;
  url: string | null;
  canonicalUrl: string | null;
  author: string | null;
  title: string | null;
  body: string;
  /** The language the source declared, if any (the analyzer detects it otherwise). */
  lang: string | null;
  publishedAt: Date;
}

/** What the analyzer adds to a stored mention. */
export interface MentionAnalysis {
  lang: string | null;
  entities: { key: string; kind: string; field: string; matched: string }[];
  sentiment: number | null;
  sentimentLabel: string | null;
  aspects: { aspect: string; score: number; label: string }[];
  simhash: string | null;
  /** Candidate trend terms: key and display form. */
  terms: { key: string; display: string }[];
}

/** A mention with its analysis: what the rollups count. */
export type MentionInput = RawMention & MentionAnalysis;

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
     WHERE dup_of IS NULL AND simhash IS NOT NULL AND published_at BETWEEN $5 AND $6
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

/** The columns a source's run stores; the analyzer's are filled in later (see saveAnalysis). */
export const RAW_COLUMNS =
  'source, source_id, source_key, url_key, target_id, url, canonical_url, author, title, body, lang, published_at';

/** Text Postgres takes: no NUL (text cannot hold one), no lone surrogate (sent as UTF-8 it was a U+FFFD anyway). */
function clean<T extends string | null>(s: T): T {
  if (s === null) return s;
  const t = s.isWellFormed() ? s : s.toWellFormed();
  return (t.includes('\u0000') ? t.replaceAll('\u0000', '') : t) as T;
}

const md5 = (s: string) => hash('md5', s, 'hex');
const uuidOf = (hex: string) =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;

// A handful of sources carry every mention: their digests are cached (bounded).
const sourceDigests = new Map<string, string>();

/**
 * A mention's dedup keys, as migration 0011 defines them in SQL: `md5(md5(source) || source_id)` and
 * `md5(canonical_url)`, as uuids. Two mentions with either key equal are one item.
 */
export function mentionKeys(
  source: string,
  sourceId: string,
  canonicalUrl: string | null,
): { sourceKey: string; urlKey: string | null } {
  let digest = sourceDigests.get(source);
  if (digest === undefined) {
    if (sourceDigests.size >= 1_000) sourceDigests.clear();
    digest = md5(source);
    sourceDigests.set(source, digest);
  }
  return {
    sourceKey: uuidOf(md5(digest + sourceId)),
    urlKey: canonicalUrl === null ? null : uuidOf(md5(canonicalUrl)),
  };
}

interface KeyedMention<T extends RawMention> {
  m: T;
  sk: string;
  uk: string | null;
}

/**
 * Cleans and keys mentions into `out`, keeping the first of each item (same source key or same canonical URL)
 * among those `seen` so far.
 */
function keyed<T extends RawMention>(
  mentions: T[],
  seen = new Set<string>(),
  out: KeyedMention<T>[] = [],
): KeyedMention<T>[] {
  for (const raw of mentions) {
    const m: T = {
      ...raw,
      source: clean(raw.source),
      sourceId: clean(raw.sourceId),
      url: clean(raw.url),
      canonicalUrl: clean(raw.canonicalUrl),
      author: clean(raw.author),
      title: clean(raw.title),
      body: clean(raw.body),
      lang: clean(raw.lang),
    };
    const { sourceKey, urlKey } = mentionKeys(m.source, m.sourceId, m.canonicalUrl);
    if (seen.has(sourceKey) || (urlKey !== null && seen.has(urlKey))) continue;
    seen.add(sourceKey);
    if (urlKey !== null) seen.add(urlKey);
    out.push({ m, sk: sourceKey, uk: urlKey });
  }
  return out;
}

const copyLine = ({ m, sk, uk }: KeyedMention<RawMention>): unknown[] => [
  m.source,
  m.sourceId,
  sk,
  uk,
  m.targetId,
  m.url,
  m.canonicalUrl,
  m.author,
  m.title,
  m.body,
  m.lang,
  m.publishedAt,
];

/** A raw mention as the row COPY stores it (keys included), for callers that copy rows themselves (the benchmark). */
export function rawCopyRow(m: RawMention): unknown[] {
  const { sourceKey, urlKey } = mentionKeys(m.source, m.sourceId, m.canonicalUrl);
  return copyLine({ m, sk: sourceKey, uk: urlKey });
}

/** Stores whichever of the rows are new (ON CONFLICT: any writer, any time); returns their ids and source keys. */
async function insertRaw(db: Db, rows: KeyedMention<RawMention>[]): Promise<{ id: number; sk: string }[]> {
  const json = JSON.stringify(
    rows.map(({ m, sk, uk }) => ({
      s: m.source,
      i: m.sourceId,
      sk,
      uk,
      t: m.targetId,
      u: m.url,
      c: m.canonicalUrl,
      a: m.author,
      ti: m.title,
      b: m.body,
      l: m.lang,
      p: m.publishedAt,
    })),
  );
  const { rows: stored } = await db.query<{ id: number; sk: string }>(
    'mentions.insert',
    `INSERT INTO mentions (${RAW_COLUMNS})
     SELECT s, i, sk, uk, t, u, c, a, ti, b, l, p FROM json_to_recordset($1::json) AS x(s text, i text, sk uuid, uk uuid,
       t bigint, u text, c text, a text, ti text, b text, l text, p timestamptz)
     ON CONFLICT DO NOTHING RETURNING id, source_key::text AS sk`,
    [json],
  );
  return stored;
}

/**
 * What a source's run does with what it fetched: stores the items not stored yet, as they are, for the analyzer
 * (analyzePendingMentions). The same item from the same source, or the same canonical URL from any source, is
 * stored once, however often it is fetched. On real Postgres the batch goes in by COPY, optimistically: if any
 * of its items is stored already (a re-fetch, or another writer), the COPY stores nothing and the batch takes
 * the INSERT … ON CONFLICT path, which the embedded database always takes. (A check for stored keys before the
 * COPY cost more than the COPY itself.) Atomic per call: all of the new rows or none. Not inside a transaction (a
 * failed COPY would abort it). Returns how many were new.
 */
export async function storeRawMentions(db: Db, mentions: RawMention[]): Promise<number> {
  return storePreparedMentions(db, prepareRawMentions(mentions));
}

/**
 * A batch made ready to store (cleaned, keyed, serialised), so that a caller can prepare one while storing another.
 * Built up by `prepareRawMentions`, a part at a time if the caller wants to yield in between.
 */
export interface PreparedMentions {
  rows: KeyedMention<RawMention>[];
  chunks: Buffer[];
  seen: Set<string>;
}

/** Pure: everything storeRawMentions does before it talks to the database; adds to `into` when given. */
export function prepareRawMentions(
  mentions: RawMention[],
  into: PreparedMentions = { rows: [], chunks: [], seen: new Set() },
): PreparedMentions {
  const from = into.rows.length;
  keyed(mentions, into.seen, into.rows);
  for (const chunk of copyChunks(into.rows.slice(from).map(copyLine))) into.chunks.push(chunk);
  return into;
}

/**
 * Stores a prepared batch (see storeRawMentions); returns how many were new. Each statement commits on its own,
 * durably: a run moves its source's cursor past what it stored, so a commit a crash could undo would lose items
 * for good (`synchronous_commit = off` did, in the Postgres-outage test).
 */
export async function storePreparedMentions(db: Db, p: PreparedMentions): Promise<number> {
  if (p.rows.length === 0) return 0;
  if (db.canCopy) {
    try {
      return await db.copyFrom('mentions.copy', `COPY mentions (${RAW_COLUMNS}) FROM STDIN`, p.chunks);
    } catch (err) {
      // Some item is stored already (a re-fetch) or was just stored by another writer: COPY stored nothing.
      if ((err as { code?: string }).code !== '23505') throw err;
    }
  }
  return (await insertRaw(db, p.rows)).length;
}

/** A stored mention the analyzer reads. */
export interface StoredMention extends RawMention {
  id: number;
}

type AnalysedMention = MentionInput & { id: number };

/**
 * The analyzer's loop: takes stored mentions that are not analysed yet, oldest first, `batch` per transaction
 * (locked: concurrent analyzers skip each other's rows), calls `analyze` (pure: one analysis per mention, in
 * order) and saves the results with their entity links and rollups (see saveAnalysis); until nothing is pending
 * or `deadline` (ms since epoch) has passed. A batch is read and analysed while the one before it is being saved,
 * and saved only after that one committed, so the outcome is that of the batches one after the other (a copy
 * finds its original in the batch before). A crash leaves each unsaved batch pending, whole. Returns how many
 * were analysed, and whether some may still be pending.
 */
export async function analyzePendingMentions(
  db: Db,
  analyze: (mentions: StoredMention[]) => MentionAnalysis[],
  opts: { batch?: number; deadline?: number } = {},
): Promise<{ analyzed: number; more: boolean }> {
  const batch = opts.batch ?? 500;
  const deadline = opts.deadline ?? Number.POSITIVE_INFINITY;
  // Past the last batch read: the pending index's entries for rows analysed since its last vacuum are not
  // walked again for every batch.
  let after = 0;
  let saving: Promise<number> = Promise.resolve(0);
  const batches: Promise<number>[] = [];
  let more = false;
  try {
    for (;;) {
      const previous = saving;
      let picked!: (p: { n: number; last: number }) => void;
      const read = new Promise<{ n: number; last: number }>((resolve) => {
        picked = resolve;
      });
      const from = after;
      saving = db.withTransaction(async (tx) => {
        // The oldest pending rows are the first entries of the pending index, read in order. Without fresh
        // statistics (a burst of stores, autovacuum not yet round) the planner expects a handful of pending
        // rows and bitmap-scans all of them, then sorts: 55 ms per batch at 50k pending, growing with the
        // backlog, against 4 ms for the ordered index scan. Off for this statement only.
        await tx.query('mentions.pending_plan', 'SET LOCAL enable_bitmapscan = off');
        const { rows } = await tx.query<StoredMention>(
          'mentions.pending',
          `SELECT id, source, source_id AS "sourceId", target_id AS "targetId", url, canonical_url AS "canonicalUrl",
             author, title, body, lang, published_at AS "publishedAt"
           FROM mentions WHERE analyzed_at IS NULL AND id > $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
          [from, batch],
        );
        await tx.query('mentions.pending_plan', 'SET LOCAL enable_bitmapscan = on');
        picked({ n: rows.length, last: rows.length ? rows[rows.length - 1].id : from });
        if (rows.length === 0) return 0;
        const analyses = analyze(rows);
        if (analyses.length !== rows.length)
          throw new Error(`analyze returned ${analyses.length} analyses for ${rows.length} mentions`);
        await previous;
        return (
          await saveAnalysis(
            tx,
            rows.map((m, i) => ({ ...m, ...analyses[i], id: m.id })),
          )
        ).length;
      });
      batches.push(saving);
      const { n, last } = await Promise.race([read, saving.then(() => read)]);
      after = last;
      if (n < batch) break;
      if (Date.now() > deadline) {
        more = true;
        break;
      }
    }
    const counts = await Promise.all(batches);
    return { analyzed: counts.reduce((a, b) => a + b, 0), more };
  } catch (err) {
    // Every batch settled before the error goes up (a later one waits on the failed one and fails with it).
    await Promise.allSettled(batches);
    throw err;
  }
}

/**
 * Stores mentions analysed already (seeds, tests, benchmarks): the new ones and their analysis in one
 * transaction, as the ingest and the analyzer together would. Returns the ids of the new mentions, in input order.
 */
export async function insertMentions(db: Db, mentions: MentionInput[]): Promise<number[]> {
  const rows = keyed(mentions);
  if (rows.length === 0) return [];
  return db.withTransaction(async (tx) => {
    const idOf = new Map((await insertRaw(tx, rows)).map((r) => [r.sk, r.id]));
    const fresh = rows.filter((r) => idOf.has(r.sk)).map((r) => ({ ...r.m, id: idOf.get(r.sk)! }));
    return saveAnalysis(tx, fresh);
  });
}

/**
 * Saves the analysis of mentions not analysed yet (in order; locked or just inserted by the caller's
 * transaction): each row's analysis and near-copy link, its entity links, and the rollups of exactly the rows it
 * analysed (per-entity and per-aspect daily sentiment, daily totals, per term and day the mentions, hourly counts,
 * sentiment and distinct authors: a sketch, exact below AUTHOR_SKETCH_SIZE authors). A copy of an analysed
 * original (SimHash within NEAR_DUPLICATE_BITS, published within two weeks), or of an earlier mention of the
 * batch, points at it. A row analysed already is left alone and counted nowhere. Returns the ids it analysed.
 */
async function saveAnalysis(tx: Db, m: AnalysedMention[]): Promise<number[]> {
  if (m.length === 0) return [];
  // Analyzers running side by side (SKIP LOCKED hands each its own rows) could each save one of a pair of
  // near-copies and neither see the other, uncommitted yet: two originals. Saves take turns, from here to
  // their commit, so each reads the originals every earlier save committed; the analysis itself stays parallel.
  // (Saves of one day's mentions queue on its mention_daily row anyway.)
  await tx.query('mentions.save_turn', 'SELECT pg_advisory_xact_lock(72620533, 1)');
  const hashes = m.map(hashOf);
  const near = resolveNearCopies(m, hashes, await originalsNear(tx, hashes));
  const rows = JSON.stringify(
    m.map((x, i) => ({
      id: x.id,
      l: clean(x.lang),
      e: x.entities,
      se: x.sentiment,
      sl: x.sentimentLabel,
      as_: x.aspects,
      h: x.simhash,
      d: near[i].original ?? (near[i].twin === null ? null : m[near[i].twin].id),
    })),
  );
  const links: { id: number; k: string; p: Date; s: number | null }[] = [];
  for (const x of m)
    if (x.entities.length)
      for (const k of entityKeys(x)) links.push({ id: x.id, k, p: x.publishedAt, s: x.sentiment });
  const { rows: saved } = await tx.query<{ id: number }>(
    'mentions.save_analysis',
    `WITH u AS (
       SELECT * FROM json_to_recordset($1::json) AS u(id bigint, l text, e jsonb, se real, sl text, as_ jsonb,
         h bigint, d bigint)),
     saved AS (
       UPDATE mentions x SET lang = u.l, entities = u.e, sentiment = u.se, sentiment_label = u.sl, aspects = u.as_,
         simhash = u.h, dup_of = u.d, analyzed_at = now()
       FROM u WHERE x.id = u.id AND x.analyzed_at IS NULL RETURNING x.id),
     links AS (
       INSERT INTO mention_entities (entity_key, published_at, mention_id, sentiment)
       SELECT l.k, l.p, l.id, l.s FROM json_to_recordset($2::json) AS l(id bigint, k text, p timestamptz, s real)
       JOIN saved ON saved.id = l.id
       ON CONFLICT DO NOTHING)
     SELECT id FROM saved`,
    [rows, JSON.stringify(links)],
  );
  const done = new Set(saved.map((r) => r.id));
  const fresh = done.size === m.length ? m : m.filter((x) => done.has(x.id));
  if (fresh.length) await writeRollups(tx, aggregateRollups(fresh));
  return fresh.map((x) => x.id);
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

/** The rollup statements (one per table, a batch's rows as parameters). */
const ENTITY_DAILY_SQL = `INSERT INTO entity_daily (entity_key, aspect, day, mentions, sentiment_sum, sentiment_n)
   SELECT key, aspect, day, n, sum, sn
   FROM json_to_recordset($1::json) AS x(key text, aspect text, day date, n int, sum float8, sn int)
   ON CONFLICT (entity_key, aspect, day) DO UPDATE SET mentions = entity_daily.mentions + EXCLUDED.mentions,
     sentiment_sum = entity_daily.sentiment_sum + EXCLUDED.sentiment_sum,
     sentiment_n = entity_daily.sentiment_n + EXCLUDED.sentiment_n`;

const MENTION_DAILY_SQL = `INSERT INTO mention_daily (day, mentions)
   SELECT * FROM unnest($1::date[], $2::int[]) AS x(day, n)
   ON CONFLICT (day) DO UPDATE SET mentions = mention_daily.mentions + EXCLUDED.mentions`;

// Column arrays, not JSON: for this many small rows Postgres spends a third less per row on unnest (measured).
const TERM_DAILY_SQL = `INSERT INTO term_daily AS d (term, day, display, mentions, sentiment_sum, sentiment_n, hourly, author_sketch)
   SELECT x.t, x.d, x.s, x.n, x.ss, x.sn,
     CASE WHEN x.h IS NULL THEN array_fill(0, ARRAY[x.hr]) || x.n || array_fill(0, ARRAY[23 - x.hr]) ELSE x.h::int[] END,
     CASE WHEN x.a IS NULL THEN ARRAY[x.a1] ELSE x.a::int[] END
   FROM unnest($1::text[], $2::date[], $3::text[], $4::int[], $5::float8[], $6::int[],
     $7::text[], $8::text[], $9::int[], $10::int[]) AS x(t, d, s, n, ss, sn, h, a, hr, a1)
   ON CONFLICT (term, day) DO UPDATE SET mentions = d.mentions + EXCLUDED.mentions,
     display = CASE WHEN position(' ' in d.display) = 0 THEN EXCLUDED.display ELSE d.display END,
     sentiment_sum = d.sentiment_sum + EXCLUDED.sentiment_sum, sentiment_n = d.sentiment_n + EXCLUDED.sentiment_n,
     hourly = mr_add_hours(d.hourly, EXCLUDED.hourly),
     author_sketch = mr_sketch_union(d.author_sketch, EXCLUDED.author_sketch)`;

/** Merges rollups aggregated over exactly the mentions a transaction analysed (their links are already stored). */
async function writeRollups(tx: Db, r: Rollups): Promise<void> {
  if (r.entityDaily) await tx.query('entity_daily.bump', ENTITY_DAILY_SQL, [r.entityDaily]);
  await tx.query('mention_daily.bump', MENTION_DAILY_SQL, [r.days, r.dayCounts]);
  if (r.termDaily) await tx.query('term_daily.bump', TERM_DAILY_SQL, r.termDaily);
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
  /** False until the analyzer has scored it (see analyzePendingMentions). */
  analyzed: boolean;
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
  m.entities, m.sentiment, m.sentiment_label AS "sentimentLabel", m.aspects, m.dup_of AS "duplicateOf",
  m.analyzed_at IS NOT NULL AS analyzed`;

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
