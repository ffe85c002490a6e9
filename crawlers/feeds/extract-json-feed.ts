import { parseJsonFeed } from 'feedsmith';
import type { ExtractedFeed } from './extract-xml-feed.ts';
import { MAX_FEED_ENTRIES } from './limits.ts';
import { parseFeedDate } from './parse-feed-date.ts';
import { emptyMedia } from './read-media.ts';
import { replaceUnsafeCharacters } from './replace-unsafe-characters.ts';
import { resolveHtmlUrls, resolveUrl } from './resolve-url.ts';
import type { FeedEntry, FeedMedia, MediaContent } from './types.ts';

/**
 * Maps a JSON Feed 1.0/1.1 document (already `JSON.parse`d) through feedsmith onto our shapes;
 * relative URLs resolve against `home_page_url`, then `baseUrl`.
 * @throws Error (feedsmith's `ParseError`) when the value is not a JSON Feed.
 */
export function extractJsonFeed(value: unknown, baseUrl: string | null): ExtractedFeed {
  const json = parseJsonFeed(value);
  const str = (v: unknown): string | null =>
    typeof v === 'string' && v.trim() !== '' ? replaceUnsafeCharacters(v.trim()) : null;
  const home = str(json.home_page_url);
  const base = home ? resolveUrl(home, baseUrl) : baseUrl;
  const url = (v: unknown) => {
    const s = str(v);
    return s ? resolveUrl(s, base) : null;
  };
  const authorOf = (authors: unknown): string | null =>
    Array.isArray(authors)
      ? (authors.map((a) => str((a as { name?: unknown })?.name)).find((n) => n) ?? null)
      : null;
  const mediaOf = (item: (typeof items)[number]): FeedMedia => {
    const media = emptyMedia();
    for (const image of [url(item.image), url(item.banner_image)])
      if (image) media.thumbnails.push({ url: image });
    for (const attachment of Array.isArray(item.attachments) ? item.attachments : []) {
      const href = url(attachment?.url);
      if (!href) continue;
      const content: MediaContent = { url: href };
      const type = str(attachment.mime_type);
      if (type) content.type = type.toLowerCase();
      if (typeof attachment.size_in_bytes === 'number') content.fileSize = String(attachment.size_in_bytes);
      if (typeof attachment.duration_in_seconds === 'number')
        content.duration = String(attachment.duration_in_seconds);
      media.content.push(content);
    }
    return media;
  };
  const items = Array.isArray(json.items) ? json.items : [];
  const entries: FeedEntry[] = items.slice(0, MAX_FEED_ENTRIES).map((item) => {
    const html = str(item.content_html);
    const content = html ? resolveHtmlUrls(html, base) : str(item.content_text);
    const categories = Array.isArray(item.tags)
      ? item.tags.map(str).filter((t): t is string => t !== null)
      : [];
    return {
      id: str(item.id) ?? (typeof item.id === 'number' ? String(item.id) : null),
      title: str(item.title),
      link: url(item.url) ?? url(item.external_url),
      summary: str(item.summary) ?? content,
      content,
      published: parseFeedDate(str(item.date_published)),
      updated: parseFeedDate(str(item.date_modified)),
      author: authorOf(item.authors),
      categories,
      tags: categories.map((term) => ({ term, scheme: null, label: null })),
      media: mediaOf(item),
    };
  });
  return {
    format: 'json',
    feed: {
      title: str(json.title),
      link: home ? resolveUrl(home, baseUrl) : null,
      subtitle: str(json.description),
      id: url(json.feed_url),
      author: authorOf(json.authors),
      published: null,
      updated: null,
      tags: [],
      media: emptyMedia(),
    },
    entries,
    truncated: items.length > MAX_FEED_ENTRIES,
  };
}
