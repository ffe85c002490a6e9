/**
 * What the Cheerio and the browser page crawlers share: the request/outcome contract, the robots.txt screen
 * before a request is queued, politeness around each attempt (per-origin slot, retry backoff, 429 pauses),
 * the HTTP status rules, and the mapping of a final error to an outcome recorded as data.
 */
import { randomUUID } from 'node:crypto';
import { NonRetryableError, RetryRequestError } from '@crawlee/core';
import { parseRetryAfter } from '../net/index.ts';
import { classifyBlock } from './block.ts';
import { type DeferOptions, HostLimiter, OriginPausedError } from './host-limiter.ts';
import type { InMemoryRequestManager } from './request-manager.ts';
import type { RobotsCache } from './robots.ts';
import type { ExtractHints, ProductPage } from './types.ts';

export const PAGE_LABELS = { product: 'product', catalog: 'catalog', sitemap: 'sitemap' } as const;
export type PageLabel = (typeof PAGE_LABELS)[keyof typeof PAGE_LABELS];

export interface PageRequest {
  url: string;
  label: PageLabel;
  hints: ExtractHints;
  /** Consult robots.txt before fetching (default true; a target's `options.robots === false` turns it off). */
  robots?: boolean;
  /** Render with the browser crawler (targets with `options.needsJs`); see `routePageCrawlers`. */
  needsJs?: boolean;
}

export type FailureOutcome = 'failed' | 'timeout' | 'too_large' | 'robots_disallowed';

export type PageOutcome =
  | { kind: 'product'; url: string; status: number; page: ProductPage }
  | {
      kind: 'links';
      url: string;
      status: number;
      links: { url: string; lastmod: string | null }[];
      sitemaps: string[];
    }
  | { kind: 'blocked'; url: string; status: number; reason: string }
  | { kind: 'failed'; url: string; status: number | null; outcome: FailureOutcome; reason: string };

export interface PageCrawler {
  /** Fetches and extracts every request; resolves once each has an outcome (never rejects per page). */
  fetchPages(requests: PageRequest[]): Promise<PageOutcome[]>;
  /**
   * For a caller that would rather come back than wait (a job holding a worker slot): 0 when a page of `url`'s origin
   * asked now would start within `opts.overMs`, else a booked time to come back in, ms (`HostLimiter.deferMs`).
   */
  deferMs(url: string, opts: DeferOptions): number;
  close(): Promise<void>;
}

/** Politeness and retry settings common to both page crawlers. */
export interface PoliteCrawlOptions {
  /** robots.txt per origin; without it robots.txt is not consulted (tests of bare fetching only). */
  robots?: RobotsCache;
  /** Per-origin slots and pauses; share one between the crawlers of a worker. Default: a private one. */
  hostLimiter?: HostLimiter;
  /** Delay before the first retry of a failed attempt, doubled each retry (capped at 60 s). Default 1 s. */
  retryBaseDelayMs?: number;
  /** 429 answers retried after their Retry-After, on top of `maxRetries`. Default 3. */
  maxRateLimitRetries?: number;
}

/** Retried after a 429's pause; not a failure of the page, so it has its own budget. */
class RateLimitedError extends RetryRequestError {}

/** What a crawler adapter needs to know about one attempt. */
export interface RequestLike {
  url: string;
  uniqueKey: string;
  retryCount: number;
  noRetry: boolean;
  userData: Record<string, unknown>;
}

type Settle = (outcome: PageOutcome) => void;

const MAX_BACKOFF_MS = 60_000;

/** Error codes that are the transport's verdict on a URL (FetchError / PermanentFetchError). */
function codeOf(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

function outcomeOf(code: string | null, message: string): FailureOutcome {
  if (code === 'timeout' || code === 'too_large') return code;
  if (/timed? ?out|timeout/i.test(message)) return 'timeout';
  if (/too_large|too large|exceeds \d+ bytes/i.test(message)) return 'too_large';
  return 'failed';
}

/**
 * The shared core of a page crawler: owns the pending outcomes, screens requests against robots.txt, and
 * gives the adapter hooks to call around each attempt.
 */
export function createPageCrawlCore(opts: PoliteCrawlOptions & { userAgent: string }) {
  const limiter = opts.hostLimiter ?? new HostLimiter();
  const baseDelay = opts.retryBaseDelayMs ?? 1000;
  const maxRateLimitRetries = opts.maxRateLimitRetries ?? 3;
  const pending = new Map<string, Settle>();
  const releases = new Map<string, () => void>();
  /** Slots taken before a request entered the crawler's queue, handed to its first attempt. */
  const granted = new Map<string, () => void>();

  const settle = (key: string, outcome: PageOutcome): void => {
    const resolve = pending.get(key);
    if (resolve) {
      pending.delete(key);
      resolve(outcome);
    }
  };
  const release = (request: RequestLike): void => {
    releases.get(request.uniqueKey)?.();
    releases.delete(request.uniqueKey);
    granted.get(request.uniqueKey)?.();
    granted.delete(request.uniqueKey);
  };

  return {
    limiter,
    settle,

    /**
     * Gives every request a unique key, settles those robots.txt forbids (never fetched), hands the rest to
     * `enqueue`, and resolves with all outcomes in order.
     */
    async fetchPages(
      requests: PageRequest[],
      enqueue: (
        queued: { url: string; uniqueKey: string; label: PageLabel; userData: Record<string, unknown> }[],
      ) => Promise<unknown>,
    ): Promise<PageOutcome[]> {
      const keyed = requests.map((r) => ({ ...r, uniqueKey: `${r.url}#${randomUUID()}` }));
      const outcomes = keyed.map(
        (r) => new Promise<PageOutcome>((resolve) => pending.set(r.uniqueKey, resolve)),
      );
      const screened = await Promise.all(
        keyed.map(async (r) => {
          if (!opts.robots || r.robots === false) return { r, crawlDelayMs: null };
          const verdict = await opts.robots.check(r.url);
          if (verdict.allowed) return { r, crawlDelayMs: verdict.crawlDelayMs };
          settle(r.uniqueKey, {
            kind: 'failed',
            url: r.url,
            status: null,
            outcome: 'robots_disallowed',
            reason: verdict.reason,
          });
          return null;
        }),
      );
      const queued = screened.flatMap((s) =>
        s
          ? [
              {
                url: s.r.url,
                uniqueKey: s.r.uniqueKey,
                label: s.r.label,
                userData: { hints: s.r.hints, crawlDelayMs: s.crawlDelayMs },
              },
            ]
          : [],
      );
      // Each request enters the crawler's queue once its origin has granted it a slot: a crawler slot then never
      // sits waiting on a busy origin while requests for idle origins queue behind it (head-of-line blocking).
      // A request whose origin is paused or stays busy too long goes in without one; its attempt waits and fails
      // as before.
      await Promise.all(
        queued.map(async (q) => {
          try {
            const release = await limiter.acquire(q.url, q.userData.crawlDelayMs);
            if (pending.has(q.uniqueKey)) granted.set(q.uniqueKey, release);
            else return release(); // the crawler closed meanwhile
          } catch {
            // OriginPausedError / SlotWaitTimeoutError: the attempt acquires (and records the error) itself
          }
          await enqueue([q]);
        }),
      );
      return Promise.all(outcomes);
    },

    /** Before an attempt: the slot granted before queueing (first attempt), else wait out the backoff, then for a slot. */
    async beforeAttempt(request: RequestLike): Promise<void> {
      const slot = granted.get(request.uniqueKey);
      if (slot) {
        granted.delete(request.uniqueKey);
        releases.set(request.uniqueKey, slot);
        return;
      }
      const notBefore = Number(request.userData.notBefore ?? 0);
      const wait = notBefore - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      release(request); // a slot left over from an attempt that died without reaching a handler
      const crawlDelayMs = (request.userData.crawlDelayMs as number | null | undefined) ?? null;
      releases.set(request.uniqueKey, await limiter.acquire(request.url, crawlDelayMs));
    },

    /** The response is in (or the attempt is over): free the origin's slot. Idempotent. */
    afterAttempt: release,

    /**
     * Applies the status rules to a response, returning the `blocked` outcome of a bot-block page, or null
     * when the page should be extracted. Throws to make crawlee retry (5xx, 429 within its budget) or
     * give up (other 4xx, as NonRetryableError "HTTP 404").
     */
    checkResponse(
      request: RequestLike,
      status: number,
      headers: Record<string, string | string[] | undefined>,
      html: string | null,
    ): Extract<PageOutcome, { kind: 'blocked' }> | null {
      const retryAfterHeader = headers['retry-after'];
      const retryAfter = parseRetryAfter(
        Array.isArray(retryAfterHeader) ? retryAfterHeader[0] : retryAfterHeader,
      );
      if (status === 429 || (status === 503 && retryAfter !== null)) {
        const tries = Number(request.userData.rateLimited ?? 0);
        limiter.pause(request.url, retryAfter ?? Math.min(MAX_BACKOFF_MS, baseDelay * 2 ** tries));
        if (status === 429 && tries < maxRateLimitRetries) {
          request.userData.rateLimited = tries + 1;
          throw new RateLimitedError(`HTTP 429 (retry after ${retryAfter ?? 'backoff'} ms)`);
        }
      }
      const block = classifyBlock({ status, headers, html });
      if (block.blocked) return { kind: 'blocked', url: request.url, status, reason: block.reason };
      if (status >= 500) throw new Error(`HTTP ${status}`);
      if (status >= 400) throw new NonRetryableError(`HTTP ${status}`);
      return null;
    },

    /** Crawlee's errorHandler: a retry is coming; schedule it with exponential backoff. */
    beforeRetry(request: RequestLike, error: unknown): void {
      release(request);
      request.userData.notBefore =
        error instanceof RateLimitedError
          ? 0 // the origin's pause already spaces it
          : Date.now() + Math.min(MAX_BACKOFF_MS, baseDelay * 2 ** request.retryCount);
    },

    /** Crawlee's failedRequestHandler: record the final error as the request's outcome. */
    fail(
      request: RequestLike,
      status: number | null,
      error: unknown,
      detail?: { code: string; message: string },
    ): void {
      release(request);
      if (error instanceof OriginPausedError) {
        settle(request.uniqueKey, {
          kind: 'blocked',
          url: request.url,
          status: status ?? 429,
          reason: error.message,
        });
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      const code = detail?.code ?? codeOf(error);
      const text = detail?.message ?? message.split('\n')[0];
      settle(request.uniqueKey, {
        kind: 'failed',
        url: request.url,
        status,
        outcome: outcomeOf(code, text),
        reason: (code && !text.startsWith(code) ? `${code}: ${text}` : text).slice(0, 500),
      });
    },

    /** Settles whatever is still pending (the crawler is closing). */
    failPending(reason: string): void {
      for (const key of [...pending.keys()]) {
        settle(key, {
          kind: 'failed',
          url: key.slice(0, key.lastIndexOf('#')),
          status: null,
          outcome: 'failed',
          reason,
        });
      }
      for (const r of [...releases.values(), ...granted.values()]) r();
      releases.clear();
      granted.clear();
    },
  };
}

export type PageCrawlCore = ReturnType<typeof createPageCrawlCore>;

type Queued = Parameters<Parameters<PageCrawlCore['fetchPages']>[1]>[0];

/** What both crawlee crawlers offer here: a run, a graceful stop, an immediate teardown, and their pool. */
interface KeepAliveCrawler {
  run(): Promise<unknown>;
  /** Set once running; `notify()` makes the pool look for ready requests now rather than at its next poll. */
  autoscaledPool?: { notify(): Promise<void> };
  stop(): void;
  teardown(): Promise<void>;
}

/**
 * Starts a keep-alive crawler built over `requests` (its `requestManager`) and wraps it as a PageCrawler: jobs feed
 * it through the core; closing stops it and settles whatever was still pending as failed. A job's request goes
 * straight into the manager and the crawler's pool is told at once that it arrived.
 */
export function runPageCrawler(
  crawler: KeepAliveCrawler,
  core: PageCrawlCore,
  requests: InMemoryRequestManager,
): PageCrawler {
  const running = crawler.run();
  const add = async (queued: Queued): Promise<void> => {
    requests.add(queued);
    // Free slots take the new requests now, not at the pool's next poll. Not before the pool runs: its first poll
    // takes them then, and a notify would start tasks on a pool whose run has not begun (see close).
    if (requests.wasPolled) void crawler.autoscaledPool?.notify();
  };
  return {
    fetchPages: (list) => core.fetchPages(list, add),
    deferMs: (url, opts) => core.limiter.deferMs(url, opts),
    async close() {
      // crawlee's teardown aborts the pool, and an abort that comes before the pool's run has begun is lost: the run
      // then starts on an aborted pool that never ends (keepAlive), and close waited forever (a crawler recycled
      // right after its first requests hung CI). The pool polls the queue as its run begins: wait for that.
      await Promise.race([requests.polled, running.catch(() => undefined)]);
      crawler.stop();
      await crawler.teardown();
      await running.catch(() => undefined);
      core.failPending('crawler closed');
    },
  };
}
