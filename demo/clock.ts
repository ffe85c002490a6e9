/** Milliseconds in one real calendar day. */
export const DAY_MS = 86_400_000;

/** How the market maps real time to simulated days. */
export interface MarketClock {
  startedAt: number;
  daySeconds: number;
}

/**
 * The simulated day at real time `now`: 0 from `startedAt` on, one more every `daySeconds`.
 * Times before the start count as day 0.
 */
export function dayAt(clock: MarketClock, now: number): number {
  return Math.max(0, Math.floor((now - clock.startedAt) / (clock.daySeconds * 1000)));
}

/** The real instant simulated day `day` began (what sitemaps publish as `lastmod`). */
export function dayStartsAt(clock: MarketClock, day: number): number {
  return clock.startedAt + day * clock.daySeconds * 1000;
}

/**
 * The calendar date shown to shoppers for simulated day `day` ("until March 14"): the simulated
 * calendar starts on the real UTC date of `startedAt` and advances one date per simulated day.
 */
export function calendarDate(clock: MarketClock, day: number): Date {
  const start = new Date(clock.startedAt);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate() + day));
}
