/** Syndication formats `parseFeed` recognises. */
export type FeedFormat = 'rss' | 'rss090' | 'rdf' | 'atom' | 'atom03' | 'cdf' | 'json';

/** What the crawler knows about the fetch that produced a feed body. */
export interface FeedContext {
  /** The URL that was fetched (after redirects); base for relative links. */
  url?: string;
  /** The `Content-Type` response header, charset parameter included. */
  contentType?: string | null;
  /** Other response headers; `Content-Location` and `Content-Type` are read, case-insensitively. */
  headers?: Record<string, string>;
}

/**
 * A category as feedparser's `tags` entry: `term` is the category itself, `scheme` the vocabulary
 * it belongs to (Atom `scheme`, RSS `domain`, the Media RSS or iTunes scheme), `label` a display
 * name. At least one of the three is set.
 */
export interface FeedTag {
  term: string | null;
  scheme: string | null;
  label: string | null;
}

/** A `media:content` object. Values are the attribute strings as written (`url` resolved). */
export interface MediaContent {
  url?: string;
  type?: string;
  medium?: string;
  fileSize?: string;
  isDefault?: string;
  expression?: string;
  bitrate?: string;
  framerate?: string;
  samplingrate?: string;
  channels?: string;
  duration?: string;
  height?: string;
  width?: string;
  lang?: string;
}

/** A `media:thumbnail`; `url` comes from the attribute, else from the element's text. */
export interface MediaThumbnail {
  url?: string;
  width?: string;
  height?: string;
  time?: string;
}

/** A `media:credit`: who took part (`content`) and how (`role`, in `scheme`). */
export interface MediaCredit {
  role?: string;
  scheme?: string;
  content?: string;
}

/** The first `media:rating`, e.g. `{ scheme: 'urn:simple', content: 'adult' }`. */
export interface MediaRating {
  scheme?: string;
  content?: string;
}

/** The first `media:restriction`; `content` is its space-separated list, lower-cased. */
export interface MediaRestriction {
  relationship?: string;
  type?: string;
  content?: string[];
}

/** The first `media:license`. */
export interface MediaLicense {
  type?: string;
  href?: string;
  content?: string;
}

/** The last `media:player`: an embeddable page for the media (`url`), sized. */
export interface MediaPlayer {
  url?: string;
  width?: string;
  height?: string;
  content?: string;
}

/**
 * Media RSS (`media:*`, as used by YouTube, podcasts and image feeds) on an entry or channel,
 * `media:group` and nested `media:content` flattened the way feedparser does (its `media_content`,
 * `media_thumbnail`, `media_credit`, `media_rating`, `media_restriction`, `media_license`,
 * `media_player`). For JSON Feed, `image`/`banner_image` become thumbnails and attachments content.
 */
export interface FeedMedia {
  content: MediaContent[];
  thumbnails: MediaThumbnail[];
  credits: MediaCredit[];
  rating: MediaRating | null;
  restriction: MediaRestriction | null;
  license: MediaLicense | null;
  player: MediaPlayer | null;
}

/**
 * One item of a feed. Text fields are kept as the feed gave them (HTML stays HTML, with relative
 * URLs resolved); use `toPlainText` for display or analysis. Every string is valid UTF-8 without NULs.
 */
export interface FeedEntry {
  id: string | null;
  title: string | null;
  link: string | null;
  summary: string | null;
  content: string | null;
  /** ISO-8601 UTC (`2004-01-01T19:48:21Z`), or null when absent or unparseable. */
  published: string | null;
  updated: string | null;
  author: string | null;
  /** Category terms as plain strings (term, else label, else text), deduplicated. */
  categories: string[];
  /** The same categories with their scheme and label, as feedparser's `tags`. */
  tags: FeedTag[];
  media: FeedMedia;
}

/** Channel-level metadata. */
export interface FeedMeta {
  title: string | null;
  link: string | null;
  subtitle: string | null;
  id: string | null;
  author: string | null;
  published: string | null;
  updated: string | null;
  tags: FeedTag[];
  media: FeedMedia;
}

/** A parsed feed, or why it could not be read at all. */
export type FeedResult =
  | {
      ok: true;
      format: FeedFormat;
      /** The body was malformed (bad XML, undeclared encoding, ...) and was recovered. */
      bozo: boolean;
      /** First recovery problem, for logs; null when not bozo. */
      bozoReason: string | null;
      /** Character encoding the body was decoded with (upper-case label, e.g. `UTF-8`, `KOI8-R`). */
      encoding: string;
      /** More than `MAX_FEED_ENTRIES` entries were present; the rest were dropped. */
      truncated: boolean;
      feed: FeedMeta;
      entries: FeedEntry[];
    }
  | { ok: false; error: string };
