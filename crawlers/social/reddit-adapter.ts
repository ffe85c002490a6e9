import { assertOkStatus, badShape, parseJsonBody } from './check-response.ts';
import { isRecord, joinUrl, rec, str, toIso } from './read-json.ts';
import type { SearchPage, SocialAdapter, SocialItem } from './types.ts';

const NAME = 'reddit';
const MAX_LIMIT = 100;

function toItem(child: unknown, site: string): SocialItem | null {
  const data = rec(rec(child).data);
  const id = str(data.name) ?? (str(data.id) ? `t3_${data.id}` : null);
  const publishedAt = toIso(data.created_utc);
  if (!id || !publishedAt) return null;
  const title = str(data.title);
  const permalink = str(data.permalink);
  return {
    source: NAME,
    sourceId: id,
    url: permalink ? new URL(permalink, site).toString() : str(data.url),
    author: str(data.author),
    title,
    text: str(data.selftext) ?? title ?? '',
    publishedAt,
    lang: null,
    raw: data,
  };
}

/**
 * Reddit site-wide search (`/search.json?q=&sort=new&t=all&limit=&after=`), newest first, paged by
 * the listing's `after` fullname. With a token the OAuth host is expected as base URL
 * (`https://oauth.reddit.com`) and the token is sent as a bearer. Reddit has no date filter finer
 * than `t`, so `since` is enforced by `searchSource` stopping at older items.
 */
export const redditAdapter: SocialAdapter = {
  name: NAME,
  defaultBaseUrl: 'https://www.reddit.com',
  buildRequest(q, cfg) {
    const url = joinUrl(cfg.baseUrl, 'search.json');
    url.searchParams.set('q', q.query);
    url.searchParams.set('sort', 'new');
    url.searchParams.set('t', 'all');
    url.searchParams.set('limit', String(Math.min(Math.max(1, q.limit), MAX_LIMIT)));
    url.searchParams.set('raw_json', '1');
    if (q.cursor) url.searchParams.set('after', q.cursor);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (cfg.token) headers.authorization = `bearer ${cfg.token}`;
    return { url: url.toString(), headers };
  },
  parseResponse(status, headers, body): SearchPage {
    assertOkStatus(NAME, status, headers);
    const json = parseJsonBody(NAME, body);
    const data = isRecord(json) ? json.data : undefined;
    if (!isRecord(data) || !Array.isArray(data.children)) badShape(NAME, 'data.children');
    const items = data.children
      .map((c) => toItem(c, 'https://www.reddit.com'))
      .filter((i): i is SocialItem => i !== null);
    return { items, nextCursor: str(data.after) };
  },
};
