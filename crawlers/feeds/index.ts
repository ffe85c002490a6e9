/** Feeds: fetched RSS/Atom/RDF/CDF/JSON Feed bodies in, plain entries out. Pure; no I/O. */
export { entryKey } from './entry-key.ts';
export { MAX_ENTITY_EXPANSION, MAX_FEED_BYTES, MAX_FEED_ENTRIES } from './limits.ts';
export { parseFeed } from './parse-feed.ts';
export { parseFeedDate } from './parse-feed-date.ts';
export { toPlainText } from './to-plain-text.ts';
export type {
  FeedContext,
  FeedEntry,
  FeedFormat,
  FeedMedia,
  FeedMeta,
  FeedResult,
  FeedTag,
  MediaContent,
  MediaCredit,
  MediaLicense,
  MediaPlayer,
  MediaRating,
  MediaRestriction,
  MediaThumbnail,
} from './types.ts';
