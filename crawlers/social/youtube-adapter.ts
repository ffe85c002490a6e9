import { parseFeed, toPlainText } from '../feeds/index.ts';
import { assertOkStatus } from './check-response.ts';
import { joinUrl } from './read-json.ts';
import { SourceError } from './source-error.ts';
import type { SearchPage, SocialAdapter, SocialItem } from './types.ts';

const NAME = 'youtube';

/**
 * A YouTube channel's public Atom feed (`/feeds/videos.xml?channel_id=UC…`; a query that does not
 * look like a channel id is sent as `user=`). The feed holds the latest ~15 videos and has no
 * pagination, so `nextCursor` is always null. Parsed with `parseFeed`; the video description
 * (`media:description`) is the text.
 */
export const youtubeAdapter: SocialAdapter = {
  name: NAME,
  defaultBaseUrl: 'https://www.youtube.com',
  buildRequest(q, cfg) {
    const url = joinUrl(cfg.baseUrl, 'feeds/videos.xml');
    const id = q.query.trim();
    url.searchParams.set(
      /^UC[\w-]{22}$/.test(id) ? 'channel_id' : id.startsWith('PL') ? 'playlist_id' : 'user',
      id,
    );
    return { url: url.toString(), headers: { accept: 'application/atom+xml, application/xml;q=0.9' } };
  },
  parseResponse(status, headers, body): SearchPage {
    assertOkStatus(NAME, status, headers);
    const feed = parseFeed(body, { contentType: headers['content-type'] ?? null, headers });
    if (!feed.ok) throw new SourceError('bad_response', `${NAME}: ${feed.error}`, { source: NAME });
    const items: SocialItem[] = [];
    for (const entry of feed.entries) {
      const publishedAt = entry.published ?? entry.updated;
      const id = entry.id ?? entry.link;
      if (!publishedAt || !id) continue;
      items.push({
        source: NAME,
        sourceId: id.replace(/^yt:video:/, ''),
        url: entry.link,
        author: entry.author ?? feed.feed.author,
        title: entry.title ? toPlainText(entry.title) : null,
        text: toPlainText(entry.content ?? entry.summary) || toPlainText(entry.title),
        publishedAt,
        lang: null,
        raw: entry,
      });
    }
    return { items, nextCursor: null };
  },
};
