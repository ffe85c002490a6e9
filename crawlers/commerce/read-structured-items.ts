import { normalizeAvailability } from './normalize-availability.ts';
import { parsePrice } from './parse-price.ts';
import { isType, nodes, type SchemaNode, text, values } from './schema-node.ts';
import type { ExtractHints, Offer, OfferSource } from './types.ts';

/** A product (or other sellable thing: event ticket, course, service) found in structured data. */
export interface StructuredItem {
  source: OfferSource;
  name: string | null;
  sku: string | null;
  brand: string | null;
  category: string | null;
  imageUrl: string | null;
  offers: Offer[];
  /** Reached through `mainEntity`: the page says this is what it is about. */
  mainEntity: boolean;
  /** The item's own page (`url`, else an `@id` that is a URL), as written: a listing links each item away. */
  url: string | null;
  path: string;
}

/** What the structured data as a whole says, beyond the items themselves. */
export interface StructuredReading {
  items: StructuredItem[];
  /**
   * Items read from list entries (`itemListElement` of an ItemList/OfferCatalog, directly or as a
   * ListItem's `item`). Never candidates for this page's price; they only tell a listing apart.
   */
  listed: StructuredItem[];
  /** Types seen that carry money but are not offers (Invoice, Order): their amounts are not prices. */
  nonOfferMoneyTypes: string[];
}

const PRODUCT_TYPES = new Set([
  'Product',
  'ProductGroup',
  'ProductModel',
  'IndividualProduct',
  'SomeProducts',
  'Vehicle',
  'Car',
  'Motorcycle',
  'Book',
  'SoftwareApplication',
  'MobileApplication',
  'WebApplication',
  'VideoGame',
  'Service',
  'Course',
]);
const OFFER_TYPES = new Set(['Offer', 'AggregateOffer']);
/** Money that is owed, paid or reserved, never a selling price. */
const NON_OFFER_MONEY_TYPES = new Set([
  'Invoice',
  'Order',
  'OrderItem',
  'Reservation',
  'PaymentChargeSpecification',
  'MonetaryAmount',
  'MonetaryAmountDistribution',
  'LoanOrCredit',
  'InvestmentOrDeposit',
  'DonateAction',
  'PayAction',
  'BuyAction',
  'JobPosting',
]);
/** Links from a product to other products, whose prices must not leak into this page's offers. */
const FOREIGN_PRODUCT_PROPS = new Set([
  'isRelatedTo',
  'isSimilarTo',
  'isAccessoryOrSparePartFor',
  'isConsumableFor',
  'review',
  'isVariantOf',
  'itemListElement',
  'relatedLink',
  'significantLink',
]);
const LIST_PRICE_TYPES = new Set([
  'StrikethroughPrice',
  'ListPrice',
  'MSRP',
  'SRP',
  'RegularPrice',
  'InvoicePrice',
]);

const CONFIDENCE: Record<OfferSource, number> = {
  jsonld: 0.9,
  microdata: 0.85,
  rdfa: 0.8,
  opengraph: 0.75,
  selector: 0.95,
  heuristic: 0.4,
};

export function sourceConfidence(source: OfferSource): number {
  return CONFIDENCE[source];
}

/** "13.00" → "13"; "1.299,90 €" → "1299.9" via parsePrice; null when there is no number. */
export function readAmount(
  raw: string | null,
  hints: ExtractHints,
): { amount: string | null; currencyRaw: string | null } {
  if (raw === null) return { amount: null, currencyRaw: null };
  const plain = /^\s*(\d+)(?:\.(\d+))?\s*$/.exec(raw);
  if (plain) {
    const int = plain[1].replace(/^0+(?=\d)/, '');
    const frac = (plain[2] ?? '').replace(/0+$/, '');
    return { amount: frac ? `${int}.${frac}` : int, currencyRaw: null };
  }
  const parsed = parsePrice(raw, { currency: hints.currency, locale: hints.locale });
  return { amount: parsed.amount, currencyRaw: parsed.currencyRaw };
}

/** ISO 4217 for what a page wrote as its currency ("usd", "US$", "€"); hints resolve `$` and `kr`. */
export function resolveCurrency(raw: string | null, hints: ExtractHints): string | null {
  if (!raw) return hints.currency?.toUpperCase() ?? null;
  const t = raw.trim();
  const probe = /^[a-z]{3}$/i.test(t) ? t.toUpperCase() : t;
  return parsePrice(null, { currencyHint: probe, currency: hints.currency, locale: hints.locale }).currency;
}

const compare = (a: string, b: string) => Number(a) - Number(b);

/**
 * What names each offer's variant: its own `url`, `@id` and `sku`, its `itemOffered`'s, and for an
 * offer of a `hasVariant` product that product's. Kept beside the offers (not on them, so they
 * stay plain figures) for a page URL naming one variant (`?variant=`) to find its offer.
 */
const OFFER_REFS = new WeakMap<Offer, string[]>();

/** The identifiers an offer was written with (URLs, `@id`s, SKUs); empty when unknown. */
export function offerRefs(offer: Offer): string[] {
  return OFFER_REFS.get(offer) ?? [];
}

const refsOf = (node: SchemaNode | undefined) =>
  node ? ['url', '@id', 'sku'].map((p) => text(node, p)).filter((r): r is string => r !== null) : [];

function imageOf(node: SchemaNode): string | null {
  for (const v of values(node, 'image')) {
    if (typeof v === 'string' && v.trim()) return v.trim();
    if (typeof v !== 'string') {
      const url = text(v, 'url') ?? text(v, 'contentUrl');
      if (url) return url;
    }
  }
  return null;
}

/** The page an item lives on: its `url`, else an `@id` written as an http(s) URL. */
function urlOf(node: SchemaNode): string | null {
  const id = text(node, '@id');
  return text(node, 'url') ?? (id && /^https?:\/\//i.test(id) ? id : null);
}

function readOffer(
  offer: SchemaNode,
  source: OfferSource,
  itemName: string | null,
  itemSku: string | null,
  hints: ExtractHints,
): Offer[] {
  const nested = nodes(offer, 'offers').flatMap((o) => readOffer(o, source, itemName, itemSku, hints));
  let currencyRaw = text(offer, 'priceCurrency');
  const price = readAmount(text(offer, 'price'), hints);
  let salePrice = price.amount;
  currencyRaw ??= price.currencyRaw;

  // priceSpecification: a StrikethroughPrice/ListPrice is the list price, a SalePrice the price;
  // an untyped one beside a SalePrice is the regular price, so the list price.
  let listPrice: string | null = null;
  let specSale: string | null = null;
  let specPlain: string | null = null;
  for (const spec of nodes(offer, 'priceSpecification')) {
    const qty = nodes(spec, 'referenceQuantity')[0];
    const per = qty ? text(qty, 'value') : null;
    if (per && Number(per) !== 1) continue; // a price per kilo/litre, not the price of the item
    const amount = readAmount(text(spec, 'price') ?? text(spec, 'minPrice'), hints);
    if (amount.amount === null) continue;
    currencyRaw ??= text(spec, 'priceCurrency') ?? amount.currencyRaw;
    const kind = text(spec, 'priceType');
    const short = kind ? kind.slice(Math.max(kind.lastIndexOf('/'), kind.lastIndexOf(':')) + 1) : null;
    if (short && LIST_PRICE_TYPES.has(short)) listPrice ??= amount.amount;
    else if (short === 'SalePrice') specSale ??= amount.amount;
    else specPlain ??= amount.amount;
  }
  if (specSale !== null && (salePrice === null || compare(salePrice, specSale) === 0)) {
    salePrice = specSale;
    if (listPrice === null && specPlain !== null && compare(specPlain, specSale) > 0) listPrice = specPlain;
  }
  salePrice ??= specPlain;

  let lowPrice = readAmount(text(offer, 'lowPrice'), hints).amount;
  let highPrice = readAmount(text(offer, 'highPrice'), hints).amount;
  const nestedPrices = nested.map((o) => o.price).filter((p): p is string => p !== null);
  if (nestedPrices.length > 0) {
    const sorted = [...nestedPrices].sort(compare);
    lowPrice ??= sorted[0];
    highPrice ??= sorted[sorted.length - 1];
  }
  if (isType(offer, 'AggregateOffer') || nestedPrices.length > 0) salePrice ??= lowPrice;
  currencyRaw ??= nested.find((o) => o.currencyRaw)?.currencyRaw ?? null;

  if (salePrice === null && listPrice !== null) {
    salePrice = listPrice;
    listPrice = null;
  }
  if (listPrice !== null && salePrice !== null && compare(listPrice, salePrice) <= 0) listPrice = null;

  if (salePrice === null) return nested; // an Offer without a price states no price
  const offered = nodes(offer, 'itemOffered')[0];
  const read: Offer = {
    source,
    confidence: CONFIDENCE[source],
    price: salePrice,
    listPrice,
    lowPrice,
    highPrice,
    currencyRaw,
    currency: resolveCurrency(currencyRaw, hints),
    availability:
      normalizeAvailability(text(offer, 'availability')) ??
      nested.find((o) => o.availability)?.availability ??
      null,
    sku: text(offer, 'sku') ?? itemSku,
    name: text(offer, 'name') ?? (offered ? text(offered, 'name') : null) ?? itemName,
    evidence: `${source} ${offer.path}`,
  };
  OFFER_REFS.set(read, [...refsOf(offer), ...refsOf(offered)]);
  return [read];
}

function readItem(
  node: SchemaNode,
  source: OfferSource,
  mainEntity: boolean,
  hints: ExtractHints,
): StructuredItem {
  const name = text(node, 'name');
  const sku = text(node, 'sku') ?? text(node, 'mpn') ?? text(node, 'productID') ?? text(node, 'gtin13');
  const offers = nodes(node, 'offers').flatMap((o) => readOffer(o, source, name, sku, hints));
  for (const variant of nodes(node, 'hasVariant')) {
    const v = readItem(variant, source, false, hints);
    const refs = refsOf(variant);
    for (const o of v.offers) {
      const copy = { ...o, name: o.name ?? v.name };
      OFFER_REFS.set(copy, [...offerRefs(o), ...refs]);
      offers.push(copy);
    }
  }
  return {
    source,
    name,
    sku,
    brand: text(node, 'brand') ?? text(node, 'manufacturer'),
    category: text(node, 'category'),
    imageUrl: imageOf(node),
    offers,
    mainEntity,
    url: urlOf(node),
    path: node.path,
  };
}

/**
 * Finds the sellable items in structured data and reads their offers. Items are things of a
 * product type or anything carrying `offers` (an Event with tickets). Related/similar products,
 * reviews and list entries are not descended into, so their prices cannot become this page's
 * price; products in list entries are returned apart, in `listed`, so a caller can tell a
 * category page from a product page. Invoice/Order-like types are recorded but never read for amounts.
 */
export function readStructuredItems(
  roots: SchemaNode[],
  source: OfferSource,
  hints: ExtractHints,
): StructuredReading {
  const items: StructuredItem[] = [];
  const listed: StructuredItem[] = [];
  const nonOfferMoneyTypes: string[] = [];
  const isItem = (node: SchemaNode) =>
    node.types.some((t) => PRODUCT_TYPES.has(t) || OFFER_TYPES.has(t) || t.endsWith('Event')) ||
    node.props.has('offers');
  const visit = (node: SchemaNode, viaMain: boolean, depth: number, into = items) => {
    if (depth > 12) return;
    const moneyType = node.types.find((t) => NON_OFFER_MONEY_TYPES.has(t) || t.endsWith('Reservation'));
    if (moneyType) {
      nonOfferMoneyTypes.push(moneyType);
      return;
    }
    if (node.types.some((t) => OFFER_TYPES.has(t))) {
      const offered = nodes(node, 'itemOffered')[0];
      const name = offered ? text(offered, 'name') : text(node, 'name');
      const offers = readOffer(node, source, name, offered ? text(offered, 'sku') : null, hints);
      into.push({
        source,
        name,
        sku: offers[0]?.sku ?? null,
        brand: offered ? text(offered, 'brand') : null,
        category: offered ? text(offered, 'category') : null,
        imageUrl: offered ? imageOf(offered) : null,
        offers,
        mainEntity: viaMain,
        url: urlOf(node) ?? (offered ? urlOf(offered) : null),
        path: node.path,
      });
      return;
    }
    if (node.types.some((t) => PRODUCT_TYPES.has(t) || t.endsWith('Event')) || node.props.has('offers')) {
      into.push(readItem(node, source, viaMain, hints));
      return;
    }
    for (const [prop, vals] of node.props) {
      if (prop === 'itemListElement' && into === items) {
        // A list entry is the item itself or a ListItem wrapping it (`item`); breadcrumbs hold
        // no sellable items, so only product lists land here.
        for (const entry of vals) {
          if (typeof entry === 'string') continue;
          const inner = isItem(entry) ? [entry] : nodes(entry, 'item').filter(isItem);
          for (const n of inner) {
            const before = listed.length;
            visit(n, false, depth + 1, listed);
            const entryUrl = isItem(entry) ? null : urlOf(entry);
            for (const it of listed.slice(before)) it.url ??= entryUrl;
          }
        }
        continue;
      }
      if (FOREIGN_PRODUCT_PROPS.has(prop)) continue;
      for (const v of vals) {
        if (typeof v !== 'string') visit(v, viaMain || prop === 'mainEntity', depth + 1, into);
      }
    }
  };
  for (const root of roots) visit(root, false, 0);
  return { items, listed, nonOfferMoneyTypes };
}
