/**
 * The set-based mention ingest (migration 0009): term rollups (mentions, hourly counts, distinct-author sketch)
 * agree with a recount of what was stored, under concurrent writers and re-ingest; the sketch is exact below
 * 256 authors and estimates above; copies within one batch are grouped; the migration carries old rollups over.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUTHOR_SKETCH_SIZE,
  authorHash,
  createDb,
  type Db,
  insertMentions,
  listMentions,
  type MentionInput,
  migrate,
  readMigrations,
  termSeries,
} from '../../db/index.ts';
import { toMentions } from '../../jobs/index.ts';
import { createEmptyPostgresDb, createPostgresTestDb, type TestDb, testLog } from '../support/db.ts';
import { brand } from '../support/entities.ts';

const OPINIONS = [
  'the glass skin routine with snail mucin is great',
  'tried the new Lumina serum, my skin loves it',
  'Lumina mascara smudges by noon, not worth it',
  'glass skin in winter? snail mucin every night',
  'honestly the best cleanser I have used this year',
];

function items(n: number, opts: { authors: number; days: number; prefix: string }) {
  return Array.from({ length: n }, (_, i) => ({
    source: 'rollups',
    sourceId: `${opts.prefix}-${i}`,
    url: `https://social.example/${opts.prefix}/${i}`,
    author: i % 11 === 0 ? null : `user${(i * 7) % opts.authors}.example`,
    title: null,
    text: `${OPINIONS[i % OPINIONS.length]} #${opts.prefix}${i % 13} (${i})`,
    publishedAt: new Date(Date.UTC(2026, 2, 1 + (i % opts.days), (i * 5) % 24, i % 60)).toISOString(),
    lang: 'en',
  }));
}

const LUMINA = brand('lumina', 'Lumina');

/** What term_daily must hold for these mentions, counted the slow, obvious way. */
function recount(mentions: MentionInput[]) {
  const cells = new Map<string, { mentions: number; authors: Set<string>; hourly: number[] }>();
  for (const m of mentions) {
    const day = m.publishedAt.toISOString().slice(0, 10);
    for (const t of m.terms) {
      const k = `${t.key} ${day}`;
      const c = cells.get(k) ?? { mentions: 0, authors: new Set(), hourly: new Array(24).fill(0) };
      c.mentions++;
      c.authors.add(m.author ?? `anonymous:${m.source}`);
      c.hourly[m.publishedAt.getUTCHours()]++;
      cells.set(k, c);
    }
  }
  return cells;
}

async function termRows(db: Db) {
  const { rows } = await db.query<{
    term: string;
    day: string;
    mentions: number;
    authors: number;
    hourly: number[];
  }>('t', 'SELECT term, day::text AS day, mentions, authors, hourly FROM term_daily');
  return new Map(rows.map((r) => [`${r.term} ${r.day}`, r]));
}

describe('mention ingest: set-based rollups', () => {
  let tdb: TestDb;
  beforeAll(async () => {
    tdb = await createPostgresTestDb();
  });
  afterAll(async () => {
    await tdb?.close();
  });

  it('term rollups equal a recount of the stored mentions, with 4 concurrent writers and a re-ingest', async () => {
    const mentions = toMentions(items(1500, { authors: 40, days: 4, prefix: 'conc' }), null, [LUMINA]);
    const writers = Array.from({ length: 4 }, () => createDb(tdb.url, testLog, { max: 1 }));
    try {
      await Promise.all(
        writers.map(async (w, k) => {
          // Each writer its own batch boundaries, so batches overlap partially.
          const size = 200 + 50 * k;
          for (let i = 0; i < mentions.length; i += size)
            await insertMentions(w, mentions.slice(i, i + size));
        }),
      );
    } finally {
      await Promise.all(writers.map((w) => w.close()));
    }
    expect(await insertMentions(tdb.db, mentions)).toEqual([]);

    const expected = recount(mentions);
    const stored = await termRows(tdb.db);
    expect(stored.size).toBe(expected.size);
    for (const [k, e] of expected) {
      const s = stored.get(k);
      expect(s, k).toBeDefined();
      expect({ k, mentions: s!.mentions, authors: s!.authors, hourly: s!.hourly }).toEqual({
        k,
        mentions: e.mentions,
        authors: e.authors.size,
        hourly: e.hourly,
      });
    }
    const { rows } = await tdb.db.query<{ n: number }>(
      't',
      'SELECT sum(mentions)::int AS n FROM mention_daily',
    );
    expect(rows[0].n).toBe(1500);
  }, 120_000);

  it('serves a term’s hourly series from the daily rows', async () => {
    const mentions = toMentions(
      Array.from({ length: 200 }, (_, i) => ({
        source: 'hours',
        sourceId: `h-${i}`,
        url: null,
        author: `a${i % 9}`,
        title: null,
        text: `velvet tint swatches, take ${i}`,
        publishedAt: new Date(Date.UTC(2026, 3, 1 + (i % 2), (i * 7) % 24, i % 60)).toISOString(),
        lang: 'en',
      })),
      null,
      [],
    );
    await insertMentions(tdb.db, mentions);
    const expected = new Map<string, number>();
    for (const m of mentions) {
      const hour = `${m.publishedAt.toISOString().slice(0, 13)}:00:00.000Z`;
      expected.set(hour, (expected.get(hour) ?? 0) + 1);
    }
    const series = await termSeries(tdb.db, {
      term: 'velvettint',
      bucket: 'hour',
      since: new Date('2026-04-01T00:00:00Z'),
      until: new Date('2026-04-03T00:00:00Z'),
    });
    expect(series.map((p) => [p.t, p.count])).toEqual([...expected].sort());
    // A window inside one day is cut at the hour.
    const part = await termSeries(tdb.db, {
      term: 'velvettint',
      bucket: 'hour',
      since: new Date('2026-04-01T10:00:00Z'),
      until: new Date('2026-04-01T12:00:00Z'),
    });
    expect(part.map((p) => p.t)).toEqual(
      [...expected.keys()].filter((t) => t >= '2026-04-01T10' && t < '2026-04-01T12').sort(),
    );
  });

  it('counts authors exactly below the sketch size and estimates above it; adding authors twice changes nothing', async () => {
    const post = (i: number, author: string, sourceId: string) => ({
      source: 'sketch',
      sourceId,
      url: null,
      author,
      title: null,
      text: `moonlit peel day ${i}`,
      publishedAt: '2026-04-10T12:00:00Z',
      lang: 'en',
    });
    const few = toMentions(
      Array.from({ length: 300 }, (_, i) => post(i, `few${i % (AUTHOR_SKETCH_SIZE - 1)}`, `few-${i}`)),
      null,
      [],
    );
    await insertMentions(tdb.db, few);
    const authorsOf = async () =>
      (
        await tdb.db.query<{ authors: number; n: number }>(
          't',
          `SELECT authors, cardinality(author_sketch) AS n FROM term_daily WHERE term = 'moonlitpeel' AND day = '2026-04-10'`,
        )
      ).rows[0];
    expect(await authorsOf()).toEqual({ authors: AUTHOR_SKETCH_SIZE - 1, n: AUTHOR_SKETCH_SIZE - 1 });

    // 4000 more distinct authors in two batches (the second repeats half of the first's authors).
    const many = (from: number, to: number, tag: string) =>
      toMentions(
        Array.from({ length: to - from }, (_, k) => post(from + k, `many${from + k}`, `${tag}-${from + k}`)),
        null,
        [],
      );
    await insertMentions(tdb.db, many(0, 2500, 'first'));
    await insertMentions(tdb.db, many(1500, 4000, 'again'));
    const est = await authorsOf();
    const truth = 4000 + AUTHOR_SKETCH_SIZE - 1;
    expect(est.n).toBe(AUTHOR_SKETCH_SIZE);
    expect(Math.abs(est.authors - truth) / truth).toBeLessThan(0.15);
    // The sketch is exactly the 256 smallest author hashes, as if computed at once.
    const all = [
      ...Array.from({ length: AUTHOR_SKETCH_SIZE - 1 }, (_, i) => `few${i}`),
      ...Array.from({ length: 4000 }, (_, i) => `many${i}`),
    ].map(authorHash);
    const smallest = [...new Set(all)].sort((a, b) => a - b).slice(0, AUTHOR_SKETCH_SIZE);
    const { rows } = await tdb.db.query<{ s: number[] }>(
      't',
      `SELECT author_sketch AS s FROM term_daily WHERE term = 'moonlitpeel' AND day = '2026-04-10'`,
    );
    expect(rows[0].s).toEqual(smallest);
    // Authors already counted add nothing.
    await insertMentions(tdb.db, many(0, 1000, 'third'));
    expect((await authorsOf()).authors).toBe(est.authors);
  });

  it('groups copies within one batch under the first of them; a copy of a copy is no copy of the original', async () => {
    const text =
      'Beleza Pura opened a pop-up store downtown with free samples of the new vitamin C serum for everyone';
    const batch = toMentions(
      [
        { text, id: 'a' },
        { text: `RT @x: ${text}`, id: 'rt' },
        { text: text.toUpperCase(), id: 'caps' },
        { text: 'An unrelated note about sunscreen and hats in the summer heat at the beach', id: 'other' },
      ].map((x, i) => ({
        source: 'copies',
        sourceId: x.id,
        url: `https://news.example/${x.id}`,
        author: x.id,
        title: null,
        text: x.text,
        publishedAt: new Date(Date.UTC(2026, 4, 1, 10 + i)).toISOString(),
        lang: 'en',
      })),
      null,
      [],
    );
    const ids = await insertMentions(tdb.db, batch);
    expect(ids).toHaveLength(4);
    // Hand-made hashes for a chain: x ← y (3 bits) ← z (3 bits from y, 6 from x); w is 1 bit from x.
    const [base] = toMentions(
      [
        {
          source: 'chain',
          sourceId: 'x',
          url: null,
          author: 'x',
          title: null,
          text: 'x',
          publishedAt: '2026-05-02T10:00:00Z',
          lang: 'en',
        },
      ],
      null,
      [],
    );
    const chain = [
      ['x', '4096'],
      ['y', String(4096 + 0b111)],
      ['z', String(4096 + 0b111111)],
      ['w', String(4096 + 0b1000000)],
    ].map(([id, simhash]) => ({ ...base, sourceId: id, url: `https://news.example/${id}`, simhash }));
    const chainIds = await insertMentions(tdb.db, chain);
    const rows = await listMentions(tdb.db, { limit: 20 });
    const by = Object.fromEntries(
      rows.filter((r) => r.source !== 'rollups').map((r) => [r.url?.split('/').pop(), r.duplicateOf]),
    );
    expect(by).toMatchObject({
      a: null,
      rt: ids[0],
      caps: ids[0],
      other: null,
      x: null,
      y: chainIds[0],
      z: null,
      w: chainIds[0],
    });
  });
});

describe('migration 0009', () => {
  it('moves hourly counts and distinct authors into term_daily; SQL and JS hash authors alike', async () => {
    const empty = await createEmptyPostgresDb();
    const db = createDb(empty.url, testLog, { max: 2 });
    try {
      const all = readMigrations();
      await migrate(
        db,
        testLog,
        all.filter((m) => m.version < 9),
      );
      await db.query(
        't',
        `INSERT INTO term_daily (term, day, display, mentions, authors) VALUES
           ('glassskin', '2026-01-05', 'glass skin', 5, 3), ('serum', '2026-01-05', 'serum', 1, 1)`,
      );
      await db.query(
        't',
        `INSERT INTO term_hourly (term, hour, mentions) VALUES
           ('glassskin', '2026-01-05T00:00:00Z', 2), ('glassskin', '2026-01-05T23:00:00Z', 3),
           ('serum', '2026-01-05T07:00:00Z', 1)`,
      );
      const authors = ['ana', 'Zoë Ñandú 🌸', 'anonymous:bluesky'];
      await db.query(
        't',
        `INSERT INTO term_authors (term, day, author) SELECT 'glassskin', '2026-01-05', unnest($1::text[])`,
        [authors],
      );
      await migrate(db, testLog, all);
      const { rows } = await db.query<{ term: string; hourly: number[]; authors: number; sketch: number[] }>(
        't',
        'SELECT term, hourly, authors, author_sketch AS sketch FROM term_daily ORDER BY term',
      );
      const hours = (set: Record<number, number>) => Array.from({ length: 24 }, (_, h) => set[h] ?? 0);
      expect(rows).toEqual([
        {
          term: 'glassskin',
          hourly: hours({ 0: 2, 23: 3 }),
          authors: 3,
          sketch: authors.map(authorHash).sort((a, b) => a - b),
        },
        // No author rows for it (cannot happen at ingest): no authors.
        { term: 'serum', hourly: hours({ 7: 1 }), authors: 0, sketch: [] },
      ]);
      const sql = await db.query<{ h: number }>(
        't',
        'SELECT mr_author_hash(a) AS h FROM unnest($1::text[]) a',
        [authors],
      );
      expect(sql.rows.map((r) => r.h)).toEqual(authors.map(authorHash));
      const gone = await db.query<{ n: number }>(
        't',
        `SELECT count(*)::int AS n FROM pg_tables WHERE tablename IN ('term_hourly', 'term_authors')`,
      );
      expect(gone.rows[0].n).toBe(0);
    } finally {
      await db.close();
      await empty.drop();
    }
  });
});
