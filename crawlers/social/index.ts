/**
 * Social sources: one interface (`SocialAdapter`: build a search request, parse a response) with a
 * replaceable adapter per network, and `searchSource` to paginate one search. Adapters are pure;
 * the transport is injected (`createSafeFetcher` for production).
 */
export { SOCIAL_ADAPTERS } from './adapters.ts';
export { blueskyAdapter } from './bluesky-adapter.ts';
export { assertOkStatus, parseJsonBody, readRetryAfter } from './check-response.ts';
export { hackerNewsAdapter } from './hacker-news-adapter.ts';
export { htmlToText } from './html-to-text.ts';
export { mastodonAdapter } from './mastodon-adapter.ts';
export { redditAdapter } from './reddit-adapter.ts';
export { createSafeFetcher } from './safe-fetcher.ts';
export { DEFAULT_MAX_PAGES, type SearchSourceOptions, searchSource } from './search-source.ts';
export { SourceError, type SourceErrorKind } from './source-error.ts';
export type {
  SearchPage,
  SearchQuery,
  SocialAdapter,
  SocialFetcher,
  SocialItem,
  SourceConfig,
  SourceRequest,
  SourceResponse,
} from './types.ts';
export { youtubeAdapter } from './youtube-adapter.ts';
