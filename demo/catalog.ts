import { createRandom } from './random.ts';
import {
  CATEGORIES,
  type Category,
  type Currency,
  SHOPS,
  type ShopKey,
  type ShopProfile,
} from './shop-profiles.ts';

export {
  CATEGORIES,
  type Category,
  type Currency,
  SHOP_KEYS,
  SHOPS,
  type ShopKey,
  type ShopProfile,
} from './shop-profiles.ts';

export type Availability = 'InStock' | 'OutOfStock';

/** A product as listed in a shop's catalogue, independent of the day. */
export interface Product {
  sku: string;
  slug: string;
  name: string;
  brand: string;
  category: Category;
  /** First simulated day on which the product is listed (0 for the opening catalogue). */
  launchDay: number;
  /** Shade names sold as separate offers (rendered as an AggregateOffer), if any. */
  shades: string[];
}

/** A product on one simulated day. */
export interface ProductState extends Product {
  /** What a shopper pays today (the sale price when on sale). */
  price: number;
  /** The struck-through regular price while on sale, else null. */
  listPrice: number | null;
  /** The sale's discount in percent, while on sale. */
  salePercent: number | null;
  /** Last day (inclusive) of the current sale. */
  saleEndsDay: number | null;
  availability: Availability;
  /** Prices per shade (a limited shade costs more); empty when the product has no shades. */
  shadePrices: { shade: string; price: number }[];
  /** Last simulated day the visible state (price, sale, stock) changed, or the launch day. */
  updatedDay: number;
}

/** A shop-wide promotion banner. */
export interface Promotion {
  kind: 'code' | 'bogo' | 'shipping';
  code: string | null;
  percent: number | null;
  /** Minimum order for free shipping, in the shop's currency. */
  threshold: number | null;
  category: Category | null;
  startDay: number;
  /** Last day (inclusive) the promotion runs; null for open-ended. */
  endDay: number | null;
}

/** Everything a shop shows on one simulated day. */
export interface ShopState {
  shop: ShopProfile;
  day: number;
  /** Products listed today (launched on or before `day`), in catalogue order. */
  products: ProductState[];
  /** Products not launched yet (never rendered; useful to tests and benchmarks). */
  upcoming: Product[];
  promotions: Promotion[];
}

/** USD reference price ranges per category. */
const PRICE_RANGE: Record<Category, [number, number]> = {
  lipstick: [18, 28],
  foundation: [32, 46],
  mascara: [14, 24],
  serum: [28, 64],
  moisturizer: [24, 48],
  cleanser: [12, 22],
};

/** USD reference range of each shop's premium serum line (priced in the thousands in BRL). */
const PREMIUM_RANGE: [number, number] = [190, 240];

/** Free-shipping thresholds, in each currency. */
const FREE_SHIPPING_OVER: Record<Currency, number> = { USD: 50, BRL: 199, EUR: 49 };

/** Turns a product name into a URL slug: ASCII, lowercase, hyphenated. */
export function slugify(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/**
 * Rounds to the price points shops actually use: BRL ends in ",90", USD and EUR move in 5 cents.
 */
export function roundPrice(amount: number, currency: Currency): number {
  if (currency === 'BRL') return Math.max(9.9, Math.round(amount) - 0.1);
  return Math.max(0.95, Math.round(amount * 20) / 20);
}

/** The reference price (before any walk) of the product at catalogue position `index`. */
function basePrice(seed: number, shop: ShopProfile, index: number, category: Category, line: number): number {
  const [min, max] = category === 'serum' && line === 0 ? PREMIUM_RANGE : PRICE_RANGE[category];
  const usd = min + createRandom(seed, shop.key, 'base', index).next() * (max - min);
  return usd * shop.priceScale;
}

/**
 * The shop's whole catalogue (listed and upcoming), a pure function of the seed. About three
 * quarters of the products are listed on day 0; the rest launch one every 1–3 days from day 2.
 */
export function catalogOf(seed: number, shopKey: ShopKey, productsPerShop = 12): Product[] {
  const shop = SHOPS[shopKey];
  const opening = Math.ceil(productsPerShop * 0.75);
  const launches = createRandom(seed, shopKey, 'launches');
  let nextLaunch = 2;
  const products: Product[] = [];
  for (let i = 0; i < productsPerShop; i++) {
    const category = CATEGORIES[i % CATEGORIES.length];
    const { lines, variants } = shop.lines[category];
    const j = Math.floor(i / CATEGORIES.length);
    const line = lines[j % lines.length];
    const variant = variants[Math.floor(j / lines.length) % variants.length];
    const edition = Math.floor(j / (lines.length * variants.length));
    const name = `${line} — ${variant}${edition > 0 ? ` No. ${edition + 1}` : ''}`;
    let launchDay = 0;
    if (i >= opening) {
      launchDay = nextLaunch;
      nextLaunch += launches.int(1, 3);
    }
    const shades =
      shopKey === 'glowco' && category === 'foundation'
        ? [
            variant,
            ...shop.lines.foundation.variants.filter((v) => v !== variant).slice(0, 2),
            'Limited Gold',
          ]
        : [];
    products.push({
      sku: `${shop.skuPrefix}-${1000 + i}`,
      slug: slugify(name),
      name,
      brand: shop.brand,
      category,
      launchDay,
      shades,
    });
  }
  return products;
}

/** Mutable per-product simulation state while walking the days. */
interface Walk {
  /** Last day applied. */
  day: number;
  regular: number;
  saleFrom: number;
  saleTo: number;
  salePercent: number;
  outUntil: number;
  updatedDay: number;
  lastKey: string;
}

/** Walks are checkpointed every CHECKPOINT_DAYS days so reaching day d costs at most that many steps. */
const CHECKPOINT_DAYS = 32;
const checkpoints = new Map<string, Walk[]>();
/** The furthest walk reached per product, so a clock ticking one day costs one step. */
const latest = new Map<string, Walk>();

/** What a shopper sees of a walk on day `t`, as a comparable key. */
function visibleKey(shop: ShopProfile, walk: Walk, t: number): string {
  const onSale = t >= walk.saleFrom && t <= walk.saleTo;
  const sale = onSale ? roundPrice(walk.regular * (1 - walk.salePercent / 100), shop.currency) : null;
  return `${roundPrice(walk.regular, shop.currency)}|${sale}|${t <= walk.outUntil}`;
}

/**
 * Applies day `t`'s events. Each day draws from its own stream, so a day's events never depend
 * on how far the walk goes. Scripted events make the first days readable: product 0 goes on a
 * 25 % sale on day 1 (until day 4) and product 1 is cut 20 % on day 2.
 */
function step(seed: number, shop: ShopProfile, product: Product, index: number, walk: Walk, t: number): void {
  const random = createRandom(seed, shop.key, product.sku, t);
  if (random.chance(0.3)) walk.regular *= 1 + (random.next() * 0.06 - 0.03);
  const repricing = random.next();
  if (repricing < 0.02) walk.regular *= 1 - random.int(10, 30) / 100;
  else if (repricing < 0.04) walk.regular *= 1.1;
  if (t > walk.saleTo && random.chance(0.05)) {
    walk.saleFrom = t;
    walk.saleTo = t + random.int(1, 4);
    walk.salePercent = random.pick([15, 20, 25, 30]);
  }
  if (t > walk.outUntil && random.chance(0.04)) walk.outUntil = t + random.int(0, 2);
  if (index === 0 && t === 1) Object.assign(walk, { saleFrom: 1, saleTo: 4, salePercent: 25, outUntil: -1 });
  if (index === 0 && t <= 5) walk.outUntil = -1;
  if (index === 1 && t === 2) walk.regular *= 0.8;
  walk.day = t;
  const key = visibleKey(shop, walk, t);
  if (key !== walk.lastKey) {
    walk.updatedDay = t;
    walk.lastKey = key;
  }
}

/** Walks one product from its launch to `day`, starting from the nearest checkpoint. */
function walkProduct(
  seed: number,
  shop: ShopProfile,
  product: Product,
  index: number,
  day: number,
  productsPerShop: number,
): ProductState {
  const memoKey = `${seed}|${shop.key}|${productsPerShop}|${product.sku}`;
  let saved = checkpoints.get(memoKey);
  if (!saved) {
    const line = shop.lines[product.category].lines.indexOf(product.name.split(' — ')[0]);
    const first: Walk = {
      day: product.launchDay,
      regular: basePrice(seed, shop, index, product.category, line),
      saleFrom: -1,
      saleTo: -1,
      salePercent: 0,
      outUntil: -1,
      updatedDay: product.launchDay,
      lastKey: '',
    };
    first.lastKey = visibleKey(shop, first, product.launchDay);
    saved = [first];
    if (checkpoints.size > 50_000) {
      checkpoints.clear();
      latest.clear();
    }
    checkpoints.set(memoKey, saved);
  }
  const slot = Math.min(Math.floor((day - product.launchDay) / CHECKPOINT_DAYS), saved.length - 1);
  const furthest = latest.get(memoKey);
  const walk = {
    ...(furthest && furthest.day <= day && furthest.day > saved[slot].day ? furthest : saved[slot]),
  };
  while (walk.day < day) {
    step(seed, shop, product, index, walk, walk.day + 1);
    const reached = (walk.day - product.launchDay) / CHECKPOINT_DAYS;
    if (reached === saved.length) saved.push({ ...walk });
  }
  if (walk.day > (furthest?.day ?? -1)) latest.set(memoKey, { ...walk });
  return snapshot(shop, product, walk, day);
}

function snapshot(shop: ShopProfile, product: Product, walk: Walk, t: number): ProductState {
  const regular = roundPrice(walk.regular, shop.currency);
  const onSale = t >= walk.saleFrom && t <= walk.saleTo;
  const price = onSale ? roundPrice(walk.regular * (1 - walk.salePercent / 100), shop.currency) : regular;
  const limitedExtra = roundPrice(4 * shop.priceScale, shop.currency);
  return {
    ...product,
    price,
    listPrice: onSale ? regular : null,
    salePercent: onSale ? walk.salePercent : null,
    saleEndsDay: onSale ? walk.saleTo : null,
    availability: t <= walk.outUntil ? 'OutOfStock' : 'InStock',
    shadePrices: product.shades.map((shade) => ({
      shade,
      price: shade === 'Limited Gold' ? Math.round((price + limitedExtra) * 100) / 100 : price,
    })),
    updatedDay: walk.updatedDay,
  };
}

/**
 * The shop's promotions running on `day`: a rotating discount code, a recurring
 * buy-one-get-one on lipsticks (5 days on, 5 off) and permanent free shipping over a threshold.
 */
export function promotionsOn(seed: number, shopKey: ShopKey, day: number): Promotion[] {
  const shop = SHOPS[shopKey];
  const promotions: Promotion[] = [];
  const random = createRandom(seed, shopKey, 'codes');
  for (let start = 1 + random.int(0, 2); start <= day; ) {
    const end = start + random.int(2, 5);
    const percent = random.pick([10, 15, 20, 25]);
    if (day <= end) {
      promotions.push({
        kind: 'code',
        code: `${shop.codePrefix}${percent}`,
        percent,
        threshold: null,
        category: null,
        startDay: start,
        endDay: end,
      });
    }
    start = end + 1 + random.int(2, 6);
  }
  if (Math.floor(day / 5) % 2 === 1) {
    const startDay = Math.floor(day / 5) * 5;
    promotions.push({
      kind: 'bogo',
      code: null,
      percent: null,
      threshold: null,
      category: 'lipstick',
      startDay,
      endDay: startDay + 4,
    });
  }
  promotions.push({
    kind: 'shipping',
    code: null,
    percent: null,
    threshold: FREE_SHIPPING_OVER[shop.currency],
    category: null,
    startDay: 0,
    endDay: null,
  });
  return promotions;
}

const stateCache = new Map<string, ShopState>();

/**
 * What shop `shopKey` shows on simulated day `day`: a pure function of (seed, shop, day,
 * catalogue size). Results are memoised (a small bounded cache), so treat them as read-only.
 */
export function shopStateOn(seed: number, shopKey: ShopKey, day: number, productsPerShop = 12): ShopState {
  const cacheKey = `${seed}|${shopKey}|${day}|${productsPerShop}`;
  const cached = stateCache.get(cacheKey);
  if (cached) return cached;
  const shop = SHOPS[shopKey];
  const catalog = catalogOf(seed, shopKey, productsPerShop);
  const state: ShopState = {
    shop,
    day,
    products: catalog
      .map((product, index) => ({ product, index }))
      .filter(({ product }) => product.launchDay <= day)
      .map(({ product, index }) => walkProduct(seed, shop, product, index, day, productsPerShop)),
    upcoming: catalog.filter((product) => product.launchDay > day),
    promotions: promotionsOn(seed, shopKey, day),
  };
  if (stateCache.size >= 32) stateCache.delete(stateCache.keys().next().value as string);
  stateCache.set(cacheKey, state);
  return state;
}
