import { FetchError, isTransientFetchError } from './fetch-error.ts';
import { type GuardedRequestOptions, openGuardedResponse } from './open-guarded-response.ts';
import { parseRetryAfter } from './parse-retry-after.ts';

/** Options of `safeFetch`; see `GuardedRequestOptions` for defaults. */
export type SafeFetchOptions = GuardedRequestOptions;

/** A complete, verified response: the body is whole (never truncated) and within the cap. */
export type FetchResult = {
  /** Final URL after redirects. */
  url: string;
  status: number;
  /** Lower-case names; repeated headers joined with ", " (set-cookie with "\n"). */
  headers: Record<string, string>;
  /** Decoded body. */
  body: Buffer;
  /** URLs redirected to, in order. */
  redirects: string[];
  /** The validated IP the final hop was connected to. */
  address: string;
  timings: { dnsMs: number; ttfbMs: number; totalMs: number };
};

/**
 * Fetch a user-supplied URL through the SSRF guard and read the whole body. This is the only way
 * Market Radar code should fetch a URL it did not write itself (crawl targets, feeds, webhooks).
 * HTTP error statuses are returned, not thrown (callers decide retry vs permanent).
 * Throws FetchError with code `url_not_allowed`, `dns`, `connect`, `timeout`, `too_large`,
 * `truncated`, `too_many_redirects`, `http_protocol` or `aborted`; it never carries a body.
 */
export async function safeFetch(url: string, opts: SafeFetchOptions): Promise<FetchResult> {
  const response = await openGuardedResponse(url, opts);
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of response.body) chunks.push(chunk as Buffer);
  } catch (error) {
    if (error instanceof FetchError) throw error;
    throw new FetchError('truncated', `response body truncated (${(error as Error).message})`, {
      url: response.url,
      redirects: response.redirects,
      cause: error,
    });
  }
  return {
    url: response.url,
    status: response.status,
    headers: response.headers,
    body: Buffer.concat(chunks),
    redirects: response.redirects,
    address: response.address,
    timings: {
      dnsMs: response.timings.dnsMs,
      ttfbMs: response.timings.ttfbMs,
      totalMs: Date.now() - response.timings.startedAt,
    },
  };
}

/** Statuses that say "not now" rather than "no": worth another try within the same run. */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([408, 425, 429, 500, 502, 503, 504]);

/** How `safeFetchWithRetries` retries what may succeed in a moment. */
export interface RetryOptions {
  /** Further attempts after the first (the crawler's `CRAWL_MAX_RETRIES` for crawl fetches). */
  retries: number;
  /** Waits before retry 1, 2, …; the last one repeats. Default 1 s, then 4 s. */
  delaysMs?: readonly number[];
  /** A `Retry-After` longer than this is not waited for: that response is returned as it is. Default 30 s. */
  maxWaitMs?: number;
}

/**
 * `safeFetch`, tried again after a transient transport failure (timeout, connect error or reset, truncated body)
 * or a status in `RETRY_STATUSES`, waiting the longer of its own backoff and the server's `Retry-After`. A
 * permanent failure (refused URL, size cap, redirect loop) is thrown at once; after the last attempt the last
 * error is thrown, or the last response returned, for the caller to record. One brief reset must not cost a feed
 * its whole schedule window. Only GET and HEAD are retried (another method is sent once); an abort while waiting
 * throws FetchError `aborted`, like an abort during a fetch.
 */
export async function safeFetchWithRetries(
  url: string,
  opts: SafeFetchOptions,
  retry: RetryOptions,
): Promise<FetchResult> {
  const delays = retry.delaysMs ?? [1_000, 4_000];
  const maxWait = retry.maxWaitMs ?? 30_000;
  const method = (opts.method ?? 'GET').toUpperCase();
  const retries = method === 'GET' || method === 'HEAD' ? retry.retries : 0;
  for (let attempt = 0; ; attempt++) {
    const last = attempt >= retries;
    const backoff = delays[Math.min(attempt, delays.length - 1)] ?? 0;
    let res: FetchResult;
    try {
      res = await safeFetch(url, opts);
    } catch (error) {
      if (last || !(error instanceof FetchError) || !isTransientFetchError(error)) throw error;
      await sleep(backoff, url, opts.signal);
      continue;
    }
    if (last || !RETRY_STATUSES.has(res.status)) return res;
    const asked = parseRetryAfter(res.headers['retry-after']);
    if (asked !== null && asked > maxWait) return res;
    await sleep(Math.max(backoff, asked ?? 0), url, opts.signal);
  }
}

function sleep(ms: number, url: string, signal: AbortSignal | undefined): Promise<void> {
  const aborted = () =>
    new FetchError('aborted', 'aborted while waiting to retry', { url, cause: signal?.reason });
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
