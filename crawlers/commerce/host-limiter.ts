/**
 * Politeness per origin, shared by the Cheerio and the browser crawler of one worker: at most `maxPerOrigin`
 * page loads at once, at least `minDelayMs` (or the origin's Crawl-delay) between two starts, and a pause
 * after a 429/503 with Retry-After during which the origin also drops to one load at a time (RELIABILITY C3).
 */

/** Default minimum gap between two request starts on one origin: at most 4 a second. */
export const DEFAULT_MIN_DELAY_MS = 250;

export interface HostLimiterOptions {
  /** Page loads in flight per origin. Default 2. */
  maxPerOrigin?: number;
  /** Minimum gap between two request starts on one origin, raised by Crawl-delay. Default 250 ms. */
  minDelayMs?: number;
  /** Longest Crawl-delay honoured (a robots.txt asking for an hour would stall the worker). Default 30 s. */
  maxCrawlDelayMs?: number;
  /** Longest wait for a slot; beyond it `acquire` rejects (the crawler retries later). Default 60 s. */
  maxWaitMs?: number;
  /** After a rate-limit pause ends, the origin stays at one load at a time this long. Default 5 minutes. */
  rateLimitCooldownMs?: number;
  /** A slot not released after this long is reclaimed, so a lost release can never wedge an origin. Default 2 minutes. */
  leaseMs?: number;
  now?: () => number;
}

export interface DeferOptions {
  /** A start within this long is "ask now" (0). */
  overMs: number;
  /** The caller was told to come back and has: bookings made after its own do not push it back again. */
  comingBack?: boolean;
}

/** Thrown by `acquire` when the origin is paused (429) for longer than the caller may wait. */
export class OriginPausedError extends Error {
  readonly code = 'origin_paused';
  constructor(
    readonly origin: string,
    readonly until: number,
  ) {
    super(`${origin} is rate limited until ${new Date(until).toISOString()} (HTTP 429 Retry-After)`);
    this.name = 'OriginPausedError';
  }
}

/** Thrown by `acquire` when no slot came free within `maxWaitMs`; worth retrying later. */
export class SlotWaitTimeoutError extends Error {
  readonly code = 'slot_wait_timeout';
  constructor(origin: string, waitedMs: number) {
    super(`timed out waiting ${Math.round(waitedMs / 1000)} s for a politeness slot on ${origin}`);
    this.name = 'SlotWaitTimeoutError';
  }
}

/** What the limiter currently applies to one origin. */
export interface OriginState {
  active: number;
  waiting: number;
  limit: number;
  pausedUntil: number;
  /** Start of the last granted request (0 if none). */
  lastStartAt: number;
}

interface Waiter {
  delayMs: number;
  grant: (release: () => void) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout | null;
}

interface Origin {
  active: number;
  lastStartAt: number;
  /** Spacing of the last request asked for (minDelayMs or its Crawl-delay). */
  delayMs: number;
  /** End of the starts booked by `deferMs` for callers coming back later. */
  bookedUntil: number;
  pausedUntil: number;
  reducedUntil: number;
  queue: Waiter[];
  timer: NodeJS.Timeout | null;
}

/** Origin of a URL ("http://host:port"), or the string itself when it does not parse. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/** Per-origin concurrency, spacing and rate-limit pauses; FIFO per origin. */
export class HostLimiter {
  private readonly origins = new Map<string, Origin>();
  private readonly maxPerOrigin: number;
  private readonly minDelayMs: number;
  private readonly maxCrawlDelayMs: number;
  private readonly maxWaitMs: number;
  private readonly cooldownMs: number;
  private readonly leaseMs: number;
  private readonly now: () => number;

  constructor(opts: HostLimiterOptions = {}) {
    this.maxPerOrigin = Math.max(1, opts.maxPerOrigin ?? 2);
    this.minDelayMs = Math.max(0, opts.minDelayMs ?? DEFAULT_MIN_DELAY_MS);
    this.maxCrawlDelayMs = opts.maxCrawlDelayMs ?? 30_000;
    this.maxWaitMs = opts.maxWaitMs ?? 60_000;
    this.cooldownMs = opts.rateLimitCooldownMs ?? 5 * 60_000;
    this.leaseMs = opts.leaseMs ?? 2 * 60_000;
    this.now = opts.now ?? Date.now;
  }

  /**
   * Waits for a slot on `url`'s origin and resolves with its release function (idempotent). `crawlDelayMs`
   * (from robots.txt) raises the spacing for this request. Rejects with OriginPausedError when the origin is
   * paused beyond `maxWaitMs`, or SlotWaitTimeoutError when no slot came free in time.
   */
  acquire(url: string, crawlDelayMs: number | null = null): Promise<() => void> {
    const key = originOf(url);
    const o = this.originFor(key);
    const now = this.now();
    if (o.pausedUntil - now > this.maxWaitMs)
      return Promise.reject(new OriginPausedError(key, o.pausedUntil));
    const delayMs = Math.max(this.minDelayMs, Math.min(crawlDelayMs ?? 0, this.maxCrawlDelayMs));
    o.delayMs = delayMs;
    return new Promise((grant, reject) => {
      const waiter: Waiter = { delayMs, grant, reject, timer: null };
      waiter.timer = setTimeout(() => {
        const i = o.queue.indexOf(waiter);
        if (i < 0) return;
        o.queue.splice(i, 1);
        reject(
          o.pausedUntil > this.now()
            ? new OriginPausedError(key, o.pausedUntil)
            : new SlotWaitTimeoutError(key, this.maxWaitMs),
        );
      }, this.maxWaitMs);
      waiter.timer.unref();
      o.queue.push(waiter);
      this.pump(key, o);
    });
  }

  /**
   * Pauses an origin for `ms` (a 429 or 503 with Retry-After): nothing starts there before then, and it
   * keeps one load at a time until `rateLimitCooldownMs` after the pause. Returns the pause's end.
   */
  pause(url: string, ms: number): number {
    const key = originOf(url);
    const o = this.originFor(key);
    const until = this.now() + Math.max(0, ms);
    o.pausedUntil = Math.max(o.pausedUntil, until);
    o.reducedUntil = Math.max(o.reducedUntil, o.pausedUntil + this.cooldownMs);
    this.pump(key, o);
    return o.pausedUntil;
  }

  /**
   * For a caller that can come back later instead of waiting here (a job holding a worker slot): when a request to
   * `url`'s origin asked now would start (spacing, pause, the requests waiting ahead, and the starts booked by earlier
   * calls, one spacing apart), booked for it. 0 when that is within `overMs`: ask now. Otherwise how long from now
   * to come back; a caller `comingBack` on its booking is not pushed back by the bookings made after it. Grants
   * nothing: the caller still `acquire`s, so the limits hold either way.
   */
  deferMs(url: string, opts: DeferOptions): number {
    const key = originOf(url);
    const o = this.originFor(key);
    const now = this.now();
    // Spacing-bound when pages are quick; one more spacing when every slot is taken (a crude allowance for slow pages).
    const full = o.active < this.limitOf(o) ? 0 : 1;
    const backlogAt =
      Math.max(now, o.pausedUntil, o.lastStartAt + o.delayMs) + (o.queue.length + full) * o.delayMs;
    // Callers told "ask now" count too: jobs that start together all ask before any of them reaches `acquire`.
    const at = opts.comingBack ? backlogAt : Math.max(backlogAt, o.bookedUntil);
    o.bookedUntil = Math.max(o.bookedUntil, at + o.delayMs);
    return at - now <= opts.overMs ? 0 : at - now;
  }

  /** The state applied to `url`'s origin now (for tests and logs). */
  state(url: string): OriginState {
    const o = this.origins.get(originOf(url));
    if (!o) return { active: 0, waiting: 0, limit: this.maxPerOrigin, pausedUntil: 0, lastStartAt: 0 };
    return {
      active: o.active,
      waiting: o.queue.length,
      limit: this.limitOf(o),
      pausedUntil: o.pausedUntil,
      lastStartAt: o.lastStartAt,
    };
  }

  private limitOf(o: Origin): number {
    return o.reducedUntil > this.now() ? 1 : this.maxPerOrigin;
  }

  private originFor(key: string): Origin {
    let o = this.origins.get(key);
    if (!o) {
      o = {
        active: 0,
        lastStartAt: 0,
        delayMs: this.minDelayMs,
        bookedUntil: 0,
        pausedUntil: 0,
        reducedUntil: 0,
        queue: [],
        timer: null,
      };
      this.origins.set(key, o);
    }
    return o;
  }

  private pump(key: string, o: Origin): void {
    if (o.timer) {
      clearTimeout(o.timer);
      o.timer = null;
    }
    while (o.queue.length > 0 && o.active < this.limitOf(o)) {
      const head = o.queue[0];
      const now = this.now();
      const startAt = Math.max(o.lastStartAt + head.delayMs, o.pausedUntil);
      if (startAt > now) {
        o.timer = setTimeout(() => this.pump(key, o), startAt - now);
        o.timer.unref();
        return;
      }
      o.queue.shift();
      if (head.timer) clearTimeout(head.timer);
      o.active++;
      o.lastStartAt = now;
      head.grant(this.releaser(key, o));
    }
    this.forgetIfIdle(key, o);
  }

  private releaser(key: string, o: Origin): () => void {
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      clearTimeout(lease);
      o.active--;
      this.pump(key, o);
    };
    const lease = setTimeout(release, this.leaseMs);
    lease.unref();
    return release;
  }

  /** Drops an origin's record once it holds nothing that still matters, so the map stays small. */
  private forgetIfIdle(key: string, o: Origin): void {
    const now = this.now();
    if (
      o.active === 0 &&
      o.queue.length === 0 &&
      o.pausedUntil <= now &&
      o.reducedUntil <= now &&
      o.bookedUntil <= now &&
      now - o.lastStartAt > Math.max(this.minDelayMs, this.maxCrawlDelayMs)
    ) {
      this.origins.delete(key);
    }
  }
}
