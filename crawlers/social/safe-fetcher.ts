import { type RetryOptions, type SafeFetchOptions, safeFetchWithRetries } from '../net/index.ts';
import type { SocialFetcher } from './types.ts';

/**
 * The production `SocialFetcher`: GETs through the SSRF-guarded transport (`safeFetch`) with the
 * given policy and limits, merging the adapter's headers over `opts.headers`. HTTP error statuses
 * are returned for the adapter to classify; transport failures throw FetchError (which
 * `searchSource` reports as `unavailable`). With `retry`, a transient failure or a "not now" status (429, 5xx)
 * is tried again first (`safeFetchWithRetries`), so one page's hiccup does not end the whole search.
 */
export function createSafeFetcher(
  opts: SafeFetchOptions,
  retry: RetryOptions = { retries: 0 },
): SocialFetcher {
  return async (url, headers) => {
    const res = await safeFetchWithRetries(
      url,
      { ...opts, method: 'GET', headers: { ...opts.headers, ...headers } },
      retry,
    );
    return { status: res.status, headers: res.headers, body: res.body };
  };
}
