/** GET /api/sentiment forecasts each entity's daily mean sentiment (damped Holt with its band), from stored mentions. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertMentions, upsertEntities } from '../../db/index.ts';
import { toMentions } from '../../jobs/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { brand } from '../support/entities.ts';

const ENTITIES = [brand('lumina', 'Lumina'), brand('velora', 'Velora')];
const START = Date.UTC(2026, 2, 1);
const dayAt = (i: number) => new Date(START + i * 86_400_000).toISOString().slice(0, 10);
/** Lumina's daily mean falls by 0.02 a day from 0.5; every day has 10 mentions around it. */
const luminaMean = (i: number) => 0.5 - 0.02 * i;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await upsertEntities(t.tdb.db, ENTITIES);
  const items: { text: string; at: number; sentiment: number }[] = [];
  for (let i = 0; i < 20; i++)
    for (let j = 0; j < 10; j++)
      items.push({
        text: `Lumina note ${i}-${j}: entry ${i * 31 + j * 7}`,
        at: START + i * 86_400_000 + (9 + j) * 3_600_000,
        sentiment: Math.round((luminaMean(i) + (j % 2 ? 0.1 : -0.1)) * 1000) / 1000,
      });
  // Velora is mentioned on three days only: too little for a forecast.
  for (let i = 0; i < 3; i++)
    items.push({ text: `Velora note ${i}`, at: START + i * 86_400_000 + 3_600_000, sentiment: 0.3 });
  const mentions = toMentions(
    items.map((x, k) => ({
      source: 'forecast-test',
      sourceId: `m${k}`,
      url: `https://social.example/f/${k}`,
      author: `user${k % 17}.example`,
      title: null,
      text: x.text,
      publishedAt: new Date(x.at).toISOString(),
      lang: 'en',
    })),
    null,
    ENTITIES,
  );
  await insertMentions(
    t.tdb.db,
    mentions.map((m, k) => ({ ...m, sentiment: items[k].sentiment, simhash: null })),
  );
});
afterAll(async () => {
  await t?.close();
});

type Series = {
  entity: string;
  points: { t: string; count: number; mean: number | null }[];
  forecast: { t: string; point: number; lower: number; upper: number }[];
};

async function sentiment(query: string): Promise<Series[]> {
  const res = await t.app.inject(`/api/sentiment?${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().series;
}

describe('GET /api/sentiment forecast', () => {
  it('continues a falling mean for 14 days after `until`, inside a band that stays within [-1, 1]', async () => {
    const until = `${dayAt(19)}T23:00:00Z`;
    const [lumina] = await sentiment(`entity=lumina&since=${dayAt(0)}T00:00:00Z&until=${until}`);
    expect(lumina.points).toHaveLength(20);
    expect(lumina.points[19].mean).toBeCloseTo(luminaMean(19), 3);
    expect(lumina.forecast.map((f) => f.t)).toEqual(Array.from({ length: 14 }, (_, h) => dayAt(20 + h)));
    // The next day continues the line (damping only bends it later), and the forecast keeps falling.
    expect(lumina.forecast[0].point).toBeCloseTo(luminaMean(20), 2);
    for (let h = 1; h < 14; h++) expect(lumina.forecast[h].point).toBeLessThan(lumina.forecast[h - 1].point);
    expect(lumina.forecast[13].point).toBeLessThan(luminaMean(20));
    for (const f of lumina.forecast) {
      expect(f.lower).toBeLessThanOrEqual(f.point);
      expect(f.upper).toBeGreaterThanOrEqual(f.point);
      expect(f.lower).toBeGreaterThanOrEqual(-1);
      expect(f.upper).toBeLessThanOrEqual(1);
    }
    // The band widens with the horizon.
    const width = (f: { lower: number; upper: number }) => f.upper - f.lower;
    expect(width(lumina.forecast[13])).toBeGreaterThan(width(lumina.forecast[0]));
  });

  it('takes a horizon, carries the mean over days without mentions, and needs four days of history', async () => {
    // Until day 24: days 20–24 have no mentions, so the forecast starts after day 24 from a flat tail.
    const all = await sentiment(`since=${dayAt(0)}T00:00:00Z&until=${dayAt(24)}T12:00:00Z&horizon=5`);
    const lumina = all.find((s) => s.entity === 'lumina')!;
    expect(lumina.forecast.map((f) => f.t)).toEqual([dayAt(25), dayAt(26), dayAt(27), dayAt(28), dayAt(29)]);
    expect(lumina.forecast[0].point).toBeLessThanOrEqual(luminaMean(19) + 0.01);
    const velora = all.find((s) => s.entity === 'velora')!;
    expect(velora.points).toHaveLength(3);
    expect(velora.forecast).toEqual([]);
    expect((await t.app.inject('/api/sentiment?horizon=0')).statusCode).toBe(400);
  });

  it('refuses a window too long to pad and forecast (an until in year 9999 would cost seconds per entity)', async () => {
    const started = performance.now();
    const far = await t.app.inject(`/api/sentiment?since=${dayAt(0)}T00:00:00Z&until=9999-12-30T00:00:00Z`);
    expect(far.statusCode, far.body).toBe(400);
    expect(far.json().error.message ?? far.body).toMatch(/spans more than 3660 days/);
    expect(performance.now() - started).toBeLessThan(2000);
    const hourly = await t.app.inject(
      `/api/trends/glass%20skin/series?bucket=hour&since=2020-01-01T00:00:00Z&until=2026-01-01T00:00:00Z`,
    );
    expect(hourly.statusCode, hourly.body).toBe(400);
    // Ten years of days is still a window.
    const decade = await t.app.inject(`/api/sentiment?since=2017-01-01T00:00:00Z&until=2026-12-01T00:00:00Z`);
    expect(decade.statusCode, decade.body).toBe(200);
  });
});
