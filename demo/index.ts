/**
 * The demo market: a small, deterministic local web for `npm start`, integration tests and
 * benchmarks. `startDemoMarket()` serves four origins on 127.0.0.1:
 * - `glowco` (USD, JSON-LD, related-product price trap, captcha on GC-1003 when day % 5 === 3,
 *   403 interstitial on `?blocked=1`), `belezabr` (BRL, microdata with itemref, gzipped products
 *   sitemap), `maisonjs` (EUR, prices rendered by `/assets/product.js` from
 *   `/api/products/<sku>.json`): each with `/`, `/c/<category>`, `/p/<slug>`, `/sitemap.xml`,
 *   `/robots.txt` and `/checkout`;
 * - `voices`: `/blog/`, `/blog/<slug>`, `/blog/feed.xml` (RSS 2.0) and
 *   `/social/xrpc/app.bsky.feed.searchPosts` (Bluesky-shaped).
 * Any URL takes `?day=N` to render simulated day N (on `voices`: as of the end of day N).
 */
export { type Article, articleOf, articlesAt } from './blog.ts';
export type {
  Availability,
  Category,
  Currency,
  Product,
  ProductState,
  Promotion,
  ShopKey,
  ShopProfile,
  ShopState,
} from './catalog.ts';
export { CATEGORIES, catalogOf, promotionsOn, SHOP_KEYS, SHOPS, shopStateOn } from './catalog.ts';
export { calendarDate, dayAt, dayStartsAt, type MarketClock } from './clock.ts';
export { type FakeSlack, type FakeSlackRequest, startFakeSlack } from './fake-slack.ts';
export { buildManifest, crawlIntervalSeconds, type DemoManifest, SOCIAL_QUERY } from './manifest.ts';
export { type DemoMarket, type DemoMarketOptions, type DemoRequest, startDemoMarket } from './market.ts';
export { createRandom, type Random } from './random.ts';
export { formatPrice, isChallengeDay, promotionText } from './shops.ts';
export {
  authorsOf,
  backfillPosts,
  DECOY_PHRASE,
  type DemoPost,
  EMERGING_PHRASE,
  FLOOD_TERM,
  livePostsOn,
  matchQuery,
  type SearchParams,
  type SearchPostsResult,
  type SocialPost,
  searchPosts,
  VOICES,
} from './voices.ts';
