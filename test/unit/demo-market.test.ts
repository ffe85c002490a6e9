import { gunzipSync } from 'node:zlib';
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backfillPosts,
  catalogOf,
  crawlIntervalSeconds,
  type DemoMarket,
  dayStartsAt,
  type SocialPost,
  shopStateOn,
  startDemoMarket,
} from '../../demo/index.ts';

const START = Date.UTC(2025, 2, 5, 12, 0, 0);
const DAY_SECONDS = 4;
let clockNow = START;
let market: DemoMarket;

beforeAll(async () => {
  market = await startDemoMarket({ now: () => clockNow, daySeconds: DAY_SECONDS });
});
afterAll(async () => {
  await market.close();
});

async function get(url: string): Promise<{ status: number; type: string; text: string }> {
  const response = await fetch(url);
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    text: await response.text(),
  };
}

function parseMoney(text: string): number {
  const digits = text.replace(/[^\d.,]/g, '');
  if (/,\d{2}$/.test(digits)) return Number(digits.replace(/\./g, '').replace(',', '.'));
  return Number(digits.replace(/,/g, ''));
}

describe('shops', () => {
  it('renders the same pages for the same seed and start, and different prices on another day', async () => {
    const twin = await startDemoMarket({ now: () => START, daySeconds: DAY_SECONDS });
    try {
      for (const path of ['/', '/c/lipstick', '/p/velvet-matte-lipstick-rosewood', '/sitemap-products.xml']) {
        const a = (await get(`${market.origins.glowco}${path}?day=3`)).text.replaceAll(
          market.origins.glowco,
          'ORIGIN',
        );
        const b = (await get(`${twin.origins.glowco}${path}?day=3`)).text.replaceAll(
          twin.origins.glowco,
          'ORIGIN',
        );
        expect(a).toBe(b);
      }
    } finally {
      await twin.close();
    }
    expect(shopStateOn(42, 'belezabr', 5)).toEqual(shopStateOn(42, 'belezabr', 5));
    const prices = (day: number) => shopStateOn(42, 'glowco', day).products.map((p) => p.price);
    expect(prices(6).slice(0, 9)).not.toEqual(prices(0));
    expect(shopStateOn(7, 'glowco', 0).products.map((p) => p.price)).not.toEqual(prices(0));
  });

  it('gives the same state whatever order days are asked in (caching keeps it pure)', () => {
    const jumped = [70, 40, 41].map((day) => shopStateOn(5, 'maisonjs', day, 12).products.slice(0, 9));
    const direct = [41, 40, 70].map((day) => shopStateOn(5, 'maisonjs', day, 13).products.slice(0, 9));
    expect(jumped[2]).toEqual(direct[0]);
    expect(jumped[1]).toEqual(direct[1]);
    expect(jumped[0]).toEqual(direct[2]);
  });

  it('names large catalogues uniquely, in each shop language', () => {
    for (const shop of ['glowco', 'belezabr', 'maisonjs'] as const) {
      const products = catalogOf(42, shop, 600);
      expect(new Set(products.map((p) => p.slug)).size).toBe(600);
      expect(new Set(products.map((p) => p.sku)).size).toBe(600);
      expect(products.filter((p) => p.launchDay === 0)).toHaveLength(450);
    }
    expect(catalogOf(42, 'belezabr')[0].name).toBe('Batom Matte Veludo — Rosa Antigo');
  });

  it('takes products out of stock and brings them back', () => {
    const stock = Array.from({ length: 30 }, (_, day) => shopStateOn(42, 'glowco', day).products);
    const cycled = stock[0].filter((p) => {
      const days = stock.map((products) => products.find((q) => q.sku === p.sku)!.availability);
      const out = days.indexOf('OutOfStock');
      return out > 0 && days.slice(out).includes('InStock');
    });
    expect(cycled.length).toBeGreaterThan(0);
  });

  it('has a price drop of at least 10 % within the first three days in every shop', () => {
    for (const shop of ['glowco', 'belezabr', 'maisonjs'] as const) {
      const drops = [1, 2, 3].flatMap((day) => {
        const before = new Map(shopStateOn(42, shop, day - 1).products.map((p) => [p.sku, p.price]));
        return shopStateOn(42, shop, day).products.filter((p) => p.price <= 0.9 * (before.get(p.sku) ?? 0));
      });
      expect(drops.length, shop).toBeGreaterThan(0);
    }
  });

  it('lists a launched product in the sitemap and its category only from its launch day', async () => {
    const launched = catalogOf(42, 'glowco').find((p) => p.launchDay > 0)!;
    const day = launched.launchDay;
    const sitemap = (d: number) => get(`${market.origins.glowco}/sitemap-products.xml?day=${d}`);
    expect((await sitemap(day - 1)).text).not.toContain(`/p/${launched.slug}<`);
    const $ = cheerio.load((await sitemap(day)).text, { xml: true });
    const entry = $('url').filter((_, el) => $(el).find('loc').text().endsWith(`/p/${launched.slug}`));
    expect(entry.find('lastmod').text()).toBe(
      new Date(dayStartsAt({ startedAt: START, daySeconds: DAY_SECONDS }, day)).toISOString(),
    );
    const category = (d: number) => get(`${market.origins.glowco}/c/${launched.category}?day=${d}`);
    expect((await category(day - 1)).text).not.toContain(launched.slug);
    expect((await category(day)).text).toContain(`href="/p/${launched.slug}"`);
    expect((await get(`${market.origins.glowco}/p/${launched.slug}?day=${day - 1}`)).status).toBe(404);
    const index = cheerio.load((await get(`${market.origins.glowco}/sitemap.xml`)).text, { xml: true });
    expect(index('sitemapindex > sitemap > loc').length).toBe(2);
  });

  it('marks up glowco products with JSON-LD whose price matches the visible main price', async () => {
    let sawAggregate = false;
    let sawStrikethrough = false;
    for (const product of shopStateOn(42, 'glowco', 1).products.filter((p) => p.sku !== 'GC-1003')) {
      const $ = cheerio.load((await get(`${market.origins.glowco}/p/${product.slug}?day=1`)).text);
      const ld = JSON.parse($('script[type="application/ld+json"]').text());
      expect(ld['@type']).toBe('Product');
      const offer = ld.offers;
      const price = Number(offer['@type'] === 'AggregateOffer' ? offer.lowPrice : offer.price);
      sawAggregate ||= offer['@type'] === 'AggregateOffer';
      expect(price).toBe(parseMoney($('.price-box .price').text()));
      expect(price).toBe(product.price);
      expect(offer.availability ?? offer.offers[0].availability).toMatch(
        /^https:\/\/schema\.org\/(InStock|OutOfStock)$/,
      );
      expect($('.related .price').length).toBeGreaterThan(0);
      if (offer.priceSpecification) {
        sawStrikethrough = true;
        expect(offer.priceSpecification.priceType).toBe('https://schema.org/StrikethroughPrice');
        expect(Number(offer.priceSpecification.price)).toBe(parseMoney($('.price-box .price-was').text()));
      }
    }
    expect(sawAggregate).toBe(true);
    expect(sawStrikethrough).toBe(true);
  });

  it('marks up belezabr products with microdata, itemref and Brazilian prices', async () => {
    const state = shopStateOn(42, 'belezabr', 0);
    const premium = state.products.find((p) => p.price >= 1000)!;
    const page = await get(`${market.origins.belezabr}/p/${premium.slug}?day=0`);
    const $ = cheerio.load(page.text);
    expect($('html').attr('lang')).toBe('pt-BR');
    const item = $('[itemscope][itemtype="https://schema.org/Product"]');
    expect(item.attr('itemref')).toContain('pdp-brand');
    expect(
      $(`#${item.attr('itemref')!.split(' ')[0]}`)
        .find('[itemprop=name]')
        .text(),
    ).toBe('Beleza Pura');
    const price = item.find('[itemprop=price]');
    expect(Number(price.attr('content'))).toBe(premium.price);
    expect(price.text()).toMatch(/^R\$ \d\.\d{3},\d{2}$/);
    expect(parseMoney(price.text())).toBe(premium.price);
    expect(item.find('[itemprop=priceCurrency]').attr('content')).toBe('BRL');
    expect(item.find('[itemprop=availability]').attr('href')).toMatch(/^https:\/\/schema\.org\//);
  });

  it('renders maisonjs prices only through its JSON API', async () => {
    const product = shopStateOn(42, 'maisonjs', 2).products[1];
    const page = await get(`${market.origins.maisonjs}/p/${product.slug}?day=2`);
    expect(page.text).toContain('lang="fr"');
    const $ = cheerio.load(page.text);
    expect($('[data-bind=price]').text()).toBe('');
    expect(page.text).not.toContain(product.price.toFixed(2).replace('.', ','));
    expect($('main').text()).not.toMatch(/\d,\d{2}\s?€/);
    expect(page.text).toContain('/assets/product.js');
    const api = JSON.parse(
      (await get(`${market.origins.maisonjs}/api/products/${product.sku}.json?day=2`)).text,
    );
    expect(api.price).toBe(product.price);
    expect(api.formattedPrice).toMatch(/^\d+,\d{2} €$/);
    const script = await get(`${market.origins.maisonjs}/assets/product.js`);
    expect(script.type).toContain('javascript');
    expect(script.text).toContain('location.search');
  });

  it('serves robots.txt, a checkout page and a gzipped products sitemap', async () => {
    for (const origin of [market.origins.glowco, market.origins.belezabr, market.origins.maisonjs]) {
      expect((await get(`${origin}/robots.txt`)).text).toMatch(/^Disallow: \/checkout$/m);
      expect((await get(`${origin}/checkout`)).status).toBe(200);
    }
    const index = (await get(`${market.origins.belezabr}/sitemap.xml`)).text;
    expect(index).toContain('/sitemap-products.xml.gz');
    const gz = await fetch(`${market.origins.belezabr}/sitemap-products.xml.gz`);
    const xml = gunzipSync(Buffer.from(await gz.arrayBuffer())).toString('utf8');
    expect(xml).toContain('<urlset');
    expect(xml.match(/<loc>/g)?.length).toBe(shopStateOn(42, 'belezabr', 0).products.length);
  });

  it('shows promotions with codes, list prices and end dates', async () => {
    const days = Array.from({ length: 10 }, (_, d) => d);
    const banners = await Promise.all(
      days.map(async (d) =>
        cheerio
          .load((await get(`${market.origins.glowco}/?day=${d}`)).text)('.promo-banner')
          .text(),
      ),
    );
    expect(banners.join('\n')).toMatch(/\d+% off with code GLOW\d+ until [A-Z][a-z]+ \d+/);
    expect(banners.join('\n')).toContain('Buy one get one free');
    expect(banners.every((b) => b.includes('Free shipping over $50.00'))).toBe(true);
  });

  it('answers bot-block interstitials that carry no product data', async () => {
    const blocked = await get(`${market.origins.glowco}/p/velvet-matte-lipstick-rosewood?blocked=1`);
    expect(blocked.status).toBe(403);
    expect(blocked.text).toMatch(/verify you are human/i);
    const product = shopStateOn(42, 'glowco', 3).products.find((p) => p.sku === 'GC-1003')!;
    const challenge = await get(`${market.origins.glowco}/p/${product.slug}?day=3`);
    expect(challenge.status).toBe(200);
    expect(challenge.text).toMatch(/captcha/i);
    expect(challenge.text).not.toContain('application/ld+json');
    expect((await get(`${market.origins.glowco}/p/${product.slug}?day=4`)).text).toContain(
      'application/ld+json',
    );
  });
});

describe('voices', () => {
  const search = async (params: Record<string, string>) => {
    const query = new URLSearchParams(params);
    const response = await get(`${market.origins.voices}/social/xrpc/app.bsky.feed.searchPosts?${query}`);
    return {
      status: response.status,
      body: JSON.parse(response.text) as { posts: SocialPost[]; cursor?: string },
    };
  };

  it('answers searchPosts in Bluesky shape, newest first, with cursor pagination', async () => {
    const first = await search({ q: 'GlowCo', limit: '50' });
    expect(first.status).toBe(200);
    const post = first.body.posts[0];
    expect(Object.keys(post).sort()).toEqual(
      ['author', 'cid', 'indexedAt', 'likeCount', 'record', 'replyCount', 'repostCount', 'uri'].sort(),
    );
    expect(post.uri).toMatch(/^at:\/\/did:plc:[a-z2-7]{24}\/app\.bsky\.feed\.post\/[2-7a-z]{13}$/);
    expect(post.record.$type).toBe('app.bsky.feed.post');
    expect(post.author.handle).toMatch(/\.bsky\.social$/);
    const seen: SocialPost[] = [...first.body.posts];
    let cursor = first.body.cursor;
    while (cursor) {
      const next = await search({ q: 'GlowCo', limit: '50', cursor });
      seen.push(...next.body.posts);
      cursor = next.body.cursor;
    }
    const all = await search({ q: 'glowco', limit: '100' });
    expect(new Set(seen.map((p) => p.uri)).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThan(100);
    expect(seen.slice(0, 100).map((p) => p.uri)).toEqual(all.body.posts.map((p) => p.uri));
    const times = seen.map((p) => Date.parse(p.record.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(seen.every((p) => /glow ?co/i.test(p.record.text))).toBe(true);
    expect((await search({ q: '*', limit: '101' })).status).toBe(400);
  });

  it('filters by since and until, and ORs words', async () => {
    const since = new Date(START - 2 * 86_400_000).toISOString();
    const until = new Date(START - 86_400_000).toISOString();
    const { body } = await search({ q: '', since, until, limit: '100' });
    expect(body.posts.length).toBeGreaterThan(30);
    for (const p of body.posts) {
      expect(p.record.createdAt >= since && p.record.createdAt < until).toBe(true);
    }
    const either = await search({ q: 'moonmilk OR selfcaresunday', limit: '100' });
    expect(either.body.posts.some((p) => p.record.text.includes('#moonmilk'))).toBe(true);
    expect(either.body.posts.some((p) => p.record.text.includes('#selfcaresunday'))).toBe(true);
  });

  it('plants an emerging phrase from many authors, a weekend decoy and a one-author flood', () => {
    const posts = backfillPosts(42, START);
    const byDay = (filter: (text: string) => boolean) => {
      const days = Array.from({ length: 30 }, () => ({ count: 0, authors: new Set<string>() }));
      for (const p of posts.filter((x) => filter(x.post.record.text))) {
        const day = days[Math.floor((p.at - (START - 30 * 86_400_000)) / 86_400_000)];
        day.count++;
        day.authors.add(p.post.author.did);
      }
      return days;
    };
    const glass = byDay((t) => /glass ?skin/i.test(t));
    expect(glass.slice(0, 20).every((d) => d.count === 0)).toBe(true);
    const recent = glass.slice(20).map((d) => d.count);
    for (let i = 1; i < recent.length; i++) expect(recent[i]).toBeGreaterThan(recent[i - 1]);
    expect(glass[29].authors.size).toBe(glass[29].count);
    expect(glass[29].count).toBeGreaterThanOrEqual(15);
    const decoy = byDay((t) => t.includes('#selfcaresunday'));
    const weekend = (i: number) =>
      [0, 6].includes(new Date(START - (30 - i) * 86_400_000 + 43_200_000).getUTCDay());
    for (const [i, d] of decoy.entries()) expect(d.count >= 12, `day ${i}`).toBe(weekend(i));
    const flood = byDay((t) => t.includes('#moonmilk')).filter((d) => d.count > 0);
    expect(flood).toHaveLength(1);
    expect(flood[0].authors.size).toBe(1);
    const perDay = byDay(() => true).map((d) => d.count);
    expect(Math.min(...perDay)).toBeGreaterThanOrEqual(40);
    expect(new Set(posts.map((p) => p.post.author.did)).size).toBeGreaterThan(150);
    expect(new Set(posts.map((p) => p.truth.lang))).toEqual(new Set(['en', 'es', 'pt']));
  });

  it('adds posts and articles as simulated days pass', async () => {
    const since = new Date(START).toISOString();
    expect((await search({ q: '*', since })).body.posts).toHaveLength(0);
    const feedBefore = (await get(`${market.origins.voices}/blog/feed.xml`)).text;
    clockNow = START + 5 * DAY_SECONDS * 1000;
    try {
      expect(market.day()).toBe(5);
      const live = (await search({ q: '*', since, limit: '100' })).body.posts;
      expect(live.length).toBeGreaterThan(10);
      expect(live.every((p) => Date.parse(p.record.createdAt) <= clockNow)).toBe(true);
      const feed = cheerio.load((await get(`${market.origins.voices}/blog/feed.xml`)).text, { xml: true });
      expect(feed('item').length).toBeGreaterThan(cheerio.load(feedBefore, { xml: true })('item').length);
    } finally {
      clockNow = START;
    }
  });

  it('serves a blog with an RSS feed and full article layout', async () => {
    const feed = cheerio.load((await get(`${market.origins.voices}/blog/feed.xml`)).text, { xml: true });
    const item = feed('rss > channel > item').first();
    expect(Number.isNaN(Date.parse(item.find('pubDate').text()))).toBe(false);
    expect(item.find('dc\\:creator').text()).not.toBe('');
    expect(item.find('guid').text()).toBe(item.find('link').text());
    const article = cheerio.load((await get(item.find('link').text())).text);
    expect(article('header nav').length).toBe(1);
    expect(article('article .entry-content p').length).toBeGreaterThanOrEqual(4);
    expect(
      article('aside.sidebar').length + article('.comments li').length + article('footer').length,
    ).toBeGreaterThan(3);
    const texts = feed('item description').text();
    expect(texts).toMatch(/Lumina Beauty|GlowCo|Beleza Pura|Maison Jolie/);
  });
});

describe('manifest', () => {
  it('lists reachable targets for every shop, the feed and the social search', async () => {
    const manifest = market.manifest();
    expect(manifest.ourBrand.name).toBe('Lumina Beauty');
    expect(manifest.competitors.map((c) => c.currency)).toEqual(['USD', 'BRL', 'EUR']);
    const kinds = manifest.targets.map((t) => t.kind);
    expect(kinds.filter((k) => k === 'catalog')).toHaveLength(18);
    expect(kinds.filter((k) => k === 'sitemap')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'product')).toHaveLength(27);
    const js = manifest.targets.filter((t) => t.kind === 'product' && t.competitorKey === 'maisonjs');
    expect(js.every((t) => t.options.needsJs === true)).toBe(true);
    // One interval, a whole number of days, long enough for a polite crawler (one start per origin every 250 ms)
    // to crawl each shop's targets with headroom; a long day is crawled daily.
    const interval = manifest.targets[0].intervalSeconds;
    expect(manifest.targets.every((t) => t.intervalSeconds === interval)).toBe(true);
    expect(interval % DAY_SECONDS).toBe(0);
    for (const c of manifest.competitors) {
      const onShop = manifest.targets.filter((t) => t.competitorKey === c.key).length;
      expect(interval, c.key).toBeGreaterThanOrEqual(onShop * 0.25 * 1.5);
    }
    expect(interval).toBeGreaterThan(DAY_SECONDS);
    expect(crawlIntervalSeconds(3600, 42, 12)).toBe(3600);
    const social = manifest.targets.find((t) => t.kind === 'social')!;
    const found = await get(`${social.url}?q=${encodeURIComponent(social.options.query!)}&limit=100`);
    expect(JSON.parse(found.text).posts).toHaveLength(100);
    for (const target of manifest.targets.filter((t) => t.kind !== 'social')) {
      expect((await fetch(`${target.url}?day=0`)).status, target.url).toBe(200);
    }
    expect(manifest.entities.find((e) => e.key === 'lumina')!.exclude).toContain('Lumina Cinema');
    expect(market.requestLog.length).toBeGreaterThan(0);
    expect(market.requestLog.at(-1)!.origin).toMatch(/^(glowco|belezabr|maisonjs|voices)$/);
  });
});
