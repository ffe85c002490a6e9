import { SourceError } from './source-error.ts';
import type { SearchQuery, SocialAdapter, SocialFetcher, SocialItem, SourceConfig } from './types.ts';

/** Pages read per search when the caller does not say. */
export const DEFAULT_MAX_PAGES = 5;

/** Options of `searchSource`. */
export interface SearchSourceOptions {
  /** Stop after this many pages even if more are available (default 5). */
  maxPages?: number;
}

/**
 * Runs one search against one social source: builds each page's request with `adapter`, fetches it
 * with `fetcher`, parses it, and follows cursors until a page reaches items older than `q.since`,
 * the source has no next page, a cursor repeats, or `maxPages` pages were read. Items older than
 * `since` are dropped and items are de-duplicated on `sourceId`; order is the source's (newest first).
 * The base URL falls back to the adapter's public default when `cfg.baseUrl` is empty.
 * Throws SourceError: `rate_limited` (with `retryAfterMs` when the source said how long),
 * `auth`, `unavailable` (5xx, or the fetcher itself failing), `bad_response`.
 */
export async function searchSource(
  adapter: SocialAdapter,
  q: SearchQuery,
  cfg: SourceConfig,
  fetcher: SocialFetcher,
  opts: SearchSourceOptions = {},
): Promise<SocialItem[]> {
  const maxPages = opts.maxPages ?? DEFAULT_MAX_PAGES;
  const since = q.since ? Date.parse(q.since) : Number.NEGATIVE_INFINITY;
  if (Number.isNaN(since)) throw new RangeError(`since is not a date: ${q.since}`);
  const config = { ...cfg, baseUrl: cfg.baseUrl || adapter.defaultBaseUrl };
  const found = new Map<string, SocialItem>();
  const cursors = new Set<string>();
  let cursor = q.cursor;
  for (let page = 0; page < maxPages; page++) {
    const request = adapter.buildRequest({ ...q, cursor }, config);
    let response: Awaited<ReturnType<SocialFetcher>>;
    try {
      response = await fetcher(request.url, request.headers);
    } catch (error) {
      if (error instanceof SourceError) throw error;
      throw new SourceError('unavailable', `${adapter.name}: ${(error as Error).message}`, {
        source: adapter.name,
        cause: error,
      });
    }
    const result = adapter.parseResponse(response.status, response.headers, response.body);
    let reachedSince = false;
    for (const item of result.items) {
      if (Date.parse(item.publishedAt) < since) {
        reachedSince = true;
        continue;
      }
      if (!found.has(item.sourceId)) found.set(item.sourceId, item);
    }
    if (reachedSince || result.nextCursor === null || result.items.length === 0) break;
    if (cursors.has(result.nextCursor)) break;
    cursors.add(result.nextCursor);
    cursor = result.nextCursor;
  }
  return [...found.values()];
}
