import { assertOkStatus, badShape, parseJsonBody } from './check-response.ts';
import { htmlToText } from './html-to-text.ts';
import { isRecord, joinUrl, rec, str, toIso } from './read-json.ts';
import type { SearchPage, SocialAdapter, SocialItem } from './types.ts';

const NAME = 'hackernews';
const MAX_LIMIT = 1000;

function toItem(hit: unknown): SocialItem | null {
  const h = rec(hit);
  const id = str(h.objectID);
  const publishedAt = toIso(h.created_at_i) ?? toIso(h.created_at);
  if (!id || !publishedAt) return null;
  const title = str(h.title);
  const text = htmlToText(str(h.comment_text) ?? str(h.story_text));
  return {
    source: NAME,
    sourceId: id,
    url: `https://news.ycombinator.com/item?id=${encodeURIComponent(id)}`,
    author: str(h.author),
    title: title ?? (str(h.story_title) ? `Re: ${h.story_title}` : null),
    text: text || title || str(h.url) || '',
    publishedAt,
    lang: null,
    raw: h,
  };
}

/**
 * Hacker News through Algolia (`/api/v1/search_by_date?query=&tags=(story,comment)&numericFilters=
 * created_at_i>N&hitsPerPage=&page=`): stories and comments newest first; the cursor is the page
 * number. No token is needed.
 */
export const hackerNewsAdapter: SocialAdapter = {
  name: NAME,
  defaultBaseUrl: 'https://hn.algolia.com',
  buildRequest(q, cfg) {
    const url = joinUrl(cfg.baseUrl, 'api/v1/search_by_date');
    url.searchParams.set('query', q.query);
    url.searchParams.set('tags', '(story,comment)');
    if (q.since) {
      const seconds = Math.floor(Date.parse(q.since) / 1000);
      if (Number.isFinite(seconds)) url.searchParams.set('numericFilters', `created_at_i>${seconds - 1}`);
    }
    url.searchParams.set('hitsPerPage', String(Math.min(Math.max(1, q.limit), MAX_LIMIT)));
    if (q.cursor) url.searchParams.set('page', q.cursor);
    return { url: url.toString(), headers: { accept: 'application/json' } };
  },
  parseResponse(status, headers, body): SearchPage {
    assertOkStatus(NAME, status, headers);
    const json = parseJsonBody(NAME, body);
    if (!isRecord(json) || !Array.isArray(json.hits)) badShape(NAME, 'hits');
    const items = json.hits.map(toItem).filter((i): i is SocialItem => i !== null);
    const page = typeof json.page === 'number' ? json.page : 0;
    const pages = typeof json.nbPages === 'number' ? json.nbPages : 0;
    return { items, nextCursor: page + 1 < pages && items.length > 0 ? String(page + 1) : null };
  },
};
