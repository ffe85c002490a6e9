/** Largest feed body accepted, in bytes (UTF-8 length for string input). */
export const MAX_FEED_BYTES = 10 * 1024 * 1024;
/** Entries kept per feed; the rest are dropped and `truncated` is set. */
export const MAX_FEED_ENTRIES = 10_000;
/** Characters that internal DTD entities may expand to, in total, before the feed is rejected. */
export const MAX_ENTITY_EXPANSION = 1_000_000;
/** Element nesting deeper than this is flattened into its ancestor (and flagged as bozo). */
export const MAX_XML_DEPTH = 256;
