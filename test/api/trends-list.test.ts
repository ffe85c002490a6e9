/** GET /api/trends: trends detected since a day, ranked by score, at most `limit`, with their evidence. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertTrends, type TrendRow } from '../../db/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

const trend = (term: string, detectedAt: string, score: number): TrendRow => ({
  term,
  display: term,
  detectedAt,
  firstSeen: '2026-04-01',
  score,
  growth: 5,
  count: 40,
  baseline: 1.5,
  windowDays: 3,
  distinctAuthors: 12,
  distinctSources: 3,
  sentiment: 0.25,
  sampleMentionIds: [11, 12, 13],
});

/** Newest first would be cloudskin, snailmucin, glassskin, …; by score it is glassskin, cloudskin, snailmucin. */
const TRENDS = [
  trend('oldnews', '2026-04-20', 90),
  trend('ricewater', '2026-05-02', 7.5),
  trend('glassskin', '2026-05-05', 31.2),
  trend('snailmucin', '2026-05-08', 12.4),
  trend('cloudskin', '2026-05-10', 18.9),
];

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await insertTrends(t.tdb.db, TRENDS);
});
afterAll(async () => {
  await t?.close();
});

async function terms(query: string): Promise<string[]> {
  const res = await t.app.inject(`/api/trends${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items.map((i: { term: string }) => i.term);
}

describe('GET /api/trends', () => {
  it('ranks by score, strongest first, with the evidence of each', async () => {
    expect(await terms('')).toEqual(['oldnews', 'glassskin', 'cloudskin', 'snailmucin', 'ricewater']);
    const res = (await t.app.inject('/api/trends?limit=1')).json();
    expect(res.items).toEqual([
      {
        term: 'oldnews',
        display: 'oldnews',
        detectedAt: '2026-04-20',
        firstSeen: '2026-04-01',
        score: 90,
        growth: 5,
        count: 40,
        baseline: 1.5,
        windowDays: 3,
        distinctAuthors: 12,
        distinctSources: 3,
        sentiment: 0.25,
        sampleMentionIds: [11, 12, 13],
      },
    ]);
  });

  it('keeps trends detected on or after `since`, ranked within that window, and stops at `limit`', async () => {
    expect(await terms('?since=2026-05-01')).toEqual(['glassskin', 'cloudskin', 'snailmucin', 'ricewater']);
    expect(await terms('?since=2026-05-05')).toEqual(['glassskin', 'cloudskin', 'snailmucin']);
    expect(await terms('?since=2026-05-05&limit=2')).toEqual(['glassskin', 'cloudskin']);
    expect(await terms('?since=2026-05-11')).toEqual([]);
    expect(await terms('?limit=3')).toEqual(['oldnews', 'glassskin', 'cloudskin']);
  });

  it('rejects a `since` that is not a day and a `limit` out of range', async () => {
    for (const q of ['since=yesterday', 'since=2026-05-05T00:00:00Z', 'limit=0', 'limit=1001']) {
      const res = await t.app.inject(`/api/trends?${q}`);
      expect(res.statusCode, q).toBe(400);
    }
  });
});
