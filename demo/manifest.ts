import { DEFAULT_MIN_DELAY_MS } from '../crawlers/commerce/host-limiter.ts';
import { CATEGORIES, catalogOf, SHOP_KEYS, SHOPS } from './catalog.ts';
import { VOICES } from './voices.ts';

/** What the app seeds itself from to watch the demo market. */
export interface DemoManifest {
  ourBrand: { key: string; name: string; aliases: string[] };
  competitors: {
    key: string;
    name: string;
    brand: string;
    homepage: string;
    currency: string;
    locale: string;
  }[];
  targets: {
    competitorKey: string | null;
    kind: 'product' | 'catalog' | 'sitemap' | 'feed' | 'social';
    url: string;
    label: string;
    options: { needsJs?: boolean; currency?: string; locale?: string; query?: string };
    intervalSeconds: number;
  }[];
  entities: {
    key: string;
    name: string;
    kind: 'brand' | 'competitor' | 'product';
    aliases: string[];
    exclude: string[];
  }[];
}

/** The social listening query: every brand, plus the category words people use. */
export const SOCIAL_QUERY =
  'Lumina OR luminabeauty OR GlowCo OR "Glow Co" OR "Beleza Pura" OR belezapura OR "Maison Jolie" OR maisonjolie OR skincare OR makeup';
('Lumina OR GlowCo OR "Glow Co" OR "Beleza Pura" OR "Maison Jolie" OR skincare OR makeup');

/** Our own hero products, tracked as entities. */
const OUR_PRODUCTS = [
  { key: 'lumina-dew-serum', name: 'Lumina Dew Serum', aliases: ['Dew Serum'] },
  { key: 'lumina-silk-foundation', name: 'Lumina Silk Foundation', aliases: ['Silk Foundation'] },
];

/** Share of a polite crawler's capacity on one origin the demo's schedule may use. */
const CRAWL_HEADROOM = 1.5;

/**
 * How often the demo's targets are crawled: every day when a day is long enough, else every few days. A polite
 * crawler starts at most one request per origin every DEFAULT_MIN_DELAY_MS (4 a second), and each demo shop is one
 * origin holding its sitemap, its category pages and, once discovered, every product of its catalog (launches
 * included). Crawling a shop's ~30 targets every 4-second day would need ~8 requests a second there: a third of
 * them were always late, and the freshness monitor rightly flagged them stale (a third of the demo's alerts). The
 * interval is the whole number of days that leaves the crawler CRAWL_HEADROOM.
 */
export function crawlIntervalSeconds(daySeconds: number, seed: number, productsPerShop: number): number {
  const perShop = Math.max(
    ...SHOP_KEYS.map((key) => catalogOf(seed, key, productsPerShop).length + CATEGORIES.length + 1),
  );
  const neededSeconds = (perShop * DEFAULT_MIN_DELAY_MS * CRAWL_HEADROOM) / 1000;
  return daySeconds * Math.max(1, Math.ceil(neededSeconds / daySeconds));
}

/**
 * Builds the manifest for a running market: catalog, sitemap and day-0 product targets per
 * shop (maisonjs products marked `needsJs`), the blog feed, the social search and the entities.
 */
export function buildManifest(opts: {
  origins: Record<string, string>;
  seed: number;
  productsPerShop: number;
  /** The simulated day's length. */
  daySeconds: number;
}): DemoManifest {
  const { origins } = opts;
  const intervalSeconds = crawlIntervalSeconds(opts.daySeconds, opts.seed, opts.productsPerShop);
  const [ours, ...rivals] = VOICES;
  const targets: DemoManifest['targets'] = [];
  for (const key of SHOP_KEYS) {
    const shop = SHOPS[key];
    const base = { currency: shop.currency, locale: shop.locale };
    const needsJs = key === 'maisonjs' ? { needsJs: true } : {};
    targets.push({
      competitorKey: key,
      kind: 'sitemap',
      url: `${origins[key]}/sitemap.xml`,
      label: `${shop.name} sitemap`,
      options: base,
      intervalSeconds,
    });
    for (const category of CATEGORIES) {
      targets.push({
        competitorKey: key,
        kind: 'catalog',
        url: `${origins[key]}/c/${category}`,
        label: `${shop.name} — ${shop.lines[category].label}`,
        options: base,
        intervalSeconds,
      });
    }
    for (const product of catalogOf(opts.seed, key, opts.productsPerShop).filter((p) => p.launchDay === 0)) {
      targets.push({
        competitorKey: key,
        kind: 'product',
        url: `${origins[key]}/p/${product.slug}`,
        label: `${shop.name} — ${product.name}`,
        options: { ...base, ...needsJs },
        intervalSeconds,
      });
    }
  }
  targets.push({
    competitorKey: null,
    kind: 'feed',
    url: `${origins.voices}/blog/feed.xml`,
    label: 'The Glow Edit (blog)',
    options: { locale: 'en-US' },
    intervalSeconds,
  });
  targets.push({
    competitorKey: null,
    kind: 'social',
    url: `${origins.voices}/social/xrpc/app.bsky.feed.searchPosts`,
    label: 'Social search (Bluesky-compatible)',
    options: { query: SOCIAL_QUERY },
    intervalSeconds,
  });
  return {
    ourBrand: { key: ours.key, name: ours.name, aliases: ours.aliases },
    competitors: SHOP_KEYS.map((key) => ({
      key,
      name: SHOPS[key].name,
      brand: SHOPS[key].brand,
      homepage: `${origins[key]}/`,
      currency: SHOPS[key].currency,
      locale: SHOPS[key].locale,
    })),
    targets,
    entities: [
      {
        key: ours.key,
        name: ours.name,
        kind: 'brand',
        aliases: ours.aliases,
        exclude: ['Lumina Cinema', 'Chevy Lumina'],
      },
      ...rivals.map((voice) => ({
        key: voice.key,
        name: voice.name,
        kind: 'competitor' as const,
        aliases: voice.aliases,
        exclude: [],
      })),
      ...OUR_PRODUCTS.map((p) => ({ ...p, kind: 'product' as const, exclude: [] })),
    ],
  };
}
