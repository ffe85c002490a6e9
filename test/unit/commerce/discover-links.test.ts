import { describe, expect, it } from 'vitest';
import { discoverProductLinks, loadHtml } from '../../../crawlers/commerce/index.ts';
import { fixture } from './fixture.ts';

describe('discoverProductLinks', () => {
  it('returns absolute, deduplicated, same-origin product links from the grid only', () => {
    const links = discoverProductLinks(
      loadHtml(fixture('catalog.html')),
      'https://shop.test/collections/shirts',
    );
    expect(links).toEqual([
      'https://shop.test/products/linen-shirt',
      'https://shop.test/products/oxford-shirt',
      'https://shop.test/products/denim-shirt?variant=2',
    ]);
  });

  it('finds tiles by repetition and price even without product-looking URLs', () => {
    const tiles = ['alpha', 'beta', 'gamma']
      .map(
        (n, i) =>
          `<div class="tile"><a href="/shop/item-${n}"><img src="/${n}.jpg" alt=""> ${n}</a><b>$${i + 10}.00</b></div>`,
      )
      .join('');
    const html = `<body><div class="grid">${tiles}</div><a href="/shop/lookbook">Lookbook</a></body>`;
    expect(discoverProductLinks(loadHtml(html), 'https://s.test/shop')).toEqual([
      'https://s.test/shop/item-alpha',
      'https://s.test/shop/item-beta',
      'https://s.test/shop/item-gamma',
    ]);
  });

  it('returns nothing for a bad base URL', () => {
    expect(discoverProductLinks(loadHtml('<a href="/p/x">x</a>'), 'not a url')).toEqual([]);
  });
});
