import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { ancestry, isElement, markers, textOf, treeDistance } from './dom-position.ts';
import { parsePrice } from './parse-price.ts';
import { sourceConfidence } from './read-structured-items.ts';
import type { ExtractHints, Offer } from './types.ts';

/** Blocks whose prices belong to other products or to no product. */
const FOREIGN_BLOCK =
  /related|recommend|carousel|slider|swiper|upsell|up-sell|cross-?sell|similar|also-?(?:bought|viewed|like)|you-may|recently|bundle|mini-?cart|cart-drawer|breadcrumb|footer|navbar|menu|megamenu|newsletter/;
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

interface PriceCandidate {
  el: Element;
  text: string;
  amount: string;
  currencyRaw: string | null;
  currency: string | null;
  struck: boolean;
  hinted: boolean;
  /** In navigation, footer, mini-cart or a related-products block: counted, never chosen. */
  foreign: boolean;
}

function ownDirectText(el: Element): boolean {
  return el.children.some((c) => c.type === 'text' && /\d/.test((c as { data: string }).data));
}

function collectCandidates($: CheerioAPI, hints: ExtractHints): PriceCandidate[] {
  const out: PriceCandidate[] = [];
  const opts = { currency: hints.currency, locale: hints.locale };
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
        foreign: isForeign,
      });
      return;
    }
    for (const c of node.children) walk(c, isForeign, isStruck);
  };
  const body = $('body')[0] ?? $.root()[0];
  for (const c of (body as Element).children ?? []) walk(c, false, false);
  return out;
}

function anchors($: CheerioAPI): Element[] {
  const found: Element[] = [];
  const h1 = $('h1')
    .toArray()
    .find((el) => $(el).text().trim().length > 0);
  if (h1) found.push(h1);
  $('button, input[type=submit], input[type=button], a, [name*=add-to-cart], [class*=add-to-cart]').each(
    (_, el) => {
      const label = `${$(el).text()} ${el.attribs.value ?? ''} ${el.attribs.name ?? ''} ${el.attribs.class ?? ''}`;
      if (found.length < 4 && ADD_TO_CART.test(label)) found.push(el);
    },
  );
  return found;
}

/** Result of the visible-text fallback, with the explanation the page reason is built from. */
export interface HeuristicReading {
  offer: Offer | null;
  reason: string;
}

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
  const marks = anchors($);
  let best: PriceCandidate | null = null;
  let bestScore = Number.POSITIVE_INFINITY;
  if (marks.length === 0) {
    const distinct = new Set(selling.map((c) => c.amount));
    if (distinct.size !== 1) {
      return { offer: null, reason: `${distinct.size} different prices and no h1/add-to-cart to anchor on` };
    }
    best = selling[0];
  } else {
    for (const c of selling) {
      const distance = Math.min(...marks.map((a) => treeDistance(a, c.el)));
      const score = distance - (c.hinted ? 1 : 0);
      if (score < bestScore) {
        bestScore = score;
        best = c;
      }
    }
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
