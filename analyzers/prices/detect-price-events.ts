/** A price observation as the change detector sees it. Amounts are decimal strings. */
export interface PriceState {
  price: string | null;
  listPrice: string | null;
  currency: string | null;
  availability: string | null;
  promotions: { kind: string; text: string; code: string | null }[];
}

export type PriceEventType =
  | 'price_changed'
  | 'launched'
  | 'promotion_started'
  | 'promotion_ended'
  | 'stock_out'
  | 'back_in_stock';

export interface DetectedPriceEvent {
  type: PriceEventType;
  /** Distinguishes several events of one type from one observation (e.g. two promotions). */
  key: string;
  payload: Record<string, unknown>;
}

const OUT = new Set(['OutOfStock', 'SoldOut', 'Discontinued']);

function same(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  return Math.abs(Number(a) - Number(b)) < 1e-9;
}

function promoKey(p: { kind: string; text: string; code: string | null }): string {
  return `${p.kind}|${(p.code ?? '').toUpperCase()}|${p.text.toLowerCase().replace(/\s+/g, ' ').trim()}`;
}

/**
 * Compares an observation with the previous one of the same product and returns what changed, as typed events.
 * Pure. `range30` is the min/max price over the 30 days before `current` (same currency), used to flag new
 * lows and highs. A product marked as a launch yields `launched` on its first priced observation. Prices in a
 * different currency than before are not compared (no `price_changed` across currencies).
 */
export function detectPriceEvents(
  previous: PriceState | null,
  current: PriceState,
  ctx: { isLaunch: boolean; range30: { min: string | null; max: string | null } },
): DetectedPriceEvent[] {
  const events: DetectedPriceEvent[] = [];
  if (!previous) {
    if (ctx.isLaunch) {
      events.push({
        type: 'launched',
        key: 'launch',
        payload: { price: current.price, currency: current.currency, availability: current.availability },
      });
    }
    return events;
  }
  if (
    previous.price !== null &&
    current.price !== null &&
    previous.currency === current.currency &&
    !same(previous.price, current.price)
  ) {
    const oldN = Number(previous.price);
    const newN = Number(current.price);
    const pct = oldN === 0 ? null : Math.round(((newN - oldN) / oldN) * 10_000) / 100;
    events.push({
      type: 'price_changed',
      key: 'price',
      payload: {
        old: previous.price,
        new: current.price,
        pct,
        currency: current.currency,
        listPrice: current.listPrice,
        newLow30: ctx.range30.min !== null && newN < Number(ctx.range30.min),
        newHigh30: ctx.range30.max !== null && newN > Number(ctx.range30.max),
      },
    });
  }
  const wasOut = previous.availability !== null && OUT.has(previous.availability);
  const isOut = current.availability !== null && OUT.has(current.availability);
  if (!wasOut && isOut)
    events.push({ type: 'stock_out', key: 'stock', payload: { availability: current.availability } });
  if (wasOut && current.availability !== null && !isOut) {
    events.push({
      type: 'back_in_stock',
      key: 'stock',
      payload: { availability: current.availability, price: current.price },
    });
  }
  const before = new Map(previous.promotions.map((p) => [promoKey(p), p]));
  const after = new Map(current.promotions.map((p) => [promoKey(p), p]));
  for (const [k, p] of after) {
    if (!before.has(k)) events.push({ type: 'promotion_started', key: `promo:${k}`, payload: { ...p } });
  }
  for (const [k, p] of before) {
    if (!after.has(k)) events.push({ type: 'promotion_ended', key: `promo:${k}`, payload: { ...p } });
  }
  return events;
}
