import { describe, expect, it } from 'vitest';
import { extractProductPageFromHtml } from '../../../crawlers/commerce/index.ts';

/** A storefront page: header with a cart link, the body in `main`, a footer. */
const shell = (o: { title: string; head?: string; body: string; drawer?: string }) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${o.title}</title>${o.head ?? ''}</head>
<body>
<header class="header"><a href="/">Shop</a><nav><a href="/collections/all">All</a><a href="/blogs/journal">Journal</a></nav>
<a href="/cart" id="cart-icon-bubble">Cart</a></header>
${o.drawer ?? ''}
<main id="MainContent">${o.body}</main>
<footer class="footer"><p>Free shipping over $50</p><p>&copy; 2026 Shop</p></footer>
</body></html>`;
const ld = (o: unknown) => `<script type="application/ld+json">${JSON.stringify(o)}</script>`;
const read = (html: string, url: string) => extractProductPageFromHtml(html, { url });

const BLOG_BODY = `<article class="article-template"><h1>The 5 Best Serums Under $50</h1><p>October 2, 2026</p>
<div class="rte"><p>Good skincare does not have to cost $120 a bottle.</p>
<h2>1. Vitamin C Serum – $24</h2><p>At $24 for 30ml it works out under $1 per ml.</p><h2>2. Niacinamide 10% – $18</h2></div></article>`;
const PRODUCT_BODY = `<div class="product"><h1>Vitamin C Serum 30ml</h1><div class="price"><span class="price-item">$24.00</span></div>
<form action="/cart/add"><input type="number" name="quantity" value="1"><button type="submit" name="add">Add to cart</button></form>
<p>A 15% vitamin C serum.</p></div>`;

describe('an article page yields no price', () => {
  it('BlogPosting JSON-LD, no Product: the h1 "Under $50" is no price', () => {
    const p = read(
      shell({
        title: 'The 5 Best Serums Under $50',
        head: ld({
          '@context': 'https://schema.org',
          '@type': 'BlogPosting',
          headline: 'The 5 Best Serums Under $50',
        }),
        body: BLOG_BODY,
      }),
      'https://glowlab.test/blogs/journal/best-serums-under-50',
    );
    expect(p.main).toBeNull();
    expect(p.offers).toEqual([]);
    expect(p.reason).toBe("an article page (BlogPosting), not a product's: its amounts are not its price");
  });

  it('a NewsArticle reached through a WebPage mainEntity in a Yoast-style @graph', () => {
    const graph = {
      '@context': 'https://schema.org',
      '@graph': [
        { '@type': 'Organization', '@id': '#org', name: 'Glow Lab' },
        { '@type': 'WebPage', '@id': '#page', mainEntity: { '@id': '#news' } },
        { '@type': 'NewsArticle', '@id': '#news', headline: 'Serum prices drop to $19' },
        { '@type': 'BreadcrumbList', itemListElement: [{ '@type': 'ListItem', position: 1, name: 'News' }] },
      ],
    };
    const p = read(
      shell({
        title: 'News',
        head: ld(graph),
        body: '<h1>Serum prices drop to $19</h1><p>From $29 last year.</p>',
      }),
      'https://news.test/2026/10/serum-prices',
    );
    expect(p.main).toBeNull();
    expect(p.reason).toMatch(/^an article page \(NewsArticle\)/);
  });

  it('og:type=article without structured data', () => {
    const p = read(
      shell({ title: 'Gift guide', head: '<meta property="og:type" content="article">', body: BLOG_BODY }),
      'https://glowlab.test/guides/gift-guide',
    );
    expect(p.main).toBeNull();
    expect(p.reason).toMatch(/^an article page \(og:type=article\)/);
  });

  it('a product page whose JSON-LD is only WebPage, BreadcrumbList and Organization keeps its visible price', () => {
    const head = ld({
      '@context': 'https://schema.org',
      '@graph': [
        { '@type': 'WebPage', name: 'Vitamin C Serum 30ml' },
        {
          '@type': 'BreadcrumbList',
          itemListElement: [{ '@type': 'ListItem', position: 1, name: 'Serums' }],
        },
        { '@type': 'Organization', name: 'Glow Lab' },
      ],
    });
    const p = read(
      shell({ title: 'Vitamin C Serum', head, body: PRODUCT_BODY }),
      'https://glowlab.test/products/vitamin-c',
    );
    expect(Number(p.main?.price)).toBe(24);
  });

  it('a product page with an Article in its JSON-LD beside a priced Product keeps the Product price', () => {
    const head = ld([
      { '@context': 'https://schema.org', '@type': 'Article', headline: 'How to use it' },
      {
        '@context': 'https://schema.org',
        '@type': 'Product',
        name: 'Vitamin C Serum 30ml',
        offers: { '@type': 'Offer', price: '24.00', priceCurrency: 'USD' },
      },
    ]);
    const p = read(
      shell({ title: 'Vitamin C Serum', head, body: PRODUCT_BODY }),
      'https://glowlab.test/products/vitamin-c',
    );
    expect(Number(p.main?.price)).toBe(24);
    expect(p.main?.source).toBe('jsonld');
  });

  it('og:type=article on a product page with its own add-to-cart button (a WordPress SEO default) keeps the price', () => {
    const p = read(
      shell({
        title: 'Vitamin C Serum',
        head: '<meta property="og:type" content="article">',
        body: PRODUCT_BODY,
      }),
      'https://glowlab.test/shop/vitamin-c-serum/',
    );
    expect(Number(p.main?.price)).toBe(24);
  });
});

const CART_BODY = `<div class="cart"><h1>Your cart</h1>
<table class="cart-items"><tr class="cart-item"><td><a href="/products/speakers-b2">Speakers B2</a></td>
<td><input class="quantity__input" name="updates[]" value="1"></td><td><span class="price">$279.00</span></td></tr>
<tr class="cart-item"><td><a href="/products/stands">Stands</a></td><td><input class="quantity__input" name="updates[]" value="1"></td><td><span class="price">$89.00</span></td></tr></table>
<div class="totals"><h2>Subtotal</h2><p class="totals__subtotal-value">$368.00 USD</p></div><button name="checkout">Check out</button></div>`;

describe('a cart page yields no price', () => {
  it.each([
    'https://audioden.test/cart',
    'https://audioden.test/en-gb/basket',
    'https://audioden.test/checkout/cart/',
    'https://audioden.test/pt-br/carrinho',
    'https://audioden.test/carrito?action=show',
    'https://audioden.test/fr/panier',
    'https://audioden.test/warenkorb',
  ])('by its URL path: %s', (url) => {
    const p = read(shell({ title: 'Your cart', body: CART_BODY }), url);
    expect(p.main).toBeNull();
    expect(p.reason).toMatch(/^a cart page \(\/[^)]*\), not a product's/);
  });

  it('by its content when the URL says nothing: an h1 naming the cart, a subtotal, quantity inputs', () => {
    const p = read(shell({ title: 'Your cart', body: CART_BODY }), 'https://audioden.test/u/session-42');
    expect(p.main).toBeNull();
    expect(p.reason).toBe(
      `a cart page ("Your cart" with a subtotal and quantity inputs), not a product's: its amounts are the cart's`,
    );
  });

  it('a product page under /collections/x/products/y with a filled mini-cart drawer keeps its price', () => {
    const drawer = `<cart-drawer class="drawer"><div class="drawer__inner"><h2>Your cart</h2>
<table class="cart-items"><tr class="cart-item"><td><a href="/products/other-cream">Night Cream</a></td>
<td><input class="quantity__input" name="updates[]" value="2"></td><td><span class="price">$58.00</span></td></tr></table>
<div class="totals"><h2 class="totals__total">Subtotal</h2><p class="totals__total-value">$58.00 USD</p></div>
<button class="cart__checkout-button">Check out</button></div></cart-drawer>`;
    const p = read(
      shell({ title: 'Vitamin C Serum', body: PRODUCT_BODY, drawer }),
      'https://glowlab.test/collections/serums/products/vitamin-c',
    );
    expect(Number(p.main?.price)).toBe(24);
  });

  it('a "Shopping Basket" product with a filled mini-cart keeps its price through its add-to-cart button', () => {
    const drawer = `<div id="CartDrawer" class="cart-drawer"><table><tr class="cart-item"><td><a href="/products/x">X</a></td>
<td><input type="number" name="updates[]" value="1"></td></tr></table><p>Subtotal $12.00</p></div>`;
    const body = PRODUCT_BODY.replace('Vitamin C Serum 30ml', 'Shopping Basket');
    const p = read(
      shell({ title: 'Shopping Basket', body, drawer }),
      'https://wicker.test/shopping-basket-42',
    );
    expect(Number(p.main?.price)).toBe(24);
  });

  it('a product whose slug is "cart" is no cart page', () => {
    const body = PRODUCT_BODY.replace('Vitamin C Serum 30ml', 'Garden Cart');
    const p = read(shell({ title: 'Garden Cart', body }), 'https://tools.test/products/cart');
    expect(Number(p.main?.price)).toBe(24);
  });
});

const HOME_BODY = `<section class="banner"><h1>Hand-poured soy candles</h1><p>Starting at $19. Free shipping over $50.</p>
<a href="/collections/all" class="button">Shop all</a></section>`;

describe('a home page yields no price', () => {
  it('the site root with no product markup and no add-to-cart button: "Starting at $19" is no price', () => {
    const p = read(shell({ title: 'Candlecraft', body: HOME_BODY }), 'https://candlecraft.test/');
    expect(p.main).toBeNull();
    expect(p.reason).toBe(
      "the site's home page, not a product's: no product markup and no add-to-cart button",
    );
  });

  it('a quick-add button on a bestseller card is that card’s, not the home page’s', () => {
    const body = `${HOME_BODY}<section class="featured"><div class="card"><a href="/products/fig-candle">Fig Candle</a>
<form action="/cart/add"><button name="add">Add to cart</button></form></div></section>`;
    const p = read(shell({ title: 'Candlecraft', body }), 'https://candlecraft.test/');
    expect(p.main).toBeNull();
    expect(p.reason).toMatch(/^the site's home page/);
  });

  it('a single-product site registered at its root keeps its price through its add-to-cart button', () => {
    const p = read(shell({ title: 'The One Pan', body: PRODUCT_BODY }), 'https://onepan.test/');
    expect(Number(p.main?.price)).toBe(24);
  });

  it('the single product’s block keeps its add-to-cart button even beside a link to a size guide', () => {
    const body = PRODUCT_BODY.replace('<form', '<a href="/pages/size-guide">Size guide</a><form');
    const p = read(shell({ title: 'The One Pan', body }), 'https://onepan.test/');
    expect(Number(p.main?.price)).toBe(24);
  });

  it('a root page saying og:type=product keeps its price', () => {
    const body =
      '<h1>The One Pan</h1><p class="price">$24.00</p><a class="btn" href="/pages/order">Order</a>';
    const p = read(
      shell({ title: 'The One Pan', head: '<meta property="og:type" content="product">', body }),
      'https://onepan.test/',
    );
    expect(Number(p.main?.price)).toBe(24);
  });

  it('another site page (a shipping policy) with no buy button gives no price either', () => {
    const body =
      '<h1>Shipping policy</h1><p>Standard delivery costs £3.95, free over £40.</p><p>International from £12.00.</p>';
    const p = read(
      shell({ title: 'Shipping policy', body }),
      'https://northknit.test/policies/shipping-policy',
    );
    expect(p.main).toBeNull();
    expect(p.reason).toBe(
      "a site page (/policies/shipping-policy), not a product's: no product markup and no add-to-cart button",
    );
  });
});
