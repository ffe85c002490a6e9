import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzePendingMentions, type Db, insertMentions, listMentions } from '../../db/index.ts';
import { analyzeMention, ingestMentions, toMentions } from '../../jobs/index.ts';
import { createPgliteTestDb, createPostgresTestDb, type TestDb } from '../support/db.ts';

const ARTICLE =
  'Lumina Beauty launched a new serum this week. Early reviews praise the texture and the scent, but several ' +
  'readers say the price is too high for a thirty millilitre bottle, and a few report breakouts after a week.';

describe('near-duplicate mentions', () => {
  let tdb: TestDb;
  beforeAll(async () => {
    tdb = await createPgliteTestDb();
  });
  afterAll(async () => {
    await tdb?.close();
  });

  it('stores reposts and syndicated copies but points them at the original; other texts stay apart', async () => {
    const item = (id: string, text: string, at: string) => ({
      source: 'test',
      sourceId: id,
      url: `https://news.example/${id}`,
      author: id,
      title: null,
      text,
      publishedAt: at,
      lang: 'en',
    });
    const first = toMentions([item('orig', ARTICLE, '2026-11-01T10:00:00Z')], null, []);
    const [origId] = await insertMentions(tdb.db, first);
    const later = toMentions(
      [
        item('copy', `RT @glowdaily: ${ARTICLE}`, '2026-11-01T12:00:00Z'),
        item('caps', ARTICLE.toUpperCase(), '2026-11-02T09:00:00Z'),
        item(
          'other',
          'Maison Jolie cut the price of its mascara by twenty percent, and the reviews are glowing.',
          '2026-11-02T09:00:00Z',
        ),
        item('old', ARTICLE, '2026-09-01T10:00:00Z'),
      ],
      null,
      [],
    );
    await insertMentions(tdb.db, later);
    const rows = await listMentions(tdb.db, { limit: 10 });
    const by = Object.fromEntries(rows.map((r) => [r.url?.split('/').pop(), r.duplicateOf]));
    expect(by).toEqual({ orig: null, copy: origId, caps: origId, other: null, old: null });
  });
});

describe('near-copies analysed by two analyzers at once (real Postgres)', () => {
  let tdb: TestDb;
  beforeAll(async () => {
    tdb = await createPostgresTestDb();
  });
  afterAll(async () => {
    await tdb?.close();
  });

  const waitingOnLocks = async (db: Db) =>
    (
      await db.query<{ n: number }>(
        't.waiting',
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      )
    ).rows[0].n;

  it("the second save sees the first one's original, though both read their rows before either committed", async () => {
    const post = (id: string, text: string) => ({
      source: 'feed-' + id,
      sourceId: id,
      url: `https://news.example/${id}`,
      author: id,
      title: null,
      text,
      publishedAt: '2026-11-01T10:00:00Z',
      lang: 'en',
    });
    // The same article from two feeds, stored before any analyzer ran.
    expect(
      await ingestMentions(tdb.db, [post('a', ARTICLE), post('b', `RT @glowdaily: ${ARTICLE}`)], null),
    ).toBe(2);
    const analyzeOne = () =>
      analyzePendingMentions(tdb.db, (ms) => ms.map((m) => analyzeMention(m, [])), { batch: 1, deadline: 0 });
    // A third session holds the daily totals: the first analyzer's save waits there, uncommitted, while the
    // second analyzer reads the other copy (SKIP LOCKED) and saves it.
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => {
      locked = r;
    });
    const holder = tdb.db.withTransaction(async (tx) => {
      await tx.query('t.lock', 'LOCK TABLE mention_daily IN EXCLUSIVE MODE');
      locked();
      await held;
    });
    await isLocked;
    const first = analyzeOne();
    await expect.poll(() => waitingOnLocks(tdb.db), { timeout: 10_000 }).toBe(1);
    const second = analyzeOne();
    await expect.poll(() => waitingOnLocks(tdb.db), { timeout: 10_000 }).toBe(2);
    release();
    await holder;
    expect((await first).analyzed + (await second).analyzed).toBe(2);
    const rows = await listMentions(tdb.db, { limit: 10 });
    const by = Object.fromEntries(
      rows.map((r) => [r.url?.split('/').pop(), { id: r.id, dup: r.duplicateOf }]),
    );
    expect(by.a.dup).toBeNull();
    expect(by.b.dup).toBe(by.a.id);
  }, 60_000);
});
