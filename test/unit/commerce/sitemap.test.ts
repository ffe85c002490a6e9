import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { outcomeOfPage } from '../../../crawlers/commerce/crawler.ts';
import { parseSitemap, productSitemaps, SitemapTooLargeError } from '../../../crawlers/commerce/index.ts';

const urlset = `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url>
    <image:image><image:loc>https://shop.test/img/1.jpg</image:loc></image:image>
    <loc>
      https://shop.test/products/a?x=1&amp;y=2
    </loc>
    <lastmod>2026-11-01</lastmod>
  </url>
  <url><loc><![CDATA[https://shop.test/products/b]]></loc></url>
  <url><loc>javascript:alert(1)</loc></url>
</urlset>`;

describe('parseSitemap', () => {
  it('reads a urlset with whitespace, CDATA and entities, skipping image locs and non-http locs', () => {
    expect(parseSitemap(urlset)).toEqual({
      urls: [
        { loc: 'https://shop.test/products/a?x=1&y=2', lastmod: '2026-11-01' },
        { loc: 'https://shop.test/products/b', lastmod: null },
      ],
      sitemaps: [],
    });
  });

  it('reads a namespace-prefixed sitemap index', () => {
    const index = `<sm:sitemapindex xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sm:sitemap><sm:loc>https://shop.test/sitemap-products-1.xml.gz</sm:loc><sm:lastmod>2026-11-02T10:00:00Z</sm:lastmod></sm:sitemap>
      <sm:sitemap><sm:loc>https://shop.test/sitemap-products-2.xml.gz</sm:loc></sm:sitemap>
    </sm:sitemapindex>`;
    expect(parseSitemap(Buffer.from(index)).sitemaps).toEqual([
      { loc: 'https://shop.test/sitemap-products-1.xml.gz', lastmod: '2026-11-02T10:00:00Z' },
      { loc: 'https://shop.test/sitemap-products-2.xml.gz', lastmod: null },
    ]);
  });

  it('detects gzip by magic bytes', () => {
    expect(parseSitemap(gzipSync(Buffer.from(urlset))).urls).toHaveLength(2);
  });

  it('refuses a gzip bomb with a clear error', () => {
    const bomb = gzipSync(Buffer.alloc(2 * 1024 * 1024, 0x20));
    expect(() => parseSitemap(bomb, { maxBytes: 1024 * 1024 })).toThrow(SitemapTooLargeError);
    expect(() => parseSitemap(bomb, { maxBytes: 1024 * 1024 })).toThrow(
      /larger than 1 MB after decompression/,
    );
    expect(() => parseSitemap('x'.repeat(2048), { maxBytes: 1024 })).toThrow(/larger than 1024 bytes/);
    expect(parseSitemap(gzipSync(Buffer.from(urlset))).urls).toHaveLength(2); // default cap: 50 MB
  });

  it('rejects corrupt gzip', () => {
    expect(() => parseSitemap(Buffer.from([0x1f, 0x8b, 1, 2, 3]))).toThrow(/not valid gzip/);
  });

  it('does not expand entities from a DTD (billion laughs, external entities)', () => {
    const hostile = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<urlset><url><loc>https://shop.test/&lol2;</loc></url><url><loc>&xxe;</loc></url>
<url><loc>https://shop.test/ok</loc></url></urlset>`;
    expect(parseSitemap(hostile).urls).toEqual([{ loc: 'https://shop.test/ok', lastmod: null }]);
  });

  it('reads a plain-text sitemap', () => {
    expect(
      parseSitemap('https://shop.test/a\nnot a url\nhttps://shop.test/b\n').urls.map((u) => u.loc),
    ).toEqual(['https://shop.test/a', 'https://shop.test/b']);
  });
});

describe('productSitemaps', () => {
  it('keeps the children named for products when the shop names them by type, else all', () => {
    const o = 'https://shop.test';
    expect(productSitemaps([`${o}/sitemap-pages.xml`, `${o}/sitemap-products.xml`])).toEqual([
      `${o}/sitemap-products.xml`,
    ]);
    // Shopify and Yoast names; Yoast's product categories and tags are not products.
    expect(
      productSitemaps([
        `${o}/sitemap_products_1.xml?from=1&to=99`,
        `${o}/sitemap_collections_1.xml`,
        `${o}/product-sitemap.xml`,
        `${o}/product_cat-sitemap.xml`,
        `${o}/product_tag-sitemap.xml`,
        `${o}/post-sitemap.xml`,
      ]),
    ).toEqual([`${o}/sitemap_products_1.xml?from=1&to=99`, `${o}/product-sitemap.xml`]);
    const unnamed = [`${o}/sitemap-1.xml`, `${o}/sitemap-2.xml`];
    expect(productSitemaps(unnamed)).toEqual(unnamed);
  });
});

describe('a flat sitemap crawled for products', () => {
  it('keeps the pages that may be products: not the home page, site pages, blog posts or category pages', () => {
    const o = 'https://shop.test';
    const locs = [
      `${o}/`,
      `${o}/about`,
      `${o}/blog/our-summer-routine`,
      `${o}/pages/contact`,
      `${o}/c/lipstick`,
      `${o}/collections/summer`,
      `${o}/collections/summer?page=2`,
      `${o}/collections/summer/products/sun-balm`,
      `${o}/products/velvet-lipstick`,
      `${o}/about-face-serum`,
      `${o}/p/glow-serum`,
    ];
    const xml = `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${locs
      .map((l) => `<url><loc>${l.replaceAll('&', '&amp;')}</loc></url>`)
      .join('')}</urlset>`;
    const outcome = outcomeOfPage(
      'sitemap',
      `${o}/sitemap.xml`,
      200,
      { url: `${o}/sitemap.xml` },
      { body: xml },
    );
    expect(outcome.kind === 'links' && outcome.links.map((l) => l.url)).toEqual([
      `${o}/collections/summer/products/sun-balm`,
      `${o}/products/velvet-lipstick`,
      `${o}/about-face-serum`,
      `${o}/p/glow-serum`,
    ]);
  });
});
