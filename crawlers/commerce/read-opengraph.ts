import type { CheerioAPI } from 'cheerio';
import { normalizeAvailability } from './normalize-availability.ts';
import { readAmount, resolveCurrency, sourceConfidence } from './read-structured-items.ts';
import type { ExtractHints, Offer } from './types.ts';

/** What OpenGraph / Facebook product tags say about the page. */
export interface OpenGraphReading {
  title: string | null;
  type: string | null;
  imageUrl: string | null;
  url: string | null;
  offer: Offer | null;
  availability: Offer['availability'];
}

/**
 * Reads `og:*` and `product:*` meta tags (`product:price:amount`, `og:price:currency`,
 * `product:sale_price:amount`, `product:availability`). An offer is returned only when an amount is.
 */
export function readOpenGraph($: CheerioAPI, hints: ExtractHints): OpenGraphReading {
  const meta = new Map<string, string>();
  $('meta').each((_, el) => {
    const key = (el.attribs.property ?? el.attribs.name ?? '').trim().toLowerCase();
    const content = el.attribs.content;
    if (key && content !== undefined && !meta.has(key)) meta.set(key, content.trim());
  });
  const get = (...keys: string[]) => {
    for (const k of keys) {
      const v = meta.get(k);
      if (v) return v;
    }
    return null;
  };
  const regular = readAmount(get('product:price:amount', 'og:price:amount', 'product:price'), hints);
  const sale = readAmount(get('product:sale_price:amount', 'og:sale_price:amount'), hints);
  const original = readAmount(get('product:original_price:amount', 'product:regular_price:amount'), hints);
  const price = sale.amount ?? regular.amount;
  let listPrice = sale.amount ? regular.amount : original.amount;
  if (listPrice !== null && price !== null && Number(listPrice) <= Number(price)) listPrice = null;
  const currencyRaw =
    get('product:price:currency', 'og:price:currency', 'product:sale_price:currency') ??
    sale.currencyRaw ??
    regular.currencyRaw;
  const availability = normalizeAvailability(get('product:availability', 'og:availability'));
  const title = get('og:title');
  const offer: Offer | null =
    price === null
      ? null
      : {
          source: 'opengraph',
          confidence: sourceConfidence('opengraph'),
          price,
          listPrice,
          lowPrice: null,
          highPrice: null,
          currencyRaw,
          currency: resolveCurrency(currencyRaw, hints),
          availability,
          sku: get('product:retailer_item_id', 'product:sku'),
          name: title,
          evidence: 'opengraph meta product:price:amount',
        };
  return { title, type: get('og:type'), imageUrl: get('og:image'), url: get('og:url'), offer, availability };
}
