/** Where an offer's figures were read from, strongest first. */
export type OfferSource = 'jsonld' | 'microdata' | 'rdfa' | 'opengraph' | 'selector' | 'heuristic';

/** schema.org ItemAvailability short names. */
export type Availability =
  | 'InStock'
  | 'OutOfStock'
  | 'PreOrder'
  | 'BackOrder'
  | 'LimitedAvailability'
  | 'OnlineOnly'
  | 'InStoreOnly'
  | 'SoldOut'
  | 'Discontinued'
  | 'PreSale'
  | 'MadeToOrder'
  | 'Reserved';

/** One offer as found on a page. Amounts are decimal strings ("1299.9"), never floats. */
export interface Offer {
  source: OfferSource;
  /** 0..1: how much we trust this offer to be the page's real selling price. */
  confidence: number;
  /** Selling price (the sale price when a list/strikethrough price is also shown). */
  price: string | null;
  /** List / regular / strikethrough price when the page shows one above `price`. */
  listPrice: string | null;
  /** For AggregateOffer or "from"/range prices. */
  lowPrice: string | null;
  highPrice: string | null;
  /** Currency as written on the page ("R$", "€", "USD"). */
  currencyRaw: string | null;
  /** ISO 4217 code, resolved with hints when the symbol is ambiguous. */
  currency: string | null;
  availability: Availability | null;
  sku: string | null;
  /** Variant or offer name, when the page has several. */
  name: string | null;
  /** Where on the page it was found: a CSS path, JSON-LD pointer or text snippet. */
  evidence: string;
}

export interface Promotion {
  /** Normalised kind of deal. */
  kind: 'percent_off' | 'amount_off' | 'bogo' | 'free_shipping' | 'coupon' | 'sale' | 'other';
  text: string;
  code: string | null;
  percentOff: number | null;
  /** Fixed discount ("R$ 10 off" → "10"), decimal string. */
  amountOff?: string | null;
  /** Minimum order for the deal ("free shipping over $50" → "50"). */
  minimumSpend?: string | null;
  /** ISO 4217 of `amountOff` / `minimumSpend`. */
  currency?: string | null;
  /** ISO date ("2026-12-03"), or "--12-03" when the page gives no year and no fetch time is known. */
  startsAt: string | null;
  endsAt: string | null;
}

/** Hints from the target's configuration and the page itself. */
export interface ExtractHints {
  url: string;
  /** ISO 4217 expected for this target, resolves `$`, `kr`, ... */
  currency?: string | null;
  /** BCP 47, e.g. "pt-BR"; decides decimal separators when ambiguous. */
  locale?: string | null;
  /** Per-target CSS selector overrides. */
  selectors?: { price?: string; listPrice?: string; name?: string; availability?: string } | null;
  /** ISO time the page was fetched; dates without a year ("until Dec 3") are resolved against it. */
  fetchedAt?: string | null;
}

/** Everything the product-page extractor found; the crawler turns it into a price observation. */
export interface ProductPage {
  name: string | null;
  sku: string | null;
  brand: string | null;
  category: string | null;
  imageUrl: string | null;
  canonicalUrl: string | null;
  offers: Offer[];
  /** The offer we report as the page's price, chosen by explicit rules. */
  main: Offer | null;
  /** Stock state of `main` (from its own source or another that agrees); null without a price. */
  availability: Availability | null;
  /** Why `main` was chosen (or why there is none), for the analyst. */
  reason: string;
  promotions: Promotion[];
}
