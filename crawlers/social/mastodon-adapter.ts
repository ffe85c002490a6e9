import { assertOkStatus, badShape, parseJsonBody } from './check-response.ts';
import { htmlToText } from './html-to-text.ts';
import { isRecord, joinUrl, langOf, rec, str, toIso } from './read-json.ts';
import type { SearchPage, SocialAdapter, SocialItem } from './types.ts';

const NAME = 'mastodon';
const MAX_LIMIT = 40;
const HASHTAG = /^#([\p{L}\p{N}_]+)$/u;

function toItem(status: unknown): SocialItem | null {
  const s = rec(status);
  // A boost carries the boosted post; the mention is the original.
  const post = isRecord(s.reblog) ? s.reblog : s;
  const id = str(post.id);
  const publishedAt = toIso(post.created_at);
  if (!id || !publishedAt) return null;
  const account = rec(post.account);
  const spoiler = str(post.spoiler_text);
  const text = htmlToText(str(post.content));
  return {
    source: NAME,
    sourceId: str(post.uri) ?? id,
    url: str(post.url) ?? str(post.uri),
    author: str(account.acct) ?? str(account.username),
    title: spoiler,
    text,
    publishedAt,
    lang: langOf(post.language),
    raw: s,
  };
}

/** The `max_id` of a `Link: <…?max_id=123>; rel="next"` header, when present. */
function nextFromLink(link: string | undefined): string | null {
  if (!link) return null;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (m) {
      try {
        return new URL(m[1]).searchParams.get('max_id');
      } catch {
        return null;
      }
    }
  }
  return null;
}

/**
 * Mastodon (any instance; the base URL picks it). A query that is a single hashtag (`#skincare`)
 * reads the public tag timeline `/api/v1/timelines/tag/:hashtag`; anything else uses full-text
 * status search `/api/v2/search?q=&type=statuses` (most instances require a token for it). Pages
 * go back in time with `max_id` (the Link header's, else the oldest status id). HTML content is
 * converted to plain text; the content warning becomes the title.
 */
export const mastodonAdapter: SocialAdapter = {
  name: NAME,
  defaultBaseUrl: 'https://mastodon.social',
  buildRequest(q, cfg) {
    const limit = String(Math.min(Math.max(1, q.limit), MAX_LIMIT));
    const tag = HASHTAG.exec(q.query.trim());
    const url = tag
      ? joinUrl(cfg.baseUrl, `api/v1/timelines/tag/${encodeURIComponent(tag[1])}`)
      : joinUrl(cfg.baseUrl, 'api/v2/search');
    if (!tag) {
      url.searchParams.set('q', q.query);
      url.searchParams.set('type', 'statuses');
      url.searchParams.set('resolve', 'false');
    }
    url.searchParams.set('limit', limit);
    if (q.cursor) url.searchParams.set('max_id', q.cursor);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (cfg.token) headers.authorization = `Bearer ${cfg.token}`;
    return { url: url.toString(), headers };
  },
  parseResponse(status, headers, body): SearchPage {
    assertOkStatus(NAME, status, headers);
    const json = parseJsonBody(NAME, body);
    const statuses = Array.isArray(json) ? json : isRecord(json) ? json.statuses : undefined;
    if (!Array.isArray(statuses)) badShape(NAME, 'an array of statuses or { statuses }');
    const items = statuses.map(toItem).filter((i): i is SocialItem => i !== null);
    const oldest = statuses.length > 0 ? str(rec(statuses[statuses.length - 1]).id) : null;
    const link = nextFromLink(headers.link);
    return { items, nextCursor: statuses.length === 0 ? null : (link ?? oldest) };
  },
};
