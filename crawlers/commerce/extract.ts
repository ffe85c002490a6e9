import { type CheerioAPI, load } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { mayBeProductPage } from './discover-links.ts';
import { ancestry, isElement } from './dom-position.ts';
import { extractBySelectors } from './extract-by-selectors.ts';
import {
  ADD_TO_CART,
  extractHeuristicOffer,
  type HeuristicReading,
  listingReason,
} from './extract-heuristic-offer.ts';
import { extractPromotions } from './extract-promotions.ts';
import { readJsonLd } from './read-jsonld.ts';
import { readMicrodata } from './read-microdata.ts';
import { readOpenGraph } from './read-opengraph.ts';
import { readRdfa } from './read-rdfa.ts';
import {
  offerRefs,
  readStructuredItems,
  type StructuredItem,
  type StructuredReading,
} from './read-structured-items.ts';
import type { SchemaNode } from './schema-node.ts';
import type { ExtractHints, Offer, ProductPage } from './types.ts';

const squash = (s: string | null | undefined) => (s ?? '').replace(/\s+/g, ' ').trim().toLowerCase();

const priced = (i: StructuredItem) => i.offers.some((o) => o.price !== null);

/** Whether an item is named after the page: its name is a page title, or a long part of one. */
function namedAfter(i: StructuredItem, titles: string[]): boolean {
  const n = squash(i.name);
  return n.length > 0 && titles.some((t) => t === n || (t.includes(n) && n.length >= 8));
}

const words = (s: string) => new Set(s.match(/[\p{L}\p{N}]+(?:[.,]\d+)?/gu) ?? []);

/** Share of the shorter name's words found in the other: "Retinol Serum 30 ml" vs "Retinol 0.5% Serum" → 2/3. */
function likeness(name: string | null, titles: string[]): number {
  const a = words(squash(name));
  if (a.size === 0) return 0;
  let best = 0;
  for (const t of titles) {
    const b = words(t);
    if (b.size === 0) continue;
    let common = 0;
    for (const w of a) if (b.has(w)) common++;
    best = Math.max(best, common / Math.min(a.size, b.size));
  }
  return best;
}

const costs = (i: StructuredItem, amount: string) =>
  i.offers.some((o) => o.price !== null && Number(o.price) === Number(amount));

/**
 * Among priced items none of which is anchored to the page (mainEntity, URL, name), the one the
 * visible page is about; the first unless the page clearly says otherwise. A "frequently bought
 * together" product written first must not take the page: another item is the candidate when it is
 * the only one costing the price shown beside the title, or the only one whose name shares half its
 * words with the title while the first shares none; it wins only when its name is also more like the
 * title than the first's and the visible price does not favour the first.
 */
function pickByVisibleEvidence(
  pricedItems: StructuredItem[],
  titles: string[],
  visiblePrice: () => string | null,
): StructuredItem | undefined {
  const first = pricedItems[0];
  if (pricedItems.length < 2) return first;
  const sims = pricedItems.map((i) => likeness(i.name, titles));
  const shown = visiblePrice();
  const atShown = shown === null ? [] : pricedItems.filter((i) => costs(i, shown));
  let candidate: StructuredItem | undefined;
  if (atShown.length === 1 && atShown[0] !== first) candidate = atShown[0];
  else {
    const top = Math.max(...sims);
    const best = pricedItems.filter((_, k) => sims[k] === top);
    if (top >= 0.5 && sims[0] === 0 && best.length === 1) candidate = best[0];
  }
  if (!candidate) return first;
  const simOk = sims[pricedItems.indexOf(candidate)] > sims[0];
  const priceOk = shown === null || costs(candidate, shown) || !costs(first, shown);
  return simOk && priceOk ? candidate : first;
}

/**
 * The item a source is about: one reached through `mainEntity`, else one whose URL is this page,
 * else one whose name matches the page title (`h1`/`og:title`), else the priced one the visible
 * page is about (`pickByVisibleEvidence`, the first unless clearly another), else the first at all.
 */
function pickMainItem(
  items: StructuredItem[],
  titles: string[],
  isSelf: (i: StructuredItem) => boolean,
  visiblePrice: () => string | null,
): StructuredItem | null {
  if (items.length === 0) return null;
  const named = items.filter((i) => namedAfter(i, titles));
  return (
    items.find((i) => i.mainEntity && priced(i)) ??
    items.find((i) => isSelf(i) && priced(i)) ??
    named.find(priced) ??
    pickByVisibleEvidence(items.filter(priced), titles, visiblePrice) ??
    items.find((i) => i.mainEntity) ??
    named[0] ??
    items[0]
  );
}

/** "https://a.test/p/x/?v=1#r" → "a.test/p/x": what tells one page from another. */
function pageKey(href: string | null, base: string): string | null {
  if (!href) return null;
  try {
    const u = new URL(href, base);
    return `${u.host}${u.pathname.replace(/\/+$/, '')}`.toLowerCase();
  } catch {
    return null;
  }
}

/**
 * How many products a structured source lists when the page is a listing (category, collection,
 * search results) rather than one product's page; 0 otherwise. Picking "the first priced item"
 * there reports another product's price as this page's.
 *
 * A source lists when its priced items are list entries (ItemList/itemListElement) and it has no
 * priced item of its own, or when it has two or more priced top-level items; and in both cases
 * every one of them links to its own page, away from this one, and the prices differ or there are
 * three or more of them. Any anchor to this page, in any source, vetoes: an item reached through
 * `mainEntity`, named after the title, or whose URL is this page. Products listed as "related"
 * next to the page's own product therefore never make it a listing.
 */
function listedProducts(
  readings: StructuredReading[],
  titles: string[],
  isSelf: (i: StructuredItem) => boolean,
  base: string,
): number {
  const all = readings.flatMap((r) => [...r.items, ...r.listed]);
  if (all.some((i) => i.mainEntity || namedAfter(i, titles) || isSelf(i))) return 0;
  let most = 0;
  for (const r of readings) {
    const top = r.items.filter(priced);
    const pool = top.length === 0 ? r.listed.filter(priced) : top;
    if (pool.length < 2) continue;
    const keys = pool.map((i) => pageKey(i.url, base));
    if (keys.some((k) => k === null)) continue;
    const pages = new Set(keys).size;
    const prices = new Set(
      pool.flatMap((i) => i.offers.filter((o) => o.price !== null).map((o) => Number(o.price))),
    );
    if (pages >= 2 && (prices.size >= 2 || pages >= 3)) most = Math.max(most, pages);
  }
  return most;
}

/** The variant a page URL selects (Shopify `?variant=123`), or null. */
function urlVariant(url: string): string | null {
  try {
    const v = new URL(url).searchParams.get('variant')?.trim();
    return v && /^[\w-]+$/.test(v) ? v : null;
  } catch {
    return null;
  }
}

/** Whether an offer's URL, `@id` or SKU names the variant: `?variant=123`, `…/ProductVariant/123`, `123`. */
function carriesVariant(ref: string, variant: string, base: string): boolean {
  if (ref === variant || ref.endsWith(`/${variant}`)) return true;
  try {
    return new URL(ref, base).searchParams.get('variant') === variant;
  } catch {
    return false;
  }
}

/**
 * The offer of an item we report: the one of the variant the page URL selects (in stock or not:
 * the page shows that variant), else the first one not out of stock, else the first.
 */
function pickItemOffer(offers: Offer[], variant: string | null, base: string): Offer | null {
  const pricedOffers = offers.filter((o) => o.price !== null);
  const selected = variant
    ? pricedOffers.find((o) => offerRefs(o).some((r) => carriesVariant(r, variant, base)))
    : undefined;
  return (
    selected ??
    pricedOffers.find((o) => o.availability !== 'OutOfStock' && o.availability !== 'SoldOut') ??
    pricedOffers[0] ??
    null
  );
}

const samePrice = (a: Offer, b: Offer) =>
  a.price !== null && b.price !== null && Number(a.price) === Number(b.price);

/** Schema.org types of an article or post: a page about something, which may name prices, but sells nothing. */
const ARTICLE_TYPE = /(?:Article|Posting)$|^(?:Blog|Report)$/;

/** The article type a page's structured data declares (a root or what a root's `mainEntity` etc. holds), or null. */
function articleType(roots: SchemaNode[]): string | null {
  const seen = new Set<SchemaNode>();
  const walk = (n: SchemaNode, depth: number): string | null => {
    if (depth > 4 || seen.has(n)) return null;
    seen.add(n);
    const t = n.types.find((x) => ARTICLE_TYPE.test(x));
    if (t) return t;
    for (const vals of n.props.values()) {
      for (const v of vals) {
        const found = typeof v === 'string' ? null : walk(v, depth + 1);
        if (found) return found;
      }
    }
    return null;
  };
  for (const r of roots) {
    const t = walk(r, 0);
    if (t) return t;
  }
  return null;
}

/**
 * A cart's path: `/cart`, `/basket`, `/checkout` and their translations, first in the path or after a
 * locale (`/en-gb/`) or a shop segment (`/shop/`, `/checkout/cart`); `/products/cart` stays a product's.
 */
const CART_PATH =
  /^(?:\/[a-z]{2}(?:[-_][a-z]{2,4})?)?(?:\/(?:shop|store|checkout))?\/(?:cart|basket|checkout|shopping-?(?:cart|bag|basket)|carrinho|carrito|panier|warenkorb|carrello|winkelwagen|koszyk)(?:\/|$|\.(?:php|html?|aspx|jsp)$)/i;
/** An h1 naming the cart itself: "Your cart", "Shopping bag (2)", "Carrinho de compras", "Warenkorb". */
const CART_TITLE =
  /^(?:your |my )?(?:shopping )?(?:cart|basket|bag|trolley)(?: \(\d+\))?$|^(?:(?:o )?meu |mi |tu |votre |mon |ihr |il tuo |uw )?(?:carrinho|carrito|cesta|panier|warenkorb|carrello|winkelwagen|koszyk)(?: de compras?| d'achat)?(?: \(\d+\))?$/i;
/** The sum of a cart's lines. */
const CART_TOTAL = /\b(?:sub-?total|order total|estimated total|zwischensumme|sous-total|totale parziale)\b/i;

/** Page chrome and drawers: a button there (a mini-cart's, a header's) is not this page's. */
const CHROME =
  /(?:^|\s)(?:[\w-]*drawer[\w-]*|mini-?cart[\w-]*|(?:site-)?(?:header|footer)|nav|navbar|menu)(?:$|\s)/i;

/**
 * Whether the page shows an add-to-cart (or buy-now) control of its own: not in page chrome, and not
 * in a card whose links go to another product page (a "quick add" on a home page's bestsellers).
 */
function hasOwnAddToCart($: CheerioAPI, pageUrl: string): boolean {
  let self: URL;
  try {
    self = new URL(pageUrl);
  } catch {
    return false;
  }
  // Like a product card of the visible-text reading: the nearest block (up to 6 levels, never `main`)
  // holding links to other pages of the site is a card when they all go to one other product page;
  // a block holding the page's h1 is the page's own product block.
  const h1 = $('h1').first()[0];
  const aroundTitle = new Set<AnyNode>(h1 ? ancestry(h1).slice(1) : []);
  // Links below a block, walked by hand: `$(block).find()` per control and level is css-select's quadratic
  // removeSubsets on a page Chromium flattened into thousands of siblings (see cardFinder).
  const linksBelow = (block: Element): Element[] => {
    const out: Element[] = [];
    const stack: AnyNode[] = [...block.children];
    while (stack.length > 0) {
      const node = stack.pop() as AnyNode;
      if (!isElement(node)) continue;
      if (node.name === 'a' && node.attribs.href !== undefined) out.push(node);
      stack.push(...node.children);
    }
    return out;
  };
  const inCard = (el: Element): boolean => {
    let n: AnyNode | null = el;
    for (let depth = 0; n && depth < 6; depth++, n = n.parent) {
      if (n.type !== 'tag' && n.type !== 'script' && n.type !== 'style') continue;
      const e = n as Element;
      if (['main', 'body', 'html'].includes(e.name)) return false;
      if (['header', 'footer', 'nav', 'aside', 'dialog'].includes(e.name)) return true;
      if (CHROME.test(`${e.attribs.class ?? ''} ${e.attribs.id ?? ''}`)) return true;
      if (aroundTitle.has(e)) return false;
      const pages = new Map<string, URL>();
      for (const a of linksBelow(e)) {
        try {
          const u = new URL(a.attribs.href, self);
          if (u.origin === self.origin && u.pathname !== self.pathname) pages.set(u.pathname, u);
        } catch {
          // not a link to a page
        }
      }
      if (pages.size > 0) return pages.size === 1 && mayBeProductPage([...pages.values()][0]);
    }
    return false;
  };
  return $('button, input[type=submit], input[type=button], a, [name*=add-to-cart], [class*=add-to-cart]')
    .toArray()
    .some((el) => {
      const label = `${$(el).text()} ${el.attribs.value ?? ''} ${el.attribs.name ?? ''} ${el.attribs.class ?? ''}`;
      return ADD_TO_CART.test(label) && !inCard(el);
    });
}

/**
 * Why a page with no product markup is not one product's page, or null when it may be. Asked only
 * when no structured source describes a product and nothing says "product" (og:type, an og price,
 * a selector), before the visible text is read for a price:
 * - an article (`Article`/`BlogPosting`/`NewsArticle`… in structured data, or `og:type=article`)
 *   with no add-to-cart control of its own: "The 5 Best Serums Under $50" names prices, sells nothing;
 * - a cart: its URL path is a cart's (`CART_PATH`), or its h1 names the cart and it shows a subtotal
 *   beside quantity inputs and no add-to-cart control of its own (a product page with a filled
 *   mini-cart has the product's name in its h1, and a "Shopping Basket" product its buy button).
 * A page no product's by its URL alone (the home page) is told later, by `sitePageReason`, once the
 * visible text has said whether it is a listing.
 */
function notProductPageReason(
  $: CheerioAPI,
  hints: ExtractHints,
  roots: SchemaNode[],
  ogType: string | null,
): string | null {
  let url: URL | null = null;
  try {
    url = new URL(hints.url);
  } catch {
    // an unparsable URL says nothing
  }
  const article = articleType(roots) ?? (/^article$/i.test(ogType?.trim() ?? '') ? 'og:type=article' : null);
  if (article && !hasOwnAddToCart($, hints.url))
    return `an article page (${article}), not a product's: its amounts are not its price`;
  if (url && CART_PATH.test(url.pathname)) {
    return `a cart page (${url.pathname}), not a product's: its amounts are the cart's lines and totals`;
  }
  const h1 = $('h1').first().text().replace(/\s+/g, ' ').trim();
  if (
    CART_TITLE.test(h1) &&
    CART_TOTAL.test($('body').text()) &&
    $('input[name*="quantity" i], input[name^="updates"], input[class*="quantity" i], input[type=number]')
      .length > 0 &&
    !hasOwnAddToCart($, hints.url)
  ) {
    return `a cart page ("${h1}" with a subtotal and quantity inputs), not a product's: its amounts are the cart's`;
  }
  return null;
}

/**
 * Why a page with no product markup and no listing of its own is no product's by its URL, or null:
 * a URL `mayBeProductPage` turns down (the home page, a site function such as a policy or account
 * page, a paginated listing) with no add-to-cart control of its own. A single-product site
 * registered at its root keeps its price through its buy button.
 */
function sitePageReason($: CheerioAPI, hints: ExtractHints): string | null {
  let url: URL;
  try {
    url = new URL(hints.url);
  } catch {
    return null;
  }
  if (mayBeProductPage(url) || hasOwnAddToCart($, hints.url)) return null;
  const what = url.pathname === '/' ? "the site's home page" : `a site page (${url.pathname})`;
  return `${what}, not a product's: no product markup and no add-to-cart button`;
}

/**
 * Reads a product page into offers and picks the page's price. Sources, strongest first:
 * the target's selector override, JSON-LD, microdata, RDFa, OpenGraph, then visible text.
 *
 * Rules for `main`, in order:
 * 0. A listing (category, collection, search results: several products, each with its own price
 *    and link, none of them this page's) has no price: `main` is null and the reason says so. The
 *    structured sources decide first (`listedProducts`), then the visible-text heuristic (cards).
 *    A selector override, an OpenGraph price or `og:type=product` means a product page.
 * 1. A selector override that yields a price wins: the analyst configured it for this target.
 * 2. Otherwise the structured sources vote: if two or more sources agree on a price that the
 *    highest-ranked source contradicts, the agreeing price wins (stale JSON-LD is common);
 *    otherwise the highest-ranked source with a price wins (jsonld > microdata > rdfa > opengraph).
 * 3. The visible-text heuristic is used only when the page has no structured description of a
 *    sellable item at all: a structured Product/Event without a priced offer, or an Invoice/Order,
 *    means "no price here", and guessing from text would invent one. Nor on a page that is no
 *    product's: an article or a cart (`notProductPageReason`), or, unless the visible text finds a
 *    listing, a home or site page with no buy button (`sitePageReason`).
 * Never throws; a page with nothing yields `main: null` and a reason.
 */
export function extractProductPage($: CheerioAPI, hints: ExtractHints): ProductPage {
  const h1 = squash($('h1').first().text());
  const og = readOpenGraph($, hints);
  const titles = [h1, squash(og.title), squash($('title').first().text())].filter(Boolean);

  const roots = [readJsonLd($), readMicrodata($), readRdfa($)];
  const readings: StructuredReading[] = [
    readStructuredItems(roots[0], 'jsonld', hints),
    readStructuredItems(roots[1], 'microdata', hints),
    readStructuredItems(roots[2], 'rdfa', hints),
  ];
  const selector = extractBySelectors($, hints);
  const canonical = $('link[rel~="canonical"]').attr('href') ?? og.url ?? null;
  const selfKeys = new Set(
    [hints.url, canonical, og.url]
      .map((u) => pageKey(u ?? null, hints.url))
      .filter((k): k is string => k !== null),
  );
  const isSelf = (i: StructuredItem) => {
    const key = pageKey(i.url, hints.url);
    return key !== null && selfKeys.has(key);
  };
  // An analyst's selector, a page-level og price or og:type says this page is one product's.
  const productPage = Boolean(selector.offer || og.offer || /product/i.test(og.type ?? ''));
  const listed = productPage ? 0 : listedProducts(readings, titles, isSelf, hints.url);
  // The visible-text reading, read once and only when needed: the fallback, or a witness for
  // what the structured data leaves open (which product, the list price, the currency).
  let visibleReading: HeuristicReading | undefined;
  const visible = () => {
    visibleReading ??= extractHeuristicOffer($, hints);
    return visibleReading;
  };
  const visiblePrice = () => visible().offer?.price ?? null;
  const mains = readings.map((r) =>
    listed > 0 ? null : pickMainItem(r.items, titles, isSelf, visiblePrice),
  );
  const mainItem = mains.find((m) => m?.offers.some((o) => o.price !== null)) ?? mains.find((m) => m) ?? null;

  const variant = urlVariant(hints.url);
  const structuredOffers: Offer[] = [];
  for (const m of mains) {
    const o = m ? pickItemOffer(m.offers, variant, hints.url) : null;
    if (o) structuredOffers.push(o);
  }
  if (og.offer) structuredOffers.push(og.offer);

  const offers: Offer[] = [];
  for (const m of mains) if (m) offers.push(...m.offers);
  if (og.offer) offers.push(og.offer);
  if (selector.offer) offers.unshift(selector.offer);

  let main: Offer | null = null;
  let reason: string;
  const describe = (o: Offer) =>
    `${o.source} ${o.evidence.includes('AggregateOffer') ? 'AggregateOffer' : 'Offer'}`;
  if (listed > 0) {
    reason = listingReason(listed);
  } else if (selector.offer) {
    main = selector.offer;
    const agree = structuredOffers.filter((o) => samePrice(o, selector.offer as Offer)).map((o) => o.source);
    reason = `selector override${agree.length ? `; ${agree.join(', ')} agree` : ''}`;
  } else if (structuredOffers.length > 0) {
    const top = structuredOffers[0];
    const challenger = structuredOffers.find(
      (o) => !samePrice(o, top) && structuredOffers.filter((x) => samePrice(x, o)).length >= 2,
    );
    const topVotes = structuredOffers.filter((x) => samePrice(x, top)).length;
    const winner =
      challenger && structuredOffers.filter((x) => samePrice(x, challenger)).length > topVotes
        ? challenger
        : top;
    const agree = structuredOffers.filter((o) => o !== winner && samePrice(o, winner)).map((o) => o.source);
    const disagree = structuredOffers
      .filter((o) => !samePrice(o, winner))
      .map((o) => `${o.source} says ${o.price}`);
    const confidence = Math.min(0.99, winner.confidence + 0.05 * agree.length - 0.1 * disagree.length);
    main = { ...winner, confidence: Math.round(confidence * 100) / 100 };
    const chosenVariant =
      variant && offerRefs(winner).some((r) => carriesVariant(r, variant, hints.url)) ? variant : null;
    const filled = fillFromVisible(main, visible);
    main = filled.offer;
    reason = [
      winner === top ? describe(winner) : `${describe(winner)} (outvotes ${top.source})`,
      chosenVariant ? `variant ${chosenVariant}, selected by the page URL` : null,
      agree.length ? `${agree.join(', ')} agree${agree.length === 1 ? 's' : ''}` : null,
      disagree.length ? `disagreeing: ${disagree.join(', ')}` : null,
      ...filled.notes,
    ]
      .filter(Boolean)
      .join('; ');
  } else {
    const described = readings.flatMap((r) => r.items);
    const moneyTypes = readings.flatMap((r) => r.nonOfferMoneyTypes);
    const notProduct =
      described.length > 0 || moneyTypes.length > 0 || productPage
        ? null
        : notProductPageReason($, hints, roots.flat(), og.type);
    if (described.length > 0) {
      reason = `structured data describes ${described[0].name ? `"${described[0].name}"` : 'an item'} but states no price`;
    } else if (moneyTypes.length > 0) {
      reason = `page is a ${moneyTypes[0]}, its amounts are not prices`;
    } else if (notProduct) {
      reason = notProduct;
    } else {
      const heuristic = visible();
      const site = productPage || heuristic.listing ? null : sitePageReason($, hints);
      if (site) reason = site;
      else {
        main = heuristic.offer;
        if (main) offers.push(main);
        reason = main || heuristic.listing ? heuristic.reason : `no structured data; ${heuristic.reason}`;
      }
    }
  }

  const availability =
    main?.availability ??
    selector.availability ??
    (main
      ? (offers.find((o) => samePrice(o, main as Offer) && o.availability)?.availability ?? og.availability)
      : null);
  if (main && !main.availability && availability) main = { ...main, availability };

  const name =
    selector.name ??
    mainItem?.name ??
    mains.find((m) => m?.name)?.name ??
    og.title ??
    (h1 ? $('h1').first().text().trim() : null);
  return {
    name: name ? name.replace(/\s+/g, ' ').trim() : null,
    sku: main?.sku ?? mainItem?.sku ?? null,
    brand: mainItem?.brand ?? null,
    category: mainItem?.category ?? null,
    imageUrl: mainItem?.imageUrl ?? og.imageUrl ?? null,
    canonicalUrl: canonical ? absolute(canonical, hints.url) : null,
    offers,
    main,
    availability: main ? availability : null,
    reason,
    promotions: extractPromotions($, hints),
  };
}

/**
 * What the visible price block adds to a structured offer, when it shows the same selling price
 * (so both are about the same product): a crossed-out higher price beside it is the list price the
 * structured data left out, and its currency sign the currency the structured data did not state
 * (before the target's expected currency, which `currency` holds then). A range (AggregateOffer
 * low–high) is left as it is.
 */
function fillFromVisible(offer: Offer, visible: () => HeuristicReading): { offer: Offer; notes: string[] } {
  const ranged = offer.highPrice !== null && offer.lowPrice !== null && offer.lowPrice !== offer.highPrice;
  const unstated = offer.currencyRaw === null;
  if (offer.price === null || ranged || (offer.listPrice !== null && !unstated)) {
    return { offer, notes: [] };
  }
  const shown = visible().offer;
  if (!shown?.price || Number(shown.price) !== Number(offer.price)) return { offer, notes: [] };
  const notes: string[] = [];
  let out = offer;
  if (unstated && shown.currency && shown.currency !== out.currency) {
    out = { ...out, currency: shown.currency, currencyRaw: shown.currencyRaw };
    notes.push(
      `currency ${shown.currency} from the visible price ${shown.price} (structured data states none)`,
    );
  }
  const sameMoney = !shown.currency || out.currency === shown.currency;
  if (out.listPrice === null && shown.listPrice && Number(shown.listPrice) > Number(out.price) && sameMoney) {
    out = {
      ...out,
      listPrice: shown.listPrice,
      evidence: `${out.evidence}; list price from the visible crossed-out price beside it (${shown.evidence})`,
    };
    notes.push(
      `list price ${shown.listPrice} from the crossed-out price shown beside the same visible price`,
    );
  }
  return { offer: out, notes };
}

function absolute(href: string, base: string): string | null {
  try {
    return new URL(href, base).href;
  } catch {
    return null;
  }
}

/**
 * Same as `extractProductPage` for callers holding raw HTML (tests, re-extraction of stored
 * snapshots). Parses with htmlparser2 (fast, forgiving); never throws on malformed HTML.
 */
export function extractProductPageFromHtml(html: string, hints: ExtractHints): ProductPage {
  return extractProductPage(loadHtml(html), hints);
}

/** Loads HTML the way crawlee's CheerioCrawler does: htmlparser2, not parse5. */
export function loadHtml(html: string): CheerioAPI {
  return load(html, { xml: { xmlMode: false, decodeEntities: true } });
}
