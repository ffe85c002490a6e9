import type { Db } from './pool.ts';

export interface TermDayRow {
  term: string;
  display: string;
  day: string;
  mentions: number;
  authors: number;
}

/** Daily totals of all mentions in [from, to]. */
export async function mentionTotals(db: Db, from: string, to: string): Promise<Map<string, number>> {
  const { rows } = await db.query<{ day: string; mentions: number }>(
    'mention_daily.range',
    'SELECT day::text AS day, mentions FROM mention_daily WHERE day >= $1::date AND day <= $2::date',
    [from, to],
  );
  return new Map(rows.map((r) => [r.day, r.mentions]));
}

/**
 * Term rollup rows in [from, to] for terms with at least `minAuthors` author-days since `recentFrom`:
 * no other term can pass the detector, so the read grows with recent activity, not with history.
 */
export async function activeTermDays(
  db: Db,
  f: { from: string; to: string; recentFrom: string; minAuthors: number },
): Promise<TermDayRow[]> {
  const { rows } = await db.query<TermDayRow>(
    'term_daily.active',
    `WITH active AS (
       SELECT term FROM term_daily WHERE day >= $3::date AND day <= $2::date GROUP BY term HAVING sum(authors) >= $4)
     SELECT d.term, d.display, d.day::text AS day, d.mentions, d.authors
     FROM term_daily d JOIN active a USING (term) WHERE d.day >= $1::date AND d.day <= $2::date`,
    [f.from, f.to, f.recentFrom, f.minAuthors],
  );
  return rows;
}

/** First day each term was seen. */
export async function termFirstSeen(db: Db, terms: string[]): Promise<Map<string, string>> {
  if (terms.length === 0) return new Map();
  const { rows } = await db.query<{ term: string; day: string }>(
    'term_daily.first_seen',
    'SELECT term, min(day)::text AS day FROM term_daily WHERE term = ANY($1::text[]) GROUP BY term',
    [terms],
  );
  return new Map(rows.map((r) => [r.term, r.day]));
}

export interface EvidenceMention {
  id: number;
  publishedAt: Date;
  author: string | null;
  source: string;
  sentiment: number | null;
  title: string | null;
  body: string;
  lang: string | null;
}

/**
 * A mention's title and body as term fragments are matched against: accent-folded (NFD less its combining marks,
 * so that an uppercase accented letter lowers too), lowercased, without spaces and punctuation.
 */
const FOLDED_TEXT = `lower(regexp_replace(normalize(coalesce(title, '') || ' ' || body, NFD), '[\\u0300-\\u036f]', '', 'g'))`;
const SQUASHED_TEXT = `regexp_replace(${FOLDED_TEXT}, '[[:space:][:punct:]]+', '', 'g')`;

/**
 * Mentions in [since, until) that may carry any of the terms, newest first, at most `limit`. Each term is given as
 * its fragments (`termFragments` of the trends analyzer: "glass skin" → ["glass", "skin"]), matched in order on the
 * folded text, so a hashtag-only "#GlassSkin", "glass-skins" and accented spellings are found; a caller that needs
 * the exact term tests each row's term keys. Newest first: when more match than `limit`, the latest are kept.
 */
export async function mentionsMatchingTerms(
  db: Db,
  f: { since: Date; until: Date; terms: string[][]; limit: number },
): Promise<EvidenceMention[]> {
  const terms = f.terms.filter((t) => t.length > 0);
  const patterns = terms.map((t) => `%${t.map((x) => x.replace(/[\\%_]/g, (c) => `\\${c}`)).join('%')}%`);
  if (patterns.length === 0) return [];
  // The folded, squashed text costs ~10x a regular expression on the raw text: rows are screened first with
  // `rawTextScreen` (which lets through every row the exact test would keep), and only those are folded.
  const { rows } = await db.query<EvidenceMention>(
    'mentions.matching_terms',
    `SELECT id, published_at AS "publishedAt", author, source, sentiment, title, body, lang FROM mentions
     WHERE published_at >= $1 AND published_at < $2
       AND CASE WHEN (coalesce(title, '') || ' ' || body) ~* $5 THEN ${SQUASHED_TEXT} LIKE ANY($3::text[]) ELSE false END
     ORDER BY published_at DESC, id DESC LIMIT $4`,
    [f.since, f.until, patterns, f.limit, rawTextScreen(terms)],
  );
  return rows;
}

/**
 * Lowercase letters → every character of Latin-1 and the Latin Extended blocks that folds to it as FOLDED_TEXT folds
 * (NFD less combining marks, lowercased), itself and its uppercase included: "e" → "eEèéêëÈÉÊË…".
 */
const FOLDS_TO: ReadonlyMap<string, string> = (() => {
  const m = new Map<string, string>();
  const add = (base: string, ch: string) => m.set(base, (m.get(base) ?? '') + ch);
  for (const [from, to] of [
    [0x41, 0x5a],
    [0x61, 0x7a],
    [0xc0, 0x24f],
    [0x1e00, 0x1eff],
  ]) {
    for (let cp = from; cp <= to; cp++) {
      const ch = String.fromCodePoint(cp);
      const base = ch
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .toLowerCase();
      if (/^[a-z]$/.test(base)) add(base, ch);
    }
  }
  return m;
})();

/**
 * A case-insensitive regular expression for the raw title and body that every mention `mentionsMatchingTerms` keeps
 * also matches: each fragment's characters in order, any accented form of a letter, separated only by spaces,
 * punctuation or combining marks (what folding and squashing remove), the fragments of a term in order. A superset
 * screen: the exact test runs on what it lets through.
 */
export function rawTextScreen(terms: readonly (readonly string[])[]): string {
  const gap = '[[:space:][:punct:]\u0300-\u036f]*';
  // A letter or digit stands for itself (escaped, it would be a class like \d); anything else is escaped.
  const charClass = (c: string) => {
    const forms = FOLDS_TO.get(c);
    if (forms) return `[${forms}]`;
    return /[\p{L}\p{N}]/u.test(c) ? c : `\\${c}`;
  };
  const fragment = (f: string) => [...f].map(charClass).join(gap);
  return terms.map((t) => `(${t.map(fragment).join('.*')})`).join('|');
}

export interface TrendRow {
  term: string;
  display: string;
  detectedAt: string;
  firstSeen: string;
  score: number;
  growth: number;
  count: number;
  baseline: number;
  windowDays: number;
  distinctAuthors: number;
  distinctSources: number;
  sentiment: number | null;
  sampleMentionIds: number[];
}

const TREND_COLUMNS = `term, display, detected_at::text AS "detectedAt", first_seen::text AS "firstSeen", score, growth,
  count, baseline, window_days AS "windowDays", distinct_authors AS "distinctAuthors",
  distinct_sources AS "distinctSources", sentiment, sample_mention_ids AS "sampleMentionIds"`;

/** Stores newly detected trends; a term already reported keeps its first detection. Returns the new terms. */
export async function insertTrends(db: Db, trends: TrendRow[]): Promise<string[]> {
  const inserted: string[] = [];
  for (const t of trends) {
    const { rows } = await db.query<{ term: string }>(
      'trends.insert',
      `INSERT INTO trends (term, display, detected_at, first_seen, score, growth, count, baseline, window_days,
         distinct_authors, distinct_sources, sentiment, sample_mention_ids)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (term) DO NOTHING RETURNING term`,
      [
        t.term,
        t.display,
        t.detectedAt,
        t.firstSeen,
        t.score,
        t.growth,
        t.count,
        t.baseline,
        t.windowDays,
        t.distinctAuthors,
        t.distinctSources,
        t.sentiment,
        t.sampleMentionIds,
      ],
    );
    if (rows.length) inserted.push(rows[0].term);
  }
  return inserted;
}

export async function reportedTerms(db: Db): Promise<Set<string>> {
  const { rows } = await db.query<{ term: string }>('trends.terms', 'SELECT term FROM trends');
  return new Set(rows.map((r) => r.term));
}

/**
 * Trends detected on or after `since` (a day; all of them without it), ranked by score, the strongest first; ties go
 * to the newer detection.
 */
export async function listTrends(db: Db, f: { since?: string; limit: number }): Promise<TrendRow[]> {
  const { rows } = await db.query<TrendRow>(
    'trends.list',
    `SELECT ${TREND_COLUMNS} FROM trends WHERE ($1::date IS NULL OR detected_at >= $1::date)
     ORDER BY score DESC, detected_at DESC, term LIMIT $2`,
    [f.since ?? null, f.limit],
  );
  return rows;
}

export async function getTrend(db: Db, term: string): Promise<TrendRow | null> {
  const { rows } = await db.query<TrendRow>(
    'trends.get',
    `SELECT ${TREND_COLUMNS} FROM trends WHERE term = $1`,
    [term],
  );
  return rows[0] ?? null;
}

/** A term's counts and mean sentiment per day or hour. */
export async function termSeries(
  db: Db,
  f: { term: string; bucket: 'day' | 'hour'; since: Date; until: Date },
): Promise<{ t: string; count: number; sentiment: number | null }[]> {
  if (f.bucket === 'hour') {
    // Hours with mentions, from the 24 UTC hourly counts of each term_daily row in the range.
    const { rows } = await db.query<{ t: Date; count: number }>(
      'term_daily.hourly_series',
      `SELECT h.t, h.count FROM term_daily d,
         LATERAL (SELECT (d.day + make_interval(hours => i::int - 1)) AT TIME ZONE 'UTC' AS t, c AS count
                  FROM unnest(d.hourly) WITH ORDINALITY AS x(c, i)) h
       WHERE d.term = $1 AND d.day >= ($2::timestamptz AT TIME ZONE 'UTC')::date
         AND d.day <= ($3::timestamptz AT TIME ZONE 'UTC')::date
         AND h.count > 0 AND h.t >= $2 AND h.t < $3
       ORDER BY h.t`,
      [f.term, f.since, f.until],
    );
    return rows.map((r) => ({ t: new Date(r.t).toISOString(), count: r.count, sentiment: null }));
  }
  const { rows } = await db.query<{ t: string; count: number; sentiment: number | null }>(
    'term_daily.series',
    `SELECT day::text AS t, mentions AS count, CASE WHEN sentiment_n > 0 THEN sentiment_sum / sentiment_n END AS sentiment
     FROM term_daily WHERE term = $1 AND day >= $2::date AND day <= $3::date ORDER BY day`,
    [f.term, f.since, f.until],
  );
  return rows;
}

/**
 * Ids of an entity's mentions published in [since, until) with the lowest (`order: 'lowest'`) or highest
 * sentiment, at most `limit`: the mentions that drove a sentiment shift down (or up). Reads the
 * (entity, time) range of mention_entities, so the cost grows with the window, not with history.
 */
export async function entityMentionsBySentiment(
  db: Db,
  f: { entity: string; since: Date; until: Date; order: 'lowest' | 'highest'; limit: number },
): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>(
    'mention_entities.by_sentiment',
    `SELECT mention_id AS id FROM mention_entities
     WHERE entity_key = $1 AND published_at >= $2 AND published_at < $3 AND sentiment IS NOT NULL
     ORDER BY sentiment ${f.order === 'lowest' ? 'ASC' : 'DESC'}, mention_id LIMIT $4`,
    [f.entity, f.since, f.until, f.limit],
  );
  return rows.map((r) => r.id);
}

/** A stored `sentiment_shift` event, reduced to what deciding "is this shift already reported?" needs. */
export interface ReportedShift {
  entity: string;
  day: string;
  delta: number;
}

/**
 * The `sentiment_shift` events whose shift day is on or after `since`, under a transaction-scoped lock so
 * that two passes deciding which shifts are new (then storing them) do not interleave. Call inside
 * `withTransaction`.
 */
export async function lockReportedShifts(tx: Db, since: string): Promise<ReportedShift[]> {
  await tx.query('events.sentiment_shift_lock', 'SELECT pg_advisory_xact_lock(72620532, 1)');
  const { rows } = await tx.query<ReportedShift>(
    'events.sentiment_shifts',
    `SELECT payload->>'entity' AS entity, payload->>'day' AS day, (payload->>'delta')::float8 AS delta
     FROM events WHERE type = 'sentiment_shift' AND occurred_at >= $1::date`,
    [since],
  );
  return rows;
}
