/** One post, comment, story or video from a social source, normalised across networks. */
export interface SocialItem {
  /** Adapter name (`reddit`, `hackernews`, `mastodon`, `bluesky`, `youtube`). */
  source: string;
  /** The network's stable id for the item (Reddit fullname, HN objectID, AT URI, status id, video id). */
  sourceId: string;
  url: string | null;
  author: string | null;
  title: string | null;
  /** Plain text (HTML content is converted); may repeat the title when the item has no body. */
  text: string;
  /** ISO-8601 UTC. */
  publishedAt: string;
  /** Language the network reports (`en`), lower-case primary subtag; null when it reports none. */
  lang: string | null;
  /** The item as the network returned it, for auditing; never needed downstream. */
  raw?: unknown;
}

/** One page of search results and the cursor of the next, older page (null at the end). */
export interface SearchPage {
  items: SocialItem[];
  nextCursor: string | null;
}

/** What to search for: a query, an optional lower bound on publication time, a page cursor and size. */
export interface SearchQuery {
  query: string;
  /** ISO-8601; items published before this are not wanted. */
  since: string | null;
  cursor: string | null;
  limit: number;
}

/** Where a source lives; the base URL defaults to the public service but is always configurable. */
export interface SourceConfig {
  baseUrl: string;
  token?: string;
}

/** An HTTP request an adapter wants made: GET of `url` with `headers`. */
export interface SourceRequest {
  url: string;
  headers: Record<string, string>;
}

/** The parts of an HTTP response adapters read. Header names are lower-case. */
export interface SourceResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Performs one GET; the network transport is injected so adapters stay pure. */
export type SocialFetcher = (url: string, headers: Record<string, string>) => Promise<SourceResponse>;

/** One social network: builds its search request and parses its response. Pure; no I/O. */
export interface SocialAdapter {
  name: string;
  /** The public service's base URL, used when the caller configures none. */
  defaultBaseUrl: string;
  buildRequest(q: SearchQuery, cfg: SourceConfig): SourceRequest;
  /** Throws SourceError for auth failures, rate limits, outages and unparseable bodies. */
  parseResponse(status: number, headers: Record<string, string>, body: Buffer): SearchPage;
}
