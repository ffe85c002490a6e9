import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/index.ts';
import { checkUrl } from '../../crawlers/index.ts';
import { storeRawMentions, upsertTarget } from '../../db/index.ts';
import { type JobQueue, type RunningWorker, seedMarket } from '../../jobs/index.ts';
import { createPgliteTestDb, type TestDb, testLog } from '../support/db.ts';
import {
  count,
  demoAllowList,
  inProcessQueue,
  type MovableDemo,
  startMovableDemo,
  startTestWorker,
  testConfig,
  waitFor,
} from '../support/pipeline.ts';

describe('voices: feeds and social sources become mentions, sentiment and trends', () => {
  let tdb: TestDb;
  let demo: MovableDemo;
  let queue: JobQueue;
  let worker: RunningWorker;
  const sources: number[] = [];

  beforeAll(async () => {
    [tdb, demo] = await Promise.all([createPgliteTestDb(), startMovableDemo()]);
    queue = inProcessQueue();
    worker = await startTestWorker(tdb.db, queue, demoAllowList(demo.market));
    const manifest = demo.market.manifest();
    await seedMarket(tdb.db, queue.scheduler, { ...manifest, targets: [] }, []);
    for (const t of manifest.targets.filter((x) => x.kind === 'feed' || x.kind === 'social')) {
      const { target } = await upsertTarget(tdb.db, {
        kind: t.kind,
        url: t.url,
        label: t.label,
        options: t.options,
        intervalSeconds: 1,
      });
      sources.push(target.id);
    }
  });
  afterAll(async () => {
    await queue?.close(5000);
    await worker?.close();
    await demo?.market.close();
    await tdb?.close();
  });

  const crawlSources = async (tag: string) => {
    const since = new Date();
    for (const id of sources)
      await queue.enqueue('crawl-target', { targetId: id }, { jobId: `v:${tag}:${id}` });
    await waitFor(
      async () =>
        (await count(tdb.db, 'crawl_runs', 'finished_at IS NOT NULL AND started_at >= $1', [since])) ===
          sources.length && (await count(tdb.db, 'mentions', 'analyzed_at IS NULL')) === 0,
      `sources ${tag} stored and analysed`,
      60_000,
    );
  };

  it('ingests the blog feed and the social search, idempotently', async () => {
    await crawlSources('first');
    const mentions = await count(tdb.db, 'mentions');
    expect(mentions).toBeGreaterThan(500); // 30 days of backfill
    expect(await count(tdb.db, 'mentions', "source LIKE 'feed:%'")).toBeGreaterThan(0);
    expect(await count(tdb.db, 'mentions', 'sentiment IS NOT NULL')).toBe(mentions);
    // The rollups add up to what was stored.
    const { rows } = await tdb.db.query<{ n: number }>(
      't',
      'SELECT sum(mentions)::int AS n FROM mention_daily',
    );
    expect(rows[0].n).toBe(mentions);

    await new Promise((r) => setTimeout(r, 1100));
    await crawlSources('again');
    expect(await count(tdb.db, 'mentions')).toBe(mentions);
    const again = await tdb.db.query<{ n: number }>('t', 'SELECT sum(mentions)::int AS n FROM mention_daily');
    expect(again.rows[0].n).toBe(mentions);
  }, 120_000);

  it('matches entities with their exclusions and scores sentiment per language', async () => {
    expect(await count(tdb.db, 'mention_entities', "entity_key = 'lumina'")).toBeGreaterThan(20);
    // "Lumina Cinema" and "Chevy Lumina" are excluded from our brand.
    expect(
      await count(
        tdb.db,
        'mention_entities me JOIN mentions m ON m.id = me.mention_id',
        "me.entity_key = 'lumina' AND (m.body ILIKE '%lumina cinema%' OR m.body ILIKE '%chevy lumina%')",
      ),
    ).toBe(0);
    expect(await count(tdb.db, 'mentions', "lang IN ('es', 'pt')")).toBeGreaterThan(0);
    expect(await count(tdb.db, 'mentions', "sentiment_label = 'negative'")).toBeGreaterThan(0);
    expect(await count(tdb.db, 'mentions', "sentiment_label = 'positive'")).toBeGreaterThan(0);
  });

  it('detects the demo’s emerging phrase once, with evidence, and not the flood or the weekend decoy', async () => {
    await queue.enqueue('detect-trends', {});
    const trends = await waitFor(async () => {
      const { rows } = await tdb.db.query<{
        term: string;
        display: string;
        sample_mention_ids: number[];
        distinct_authors: number;
      }>('t', 'SELECT term, display, sample_mention_ids, distinct_authors FROM trends');
      return rows.length ? rows : null;
    }, 'a trend');
    const glass = trends.find((t) => t.display === 'glass skin');
    expect(glass, JSON.stringify(trends)).toBeDefined();
    expect(glass!.sample_mention_ids.length).toBeGreaterThan(0);
    expect(glass!.distinct_authors).toBeGreaterThanOrEqual(6);
    expect(trends.map((t) => t.term)).not.toContain('moonmilk');
    expect(trends.map((t) => t.term)).not.toContain('selfcaresunday');
    // Fragments beside the phrase are not reported separately.
    expect(trends.filter((t) => t.term.includes('glass')).length).toBe(1);
    expect(await count(tdb.db, 'events', "type = 'trend_emerging'")).toBe(trends.length);
    // The default rule turns each into one alert.
    await waitFor(
      async () =>
        (await count(tdb.db, 'alerts', "payload->>'eventType' = 'trend_emerging'")) === trends.length,
      'trend alerts',
    );
    // A second pass reports nothing new.
    await queue.enqueue('detect-trends', {}, { jobId: 'again' });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await count(tdb.db, 'trends')).toBe(trends.length);
  }, 60_000);

  it('serves mentions, sentiment, trends with a forecast, and source coverage through the API', async () => {
    const app = await buildApp({
      config: testConfig([]),
      db: tdb.db,
      queue,
      log: testLog,
      checkUrl: async (u) => {
        await checkUrl(u, { allowPrivate: false, allow: [] });
      },
    });
    try {
      const mentions = (await app.inject('/api/mentions?entity=lumina&limit=5')).json();
      expect(mentions.items).toHaveLength(5);
      expect(mentions.items[0].entities.map((e: { key: string }) => e.key)).toContain('lumina');
      const next = (
        await app.inject(`/api/mentions?entity=lumina&limit=5&cursor=${mentions.nextCursor}`)
      ).json();
      expect(next.items[0].id).not.toBe(mentions.items[0].id);
      const neg = (await app.inject('/api/mentions?sentiment=negative&limit=3')).json();
      expect(neg.items.every((m: { sentimentLabel: string }) => m.sentimentLabel === 'negative')).toBe(true);
      expect(mentions.items.every((m: { analyzed: boolean }) => m.analyzed)).toBe(true);
      // A mention stored and not analysed yet is listed at once, and says so.
      await storeRawMentions(tdb.db, [
        {
          source: 'test',
          sourceId: 'pending-1',
          targetId: null,
          url: null,
          canonicalUrl: null,
          author: 'someone',
          title: null,
          body: 'Lumina serum, just arrived',
          lang: null,
          publishedAt: new Date(Date.now() + 86_400_000),
        },
      ]);
      const newest = (await app.inject('/api/mentions?limit=1')).json();
      expect(newest.items[0]).toMatchObject({
        text: 'Lumina serum, just arrived',
        analyzed: false,
        sentiment: null,
        entities: [],
        lang: null,
      });

      const sentiment = (await app.inject('/api/sentiment?entity=lumina')).json();
      expect(sentiment.series[0].points.length).toBeGreaterThan(5);
      const price = (await app.inject('/api/sentiment?aspect=price')).json();
      expect(price.series.length).toBeGreaterThan(0);

      const trends = (await app.inject('/api/trends')).json();
      expect(trends.items[0].display).toBe('glass skin');
      const series = (await app.inject(`/api/trends/${trends.items[0].term}/series`)).json();
      expect(series.points.some((p: { count: number }) => p.count > 0)).toBe(true);
      expect(series.forecast).toHaveLength(14);
      expect(series.forecast.every((f: { lower: number; upper: number }) => f.lower <= f.upper)).toBe(true);
      expect((await app.inject('/api/trends/nosuchterm/series')).statusCode).toBe(404);

      const coverage = (await app.inject('/api/sources')).json();
      expect(coverage.items).toHaveLength(2);
      expect(coverage.items.every((s: { status: string }) => s.status === 'ok')).toBe(true);
    } finally {
      await app.close();
    }
  });
});
