/**
 * GET /api/launches/:id/reception: mentions of a launched product in the 7 days before and after its launch, per
 * day and per side, with their mean sentiment; 404 for an id that is not a launch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertEvents, insertMentions, upsertCompetitor, upsertProducts } from '../../db/index.ts';
import { toMentions } from '../../jobs/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

const LAUNCH = Date.parse('2026-06-10T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** [hours from the launch, text, sentiment] */
const MENTIONS: [number, string, number][] = [
  [-9 * 24, 'Velvet Lipstick rumours, too early to count', -0.9], // outside the 7 days
  [-5 * 24, 'the Velvet Lipstick teaser looks odd', 0.2],
  [-3 * 24, 'waiting for the velvet lipstick, no opinion yet', 0.0],
  [-1, 'Velvet Lipstick drops in an hour', 0.1],
  [-2 * 24, 'a different lipstick entirely, matte and dry', -0.7], // not the product
  [1, 'bought the Velvet Lipstick at launch, lovely', 0.6],
  [1 * 24 + 2, 'VELVET LIPSTICK in Rosewood is gorgeous', 0.4],
  [2 * 24, 'my review of the velvet lipstick: creamy', 0.5],
  [2 * 24 + 5, 'a velvet finish, unlike this lipstick', -0.8], // both words, not the product
  [3 * 24, 'second day with Velvet Lipstick, still good', 0.5],
  [4 * 24, 'new in my bag: #VelvetLipstick', 0.5], // the product as a hashtag
  [4 * 24 + 3, 'o Vélvet Lipstick já chegou', 0.5], // and with an accent
  [5 * 24, 'Velvet Lipstick wears well past lunch', 0.7],
  [6 * 24 + 20, 'Velvet Lipstick smells a bit strong', 0.3],
  [8 * 24, 'Velvet Lipstick a week on, old news', -0.9], // outside the 7 days
];

let t: TestApp;
let launchId: number;
let priceEventId: number;
const ids = new Map<string, number>();

beforeAll(async () => {
  t = await createTestApp();
  const db = t.tdb.db;
  const c = await upsertCompetitor(db, {
    key: 'velora',
    name: 'Velora',
    brand: null,
    homepage: null,
    currency: 'EUR',
    locale: 'en',
  });
  const [p] = await upsertProducts(
    db,
    c.id,
    [{ url: 'https://shop.test/p/velvet-rosewood', name: 'Velvet Lipstick — Rosewood' }],
    { launches: true },
  );
  [launchId, priceEventId] = await insertEvents(db, [
    {
      type: 'launched',
      dedupKey: 'reception:launch',
      occurredAt: new Date(LAUNCH),
      competitorId: c.id,
      productId: p.id,
      subject: `product:${p.id}`,
      payload: { price: '24.00', currency: 'EUR' },
    },
    {
      type: 'price_changed',
      dedupKey: 'reception:price',
      occurredAt: new Date(LAUNCH),
      competitorId: c.id,
      productId: p.id,
      subject: `product:${p.id}`,
      payload: { old: '24.00', new: '20.00', pct: -16.7, currency: 'EUR' },
    },
  ]);
  const mentions = toMentions(
    MENTIONS.map(([h, text], k) => ({
      source: 'reception-test',
      sourceId: `m${k}`,
      url: `https://social.example/r/${k}`,
      author: `user${k}.example`,
      title: null,
      text,
      publishedAt: new Date(LAUNCH + h * HOUR).toISOString(),
      lang: 'en',
    })),
    null,
    [],
  );
  const stored = await insertMentions(
    db,
    mentions.map((m, k) => ({ ...m, sentiment: MENTIONS[k][2], simhash: null })),
  );
  for (const [k, id] of stored.entries()) ids.set(`m${k}`, id);
});
afterAll(async () => {
  await t?.close();
});

describe('GET /api/launches/:id/reception', () => {
  it('counts mentions of the product per day and before/after the launch, with mean sentiment', async () => {
    const res = await t.app.inject(`/api/launches/${launchId}/reception`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.phrase).toBe('Velvet Lipstick');
    expect(body.launch).toMatchObject({ eventId: launchId, competitor: 'Velora', price: '24.00' });
    expect(body.before).toEqual({ mentions: 3, sentiment: 0.1 });
    expect(body.after).toEqual({ mentions: 8, sentiment: 0.5 });
    const day = (h: number) => new Date(LAUNCH + h * HOUR).toISOString().slice(0, 10);
    expect(body.days).toEqual([
      { day: day(-5 * 24), mentions: 1, sentiment: 0.2 },
      { day: day(-3 * 24), mentions: 1, sentiment: 0 },
      // The launch day: one mention an hour before, one an hour after.
      { day: day(0), mentions: 2, sentiment: 0.35 },
      { day: day(26), mentions: 1, sentiment: 0.4 },
      { day: day(48), mentions: 1, sentiment: 0.5 },
      { day: day(72), mentions: 1, sentiment: 0.5 },
      { day: day(96), mentions: 2, sentiment: 0.5 },
      { day: day(120), mentions: 1, sentiment: 0.7 },
      { day: day(164), mentions: 1, sentiment: 0.3 },
    ]);
    // Samples are mentions of the product inside the window.
    const inWindow = MENTIONS.flatMap(([h, text], k) =>
      Math.abs(h * HOUR) < 7 * DAY && /v[eé]lvet ?lipstick/i.test(text) ? [ids.get(`m${k}`)] : [],
    );
    expect(body.sampleMentionIds).toHaveLength(5);
    for (const id of body.sampleMentionIds) expect(inWindow).toContain(id);
    // The newest of them.
    expect(body.sampleMentionIds).toContain(ids.get(`m${MENTIONS.findIndex(([h]) => h === 6 * 24 + 20)}`));
    // Every candidate of both sides was read: the counts are whole, not lower bounds.
    expect(body.complete).toBe(true);
  });

  it('answers 404 for an unknown id and for an event that is not a launch', async () => {
    const unknown = await t.app.inject('/api/launches/987654/reception');
    expect(unknown.statusCode).toBe(404);
    expect((await t.app.inject(`/api/launches/${priceEventId}/reception`)).statusCode).toBe(404);
  });
});
