import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractProductPageFromHtml } from '../../../crawlers/commerce/index.ts';
import {
  CATEGORIES,
  type DemoMarket,
  isChallengeDay,
  shopStateOn,
  startDemoMarket,
} from '../../../demo/index.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/listing');
const page = (file: string, url: string) =>
  extractProductPageFromHtml(readFileSync(join(dir, file), 'utf8'), { url });
const LISTING = /^(?:no structured data; )?a listing: \d+ products? with their own prices and links/;

describe('a listing crawled as a product yields no price', () => {
  it('Shopify-like collection: ItemList JSON-LD of priced products, none of them this page', () => {
    const p = page('shopify-collection.html', 'https://northwind.test/collections/shirts');
    expect(p.main).toBeNull();
    expect(p.reason).toBe(
      'a listing: 4 products with their own prices and links; no single price for this page',
    );
    expect(p.offers.filter((o) => o.price !== null)).toEqual([]);
    expect(p.availability).toBeNull();
    expect(p.name).toBe('Shirts');
  });

  it('the same collection without its JSON-LD: the card grid alone tells it (and the announcement bar is no price)', () => {
    const html = readFileSync(join(dir, 'shopify-collection.html'), 'utf8').replace(
      /<script type="application\/ld\+json">[\s\S]*?<\/script>/g,
      '',
    );
    const p = extractProductPageFromHtml(html, { url: 'https://northwind.test/collections/shirts' });
    expect(p.main).toBeNull();
    expect(p.reason).toMatch(/^a listing: 4 products/);
  });

  it('WooCommerce-like grid without structured data, add-to-cart buttons on every card', () => {
    const p = page('woocommerce-grid.html', 'https://casaverde.test/shop/');
    expect(p.main).toBeNull();
    expect(p.reason).toMatch(/^a listing: 6 products/);
    expect(p.offers).toEqual([]);
  });

  it('microdata grid: several top-level Products, each linking to its own page', () => {
    const p = page('microdata-grid.html', 'https://bohnenwerk.test/kaffeemuehlen');
    expect(p.main).toBeNull();
    expect(p.reason).toMatch(/^a listing: 3 products/);
    expect(p.name).toBe('Kaffeemühlen');
  });

  it('a grid whose cards all cost the same is still a listing, with or without an h1', () => {
    const cards = ['a', 'b', 'c']
      .map(
        (s) =>
          `<li class="card"><a href="/p/${s}"><img src="/${s}.jpg" alt="">Mug ${s}</a><span>$10.00</span></li>`,
      )
      .join('');
    for (const h1 of ['<h1>Mugs</h1>', '']) {
      const p = extractProductPageFromHtml(`<html><body><main>${h1}<ul>${cards}</ul></main></body></html>`, {
        url: 'https://mugs.test/kitchen/mugs',
      });
      expect(p.main, h1 || 'no h1').toBeNull();
      expect(p.reason).toMatch(LISTING);
    }
  });

  it('a category URL with a single product card is a listing; the same card on another URL is not evidence enough', () => {
    const html =
      '<html><body><main><h1>Moisturizers</h1><ul><li class="product-card"><a href="/p/barrier-cream">Barrier Cream</a> <span class="price">$41.75</span></li></ul></main></body></html>';
    const onCategory = extractProductPageFromHtml(html, { url: 'https://glow.test/c/moisturizer' });
    expect(onCategory.main).toBeNull();
    expect(onCategory.reason).toMatch(/^a listing: 1 product with/);
    const elsewhere = extractProductPageFromHtml(html, { url: 'https://glow.test/moisturizer' });
    expect(elsewhere.main?.price).toBe('41.75');
  });
});

describe('a product page keeps its price', () => {
  it('JSON-LD product named after the h1, with related products in an ItemList and a separate block', () => {
    const p = page(
      'product-related-jsonld.html',
      'https://northwind.test/collections/shirts/products/linen-shirt',
    );
    expect(p.main).toMatchObject({ source: 'jsonld', price: '49', currency: 'USD', availability: 'InStock' });
    expect(p.name).toBe('Linen Shirt');
    expect(p.offers.map((o) => o.price)).toEqual(['49']);
  });

  it('JSON-LD product not named after the page, next to related products that link away: the page’s own product', () => {
    const p = page('product-unnamed-with-related.html', 'https://northwind.test/products/linen-shirt');
    expect(p.main).toMatchObject({ source: 'jsonld', price: '49' });
    expect(p.sku).toBe('NW-LIN-01');
  });

  it('several priced products, one of them at this page’s URL: that one', () => {
    const product = (name: string, url: string, price: string) =>
      `{"@type":"Product","name":"${name}","url":"${url}","offers":{"@type":"Offer","price":"${price}","priceCurrency":"EUR"}}`;
    const html = `<html><head><script type="application/ld+json">[${product('Belt', 'https://s.test/p/belt', '20')},${product(
      'Strap',
      'https://s.test/p/strap',
      '12',
    )},${product('Buckle', 'https://s.test/p/buckle', '8')}]</script></head><body><h1>Leather goods</h1></body></html>`;
    expect(extractProductPageFromHtml(html, { url: 'https://s.test/p/strap' }).main?.price).toBe('12');
    expect(extractProductPageFromHtml(html, { url: 'https://s.test/leather' }).main).toBeNull();
  });

  it('og:type product with only an ItemList of related products in JSON-LD: the visible price', () => {
    const related = ['oxford', 'denim', 'flannel']
      .map(
        (s, i) =>
          `{"@type":"ListItem","position":${i + 1},"item":{"@type":"Product","name":"${s}","url":"https://n.test/products/${s}","offers":{"@type":"Offer","price":"${50 + i}","priceCurrency":"USD"}}}`,
      )
      .join(',');
    const html = (ogType: string) =>
      `<html><head><meta property="og:type" content="${ogType}"><script type="application/ld+json">{"@type":"ItemList","itemListElement":[${related}]}</script></head><body><main><div class="info"><h1>Linen Shirt</h1><span class="price">$49.00</span><button>Add to cart</button></div></main></body></html>`;
    const url = 'https://n.test/products/linen';
    expect(extractProductPageFromHtml(html('product'), { url }).main?.price).toBe('49');
    // Without og:type the page reads as a listing: the structured data describes three other products only.
    expect(extractProductPageFromHtml(html('website'), { url }).main).toBeNull();
  });

  it('variant selector with three sizes and prices, and a unit price: the selected price, not a listing', () => {
    const p = page('variant-selector.html', 'https://pantry.test/products/organic-olive-oil');
    expect(p.main).toMatchObject({ source: 'heuristic', price: '12.99', currency: 'USD' });
    expect(p.reason).not.toMatch(/listing/);
  });

  it('the unit price is never the price, even when it sits nearest the title', () => {
    const html =
      '<html><body><main><div class="info"><h1>Olive Oil</h1><p class="unit-price">$25.98 / l</p><div class="buy"><div><span>$12.99</span></div></div></div></main></body></html>';
    expect(extractProductPageFromHtml(html, { url: 'https://pantry.test/p/oil' }).main?.price).toBe('12.99');
  });

  // Chromium stops nesting at 512 levels and puts deeper elements side by side: thousands of siblings under one node.
  // Finding a card's links through cheerio's find() was quadratic in them (minutes per page, the browser crawler's
  // C8 test hung); this page is read in milliseconds.
  it('a page flattened at the nesting limit, thousands of siblings under one node: read, not hung', () => {
    const html = `<html><body>${'<div>'.repeat(500)}${'<div><a href="/p/x">x</a></div>'.repeat(8000)}<span itemprop="price">5</span></body></html>`;
    const p = extractProductPageFromHtml(html, { url: 'https://deep.test/p/deep' });
    expect(p.main).toMatchObject({ price: '5' });
  });

  it('a carousel of linked cards with their own add-to-cart buttons does not take over the page', () => {
    const p = page('related-carousel.html', 'https://peak.test/p/trail-running-shoe-x2');
    expect(p.main).toMatchObject({ source: 'heuristic', price: '129', listPrice: '160' });
  });
});

describe('demo market pages crawled as products', () => {
  const START = Date.UTC(2025, 2, 5, 12, 0, 0);
  let market: DemoMarket;
  beforeAll(async () => {
    market = await startDemoMarket({ now: () => START, daySeconds: 4, productsPerShop: 30 });
  });
  afterAll(async () => {
    await market.close();
  });
  const html = async (url: string) => (await fetch(url)).text();

  it('category pages give no price; product pages give the shop’s price', async () => {
    for (const shop of ['glowco', 'belezabr', 'maisonjs'] as const) {
      const origin = market.origins[shop];
      for (const day of [0, 4]) {
        for (const category of CATEGORIES) {
          const url = `${origin}/c/${category}`;
          const p = extractProductPageFromHtml(await html(`${url}?day=${day}`), { url });
          expect(p.main, `${shop} ${category} day ${day}: ${p.reason}`).toBeNull();
        }
        if (shop === 'maisonjs') continue; // its product pages need a browser to show a price
        const products = shopStateOn(42, shop, day, 30).products.filter(
          (q) => q.launchDay <= day && !isChallengeDay(shop, q.sku, day),
        );
        for (const product of products.slice(0, 8)) {
          const url = `${origin}/p/${product.slug}`;
          const p = extractProductPageFromHtml(await html(`${url}?day=${day}`), { url });
          expect(Number(p.main?.price), `${shop} ${product.slug} day ${day}`).toBe(product.price);
        }
      }
    }
  });
});
