import { type SafeFetchOptions, safeFetch } from '../net/index.ts';
import type { SocialFetcher } from './types.ts';

/**
 * The production `SocialFetcher`: GETs through the SSRF-guarded transport (`safeFetch`) with the
 * given policy and limits, merging the adapter's headers over `opts.headers`. HTTP error statuses
 * are returned for the adapter to classify; transport failures throw FetchError (which
 * `searchSource` reports as `unavailable`).
 */
export function createSafeFetcher(opts: SafeFetchOptions): SocialFetcher {
  return async (url, headers) => {
    const res = await safeFetch(url, { ...opts, method: 'GET', headers: { ...opts.headers, ...headers } });
    return { status: res.status, headers: res.headers, body: res.body };
  };
}
