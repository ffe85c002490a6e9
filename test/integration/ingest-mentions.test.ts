/**
 * A source's run stores mentions as fetched (`ingestMentions`: COPY on Postgres, INSERT on PGlite, dedup by
 * source key and canonical URL) and the analyzer (`analyzePendingMentions`) does the rest: together they must
 * give exactly what storing analysed mentions gives, store nothing twice under concurrent writers, and a failing
 * batch must stop the ingest with the earlier ones kept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SocialItem } from '../../crawlers/index.ts';
import {
  analyzePendingMentions,
  createDb,
  type Db,
  insertMentions,
  mentionKeys,
  migrate,
  readMigrations,
  storeRawMentions,
} from '../../db/index.ts';
import { analyzeBatch, analyzeMention, ingestMentions, toMentions, toRawMentions } from '../../jobs/index.ts';
import { createLogger } from '../../logger.ts';
import {
  createEmptyPostgresDb,
  createPgliteTestDb,
  createPostgresTestDb,
  type TestDb,
  testLog,
} from '../support/db.ts';
import { brand } from '../support/entities.ts';

const LUMINA = brand('lumina', 'Lumina');

const LINES = [
  'the Lumina serum gave me glass skin in a week',
  'Lumina mascara smudges by noon, not worth it',
  'snail mucin every night and my skin loves it',
  'honestly the best cleanser I have used this year',
];

function items(n: number): SocialItem[] {
  return Array.from({ length: n }, (_, i) => ({
    source: 'ingest',
    sourceId: `i-${i}`,
    url: `https://social.example/i/${i}`,
    author: `user${i % 23}`,
    title: null,
    // Every fifth post repeats an earlier one word for word: copies across and within batches.
    text: i % 5 === 4 ? `${LINES[(i - 4) % LINES.length]} #${i - 4}` : `${LINES[i % LINES.length]} #${i}`,
    publishedAt: new Date(Date.UTC(2026, 5, 1 + Math.floor(i / 40), i % 24)).toISOString(),
    lang: 'en',
  }));
}

/** Everything ingest writes, keyed by source ids so that two databases compare. */
async function snapshot(db: Db) {
  const q = async (sql: string) => (await db.query<Record<string, unknown>>('t', sql)).rows;
  return {
    mentions: await q(`SELECT m.source_id, o.source_id AS dup_of, m.sentiment, m.entities
                       FROM mentions m LEFT JOIN mentions o ON o.id = m.dup_of ORDER BY m.source_id`),
    links:
      await q(`SELECT me.entity_key, m.source_id FROM mention_entities me JOIN mentions m ON m.id = me.mention_id
                    ORDER BY 1, 2`),
    entityDaily: await q('SELECT * FROM entity_daily ORDER BY entity_key, aspect, day'),
    mentionDaily: await q('SELECT * FROM mention_daily ORDER BY day'),
    termDaily: await q('SELECT * FROM term_daily ORDER BY term, day'),
  };
}

/** Analyses everything pending, `batch` mentions per transaction, as the analyze-mentions job does. */
async function analyzeAll(db: Db, batch: number, entities = [LUMINA]): Promise<number> {
  const { analyzed, more } = await analyzePendingMentions(
    db,
    (ms) => ms.map((m) => analyzeMention(m, entities)),
    { batch },
  );
  expect(more).toBe(false);
  return analyzed;
}

const count = async (db: Db, where = 'true') =>
  (await db.query<{ n: number }>('t', `SELECT count(*)::int AS n FROM mentions WHERE ${where}`)).rows[0].n;

describe('ingestMentions then the analyzer', () => {
  let a: TestDb;
  let b: TestDb;
  beforeAll(async () => {
    [a, b] = await Promise.all([createPostgresTestDb(), createPostgresTestDb()]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('store then analyse gives exactly what storing analysed batches one after the other gives', async () => {
    const all = items(730);
    expect(await ingestMentions(a.db, all, null, 100)).toBe(730);
    // Stored as fetched: nothing analysed, nothing counted yet.
    expect(await count(a.db, 'analyzed_at IS NULL AND sentiment IS NULL')).toBe(730);
    expect((await snapshot(a.db)).mentionDaily).toEqual([]);
    expect(await analyzeAll(a.db, 100)).toBe(730);

    const mentions = toMentions(all, null, [LUMINA]);
    for (let i = 0; i < mentions.length; i += 100) await insertMentions(b.db, mentions.slice(i, i + 100));
    const [sa, sb] = await Promise.all([snapshot(a.db), snapshot(b.db)]);
    expect(sa.mentions.filter((m) => m.dup_of !== null).length).toBeGreaterThan(100);
    expect(sa).toEqual(sb);
    // Again: nothing new to store or analyse.
    expect(await ingestMentions(a.db, all, null, 100)).toBe(0);
    expect(await analyzeAll(a.db, 100)).toBe(0);
    expect(await snapshot(a.db)).toEqual(sa);
  }, 120_000);

  it('stops at a batch that fails, keeping the batches stored before it', async () => {
    const tdb = await createPostgresTestDb();
    try {
      // A real refusal from Postgres on one row of the third batch (items 200-299), after two were stored.
      await tdb.db.query(
        't',
        `CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN IF NEW.source_id = 'poison' THEN RAISE EXCEPTION 'poisoned row'; END IF; RETURN NEW; END $$`,
      );
      await tdb.db.query(
        't',
        'CREATE TRIGGER refuse_poison BEFORE INSERT ON mentions FOR EACH ROW EXECUTE FUNCTION refuse_poison()',
      );
      const all = items(350).map((x, i) => (i === 250 ? { ...x, sourceId: 'poison' } : x));
      await expect(ingestMentions(tdb.db, all, null, 100)).rejects.toThrow(/poisoned row/);
      expect(await count(tdb.db)).toBe(200);
      // The retry stores the rest, and only the rest.
      await tdb.db.query('t', 'DROP TRIGGER refuse_poison ON mentions');
      expect(await ingestMentions(tdb.db, all, null, 100)).toBe(150);
    } finally {
      await tdb.close();
    }
  });

  it('stores a NUL or a lone surrogate (which Postgres text cannot hold) cleaned, once', async () => {
    const tdb = await createPostgresTestDb();
    try {
      const odd = items(3).map((x, i) => ({ ...x, sourceId: `nul\u0000${i}`, author: `bad\ud800name${i}` }));
      expect(await ingestMentions(tdb.db, odd, null)).toBe(3);
      expect(await ingestMentions(tdb.db, odd, null)).toBe(0);
      const { rows } = await tdb.db.query<{ source_id: string; author: string }>(
        't',
        'SELECT source_id, author FROM mentions ORDER BY source_id',
      );
      expect(rows).toEqual([0, 1, 2].map((i) => ({ source_id: `nul${i}`, author: `bad\ufffdname${i}` })));
    } finally {
      await tdb.close();
    }
  });

  it('stores each item once when several writers store overlapping batches at the same time', async () => {
    const tdb = await createPostgresTestDb();
    const writers = Array.from({ length: 4 }, () => createDb(tdb.url, testLog, { max: 1 }));
    try {
      const all = items(2000);
      // The same items under a second source with the same URLs: the canonical URL makes them duplicates too.
      const echoed = all.slice(0, 300).map((x) => ({ ...x, source: 'echo' }));
      const stored = await Promise.all(
        writers.map((w, k) => ingestMentions(w, k === 3 ? [...echoed, ...all] : all, null, 150 + 40 * k)),
      );
      expect(stored.reduce((x, y) => x + y, 0)).toBe(2000);
      expect(await count(tdb.db)).toBe(2000);
      expect(await count(tdb.db, "source = 'ingest'")).toBeGreaterThanOrEqual(1700);
      // Two analyzers at once take disjoint rows; every mention is counted once.
      const analyzed = await Promise.all(writers.slice(0, 2).map((w) => analyzeAll(w, 120)));
      expect(analyzed[0] + analyzed[1]).toBe(2000);
      const daily = await tdb.db.query<{ n: number }>(
        't',
        'SELECT sum(mentions)::int AS n FROM mention_daily',
      );
      expect(daily.rows[0].n).toBe(2000);
      expect(await count(tdb.db, 'analyzed_at IS NULL')).toBe(0);
    } finally {
      await Promise.all(writers.map((w) => w.close()));
      await tdb.close();
    }
  }, 120_000);

  it("computes the dedup keys as migration 0011's SQL does, for any text (Postgres and PGlite)", async () => {
    const lite = await createPgliteTestDb();
    try {
      const cases: [string, string, string | null][] = [
        ['bluesky', 'at://did:plc:x/app.bsky.feed.post/1', 'https://bsky.app/profile/a/post/1'],
        ['feed:Beauté Ça Va', 'tag:exemplo.com.br,2026:ação/42', 'https://exemplo.com.br/notícias/ação'],
        ['reddit', '😀 t3_abc', null],
        ['mastodon', '東京-1', 'https://mastodon.example/@ユーザー/1'],
      ];
      for (const db of [a.db, lite.db])
        for (const [source, sourceId, url] of cases) {
          const { rows } = await db.query<{ sk: string; uk: string | null }>(
            't',
            'SELECT md5(md5($1) || $2)::uuid::text AS sk, md5($3)::uuid::text AS uk',
            [source, sourceId, url],
          );
          const keys = mentionKeys(source, sourceId, url);
          expect({ sk: keys.sourceKey, uk: keys.urlKey }).toEqual(rows[0]);
        }
    } finally {
      await lite.close();
    }
  });

  it('migration 0011 keys and marks analysed the mentions stored before it: re-fetching them stores nothing', async () => {
    const empty = await createEmptyPostgresDb();
    const db = createDb(empty.url, testLog, { max: 2 });
    try {
      await migrate(
        db,
        testLog,
        readMigrations().filter((m) => m.version < 11),
      );
      const before = toRawMentions(items(20), null);
      for (const m of before)
        await db.query(
          't',
          `INSERT INTO mentions (source, source_id, url, canonical_url, author, body, lang, published_at, sentiment)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0.5)`,
          [m.source, m.sourceId, m.url, m.canonicalUrl, m.author, m.body, m.lang, m.publishedAt],
        );
      await migrate(db, testLog);
      expect(await count(db, 'analyzed_at IS NULL')).toBe(0);
      const { rows } = await db.query<{ source: string; source_id: string; sk: string; uk: string }>(
        't',
        'SELECT source, source_id, source_key::text AS sk, url_key::text AS uk FROM mentions ORDER BY id',
      );
      expect(rows.map((r) => ({ sk: r.sk, uk: r.uk }))).toEqual(
        before.map((m) => {
          const k = mentionKeys(m.source, m.sourceId, m.canonicalUrl);
          return { sk: k.sourceKey, uk: k.urlKey };
        }),
      );
      expect(await ingestMentions(db, items(25), null)).toBe(5);
    } finally {
      await db.close();
      await empty.drop();
    }
  });

  it('takes the INSERT path when another writer commits one of the batch between the check and the COPY', async () => {
    const tdb = await createPostgresTestDb();
    const other = await tdb.db.pool.connect();
    try {
      const all = toRawMentions(items(50), null);
      // Another writer has item 7 stored but not committed: the check cannot see it, the COPY waits on it.
      await other.query('BEGIN');
      const { sourceKey, urlKey } = mentionKeys(all[7].source, all[7].sourceId, all[7].canonicalUrl);
      await other.query(
        `INSERT INTO mentions (source, source_id, source_key, url_key, canonical_url, body, published_at)
         VALUES ($1, $2, $3, $4, $5, 'theirs', now())`,
        [all[7].source, all[7].sourceId, sourceKey, urlKey, all[7].canonicalUrl],
      );
      const storing = storeRawMentions(tdb.db, all);
      await new Promise((r) => setTimeout(r, 300));
      await other.query('COMMIT');
      // The COPY failed on the unique key and stored nothing; the fallback stored the other 49.
      expect(await storing).toBe(49);
      expect(await count(tdb.db)).toBe(50);
      expect(await count(tdb.db, "body = 'theirs'")).toBe(1);
    } finally {
      other.release();
      await tdb.close();
    }
  });

  it('a mention the analysis throws on is logged and stored unscored; the rest of its batch is analysed', async () => {
    const tdb = await createPostgresTestDb();
    try {
      await ingestMentions(tdb.db, items(30), null);
      const lines: string[] = [];
      const log = createLogger('error', 'analyzer', { write: (l: string) => void lines.push(l) });
      const { analyzed } = await analyzePendingMentions(tdb.db, (ms) =>
        analyzeBatch(ms, [LUMINA], log, (m, e) => {
          if (m.sourceId === 'i-7') throw new Error('analysis bug');
          return analyzeMention(m, e);
        }),
      );
      expect(analyzed).toBe(30);
      expect(await count(tdb.db, 'analyzed_at IS NULL')).toBe(0);
      expect(await count(tdb.db, 'sentiment IS NULL')).toBe(1);
      expect(await count(tdb.db, "source_id = 'i-7' AND sentiment IS NULL AND lang = 'en'")).toBe(1);
      expect(lines.map((l) => JSON.parse(l))).toEqual([
        expect.objectContaining({ msg: 'mention analysis failed', err: 'analysis bug' }),
      ]);
    } finally {
      await tdb.close();
    }
  });

  it('stores, deduplicates and analyses on the embedded database too (no COPY there)', async () => {
    const tdb = await createPgliteTestDb();
    try {
      expect(tdb.db.canCopy).toBe(false);
      const all = items(120);
      expect(await ingestMentions(tdb.db, all, null, 50)).toBe(120);
      expect(await ingestMentions(tdb.db, all, null, 50)).toBe(0);
      expect(await analyzeAll(tdb.db, 50)).toBe(120);
      expect(await count(tdb.db, "sentiment IS NOT NULL AND entities <> '[]'::jsonb")).toBeGreaterThan(0);
      expect(await count(tdb.db, 'dup_of IS NOT NULL')).toBeGreaterThan(10);
    } finally {
      await tdb.close();
    }
  }, 120_000);
});
