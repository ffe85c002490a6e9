import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { isElement, markers } from './dom-position.ts';

/** Page chrome whose links are never products. */
const CHROME_TAGS = new Set(['nav', 'header', 'footer', 'aside', 'script', 'noscript', 'template']);
const CHROME_MARKER =
  /(?:^|\s)(?:site-|main-|global-|top-|primary-|mega-?)?(?:menu|nav|navbar|navigation|breadcrumbs?|footer|header|account|login|cart|minicart|pagination|pager|filters?|facets?|sort|social|share|language|currency|cookie|skip)(?:$|[\s_-])/;
/** Paths that are site functions, not products. */
const NON_PRODUCT_PATH =
  /\/(?:cart|basket|checkout|account|my-account|login|logout|signin|sign-in|register|signup|wishlist|search|help|faq|contact|about|privacy|terms|policies|policy|blog|news|careers|stores?|gift-?cards?)(?:\/|$|\.)/i;
/** Paths that name a product in the common shop platforms. */
const PRODUCT_PATH =
  /\/(?:p|product|products|produto|produtos|produit|produits|producto|productos|prodotto|artikel|item|items|dp|gp\/product|sku)\/[^/]+|-p-?\d+(?:\.html?)?$|\/p\d{3,}|\/\d{4,}(?:\.html?)?$|-\d{4,}(?:\.html?)?$|\.(?:html?|aspx|php)$/i;
/** Paths that are listings (categories, collections, brands) unless they also name a product. */
export const LISTING_PATH = /\/(?:c|category|categories|collections?|departments?|brands?|tags?)\/[^/]+\/?$/i;
const PRICE_TEXT =
  /\d[\d.,\s]*\s?(?:€|£|\$|¥|₹|kr|zł|kč|руб|r\$|usd|eur|gbp|brl)|(?:€|£|\$|¥|₹|r\$|usd|eur|gbp|brl)\s?\d/i;

interface LinkSeen {
  url: string;
  el: Element;
}

function inChrome(el: Element): boolean {
  for (let n: AnyNode | null = el; n; n = n.parent) {
    if (!isElement(n)) continue;
    if (CHROME_TAGS.has(n.name) || n.attribs.role === 'navigation' || CHROME_MARKER.test(markers(n)))
      return true;
  }
  return false;
}

/** The link's tile: the nearest ancestor (up to 4 levels) holding an image or a price. */
function tileSignals($: CheerioAPI, el: Element): { image: boolean; price: boolean } {
  let image = $(el).find('img, picture').length > 0;
  let price = PRICE_TEXT.test($(el).text());
  let n: AnyNode | null = el.parent;
  for (let depth = 0; n && depth < 4 && !(image && price); depth++, n = n.parent) {
    if (!isElement(n) || n.name === 'body') break;
    const $n = $(n);
    if ($n.find('a[href]').length > 4) break; // grew past one tile into the whole grid
    image ||= $n.find('img, picture').length > 0;
    price ||= PRICE_TEXT.test($n.text());
  }
  return { image, price };
}

/** "/shop/shoes/red-runner-123" → "/shop/shoes/*": links sharing it come from one repeated pattern. */
function pathShape(u: URL): string {
  const parts = u.pathname.split('/').filter(Boolean);
  parts[parts.length - 1] = '*';
  return parts.map((p) => (/\d/.test(p) && p !== '*' ? '#' : p)).join('/');
}

/**
 * Whether a URL may be a product page by its path alone: not the home page, a site function (cart, account, blog,
 * about, …), a paginated or sorted listing, or a category/collection/brand page unless its path also names a
 * product. Catalog links and sitemap entries both pass through here before they become product targets.
 */
export function mayBeProductPage(u: URL): boolean {
  if (u.pathname === '/' || NON_PRODUCT_PATH.test(u.pathname)) return false;
  const productPath = PRODUCT_PATH.test(u.pathname);
  if (/[?&](?:page|p|sort|order|filter)=/i.test(u.search) && !productPath) return false;
  return productPath || !LISTING_PATH.test(u.pathname);
}

/**
 * Finds the product links on a catalog or category page: absolute, same-origin, deduplicated, in
 * page order. A link counts when at least two of these hold: its URL looks like a product in a
 * common platform pattern; it wraps or sits in a tile with a product image; its tile shows a
 * price; it repeats a URL pattern shared by three or more links on the page. Links in page chrome
 * (nav, header, footer, filters, pagination, account/cart) and site-function paths are ignored.
 * Throws nothing; an unparsable `baseUrl` yields [].
 */
export function discoverProductLinks($: CheerioAPI, baseUrl: string): string[] {
  let base: URL;
  try {
    base = new URL($('base[href]').attr('href') ?? baseUrl, baseUrl);
  } catch {
    return [];
  }
  const origin = new URL(baseUrl).origin;
  const seen: LinkSeen[] = [];
  $('a[href]').each((_, el) => {
    const href = el.attribs.href.trim();
    if (!href || /^(?:#|javascript:|mailto:|tel:|data:)/i.test(href)) return;
    let u: URL;
    try {
      u = new URL(href, base);
    } catch {
      return;
    }
    if (u.origin !== origin || !mayBeProductPage(u)) return;
    if (inChrome(el)) return;
    u.hash = '';
    seen.push({ url: u.href, el });
  });

  const shapes = new Map<string, Set<string>>();
  for (const s of seen) {
    const shape = pathShape(new URL(s.url));
    const set = shapes.get(shape) ?? new Set<string>();
    set.add(s.url);
    shapes.set(shape, set);
  }

  const votes = new Map<string, number>();
  for (const s of seen) {
    const u = new URL(s.url);
    const productPath = PRODUCT_PATH.test(u.pathname);
    const tile = tileSignals($, s.el);
    const repeated = (shapes.get(pathShape(u))?.size ?? 0) >= 3;
    const score = Number(productPath) + Number(tile.image) + Number(tile.price) + Number(repeated);
    votes.set(s.url, Math.max(votes.get(s.url) ?? 0, score));
  }
  return [...votes.entries()].filter(([, score]) => score >= 2).map(([url]) => url);
}
