/**
 * Realistic social items at any volume: the demo market's Bluesky posts (opinions in four languages, an
 * emerging phrase, weekend decoys, floods), generated for as many seeds as needed and read through the real
 * Bluesky adapter, exactly as `crawl-voices` receives them from the demo's search API.
 */
import { blueskyAdapter, type SocialItem } from '../crawlers/index.ts';
import type { Entity } from '../db/index.ts';
import { backfillPosts, buildManifest } from '../demo/index.ts';

const DAY_MS = 86_400_000;

/**
 * `n` distinct items. Seed k's 30 days of backfill are shifted k×30 days earlier, so volume per day stays that
 * of one demo market and the history grows with n (what a long-running installation accumulates).
 */
export function socialItems(n: number, endsAt = Date.UTC(2025, 5, 1)): SocialItem[] {
  const out: SocialItem[] = [];
  const seen = new Set<string>();
  for (let k = 0; out.length < n; k++) {
    const posts = backfillPosts(1000 + k, endsAt - k * 30 * DAY_MS).map((p) => p.post);
    const page = blueskyAdapter.parseResponse(200, {}, Buffer.from(JSON.stringify({ posts })));
    for (const item of page.items) {
      if (seen.has(item.sourceId)) continue;
      seen.add(item.sourceId);
      item.raw = undefined;
      out.push(item);
      if (out.length === n) break;
    }
  }
  return out.sort((a, b) => (a.publishedAt < b.publishedAt ? -1 : a.publishedAt > b.publishedAt ? 1 : 0));
}

/** The demo's brands, competitors and products, as the seeded app listens for them. */
export function demoEntities(): Entity[] {
  const o = 'http://127.0.0.1:1';
  const manifest = buildManifest({
    origins: { glowco: o, belezabr: o, maisonjs: o, voices: o },
    seed: 42,
    productsPerShop: 12,
    daySeconds: 60,
  });
  return manifest.entities.map((e) => ({ required: [], any: [], languages: [], ...e }));
}
