import { FetchError } from './fetch-error.ts';
import { type GuardedRequestOptions, openGuardedResponse } from './open-guarded-response.ts';

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
