/**
 * A sitemap lists a shop's category pages beside its products. Pages registered as catalog targets must not come
 * back from the sitemap as products: crawled as a product, a category page gave the price of whichever card sat
 * nearest its title (the demo's "Base" at /c/foundation showed price changes of its first card).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nonProductTargetUrls, upsertTarget } from '../../db/index.ts';
import type { JobQueue } from '../../jobs/index.ts';
import type { TestDb } from '../support/db.ts';
import {
  count,
  type EmbeddedPipeline,
  type MovableDemo,
  startEmbeddedPipeline,
  waitFor,
} from '../support/pipeline.ts';

describe('sitemap discovery', () => {
  let p: EmbeddedPipeline;
  let tdb: TestDb;
  let demo: MovableDemo;
  let queue: JobQueue;
  beforeAll(async () => {
    p = await startEmbeddedPipeline();
    ({ tdb, demo, queue } = p);
  });
  afterAll(async () => {
    await p?.close();
  });

  it('adds the products a sitemap lists, never the pages registered as catalogs', async () => {
    const manifest = demo.market.manifest();
    const shop = manifest.competitors[0].key;
    const ofShop = manifest.targets.filter((t) => t.competitorKey === shop);
    const catalogs = ofShop.filter((t) => t.kind === 'catalog');
    const sitemap = ofShop.find((t) => t.kind === 'sitemap')!;
    expect(catalogs.length).toBeGreaterThan(0);
    for (const t of catalogs) await upsertTarget(tdb.db, { kind: 'catalog', url: t.url, options: t.options });
    const { target } = await upsertTarget(tdb.db, {
      kind: 'sitemap',
      url: sitemap.url,
      options: sitemap.options,
    });

    await queue.enqueue('crawl-target', { targetId: target.id }, { jobId: 'sitemap-1' });
    await waitFor(
      async () =>
        (await count(tdb.db, 'crawl_runs', 'target_id = $1 AND finished_at IS NOT NULL', [target.id])) === 1,
      'the sitemap run',
    );
    // The sitemap does list the category pages: what is tested is that they are left out.
    const index = await (await fetch(sitemap.url)).text();
    let listed = index;
    for (const [, loc] of index.matchAll(/<loc>([^<]+)<\/loc>/g)) listed += await (await fetch(loc)).text();
    expect(catalogs.some((c) => listed.includes(c.url))).toBe(true);

    const discovered = await tdb.db.query<{ url: string }>(
      't.discovered',
      "SELECT url FROM targets WHERE kind = 'product' AND discovered_from = $1",
      [target.id],
    );
    expect(discovered.rows.length).toBeGreaterThan(0);
    expect(discovered.rows.every((r) => new URL(r.url).pathname.startsWith('/p/'))).toBe(true);
    expect(await count(tdb.db, 'products', 'url = ANY($1)', [catalogs.map((c) => c.url)])).toBe(0);
  }, 60_000);

  it('a flat sitemap of pages: neither its home page nor its category pages become products', async () => {
    const manifest = demo.market.manifest();
    const shop = manifest.competitors[1].key;
    const ofShop = manifest.targets.filter((t) => t.competitorKey === shop);
    const catalogs = ofShop.filter((t) => t.kind === 'catalog');
    for (const t of catalogs) await upsertTarget(tdb.db, { kind: 'catalog', url: t.url, options: t.options });
    const origin = new URL(catalogs[0].url).origin;
    const { target } = await upsertTarget(tdb.db, { kind: 'sitemap', url: `${origin}/sitemap-pages.xml` });
    await queue.enqueue('crawl-target', { targetId: target.id }, { jobId: 'sitemap-pages-1' });
    await waitFor(
      async () =>
        (await count(tdb.db, 'crawl_runs', 'target_id = $1 AND finished_at IS NOT NULL', [target.id])) === 1,
      'the sitemap run',
    );
    const discovered = await tdb.db.query<{ url: string }>(
      't.discovered',
      "SELECT url FROM targets WHERE kind = 'product' AND discovered_from = $1",
      [target.id],
    );
    // The home page and the categories are left out by their paths (mayBeProductPage); a category page whose
    // path does not say so is still left out when it is registered as a catalog.
    expect(discovered.rows.map((r) => r.url)).toEqual([]);
    expect(await count(tdb.db, 'products', 'url = ANY($1)', [catalogs.map((c) => c.url)])).toBe(0);
    const product = `${origin}/p/not-registered`;
    expect(
      [...(await nonProductTargetUrls(tdb.db, [...catalogs.map((c) => c.url), product]))].sort(),
    ).toEqual(catalogs.map((c) => c.url).sort());
  }, 60_000);
});
