import { assertOkStatus, badShape, parseJsonBody } from './check-response.ts';
import { isRecord, joinUrl, langOf, rec, str, toIso } from './read-json.ts';
import type { SearchPage, SocialAdapter, SocialItem } from './types.ts';

const NAME = 'bluesky';
const MAX_LIMIT = 100;

/** `at://did:plc:x/app.bsky.feed.post/3kabc` by `alice.bsky.social` → its bsky.app web URL. */
function webUrl(uri: string, handle: string | null): string | null {
  const m = /^at:\/\/([^/]+)\/app\.bsky\.feed\.post\/([^/?#]+)$/.exec(uri);
  return m ? `https://bsky.app/profile/${handle ?? m[1]}/post/${m[2]}` : null;
}

function toItem(post: unknown): SocialItem | null {
  const p = rec(post);
  const record = rec(p.record);
  const uri = str(p.uri);
  const publishedAt = toIso(record.createdAt) ?? toIso(p.indexedAt);
  if (!uri || !publishedAt) return null;
  const handle = str(rec(p.author).handle);
  return {
    source: NAME,
    sourceId: uri,
    url: webUrl(uri, handle),
    author: handle,
    title: null,
    text: str(record.text) ?? '',
    publishedAt,
    lang: Array.isArray(record.langs) ? langOf(record.langs[0]) : null,
    raw: p,
  };
}

/**
 * Bluesky post search, `app.bsky.feed.searchPosts` (`/xrpc/app.bsky.feed.searchPosts?q=&sort=latest
 * &since=&limit=&cursor=`), newest first with the server's opaque cursor. `since` is passed through
 * (inclusive on createdAt). The demo market serves exactly this shape.
 */
export const blueskyAdapter: SocialAdapter = {
  name: NAME,
  defaultBaseUrl: 'https://public.api.bsky.app',
  buildRequest(q, cfg) {
    const url = joinUrl(cfg.baseUrl, 'xrpc/app.bsky.feed.searchPosts');
    url.searchParams.set('q', q.query);
    url.searchParams.set('sort', 'latest');
    if (q.since) url.searchParams.set('since', q.since);
    url.searchParams.set('limit', String(Math.min(Math.max(1, q.limit), MAX_LIMIT)));
    if (q.cursor) url.searchParams.set('cursor', q.cursor);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (cfg.token) headers.authorization = `Bearer ${cfg.token}`;
    return { url: url.toString(), headers };
  },
  parseResponse(status, headers, body): SearchPage {
    assertOkStatus(NAME, status, headers);
    const json = parseJsonBody(NAME, body);
    if (!isRecord(json) || !Array.isArray(json.posts)) badShape(NAME, 'posts');
    const items = json.posts.map(toItem).filter((i): i is SocialItem => i !== null);
    return { items, nextCursor: items.length > 0 ? str(json.cursor) : null };
  },
};
