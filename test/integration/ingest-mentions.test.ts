/**
 * `ingestMentions` overlaps turning items into mentions with storing them: what it stores must be exactly what
 * storing the batches one after the other stores, and a failing batch must stop it with the earlier ones kept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SocialItem } from '../../crawlers/index.ts';
import { type Db, insertMentions } from '../../db/index.ts';
import { ingestMentions, toMentions } from '../../jobs/index.ts';
import { createPostgresTestDb, type TestDb } from '../support/db.ts';
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

describe('ingestMentions', () => {
  let a: TestDb;
  let b: TestDb;
  beforeAll(async () => {
    [a, b] = await Promise.all([createPostgresTestDb(), createPostgresTestDb()]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('stores exactly what storing the batches one after the other stores', async () => {
    const all = items(730);
    expect(await ingestMentions(a.db, all, null, [LUMINA], 100)).toBe(730);
    const mentions = toMentions(all, null, [LUMINA]);
    for (let i = 0; i < mentions.length; i += 100) await insertMentions(b.db, mentions.slice(i, i + 100));
    const [sa, sb] = await Promise.all([snapshot(a.db), snapshot(b.db)]);
    expect(sa.mentions.filter((m) => m.dup_of !== null).length).toBeGreaterThan(100);
    expect(sa).toEqual(sb);
    // Again: nothing new.
    expect(await ingestMentions(a.db, all, null, [LUMINA], 100)).toBe(0);
    expect(await snapshot(a.db)).toEqual(sa);
  }, 120_000);

  it('stops at a batch that fails, keeping the batches stored before it', async () => {
    const tdb = await createPostgresTestDb();
    try {
      // Postgres refuses a NUL in text: the third batch (items 200-299) fails, after two were stored.
      const all = items(350).map((x, i) => (i === 250 ? { ...x, sourceId: 'nul\u0000id' } : x));
      await expect(ingestMentions(tdb.db, all, null, [], 100)).rejects.toThrow();
      const { rows } = await tdb.db.query<{ n: number }>('t', `SELECT count(*)::int AS n FROM mentions`);
      expect(rows[0].n).toBe(200);
    } finally {
      await tdb.close();
    }
  });
});
