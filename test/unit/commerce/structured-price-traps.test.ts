import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extractProductPageFromHtml } from '../../../crawlers/commerce/index.ts';

/**
 * Product pages whose structured data (JSON-LD, microdata) is right but incomplete or ambiguous:
 * the page URL's variant, a sale price in priceSpecification, a list price or currency only shown
 * on the page, a "frequently bought together" product written first, related products in microdata.
 * Each fixture's first line says where it was served and what it shows:
 * `<!-- url=… locale=… currencyHint=… expect price=… list=… cur=… -->`.
 */
const dir = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/commerce/structured-traps');

interface Trap {
  html: string;
  url: string;
  locale: string | null;
  currency: string | null;
  price: string | null;
  listPrice: string | null;
  expectCurrency: string | null;
}

function trap(name: string): Trap {
  const html = readFileSync(join(dir, `${name}.html`), 'utf8');
  const head = /^<!--(.*?)-->/.exec(html)?.[1] ?? '';
  const field = (key: string) => {
    const v = new RegExp(`\\b${key}=(\\S*)`).exec(head)?.[1] ?? '';
    return v === '' || v === 'null' ? null : v;
  };
  return {
    html,
    url: field('url') as string,
    locale: field('locale'),
    currency: field('currencyHint'),
    price: field('price'),
    listPrice: field('list'),
    expectCurrency: field('cur'),
  };
}

const read = (t: Trap, html = t.html) =>
  extractProductPageFromHtml(html, { url: t.url, locale: t.locale, currency: t.currency });

const ld = (o: unknown) => `<script type="application/ld+json">${JSON.stringify(o)}</script>`;
const page = (head: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8">${head}</head><body>${body}</body></html>`;

describe('structured data read against the page it is on', () => {
  it.each([
    'shopify-variant-url-jsonld',
    'shopify-variant-url-oos',
    'jsonld-pricespec-sale',
    'dawn-sale-jsonld',
    'microdata-sale',
    'jsonld-no-currency',
    'jsonld-fbt-first',
  ])('%s: the price, list price and currency the page shows', (name) => {
    const t = trap(name);
    const p = read(t);
    expect(p.main, p.reason).toMatchObject({
      price: t.price,
      listPrice: t.listPrice,
      currency: t.expectCurrency,
    });
  });
});

describe('1. the variant the page URL selects (?variant=)', () => {
  it('is the offer whose URL carries it, not the first in stock', () => {
    const t = trap('shopify-variant-url-jsonld');
    const p = read(t);
    expect(p.main).toMatchObject({ source: 'jsonld', price: '49', sku: 'HS-60' });
    expect(p.sku).toBe('HS-60');
    expect(p.reason).toContain('variant 2002, selected by the page URL');
  });

  it('is reported even when out of stock: the page shows that variant, sold out', () => {
    const p = read(trap('shopify-variant-url-oos'));
    expect(p.main).toMatchObject({ price: '29', availability: 'OutOfStock' });
    expect(p.availability).toBe('OutOfStock');
  });

  it('without a variant in the URL the first offer in stock still wins', () => {
    const t = trap('shopify-variant-url-oos');
    const p = read({ ...t, url: 'https://glowbeauty.test/products/hyaluronic-serum' });
    expect(p.main).toMatchObject({ price: '49', availability: 'InStock' });
    expect(p.reason).not.toContain('variant');
  });

  it('an unknown variant falls back to the first offer in stock', () => {
    const t = trap('shopify-variant-url-oos');
    const p = read({ ...t, url: 'https://glowbeauty.test/products/hyaluronic-serum?variant=9999' });
    expect(p.main?.price).toBe('49');
  });

  it('a ProductGroup whose hasVariant products carry the variant in their @id or url', () => {
    const variantOf = (id: string, key: 'url' | '@id', price: string) => ({
      '@type': 'Product',
      [key]: `https://s.test/products/tee?variant=${id}${key === '@id' ? '#variant' : ''}`,
      name: `Tee ${id}`,
      offers: { '@type': 'Offer', price, priceCurrency: 'EUR', availability: 'https://schema.org/InStock' },
    });
    const html = page(
      ld({
        '@context': 'https://schema.org',
        '@type': 'ProductGroup',
        name: 'Tee',
        hasVariant: [
          variantOf('11', '@id', '20'),
          variantOf('12', '@id', '25'),
          variantOf('13', 'url', '30'),
        ],
      }),
      '<h1>Tee</h1>',
    );
    for (const [id, price] of [
      ['12', '25'],
      ['13', '30'],
    ]) {
      const p = extractProductPageFromHtml(html, { url: `https://s.test/products/tee?variant=${id}` });
      expect(p.main?.price, id).toBe(price);
    }
  });
});

describe('2. priceSpecification with a priceType', () => {
  const offerWith = (specs: unknown[], price?: string) =>
    page(
      ld({
        '@context': 'https://schema.org',
        '@type': 'Product',
        name: 'Volume Mascara',
        offers: {
          '@type': 'Offer',
          priceCurrency: 'USD',
          ...(price ? { price } : {}),
          priceSpecification: specs,
        },
      }),
      '<h1>Volume Mascara</h1>',
    );
  const spec = (price: number, priceType?: string) => ({
    '@type': 'UnitPriceSpecification',
    price,
    priceCurrency: 'USD',
    ...(priceType ? { priceType } : {}),
  });
  const main = (html: string) => extractProductPageFromHtml(html, { url: 'https://s.test/p/mascara' }).main;

  it('SalePrice is the price and the untyped regular price beside it the list price', () => {
    for (const type of ['https://schema.org/SalePrice', 'http://schema.org/SalePrice', 'SalePrice']) {
      expect(main(offerWith([spec(24), spec(18, type)])), type).toMatchObject({
        price: '18',
        listPrice: '24',
      });
    }
  });

  it('StrikethroughPrice and ListPrice are list prices, in any order and form', () => {
    for (const type of [
      'https://schema.org/StrikethroughPrice',
      'StrikethroughPrice',
      'https://schema.org/ListPrice',
    ]) {
      expect(main(offerWith([spec(24, type), spec(18)])), type).toMatchObject({
        price: '18',
        listPrice: '24',
      });
      expect(main(offerWith([spec(24, type), spec(18, 'SalePrice')])), type).toMatchObject({
        price: '18',
        listPrice: '24',
      });
      expect(main(offerWith([spec(24, type)], '18')), type).toMatchObject({ price: '18', listPrice: '24' });
    }
  });

  it('the offer’s own price still wins over a SalePrice that differs from it', () => {
    expect(main(offerWith([spec(15, 'SalePrice')], '18'))).toMatchObject({ price: '18', listPrice: null });
  });
});

describe('3. a list price shown beside the same visible price', () => {
  it('Shopify Dawn: the compare-at price crossed out on the page is the list price', () => {
    const p = read(trap('dawn-sale-jsonld'));
    expect(p.main).toMatchObject({ source: 'jsonld', price: '39', listPrice: '52' });
    expect(p.reason).toContain(
      'list price 52 from the crossed-out price shown beside the same visible price',
    );
    expect(p.main?.evidence).toMatch(/^jsonld .*; list price from the visible crossed-out price/);
  });

  it('microdata with an <s> old price beside its itemprop price', () => {
    const p = read(trap('microdata-sale'));
    expect(p.main).toMatchObject({ source: 'microdata', price: '18', listPrice: '24' });
  });

  it('not when the visible selling price is another figure (the two may not be the same product)', () => {
    const t = trap('dawn-sale-jsonld');
    const p = read(t, t.html.replace('"price":39', '"price":41'));
    expect(p.main).toMatchObject({ price: '41', listPrice: null });
    expect(p.reason).not.toContain('list price');
  });
});

describe('4. JSON-LD without priceCurrency', () => {
  it('takes the currency of the visible price when it shows the same amount', () => {
    const p = read(trap('jsonld-no-currency'));
    expect(p.main).toMatchObject({ source: 'jsonld', price: '39.9', currency: 'EUR' });
    expect(p.reason).toContain('currency EUR from the visible price');
  });

  it('before the target’s expected currency, which is a guess', () => {
    const t = trap('jsonld-no-currency');
    expect(read({ ...t, currency: 'CHF' }).main).toMatchObject({ currency: 'EUR', currencyRaw: '€' });
  });

  it('else the target’s expected currency, else none', () => {
    const t = trap('jsonld-no-currency');
    const other = t.html.replace('39,90 €', '44,90 €');
    expect(read({ ...t, currency: 'CHF' }, other).main?.currency).toBe('CHF');
    expect(read(t, other).main?.currency).toBeNull();
  });
});

describe('5. several JSON-LD products, none named after the page', () => {
  it('a "frequently bought together" product written first does not take the page', () => {
    const p = read(trap('jsonld-fbt-first'));
    expect(p.main).toMatchObject({ source: 'jsonld', price: '45' });
    expect(p.name).toBe('Retinol Serum 30 ml');
  });

  it('the visible price alone decides nothing when the names say nothing: the first stays', () => {
    const t = trap('jsonld-fbt-first');
    const html = t.html.replace('Retinol Serum 30 ml', 'Night Treatment');
    expect(read(t, html).main?.price).toBe('22');
  });

  it('a name like the title does not override a visible price that is the first product’s', () => {
    const t = trap('jsonld-fbt-first');
    const html = t.html.replace('<span class="price">$45.00</span>', '<span class="price">$22.00</span>');
    expect(read(t, html).main?.price).toBe('22');
  });
});

describe('6. related products marked up with microdata', () => {
  it('do not make a product page a listing, and none of their prices is the page’s', () => {
    const t = trap('related-microdata-only');
    const p = read(t);
    expect(p.reason).not.toMatch(/listing/);
    expect(p.offers.map((o) => o.price)).not.toEqual(expect.arrayContaining(['19', '16', '29']));
    for (const price of ['19', '16', '29']) expect(p.offers.map((o) => o.price)).not.toContain(price);
  });

  it('the page’s own visible price is read instead', () => {
    const t = trap('related-microdata-only');
    const p = read(t, t.html.replace('<span class="regular-price">', '<span class="final-price">'));
    expect(p.main).toMatchObject({ source: 'heuristic', price: '24', currency: 'USD' });
  });

  it('WooCommerce and Magento block names; the page’s own microdata product keeps its price', () => {
    const card = (slug: string, price: string) =>
      `<li itemscope itemtype="https://schema.org/Product"><a itemprop="url" href="/p/${slug}"><span itemprop="name">${slug}</span></a><span itemprop="offers" itemscope itemtype="https://schema.org/Offer"><meta itemprop="price" content="${price}"><meta itemprop="priceCurrency" content="EUR"></span></li>`;
    const own =
      '<div itemscope itemtype="https://schema.org/Product"><h1 itemprop="name">Clay Mask</h1><span itemprop="offers" itemscope itemtype="https://schema.org/Offer"><meta itemprop="price" content="21.00"><meta itemprop="priceCurrency" content="EUR">21,00 €</span></div>';
    for (const block of [
      'related products',
      'up-sells upsells products',
      'block block-related',
      'crosssell',
    ]) {
      const html = page(
        '',
        `<main>${own}<section class="${block}"><ul>${card('a', '9')}${card('b', '12')}${card('c', '15')}</ul></section></main>`,
      );
      const p = extractProductPageFromHtml(html, { url: 'https://s.test/p/clay-mask' });
      expect(p.main, block).toMatchObject({ source: 'microdata', price: '21', currency: 'EUR' });
      expect(
        p.offers.map((o) => o.price),
        block,
      ).toEqual(['21']);
    }
  });

  it('the same products outside a related block still make a listing', () => {
    const t = trap('related-microdata-only');
    const grid = t.html
      .replace(/<div class="product-view">[\s\S]*?<\/button><\/div>/, '<h1>Oils</h1>')
      .replace('box-related', 'category-products');
    const p = read({ ...t, url: 'https://shop.test/oils.html' }, grid);
    expect(p.main).toBeNull();
    expect(p.reason).toMatch(/^a listing: 3 products/);
  });
});
