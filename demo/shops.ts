import { gzipSync } from 'node:zlib';
import {
  CATEGORIES,
  type Category,
  type Currency,
  type ProductState,
  type Promotion,
  type ShopKey,
  type ShopProfile,
  type ShopState,
  shopStateOn,
} from './catalog.ts';
import { calendarDate, dayStartsAt, type MarketClock } from './clock.ts';
import {
  type DemoResponse,
  escapeHtml,
  htmlResponse,
  inlineJson,
  jsonResponse,
  xmlResponse,
} from './html.ts';

/** What a shop needs to render one request. */
export interface ShopContext {
  origin: string;
  clock: MarketClock;
  seed: number;
  productsPerShop: number;
  /** The simulated day to render (the clock's day, or a `?day=` override). */
  day: number;
}

/** Shop-language strings. */
const WORDS: Record<
  ShopKey,
  Record<'inStock' | 'outOfStock' | 'home' | 'newIn' | 'related' | 'add', string>
> = {
  glowco: {
    inStock: 'In stock',
    outOfStock: 'Out of stock',
    home: 'Home',
    newIn: 'New arrivals',
    related: 'You may also like',
    add: 'Add to bag',
  },
  belezabr: {
    inStock: 'Em estoque',
    outOfStock: 'Esgotado',
    home: 'Início',
    newIn: 'Lançamentos',
    related: 'Quem viu, comprou',
    add: 'Adicionar à sacola',
  },
  maisonjs: {
    inStock: 'En stock',
    outOfStock: 'Rupture de stock',
    home: 'Accueil',
    newIn: 'Nouveautés',
    related: 'Vous aimerez aussi',
    add: 'Ajouter au panier',
  },
};

const MONTHS: Record<string, string[]> = {
  en: [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ],
  fr: [
    'janvier',
    'février',
    'mars',
    'avril',
    'mai',
    'juin',
    'juillet',
    'août',
    'septembre',
    'octobre',
    'novembre',
    'décembre',
  ],
};

/**
 * Formats an amount the way each shop writes it: `$1,299.50`, `R$ 1.299,90`, `1 299,50 €`
 * (plain spaces, not the no-break spaces Intl emits, so pages are identical on every Node).
 */
export function formatPrice(amount: number, currency: Currency): string {
  const [whole, cents] = amount.toFixed(2).split('.');
  const group = (separator: string) => whole.replace(/\B(?=(\d{3})+(?!\d))/g, separator);
  if (currency === 'USD') return `$${group(',')}.${cents}`;
  if (currency === 'BRL') return `R$ ${group('.')},${cents}`;
  return `${group(' ')},${cents} €`;
}

/** A promotion's banner text in the shop's language, with its end date on the simulated calendar. */
export function promotionText(shop: ShopProfile, promotion: Promotion, clock: MarketClock): string {
  const end = promotion.endDay === null ? null : calendarDate(clock, promotion.endDay);
  const threshold = formatPrice(promotion.threshold ?? 0, shop.currency);
  if (shop.key === 'belezabr') {
    const until = end
      ? `${String(end.getUTCDate()).padStart(2, '0')}/${String(end.getUTCMonth() + 1).padStart(2, '0')}`
      : '';
    if (promotion.kind === 'code')
      return `${promotion.percent}% de desconto com o cupom ${promotion.code} até ${until}`;
    if (promotion.kind === 'bogo') return 'Compre 1, leve 2 em todos os batons';
    return `Frete grátis acima de ${threshold}`;
  }
  if (shop.key === 'maisonjs') {
    const until = end ? `${end.getUTCDate()} ${MONTHS.fr[end.getUTCMonth()]}` : '';
    if (promotion.kind === 'code')
      return `-${promotion.percent} % avec le code ${promotion.code} jusqu'au ${until}`;
    if (promotion.kind === 'bogo') return '1 rouge à lèvres acheté = 1 offert';
    return `Livraison offerte dès ${threshold}`;
  }
  const until = end ? `${MONTHS.en[end.getUTCMonth()]} ${end.getUTCDate()}` : '';
  if (promotion.kind === 'code')
    return `${promotion.percent}% off with code ${promotion.code} until ${until}`;
  if (promotion.kind === 'bogo') return 'Buy one get one free on all lipsticks';
  return `Free shipping over ${threshold}`;
}

function layout(
  shop: ShopProfile,
  title: string,
  main: string,
  state: ShopState,
  ctx: ShopContext,
  head = '',
): string {
  const nav = CATEGORIES.map((c) => `<a href="/c/${c}">${escapeHtml(shop.lines[c].label)}</a>`).join(
    '\n      ',
  );
  const banners = state.promotions
    .map(
      (p) => `<p class="promo-banner promo-${p.kind}">${escapeHtml(promotionText(shop, p, ctx.clock))}</p>`,
    )
    .join('\n    ');
  return `<!doctype html>
<html lang="${escapeHtml(shop.lang)}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(title)} | ${escapeHtml(shop.name)}</title>
  ${head}
</head>
<body class="shop-${shop.key}">
  <div class="promo-bar">
    ${banners}
  </div>
  <header class="site-header">
    <a class="logo" href="/">${escapeHtml(shop.name)}</a>
    <nav class="categories">
      ${nav}
    </nav>
    <a class="cart" href="/checkout">Checkout</a>
  </header>
${main}
  <footer class="site-footer">
    <p>&copy; ${escapeHtml(shop.name === shop.brand ? shop.name : `${shop.name} — ${shop.brand}`)}. Prices in ${shop.currency}.</p>
  </footer>
</body>
</html>
`;
}

function stockLabel(shop: ShopProfile, product: ProductState): string {
  return product.availability === 'InStock' ? WORDS[shop.key].inStock : WORDS[shop.key].outOfStock;
}

function card(shop: ShopProfile, product: ProductState, day: number, withPrice: boolean): string {
  const isNew = product.launchDay > 0 && day - product.launchDay < 3;
  const price = withPrice
    ? ` <span class="price">${escapeHtml(formatPrice(product.price, shop.currency))}</span>${
        product.listPrice === null
          ? ''
          : ` <s class="price-was">${escapeHtml(formatPrice(product.listPrice, shop.currency))}</s>`
      }`
    : '';
  return `<li class="product-card" data-sku="${escapeHtml(product.sku)}"><a href="/p/${escapeHtml(product.slug)}">${escapeHtml(product.name)}</a>${price}${isNew ? ' <span class="badge-new">NEW</span>' : ''}</li>`;
}

function renderHome(state: ShopState, ctx: ShopContext): DemoResponse {
  const { shop, day } = state;
  const fresh = state.products.filter((p) => p.launchDay > 0 && day - p.launchDay < 3);
  const featured = state.products.slice(0, 4);
  const withPrice = shop.key !== 'maisonjs';
  const main = `  <main class="home">
    <h1>${escapeHtml(shop.brand)}</h1>
    <section class="new-arrivals"><h2>${escapeHtml(WORDS[shop.key].newIn)}</h2>
      <ul>${fresh.map((p) => card(shop, p, day, withPrice)).join('\n')}</ul></section>
    <section class="featured"><ul>${featured.map((p) => card(shop, p, day, withPrice)).join('\n')}</ul></section>
  </main>`;
  return htmlResponse(layout(shop, WORDS[shop.key].home, main, state, ctx));
}

function renderCategory(state: ShopState, ctx: ShopContext, category: Category): DemoResponse {
  const { shop, day } = state;
  const products = state.products.filter((p) => p.category === category);
  const main = `  <main class="category">
    <nav class="breadcrumbs"><a href="/">${escapeHtml(WORDS[shop.key].home)}</a> › ${escapeHtml(shop.lines[category].label)}</nav>
    <h1>${escapeHtml(shop.lines[category].label)}</h1>
    <ul class="product-grid">
${products.map((p) => `      ${card(shop, p, day, shop.key !== 'maisonjs')}`).join('\n')}
    </ul>
  </main>`;
  return htmlResponse(layout(shop, shop.lines[category].label, main, state, ctx));
}

function schemaAvailability(product: ProductState): string {
  return `https://schema.org/${product.availability}`;
}

function glowcoOffer(shop: ShopProfile, product: ProductState, price: number, url: string, sku: string) {
  const offer: Record<string, unknown> = {
    '@type': 'Offer',
    sku,
    url,
    price: price.toFixed(2),
    priceCurrency: shop.currency,
    availability: schemaAvailability(product),
    itemCondition: 'https://schema.org/NewCondition',
  };
  if (product.listPrice !== null) {
    offer.priceSpecification = {
      '@type': 'UnitPriceSpecification',
      priceType: 'https://schema.org/StrikethroughPrice',
      price: (product.listPrice + price - product.price).toFixed(2),
      priceCurrency: shop.currency,
    };
  }
  return offer;
}

function renderGlowcoProduct(state: ShopState, ctx: ShopContext, product: ProductState): DemoResponse {
  const { shop } = state;
  const url = `${ctx.origin}/p/${product.slug}`;
  const offers =
    product.shadePrices.length > 0
      ? {
          '@type': 'AggregateOffer',
          priceCurrency: shop.currency,
          lowPrice: Math.min(...product.shadePrices.map((s) => s.price)).toFixed(2),
          highPrice: Math.max(...product.shadePrices.map((s) => s.price)).toFixed(2),
          offerCount: product.shadePrices.length,
          availability: schemaAvailability(product),
          offers: product.shadePrices.map((s, i) =>
            glowcoOffer(shop, product, s.price, url, `${product.sku}-${i + 1}`),
          ),
        }
      : glowcoOffer(shop, product, product.price, url, product.sku);
  const jsonLd = {
    '@context': 'https://schema.org',
    '@type': 'Product',
    name: product.name,
    sku: product.sku,
    brand: { '@type': 'Brand', name: product.brand },
    category: shop.lines[product.category].label,
    image: `${ctx.origin}/img/${product.slug}.jpg`,
    url,
    description: description(shop, product),
    offers,
  };
  const related = state.products.filter((p) => p.sku !== product.sku).slice(0, 4);
  const shades = product.shadePrices
    .map(
      (s) => `<option>${escapeHtml(s.shade)} — ${escapeHtml(formatPrice(s.price, shop.currency))}</option>`,
    )
    .join('');
  const main = `  <main class="pdp">
    <nav class="breadcrumbs"><a href="/">Home</a> › <a href="/c/${product.category}">${escapeHtml(shop.lines[product.category].label)}</a></nav>
    <h1 class="product-title">${escapeHtml(product.name)}</h1>
    <p class="product-brand">${escapeHtml(product.brand)}</p>
    <div class="price-box">
      ${product.shadePrices.length > 0 ? 'From ' : ''}<span class="price">${escapeHtml(formatPrice(product.price, shop.currency))}</span>${
        product.listPrice === null
          ? ''
          : ` <s class="price-was">${escapeHtml(formatPrice(product.listPrice, shop.currency))}</s> <span class="badge-sale">-${product.salePercent}%</span>`
      }
    </div>
    <p class="stock">${escapeHtml(stockLabel(shop, product))}</p>
    ${shades ? `<label>Shade <select name="shade">${shades}</select></label>` : ''}
    <button type="button"${product.availability === 'OutOfStock' ? ' disabled' : ''}>${escapeHtml(WORDS.glowco.add)}</button>
    <section class="description"><p>${escapeHtml(description(shop, product))}</p></section>
    <aside class="related"><h2>${escapeHtml(WORDS.glowco.related)}</h2>
      <ul>${related.map((p) => card(shop, p, state.day, true)).join('\n')}</ul>
    </aside>
  </main>`;
  const head = `<script type="application/ld+json">${inlineJson(jsonLd)}</script>`;
  return htmlResponse(layout(shop, product.name, main, state, ctx, head));
}

function renderBelezaProduct(state: ShopState, ctx: ShopContext, product: ProductState): DemoResponse {
  const { shop } = state;
  const installment = formatPrice(Math.floor((product.price / 3) * 100) / 100, shop.currency);
  const was =
    product.listPrice === null
      ? ''
      : `De <del>${escapeHtml(formatPrice(product.listPrice, shop.currency))}</del> por `;
  const main = `  <main class="produto">
    <nav class="breadcrumbs"><a href="/">Início</a> › <a href="/c/${product.category}">${escapeHtml(shop.lines[product.category].label)}</a></nav>
    <div id="pdp-brand" class="marca" itemprop="brand" itemscope itemtype="https://schema.org/Brand">Marca: <span itemprop="name">${escapeHtml(product.brand)}</span></div>
    <article class="produto-detalhe" itemscope itemtype="https://schema.org/Product" itemref="pdp-brand pdp-description">
      <h1 itemprop="name">${escapeHtml(product.name)}</h1>
      <meta itemprop="sku" content="${escapeHtml(product.sku)}">
      <link itemprop="url" href="${escapeHtml(`${ctx.origin}/p/${product.slug}`)}">
      <div class="preco" itemprop="offers" itemscope itemtype="https://schema.org/Offer">
        <meta itemprop="priceCurrency" content="${shop.currency}">
        <p>${was}<span class="preco-atual" itemprop="price" content="${product.price.toFixed(2)}">${escapeHtml(formatPrice(product.price, shop.currency))}</span></p>
        <p class="parcelas">ou 3x de ${escapeHtml(installment)} sem juros</p>
        <link itemprop="availability" href="${schemaAvailability(product)}"><p class="estoque">${escapeHtml(stockLabel(shop, product))}</p>
      </div>
      <button type="button">${escapeHtml(WORDS.belezabr.add)}</button>
    </article>
    <p id="pdp-description" itemprop="description">${escapeHtml(description(shop, product))}</p>
  </main>`;
  return htmlResponse(layout(shop, product.name, main, state, ctx));
}

function renderMaisonProduct(state: ShopState, ctx: ShopContext, product: ProductState): DemoResponse {
  const main = `  <main class="fiche-produit" id="product" data-sku="${escapeHtml(product.sku)}" data-api="/api/products/${escapeHtml(product.sku)}.json">
    <h1 class="product-name" data-bind="name">Chargement…</h1>
    <p class="product-price" data-bind="price"></p>
    <p class="product-stock" data-bind="availability"></p>
    <noscript>Activez JavaScript pour voir le prix et la disponibilité.</noscript>
  </main>
  <script src="/assets/product.js" defer></script>`;
  return htmlResponse(layout(state.shop, product.name, main, state, ctx));
}

/** The client-side script that renders maisonjs product pages (and injects their JSON-LD). */
export const MAISON_PRODUCT_SCRIPT = `(async () => {
  const root = document.getElementById('product');
  const response = await fetch(root.dataset.api + location.search);
  const product = await response.json();
  const bind = (name) => root.querySelector('[data-bind="' + name + '"]');
  bind('name').textContent = product.name;
  const price = bind('price');
  const now = document.createElement('span');
  now.className = 'price-now';
  now.textContent = product.formattedPrice;
  price.replaceChildren(now);
  if (product.formattedListPrice) {
    const was = document.createElement('s');
    was.className = 'price-was';
    was.textContent = product.formattedListPrice;
    price.append(' ', was);
  }
  bind('availability').textContent = product.availability === 'InStock' ? 'En stock' : 'Rupture de stock';
  const ld = document.createElement('script');
  ld.type = 'application/ld+json';
  ld.textContent = JSON.stringify({
    '@context': 'https://schema.org', '@type': 'Product', name: product.name, sku: product.sku,
    brand: { '@type': 'Brand', name: product.brand },
    offers: { '@type': 'Offer', price: product.price.toFixed(2), priceCurrency: product.currency,
      availability: 'https://schema.org/' + product.availability },
  });
  document.head.append(ld);
  root.dataset.ready = 'true';
})();
`;

function maisonApi(state: ShopState, ctx: ShopContext, product: ProductState): DemoResponse {
  const { currency } = state.shop;
  return jsonResponse({
    sku: product.sku,
    name: product.name,
    brand: product.brand,
    category: product.category,
    url: `${ctx.origin}/p/${product.slug}`,
    price: product.price,
    listPrice: product.listPrice,
    currency,
    availability: product.availability,
    formattedPrice: formatPrice(product.price, currency),
    formattedListPrice: product.listPrice === null ? null : formatPrice(product.listPrice, currency),
  });
}

function description(shop: ShopProfile, product: ProductState): string {
  if (shop.key === 'belezabr')
    return `${product.name}, da ${shop.brand}: fórmula vegana, testada dermatologicamente.`;
  if (shop.key === 'maisonjs')
    return `${product.name} par ${shop.brand} : formule fabriquée en France, sans parfum ajouté.`;
  return `${product.name} by ${shop.brand}. Vegan, cruelty-free and dermatologist tested.`;
}

function iso(ctx: ShopContext, day: number): string {
  return new Date(dayStartsAt(ctx.clock, day)).toISOString();
}

function productsSitemapPath(shop: ShopProfile): string {
  return shop.key === 'belezabr' ? '/sitemap-products.xml.gz' : '/sitemap-products.xml';
}

function sitemapIndex(state: ShopState, ctx: ShopContext): DemoResponse {
  const lastmod = Math.max(0, ...state.products.map((p) => p.updatedDay));
  const entry = (path: string, day: number) =>
    `  <sitemap><loc>${escapeHtml(ctx.origin + path)}</loc><lastmod>${iso(ctx, day)}</lastmod></sitemap>`;
  return xmlResponse(`<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${entry('/sitemap-pages.xml', 0)}
${entry(productsSitemapPath(state.shop), lastmod)}
</sitemapindex>
`);
}

function urlset(entries: { loc: string; lastmod: string }[]): string {
  const urls = entries.map(
    (e) =>
      `  <url><loc>${escapeHtml(e.loc)}</loc><lastmod>${e.lastmod}</lastmod><changefreq>daily</changefreq></url>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${urls.join('\n')}
</urlset>
`;
}

function blockPage(status: number): DemoResponse {
  return htmlResponse(
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Just a moment...</title></head>
<body class="challenge">
  <main><h1>Verify you are human</h1>
  <p>We need to make sure you are not a robot before you continue. Please complete the captcha below.</p>
  <div class="captcha" data-sitekey="demo-challenge"><label><input type="checkbox"> I am human</label></div>
  <p class="ray">Request blocked by bot protection. Ray ID: 7d1f0c2a9e</p></main>
</body></html>
`,
    status,
  );
}

/**
 * True when glowco answers a product page with its captcha interstitial (HTTP 200): product
 * GC-1003 on every day where `day % 5 === 3`. A crawler must call this blocked, not a change.
 */
export function isChallengeDay(shopKey: ShopKey, sku: string, day: number): boolean {
  return shopKey === 'glowco' && sku === 'GC-1003' && day % 5 === 3;
}

function notFound(): DemoResponse {
  return htmlResponse(
    '<!doctype html><html><head><title>Not found</title></head><body><h1>Not found</h1></body></html>',
    404,
  );
}

/**
 * Renders one shop request. `path` excludes the query; `blocked` (from `?blocked=1`) makes glowco
 * answer a 403 bot-block interstitial on any page.
 */
export function renderShop(shopKey: ShopKey, path: string, ctx: ShopContext, blocked = false): DemoResponse {
  const state = shopStateOn(ctx.seed, shopKey, ctx.day, ctx.productsPerShop);
  const { shop } = state;
  if (blocked && shopKey === 'glowco') return blockPage(403);
  if (path === '/' || path === '/index.html') return renderHome(state, ctx);
  if (path === '/robots.txt') {
    return {
      status: 200,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: `User-agent: *\nDisallow: /checkout\nDisallow: /cart\n\nSitemap: ${ctx.origin}/sitemap.xml\n`,
    };
  }
  if (path === '/checkout' || path === '/cart') {
    return htmlResponse(
      layout(
        shop,
        'Checkout',
        '  <main class="checkout"><h1>Checkout</h1><p>Sign in to continue.</p></main>',
        state,
        ctx,
      ),
    );
  }
  if (path === '/sitemap.xml') return sitemapIndex(state, ctx);
  if (path === '/sitemap-pages.xml') {
    return xmlResponse(
      urlset(
        ['/', ...CATEGORIES.map((c) => `/c/${c}`)].map((p) => ({
          loc: ctx.origin + p,
          lastmod: iso(ctx, 0),
        })),
      ),
    );
  }
  if (path === productsSitemapPath(shop)) {
    const xml = urlset(
      state.products.map((p) => ({ loc: `${ctx.origin}/p/${p.slug}`, lastmod: iso(ctx, p.updatedDay) })),
    );
    if (!path.endsWith('.gz')) return xmlResponse(xml);
    return { status: 200, headers: { 'content-type': 'application/gzip' }, body: gzipSync(xml) };
  }
  const category = /^\/c\/([a-z]+)\/?$/.exec(path)?.[1];
  if (category) {
    return (CATEGORIES as readonly string[]).includes(category)
      ? renderCategory(state, ctx, category as Category)
      : notFound();
  }
  const slug = /^\/p\/([a-z0-9-]+)\/?$/.exec(path)?.[1];
  const product = slug ? state.products.find((p) => p.slug === slug) : undefined;
  if (product) {
    if (isChallengeDay(shopKey, product.sku, ctx.day)) return blockPage(200);
    if (shopKey === 'glowco') return renderGlowcoProduct(state, ctx, product);
    if (shopKey === 'belezabr') return renderBelezaProduct(state, ctx, product);
    return renderMaisonProduct(state, ctx, product);
  }
  if (shopKey === 'maisonjs') {
    if (path === '/assets/product.js') {
      return {
        status: 200,
        headers: { 'content-type': 'text/javascript; charset=utf-8' },
        body: MAISON_PRODUCT_SCRIPT,
      };
    }
    const sku = /^\/api\/products\/([A-Z]+-\d+)\.json$/.exec(path)?.[1];
    const listed = sku ? state.products.find((p) => p.sku === sku) : undefined;
    if (listed) return maisonApi(state, ctx, listed);
    if (sku) return jsonResponse({ error: 'not found' }, 404);
  }
  return notFound();
}
