import { type CheerioAPI, load } from 'cheerio';
import { extractBySelectors } from './extract-by-selectors.ts';
import { extractHeuristicOffer, listingReason } from './extract-heuristic-offer.ts';
import { extractPromotions } from './extract-promotions.ts';
import { readJsonLd } from './read-jsonld.ts';
import { readMicrodata } from './read-microdata.ts';
import { readOpenGraph } from './read-opengraph.ts';
import { readRdfa } from './read-rdfa.ts';
import { readStructuredItems, type StructuredItem, type StructuredReading } from './read-structured-items.ts';
import type { ExtractHints, Offer, ProductPage } from './types.ts';

const squash = (s: string | null | undefined) => (s ?? '').replace(/\s+/g, ' ').trim().toLowerCase();

const priced = (i: StructuredItem) => i.offers.some((o) => o.price !== null);

/** Whether an item is named after the page: its name is a page title, or a long part of one. */
function namedAfter(i: StructuredItem, titles: string[]): boolean {
  const n = squash(i.name);
  return n.length > 0 && titles.some((t) => t === n || (t.includes(n) && n.length >= 8));
}

/**
 * The item a source is about: one reached through `mainEntity`, else one whose URL is this page,
 * else one whose name matches the page title (`h1`/`og:title`), else the first with a priced
 * offer, else the first at all.
 */
function pickMainItem(
  items: StructuredItem[],
  titles: string[],
  isSelf: (i: StructuredItem) => boolean,
): StructuredItem | null {
  if (items.length === 0) return null;
  const named = items.filter((i) => namedAfter(i, titles));
  return (
    items.find((i) => i.mainEntity && priced(i)) ??
    items.find((i) => isSelf(i) && priced(i)) ??
    named.find(priced) ??
    items.find(priced) ??
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

/** The offer of an item we report: the first one not out of stock, else the first. */
function pickItemOffer(offers: Offer[]): Offer | null {
  const pricedOffers = offers.filter((o) => o.price !== null);
  return (
    pricedOffers.find((o) => o.availability !== 'OutOfStock' && o.availability !== 'SoldOut') ??
    pricedOffers[0] ??
    null
  );
}

const samePrice = (a: Offer, b: Offer) =>
  a.price !== null && b.price !== null && Number(a.price) === Number(b.price);

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
 *    means "no price here", and guessing from text would invent one.
 * Never throws; a page with nothing yields `main: null` and a reason.
 */
export function extractProductPage($: CheerioAPI, hints: ExtractHints): ProductPage {
  const h1 = squash($('h1').first().text());
  const og = readOpenGraph($, hints);
  const titles = [h1, squash(og.title), squash($('title').first().text())].filter(Boolean);

  const readings: StructuredReading[] = [
    readStructuredItems(readJsonLd($), 'jsonld', hints),
    readStructuredItems(readMicrodata($), 'microdata', hints),
    readStructuredItems(readRdfa($), 'rdfa', hints),
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
  const mains = readings.map((r) => (listed > 0 ? null : pickMainItem(r.items, titles, isSelf)));
  const mainItem = mains.find((m) => m?.offers.some((o) => o.price !== null)) ?? mains.find((m) => m) ?? null;

  const structuredOffers: Offer[] = [];
  for (const m of mains) {
    const o = m ? pickItemOffer(m.offers) : null;
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
    reason = [
      winner === top ? describe(winner) : `${describe(winner)} (outvotes ${top.source})`,
      agree.length ? `${agree.join(', ')} agree${agree.length === 1 ? 's' : ''}` : null,
      disagree.length ? `disagreeing: ${disagree.join(', ')}` : null,
    ]
      .filter(Boolean)
      .join('; ');
  } else {
    const described = readings.flatMap((r) => r.items);
    const moneyTypes = readings.flatMap((r) => r.nonOfferMoneyTypes);
    if (described.length > 0) {
      reason = `structured data describes ${described[0].name ? `"${described[0].name}"` : 'an item'} but states no price`;
    } else if (moneyTypes.length > 0) {
      reason = `page is a ${moneyTypes[0]}, its amounts are not prices`;
    } else {
      const heuristic = extractHeuristicOffer($, hints);
      main = heuristic.offer;
      if (main) offers.push(main);
      reason = main || heuristic.listing ? heuristic.reason : `no structured data; ${heuristic.reason}`;
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
