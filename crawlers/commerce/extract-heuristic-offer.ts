import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { LISTING_PATH } from './discover-links.ts';
import { ancestry, isElement, markers, textOf, treeDistance } from './dom-position.ts';
import { parsePrice } from './parse-price.ts';
import { sourceConfidence } from './read-structured-items.ts';
import type { ExtractHints, Offer } from './types.ts';

/**
 * Blocks whose prices belong to other products or to no product. Promotion bars belong here: their
 * "free shipping over $50" sits near the top of every page, often nearer the h1 than the price.
 */
const FOREIGN_BLOCK =
  /related|recommend|carousel|slider|swiper|upsell|up-sell|cross-?sell|similar|also-?(?:bought|viewed|like)|you-may|recently|bundle|mini-?cart|cart-drawer|breadcrumb|footer|navbar|menu|megamenu|newsletter|promo-?bar|promo-?banner|announcement|free-?shipping/;
const FOREIGN_TAGS = new Set([
  'nav',
  'footer',
  'aside',
  'script',
  'style',
  'noscript',
  'template',
  'select',
  'option',
]);
/** Markers of a crossed-out/previous price: a list price, not the selling price. */
const STRUCK_TAGS = new Set(['s', 'del', 'strike']);
const LIST_MARKER =
  /\b(?:old|was|regular|compare|strike|list-?price|msrp|rrp|before|original|crossed)\b|old-?price|was-?price|price-?old|price-?was|price--?regular/;
const ADD_TO_CART =
  /add[\s_-]*to[\s_-]*(?:cart|bag|basket|trolley)|buy[\s_-]*now|comprar|adicionar|ajouter au panier|in den warenkorb|warenkorb|aggiungi al carrello|añadir al carrito|в корзину|do koszyka|do košíku/i;

/** Site functions: a link to them (add to cart, wishlist, compare) never makes a product card. */
const FUNCTION_PATH =
  /\/(?:cart|basket|checkout|account|my-account|login|wishlist|compare|cdn-cgi)(?:\/|$|\.|\?)/i;
/** A price per kilo/litre/metre (EU "unit price", "Grundpreis"): never the price of the item. */
const UNIT_MARKER = /unit-?price|price-?per|per-?unit|base-?price|grundpreis|prix-?unitaire|preco-?unitario/;
const UNIT_TEXT =
  /(?:\/|\bper\b|\bpro\b|\bpar\b|\bpor\b|\bje\b)\s*(?:\d+(?:[.,]\d+)?\s*)?(?:kg|g|mg|l|ml|cl|dl|oz|fl\.?\s?oz|lb|lbs|m|m2|m²|cm|sq\.?\s?ft|kilo|litre|liter|gallon)(?![\p{L}\d])/iu;

interface PriceCandidate {
  el: Element;
  text: string;
  amount: string;
  currencyRaw: string | null;
  currency: string | null;
  struck: boolean;
  hinted: boolean;
  /** In navigation, footer, mini-cart or a related-products block, or a unit price: counted, never chosen. */
  foreign: boolean;
}

function ownDirectText(el: Element): boolean {
  return el.children.some((c) => c.type === 'text' && /\d/.test((c as { data: string }).data));
}

function collectCandidates($: CheerioAPI, hints: ExtractHints): PriceCandidate[] {
  const out: PriceCandidate[] = [];
  const opts = { currency: hints.currency, locale: hints.locale, scanning: true };
  const walk = (node: AnyNode, foreign: boolean, struck: boolean) => {
    if (!isElement(node)) return;
    const m = markers(node);
    const isForeign = foreign || FOREIGN_TAGS.has(node.name) || FOREIGN_BLOCK.test(m);
    const isStruck = struck || STRUCK_TAGS.has(node.name) || LIST_MARKER.test(m);
    if (FOREIGN_TAGS.has(node.name) && node.name !== 'nav' && node.name !== 'footer' && node.name !== 'aside')
      return;
    const text = textOf(node).replace(/\s+/g, ' ').trim();
    if (!/\d/.test(text) || text.length > 60) {
      for (const c of node.children) walk(c, isForeign, isStruck);
      return;
    }
    const hinted = /price|preco|preço|prix|preis|precio|prezzo|цена|cena/.test(m);
    const parsed = parsePrice(text, opts);
    const looksLikePrice = parsed.amount !== null && (parsed.currencyRaw !== null || hinted);
    const childQualifies = node.children.some(
      (c) => isElement(c) && /\d/.test(textOf(c)) && parsePrice(textOf(c), opts).currencyRaw !== null,
    );
    if (
      looksLikePrice &&
      !childQualifies &&
      !/%/.test(text) &&
      (ownDirectText(node) || node.children.length > 0)
    ) {
      out.push({
        el: node,
        text,
        amount: parsed.amount as string,
        currencyRaw: parsed.currencyRaw,
        currency: parsed.currency,
        struck: isStruck,
        hinted,
        foreign: isForeign || UNIT_MARKER.test(m) || UNIT_TEXT.test(text),
      });
      return;
    }
    for (const c of node.children) walk(c, isForeign, isStruck);
  };
  const body = $('body')[0] ?? $.root()[0];
  for (const c of (body as Element).children ?? []) walk(c, false, false);
  return out;
}

/**
 * What prices are measured against: the h1 and up to three add-to-cart buttons. A button inside a
 * product card (a grid's or a carousel's) belongs to that card's product, not to this page.
 */
function anchors($: CheerioAPI, h1: Element | undefined, inCard: (el: Element) => boolean): Element[] {
  const found: Element[] = h1 ? [h1] : [];
  $('button, input[type=submit], input[type=button], a, [name*=add-to-cart], [class*=add-to-cart]').each(
    (_, el) => {
      if (found.length >= 4) return false;
      const label = `${$(el).text()} ${el.attribs.value ?? ''} ${el.attribs.name ?? ''} ${el.attribs.class ?? ''}`;
      if (ADD_TO_CART.test(label) && !inCard(el)) found.push(el);
    },
  );
  return found;
}

/** Result of the visible-text fallback, with the explanation the page reason is built from. */
export interface HeuristicReading {
  offer: Offer | null;
  reason: string;
  /** Products listed when the page is a listing (a grid of product cards); absent otherwise. */
  listing?: number;
}

/** "https://a.test/p/x?v=2#r" → "https://a.test/p/x": one product page, whatever its variant or anchor. */
function pageOf(href: string, base: URL): string | null {
  if (/^(?:#|javascript:|mailto:|tel:|data:)/i.test(href.trim())) return null;
  try {
    const u = new URL(href, base);
    if (u.origin !== base.origin) return null;
    return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return null;
  }
}

/**
 * The product page a price's card links to, or null when the price is not in a card. Climbs from
 * the price (at most 5 levels, never into `main`/`body`) to the nearest block holding a link, like
 * the tile of discover-links.ts: that block is a card when all its links go to one other page
 * (image and name links of a product tile do). Links to this same page (variant `?variant=`,
 * `?add-to-cart=`, `#reviews`) and to site functions are ignored; a block holding the h1 is the
 * page's own product block, never a card; links to two pages mean a wider block, not a card.
 */
function cardFinder(h1: Element | undefined, page: URL): (el: Element) => string | null {
  const self = pageOf(page.href, page);
  const h1Chain = new Set<AnyNode>(h1 ? ancestry(h1) : []);
  const memo = new Map<Element, string | null>();
  const targetsMemo = new Map<Element, Set<string>>();
  // The other pages a block links to. Walked by hand, not with `$(block).find('a[href]')`: cheerio hands css-select
  // the block's children, whose removeSubsets is quadratic in them times the depth (a page Chromium flattened past its
  // 512-level nesting limit, thousands of siblings under one node, took minutes).
  const targetsOf = (block: Element): Set<string> => {
    const known = targetsMemo.get(block);
    if (known) return known;
    const targets = new Set<string>();
    const stack: AnyNode[] = [block];
    while (stack.length > 0) {
      const node = stack.pop() as AnyNode;
      if (!isElement(node)) continue;
      const href = node.name === 'a' ? node.attribs.href : undefined;
      const target = href ? pageOf(href, page) : null;
      if (target && target !== self && !FUNCTION_PATH.test(new URL(target).pathname)) targets.add(target);
      if (node.name !== 'a') for (const c of node.children) stack.push(c);
    }
    targetsMemo.set(block, targets);
    return targets;
  };
  return (el) => {
    const known = memo.get(el);
    if (known !== undefined) return known;
    let card: string | null = null;
    let n: AnyNode | null = el;
    for (let depth = 0; n && depth <= 5; depth++, n = n.parent) {
      if (!isElement(n) || n.name === 'body' || n.name === 'main' || h1Chain.has(n)) break;
      const targets = targetsOf(n);
      if (targets.size === 1) card = [...targets][0];
      if (targets.size > 0) break;
    }
    memo.set(el, card);
    return card;
  };
}

/**
 * Whether the prices that tie for nearest the anchors are product cards: each in its own card and
 * the cards linking to two or more product pages (a grid all at one distance from the h1), or to
 * one when the page's own URL is a category's. A size or variant selector's options link nowhere
 * else, so they never count. Returns how many products the page's cards list, 0 when not a listing.
 */
function listedCards(
  tied: PriceCandidate[],
  selling: PriceCandidate[],
  cardOf: (el: Element) => string | null,
  page: URL,
): number {
  const cards = tied.map((c) => cardOf(c.el));
  if (cards.length === 0 || cards.some((k) => k === null)) return 0;
  if (new Set(cards).size < 2 && !LISTING_PATH.test(page.pathname)) return 0;
  return new Set(selling.map((c) => cardOf(c.el)).filter((k) => k !== null)).size;
}

/** The reason a listing gets no price (extract.ts says it for structured listings too). */
export const listingReason = (n: number) =>
  `a listing: ${n} product${n === 1 ? '' : 's'} with their own prices and links; no single price for this page`;

/**
 * Last-resort price from visible text: among price-looking elements outside navigation, footers,
 * carousels and related-product blocks, picks the selling price closest (in the DOM tree) to the
 * main `h1` or the add-to-cart button; a crossed-out price (`<s>`, `<del>`, "old-price") nearby
 * becomes the list price. Low confidence by design. Never throws.
 */
export function extractHeuristicOffer($: CheerioAPI, hints: ExtractHints): HeuristicReading {
  const everything = collectCandidates($, hints);
  const candidates = everything.filter((c) => !c.foreign);
  const selling = candidates.filter((c) => !c.struck);
  if (selling.length === 0)
    return { offer: null, reason: 'no price-looking text outside related/navigation blocks' };
  let page: URL | null = null;
  try {
    page = new URL(hints.url);
  } catch {
    // no card can be told from the page's own block without a page URL
  }
  const h1 = $('h1')
    .toArray()
    .find((el) => $(el).text().trim().length > 0);
  const cardOf = page ? cardFinder(h1, page) : () => null;
  const marks = anchors($, h1, (el) => cardOf(el) !== null);
  let best: PriceCandidate | null = null;
  let tied: PriceCandidate[];
  if (marks.length === 0) {
    tied = selling;
  } else {
    const scores = selling.map((c) => {
      const distance = Math.min(...marks.map((a) => treeDistance(a, c.el)));
      return distance - (c.hinted ? 1 : 0);
    });
    const bestScore = Math.min(...scores);
    tied = selling.filter((_, i) => scores[i] === bestScore);
    best = tied[0] ?? null;
  }
  // A grid of product cards puts every card at the same distance from the h1: the first card
  // winning that tie would be another product's price. Checked before the no-anchor rule so a
  // grid whose cards all cost the same still reads as a listing.
  const listing = page ? listedCards(tied, selling, cardOf, page) : 0;
  if (listing > 0) return { offer: null, reason: listingReason(listing), listing };
  if (marks.length === 0) {
    const distinct = new Set(selling.map((c) => c.amount));
    if (distinct.size !== 1) {
      return { offer: null, reason: `${distinct.size} different prices and no h1/add-to-cart to anchor on` };
    }
    best = selling[0];
  }
  if (!best) return { offer: null, reason: 'no price near the main product block' };
  const chosen = best;
  const struck = candidates
    .filter((c) => c.struck && Number(c.amount) > Number(chosen.amount))
    .map((c) => ({ c, d: treeDistance(c.el, chosen.el) }))
    .filter(({ d }) => d <= 6)
    .sort((a, b) => a.d - b.d)[0]?.c;
  const where = ancestry(chosen.el)
    .filter(isElement)
    .slice(0, 3)
    .reverse()
    .map((e) => e.name + (e.attribs.class ? `.${e.attribs.class.trim().split(/\s+/)[0]}` : ''))
    .join(' > ');
  const distinct = new Set(everything.map((c) => c.amount)).size;
  return {
    offer: {
      source: 'heuristic',
      confidence: marks.length > 0 ? sourceConfidence('heuristic') : 0.25,
      price: chosen.amount,
      listPrice: struck?.amount ?? null,
      lowPrice: null,
      highPrice: null,
      currencyRaw: chosen.currencyRaw,
      currency: chosen.currency,
      availability: null,
      sku: null,
      name: null,
      evidence: `${where}: "${chosen.text}"`,
    },
    reason:
      distinct > 1
        ? `${distinct} prices on page, picked the one in the main product block (nearest the title/add-to-cart)`
        : 'one price on page, outside related-product blocks',
  };
}
