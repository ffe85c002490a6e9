import { describe, expect, it } from 'vitest';
import {
  extractProductPage,
  extractProductPageFromHtml,
  loadHtml,
} from '../../../crawlers/commerce/index.ts';
import { fixture } from './fixture.ts';

const hints = (url = 'https://loja.test/p/x') => ({ url });

describe('extractProductPage — structured sources', () => {
  it('reads JSON-LD @graph through mainEntity, with strikethrough list price, ignoring related products', () => {
    const page = extractProductPageFromHtml(
      fixture('jsonld-graph.html'),
      hints('https://loja.test/p/serum-glow-30ml'),
    );
    expect(page.name).toBe('Sérum Glow 30 ml');
    expect(page.main).toMatchObject({
      source: 'jsonld',
      price: '149.9',
      listPrice: '199.9',
      currency: 'BRL',
      availability: 'InStock',
    });
    expect(page.offers.map((o) => o.price)).not.toContain('39.9');
    expect(page.brand).toBe('Glowy');
    expect(page.sku).toBe('SG-30');
    expect(page.canonicalUrl).toBe('https://loja.test/p/serum-glow-30ml');
    expect(page.reason).toMatch(/^jsonld Offer/);
  });

  it('reads microdata with itemref, preferring the content attribute over the text', () => {
    const page = extractProductPageFromHtml(fixture('microdata-itemref.html'), hints());
    expect(page.name).toBe('Trail Runner 2');
    expect(page.main).toMatchObject({
      source: 'microdata',
      price: '1299.9',
      currency: 'EUR',
      availability: 'OutOfStock',
      sku: 'TR2-BLK',
    });
  });

  it('reads RDFa with a vocab and prefixed values', () => {
    const page = extractProductPageFromHtml(fixture('rdfa-product.html'), hints());
    expect(page.name).toBe('Desk Lamp');
    expect(page.main).toMatchObject({
      source: 'rdfa',
      price: '349',
      currency: 'SEK',
      availability: 'PreOrder',
    });
  });

  it('reads OpenGraph product tags when nothing else is there', () => {
    const page = extractProductPageFromHtml(fixture('opengraph-only.html'), hints());
    expect(page.main).toMatchObject({
      source: 'opengraph',
      price: '12.5',
      currency: 'GBP',
      availability: 'InStock',
    });
    expect(page.name).toBe('Ceramic Mug');
  });

  it('reads ProductGroup variants (first in-stock variant) and AggregateOffer low/high', () => {
    const page = extractProductPageFromHtml(fixture('product-group.html'), hints());
    expect(page.main).toMatchObject({
      price: '49',
      sku: 'LS-M',
      availability: 'InStock',
      name: 'Linen Shirt M',
    });
    expect(page.offers.map((o) => o.price)).toEqual(['45', '49']);
    const sofa = extractProductPageFromHtml(
      '<script type="application/ld+json">{"@type":"Product","name":"Sofa","offers":{"@type":"AggregateOffer","lowPrice":"899.00","highPrice":1299,"priceCurrency":"EUR"}}</script>',
      hints(),
    );
    expect(sofa.main).toMatchObject({ price: '899', lowPrice: '899', highPrice: '1299', currency: 'EUR' });
  });

  it('tolerates broken JSON-LD: trailing commas, raw newlines in strings, comment wrappers', () => {
    const html = `<script type="application/ld+json"><!--
      {"@type":"Product","name":"Line
break","offers":[{"@type":"Offer","price":"1.299,00","priceCurrency":"EUR",},],}
    --></script>`;
    const page = extractProductPageFromHtml(html, hints());
    expect(page.main).toMatchObject({ price: '1299', currency: 'EUR' });
    expect(page.name).toBe('Line break');
  });
});

describe('extractProductPage — choosing main', () => {
  it('lets two agreeing sources outvote a stale JSON-LD price, and says so', () => {
    const page = extractProductPageFromHtml(fixture('source-disagreement.html'), hints());
    expect(page.main?.price).toBe('49.9');
    expect(page.main?.source).toBe('microdata');
    expect(page.reason).toMatch(/outvotes jsonld/);
    expect(page.reason).toMatch(/opengraph agrees/);
    expect(page.reason).toMatch(/jsonld says 59.9/);
  });

  it('puts the selector override first', () => {
    const page = extractProductPageFromHtml(fixture('source-disagreement.html'), {
      url: 'https://x.test/',
      selectors: { price: '#live-price' },
    });
    expect(page.main).toMatchObject({ source: 'selector', price: '47', currency: 'USD' });
    expect(page.reason).toBe('selector override');
  });

  it('ignores a selector that is invalid or matches nothing', () => {
    const page = extractProductPageFromHtml(fixture('opengraph-only.html'), {
      url: 'https://x.test/',
      selectors: { price: '][' },
    });
    expect(page.main?.source).toBe('opengraph');
  });

  it('falls back to visible text near the h1, avoiding the related-products and mini-cart prices', () => {
    const page = extractProductPageFromHtml(fixture('wrong-price-trap.html'), hints());
    expect(page.main).toMatchObject({
      source: 'heuristic',
      price: '199.99',
      listPrice: '249.99',
      currency: 'USD',
    });
    expect(page.main?.confidence).toBeLessThan(0.5);
    expect(page.reason).toMatch(/prices on page, picked the one in the main product block/);
  });

  it.each([
    ['a carat badge', '<span class="badge">24K Gold</span>'],
    ['a review count', '<div class="rating">4.8 (1.5K reviews)</div>'],
    ['a bare thousands count', '<a class="reviews">12K</a>'],
    ['a net weight', '<p class="size">Net wt. 50G</p>'],
  ])('does not read %s beside the title as the price', (_, near) => {
    const html = `<html><body><main><h1>Radiance Serum</h1>${near}<p>A serum.</p><div class="buy"><span>$39.00</span><button>Add to cart</button></div></main></body></html>`;
    expect(extractProductPageFromHtml(html, hints()).main).toMatchObject({
      source: 'heuristic',
      price: '39',
      currencyRaw: '$',
    });
  });

  it('still reads a one-letter currency written before the amount, or after it where the target expects it', () => {
    const kina =
      '<html><body><main><h1>Serum</h1><div><span>K 39.00</span><button>Add to cart</button></div></main></body></html>';
    expect(extractProductPageFromHtml(kina, hints()).main).toMatchObject({ price: '39', currencyRaw: 'K' });
    const lek =
      '<html><body><main><h1>Serum</h1><div><span>1200 L</span><button>Add to cart</button></div></main></body></html>';
    expect(extractProductPageFromHtml(lek, hints()).main).toBeNull();
    expect(extractProductPageFromHtml(lek, { ...hints(), currency: 'ALL' }).main).toMatchObject({
      price: '1200',
      currencyRaw: 'L',
      currency: 'ALL',
    });
  });

  it('accepts a $ already parsed by the caller (crawlee hands one over)', () => {
    const $ = loadHtml(fixture('opengraph-only.html'));
    expect(extractProductPage($, hints()).main?.price).toBe('12.5');
  });
});

describe('extractProductPage — hard negatives', () => {
  it.each([
    ['product-without-offer.html', /states no price/],
    ['offer-without-price.html', /states no price/],
    ['invoice.html', /Invoice/],
  ])('%s yields no price', (file, reason) => {
    const page = extractProductPageFromHtml(fixture(file), hints());
    expect(page.main).toBeNull();
    expect(page.offers.filter((o) => o.price !== null)).toEqual([]);
    expect(page.reason).toMatch(reason);
  });

  it('keeps the name of a product without offers', () => {
    expect(extractProductPageFromHtml(fixture('product-without-offer.html'), hints()).name).toBe(
      'Panel Heater 2000W',
    );
  });
});
