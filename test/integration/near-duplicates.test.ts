import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertMentions, listMentions } from '../../db/index.ts';
import { toMentions } from '../../jobs/index.ts';
import { createPgliteTestDb, type TestDb } from '../support/db.ts';

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
