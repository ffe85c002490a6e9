import type { CheerioAPI } from 'cheerio';
import { normalizeAvailability } from './normalize-availability.ts';
import { parsePrice } from './parse-price.ts';
import { sourceConfidence } from './read-structured-items.ts';
import type { Availability, ExtractHints, Offer } from './types.ts';

/** What the target's own CSS selectors found. */
export interface SelectorReading {
  offer: Offer | null;
  name: string | null;
  availability: Availability | null;
}

function readText($: CheerioAPI, selector: string | undefined): string | null {
  if (!selector) return null;
  let el: ReturnType<CheerioAPI>;
  try {
    el = $(selector).first();
  } catch {
    return null; // an invalid selector in target config reads as "nothing found", not a crash
  }
  if (el.length === 0) return null;
  const content = el.attr('content') ?? el.attr('value');
  const t = (content ?? el.text()).replace(/\s+/g, ' ').trim();
  return t || null;
}

/**
 * Applies the per-target selector overrides (`hints.selectors`). Invalid selectors and selectors
 * that match nothing yield nulls; never throws.
 */
export function extractBySelectors($: CheerioAPI, hints: ExtractHints): SelectorReading {
  const sel = hints.selectors ?? {};
  const opts = { currency: hints.currency, locale: hints.locale };
  const priceText = readText($, sel.price);
  const listText = readText($, sel.listPrice);
  const availabilityEl = sel.availability ? $(sel.availability).first() : null;
  const availability =
    availabilityEl && availabilityEl.length > 0
      ? normalizeAvailability(
          availabilityEl.attr('href') ?? availabilityEl.attr('content') ?? availabilityEl.text(),
        )
      : null;
  const price = priceText ? parsePrice(priceText, opts) : null;
  const list = listText ? parsePrice(listText, opts) : null;
  let listPrice = list?.amount ?? null;
  if (listPrice !== null && price?.amount && Number(listPrice) <= Number(price.amount)) listPrice = null;
  const offer: Offer | null =
    price?.amount == null
      ? null
      : {
          source: 'selector',
          confidence: sourceConfidence('selector'),
          price: price.amount,
          listPrice,
          lowPrice: price.rangeHigh ? price.amount : null,
          highPrice: price.rangeHigh ?? null,
          currencyRaw: price.currencyRaw,
          currency: price.currency,
          availability,
          sku: null,
          name: null,
          evidence: `selector ${sel.price}: "${priceText}"`,
        };
  return { offer, name: readText($, sel.name), availability };
}
