/**
 * A trend's evidence is read by term key, not by the phrase's spelling: mentions that carry "glass skin" only as
 * "#GlassSkin", in an accented spelling, a plural or a title are found; when more match than the read takes, the
 * newest are kept; and the real detect-trends job reports an emerging phrase with its hashtag-only mentions as
 * evidence.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, collectTerms, termFragments } from '../../analyzers/index.ts';
import { type Db, insertMentions, mentionsMatchingTerms } from '../../db/index.ts';
import { toMentions } from '../../jobs/index.ts';
import { createPostgresTestDb } from '../support/db.ts';
import { requireService } from '../support/services.ts';
import { syntheticStream } from '../unit/trends/synthetic-stream.ts';
import { type Rig, startRig } from './alerts/rig.ts';

const postgresReady = await requireService('postgres', 'trend evidence screen on Postgres');

type Item = { id: string; text: string; title?: string; publishedAt: string; author: string };

function store(rig: Rig, items: Item[]) {
  const mentions = toMentions(
    items.map((x) => ({
      source: 'evidence-test',
      sourceId: x.id,
      url: `https://social.example/e/${x.id}`,
      author: x.author,
      title: x.title ?? null,
      text: x.text,
      publishedAt: x.publishedAt,
      lang: 'en',
    })),
    null,
    [],
  );
  return insertMentions(rig.db, mentions);
}

const keysOf = (text: string) => {
  const keys: string[] = [];
  collectTerms(text, (k) => keys.push(k));
  return keys;
};

/** mentionsMatchingTerms (raw-text screen, then the fold) against the fold alone on every row: the same ids. */
async function checkScreen(name: string, db: Db): Promise<void> {
  const at = (h: number) => new Date(Date.UTC(2026, 6, 1, h)).toISOString();
  const texts = [
    'Loving my #GlassSkin routine',
    'GLASS—SKIN!! finally',
    'gläss skïn, sort of',
    'glass\nskin on two lines',
    'g.l.a.s.s s-k-i-n',
    'cre\u0300me bru\u0302le\u0301e, decomposed',
    'Crème Brûlée lip balm',
    'CRÈME BRÛLÉE',
    "L'ORÉAL Paris, l’oréal",
    'vitamin-c serum',
    'VitaminC!',
    'İstanbul glass skın', // a dotless ı does not fold to i
    'nothing to see here',
  ];
  await insertMentions(
    db,
    toMentions(
      texts.map((text, i) => ({
        source: 'screen-test',
        sourceId: `screen${i}`,
        url: `https://social.example/s/${i}`,
        author: `s${i}`,
        title: null,
        text,
        publishedAt: at(i),
        lang: 'en',
      })),
      null,
      [],
    ),
  );
  const terms = [
    termFragments('glass skin'),
    termFragments('crème brûlée'),
    termFragments("l'oréal"),
    termFragments('vitamin c'),
    ['glassskin'],
    ['istanbul'],
  ];
  const window = { since: new Date(at(0)), until: new Date(at(24)) };
  for (const t of terms) {
    const screened = await mentionsMatchingTerms(db, { ...window, terms: [t], limit: 100 });
    const { rows: exact } = await db.query<{ id: number }>(
      'test.exact_fold',
      `SELECT id FROM mentions WHERE published_at >= $1 AND published_at < $2
         AND regexp_replace(lower(regexp_replace(normalize(coalesce(title, '') || ' ' || body, NFD),
           '[\\u0300-\\u036f]', '', 'g')), '[[:space:][:punct:]]+', '', 'g') LIKE $3
       ORDER BY published_at DESC, id DESC`,
      [window.since, window.until, `%${t.join('%')}%`],
    );
    const label = `${name}: ${t.join(' ')}`;
    expect(exact.length, label).toBeGreaterThan(0);
    expect(
      screened.map((m) => m.id),
      label,
    ).toEqual(exact.map((r) => r.id));
  }
}

describe('trend evidence by term key', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({});
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('finds hashtag-only, accented, plural and title mentions of a phrase, and not other words', async () => {
    const at = (h: number) => new Date(Date.UTC(2026, 5, 1, h)).toISOString();
    const texts: [string, string | undefined][] = [
      ['my #GlassSkin routine, day 3', undefined],
      ['#glassskin before and after', undefined],
      ['Glass Skín en una semana', undefined],
      ['GLASS-SKINS everywhere on my feed', undefined],
      ['this is the routine everyone asks about', 'Glass skin in 5 steps'],
      ['a glass of water for better skin', undefined], // both words, not the phrase
      ['skin like glass, they promised', undefined], // the words in the other order
      ['nothing to see here', undefined],
    ];
    const ids = await store(
      rig,
      texts.map(([text, title], i) => ({ id: `t${i}`, text, title, publishedAt: at(i), author: `a${i}` })),
    );
    const found = await mentionsMatchingTerms(rig.db, {
      since: new Date(at(0)),
      until: new Date(at(24)),
      terms: [termFragments('glass skin')],
      limit: 100,
    });
    const foundIds = found.map((m) => m.id);
    // Every mention that carries the term's key is found: the prefilter may let through more, never fewer.
    for (const [i, [text, title]] of texts.entries()) {
      const carries = keysOf(title ? `${title}\n${text}` : text).includes('glassskin');
      if (carries) expect(foundIds, texts[i][0]).toContain(ids[i]);
    }
    expect(foundIds).toEqual(expect.arrayContaining(ids.slice(0, 5)));
    expect(foundIds).not.toContain(ids[6]);
    expect(foundIds).not.toContain(ids[7]);
    // Newest first.
    const times = found.map((m) => new Date(m.publishedAt).getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('the raw-text screen before the fold keeps every mention the folded match keeps, on PGlite and on Postgres', async () => {
    const dbs: [string, Db][] = [['pglite', rig.db]];
    const pg = postgresReady ? await createPostgresTestDb() : null;
    if (pg) dbs.push(['postgres', pg.db]);
    try {
      for (const [name, db] of dbs) await checkScreen(name, db);
    } finally {
      await pg?.close();
    }
  });

  it('keeps the newest when more mentions match than the limit', async () => {
    const at = (d: number) => new Date(Date.UTC(2026, 6, 1 + d, 12)).toISOString();
    const ids = await store(
      rig,
      Array.from({ length: 30 }, (_, d) => ({
        id: `n${d}`,
        text: `day ${d} of my snail mucin diary, entry ${d * 13}`,
        publishedAt: at(d),
        author: `n${d % 9}`,
      })),
    );
    const found = await mentionsMatchingTerms(rig.db, {
      since: new Date(at(0)),
      until: new Date(at(31)),
      terms: [termFragments('snail mucin')],
      limit: 10,
    });
    expect(found.map((m) => m.id)).toEqual(ids.slice(20).reverse());
  });

  it('detect-trends reports an emerging phrase with its hashtag-only mentions among the evidence', async () => {
    // Five weeks of chatter in which "glass" and "skin" are everyday words; then "glass skin" emerges: a few spell
    // it out, most only tag #glassskin on words of the chatter. No other rising term brings the tagged mentions in,
    // so only a read by the term's key finds them.
    const stream = syntheticStream({
      days: 36,
      perDay: 60,
      seed: 11,
      plants: [{ phrase: 'glass skin', perDay: (d) => (d >= 32 ? 3 : 0) }],
    });
    const lead = (text: string) => text.split(' ').slice(0, 4).join(' ');
    const iso = (at: string | Date) => new Date(at).toISOString();
    const extra = stream.flatMap((m, i) => {
      const at = (s: number) => new Date(Date.parse(iso(m.publishedAt)) + s * 1000).toISOString();
      const out: Item[] = [];
      if (i % 4 === 0)
        out.push({ id: `w-${i}`, text: `skin ${lead(m.text)}`, publishedAt: at(30), author: `w${i}` });
      if (i % 4 === 2)
        out.push({ id: `w-${i}`, text: `${lead(m.text)} glass`, publishedAt: at(30), author: `w${i}` });
      if (iso(m.publishedAt) >= '2026-02-06' && i % 5 === 1)
        out.push({
          id: `tag-${i}`,
          text: `${lead(m.text)} #glassskin`,
          publishedAt: at(60),
          author: `tagger${i}`,
        });
      return out;
    });
    expect(extra.filter((x) => x.id.startsWith('tag-')).length).toBeGreaterThan(30);
    await store(rig, [
      ...stream.map((m) => ({
        id: `s-${m.id}`,
        text: m.text,
        publishedAt: iso(m.publishedAt),
        author: m.author,
      })),
      ...extra,
    ]);
    const lastDay = iso(stream[stream.length - 1].publishedAt).slice(0, 10);
    await rig.run('detect-trends', { day: lastDay });
    const { rows } = await rig.db.query<{ term: string; display: string; sample_mention_ids: number[] }>(
      't',
      'SELECT term, display, sample_mention_ids FROM trends',
    );
    const glass = rows.find((r) => r.term === 'glassskin');
    expect(glass, JSON.stringify(rows)).toBeDefined();
    expect(glass!.display).toBe('glass skin');
    const samples = await rig.db.query<{ body: string; day: string }>(
      't',
      `SELECT body, (published_at AT TIME ZONE 'UTC')::date::text AS day FROM mentions WHERE id = ANY($1::bigint[])`,
      [glass!.sample_mention_ids],
    );
    expect(samples.rows.length).toBeGreaterThan(0);
    expect(samples.rows.every((r) => r.day >= addDays(lastDay, -6))).toBe(true);
    // Hashtag-only mentions are evidence too (a text match on "glass skin" missed every one of them).
    expect(samples.rows.some((r) => r.body.endsWith('#glassskin'))).toBe(true);
  }, 120_000);
});
