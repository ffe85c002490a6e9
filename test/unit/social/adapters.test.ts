import { afterEach, describe, expect, it } from 'vitest';
import {
  blueskyAdapter,
  hackerNewsAdapter,
  mastodonAdapter,
  redditAdapter,
  type SearchQuery,
  SourceError,
  searchSource,
  youtubeAdapter,
} from '../../../crawlers/social/index.ts';
import { type FixtureServer, type Route, startFixtureServer } from './fixture-server.ts';

let server: FixtureServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function serve(route: Route): Promise<FixtureServer> {
  server = await startFixtureServer(route);
  return server;
}

const query = (over: Partial<SearchQuery> = {}): SearchQuery => ({
  query: 'lumina beauty',
  since: null,
  cursor: null,
  limit: 2,
  ...over,
});

describe('reddit', () => {
  it('pages by `after` and stops at items older than since', async () => {
    const s = await serve((url) =>
      url.pathname === '/search.json'
        ? {
            file:
              url.searchParams.get('after') === 't3_1h2k9zq'
                ? 'reddit-search-2.json'
                : 'reddit-search-1.json',
          }
        : undefined,
    );
    const items = await searchSource(
      redditAdapter,
      query({ since: '2024-11-01T00:00:00Z' }),
      { baseUrl: s.baseUrl },
      s.fetcher,
    );
    expect(items.map((i) => i.sourceId)).toEqual(['t3_1h2kb01', 't3_1h2k9zq', 't3_1h1a002']);
    expect(s.requests).toHaveLength(2);
    const first = s.requests[0].url.searchParams;
    expect(first.get('q')).toBe('lumina beauty');
    expect(first.get('sort')).toBe('new');
    expect(first.get('t')).toBe('all');
    expect(s.requests[1].url.searchParams.get('after')).toBe('t3_1h2k9zq');
    expect(items[0]).toMatchObject({
      source: 'reddit',
      author: 'glowgetter',
      title: '[Review] Lumina Beauty Glow Serum after 2 weeks',
      publishedAt: '2024-11-28T13:20:00.000Z',
      url: 'https://www.reddit.com/r/SkincareAddiction/comments/1h2kb01/review_lumina_beauty_glow_serum_after_2_weeks/',
    });
    // A link post has no selftext: its title is the text.
    expect(items[1].text).toBe('Lumina Beauty restock at Sephora?');
  });

  it('sends a bearer token when configured', async () => {
    const s = await serve(() => ({ file: 'reddit-search-2.json' }));
    await searchSource(redditAdapter, query(), { baseUrl: s.baseUrl, token: 'tok' }, s.fetcher, {
      maxPages: 1,
    });
    expect(s.requests[0].headers.authorization).toBe('bearer tok');
  });
});

describe('hacker news (Algolia)', () => {
  it('filters by created_at_i, pages by page number, converts HTML comments', async () => {
    const s = await serve((url) =>
      url.pathname === '/api/v1/search_by_date'
        ? { file: url.searchParams.get('page') === '1' ? 'hn-search-1.json' : 'hn-search-0.json' }
        : undefined,
    );
    const items = await searchSource(
      hackerNewsAdapter,
      query({ since: '2024-11-20T00:00:00Z' }),
      { baseUrl: s.baseUrl },
      s.fetcher,
    );
    expect(items.map((i) => i.sourceId)).toEqual(['41999001', '41999050', '41990000']);
    expect(s.requests[0].url.searchParams.get('numericFilters')).toBe(
      `created_at_i>${Date.parse('2024-11-20T00:00:00Z') / 1000 - 1}`,
    );
    expect(s.requests[1].url.searchParams.get('page')).toBe('1');
    expect(items[1].text).toBe(
      "Nice. How do you handle Lumina Beauty's geo-pricing? Asking for a friend & co.",
    );
    expect(items[1].title).toBe('Re: Show HN: Open-source price tracker for Lumina Beauty products');
    expect(items[1].url).toBe('https://news.ycombinator.com/item?id=41999050');
    expect(items[2].text).toBe('Ask HN: anyone scraped Lumina Beauty reviews?');
  });
});

describe('mastodon', () => {
  it('reads the tag timeline for a hashtag query and pages by the Link header', async () => {
    const s = await serve((url) => {
      if (url.pathname !== '/api/v1/timelines/tag/LuminaBeauty') return undefined;
      if (url.searchParams.get('max_id')) return { body: '[]' };
      return {
        file: 'mastodon-tag.json',
        headers: {
          link: `<${'https://mastodon.social'}/api/v1/timelines/tag/LuminaBeauty?max_id=113561000000000001>; rel="next", <https://mastodon.social/api/v1/timelines/tag/LuminaBeauty?min_id=113562000000000003>; rel="prev"`,
        },
      };
    });
    const items = await searchSource(
      mastodonAdapter,
      query({ query: '#LuminaBeauty' }),
      { baseUrl: s.baseUrl },
      s.fetcher,
    );
    expect(items).toHaveLength(2);
    expect(s.requests[1].url.searchParams.get('max_id')).toBe('113561000000000001');
    expect(items[0]).toMatchObject({
      source: 'mastodon',
      sourceId: 'https://mastodon.social/users/glowup/statuses/113562000000000003',
      url: 'https://mastodon.social/@glowup/113562000000000003',
      author: 'glowup',
      lang: 'en',
      text: "Tried the new #LuminaBeauty cleanser & I'm impressed. 10/10 would buy again",
    });
    expect(items[1]).toMatchObject({
      title: 'skincare rant',
      author: 'ana@pixel.example',
      text: 'Broke out after #LuminaBeauty toner. Never again.',
    });
  });

  it('uses /api/v2/search for text queries, with the token', async () => {
    const s = await serve((url) =>
      url.pathname === '/api/v2/search' ? { file: 'mastodon-search.json' } : undefined,
    );
    const items = await searchSource(
      mastodonAdapter,
      query(),
      { baseUrl: s.baseUrl, token: 'abc' },
      s.fetcher,
      { maxPages: 1 },
    );
    expect(s.requests[0].url.searchParams.get('type')).toBe('statuses');
    expect(s.requests[0].headers.authorization).toBe('Bearer abc');
    expect(items[0]).toMatchObject({ lang: 'pt', text: 'O sérum da Lumina Beauty é ótimo!' });
  });
});

describe('bluesky', () => {
  it('passes q/since/limit/cursor and follows the cursor to the end', async () => {
    const s = await serve((url) =>
      url.pathname === '/xrpc/app.bsky.feed.searchPosts'
        ? { file: url.searchParams.get('cursor') ? 'bluesky-search-2.json' : 'bluesky-search-1.json' }
        : undefined,
    );
    const items = await searchSource(
      blueskyAdapter,
      query({ since: '2024-11-20T00:00:00.000Z' }),
      { baseUrl: s.baseUrl },
      s.fetcher,
    );
    expect(items).toHaveLength(3);
    const p = s.requests[0].url.searchParams;
    expect([p.get('q'), p.get('since'), p.get('limit')]).toEqual([
      'lumina beauty',
      '2024-11-20T00:00:00.000Z',
      '2',
    ]);
    expect(s.requests[1].url.searchParams.get('cursor')).toBe(
      'MTczMjc4MDgwMDAwMHxhdDovL2RpZDpwbGM6ZGVmNDU2dXZ3',
    );
    expect(items[0]).toMatchObject({
      sourceId: 'at://did:plc:abc123xyz/app.bsky.feed.post/3lbx7a2k2c22a',
      url: 'https://bsky.app/profile/maya.bsky.social/post/3lbx7a2k2c22a',
      author: 'maya.bsky.social',
      lang: 'en',
      publishedAt: '2024-11-28T09:30:00.000Z',
    });
    expect(items[1].lang).toBe('es');
  });

  it('honours maxPages', async () => {
    const s = await serve(() => ({ file: 'bluesky-search-1.json' }));
    const items = await searchSource(blueskyAdapter, query(), { baseUrl: s.baseUrl }, s.fetcher, {
      maxPages: 1,
    });
    expect(items).toHaveLength(2);
    expect(s.requests).toHaveLength(1);
  });
});

describe('youtube channel RSS', () => {
  it('parses the feed with parseFeed and filters by since', async () => {
    const s = await serve((url) =>
      url.pathname === '/feeds/videos.xml' ? { file: 'youtube-channel.xml' } : undefined,
    );
    const items = await searchSource(
      youtubeAdapter,
      query({ query: 'UCabcdefghijklmnopqrstuv', since: '2024-11-01T00:00:00Z' }),
      { baseUrl: s.baseUrl },
      s.fetcher,
    );
    expect(s.requests[0].url.searchParams.get('channel_id')).toBe('UCabcdefghijklmnopqrstuv');
    expect(items).toEqual([
      expect.objectContaining({
        source: 'youtube',
        sourceId: 'dQw4w9WgXcQ',
        url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
        author: 'Lumina Beauty',
        title: 'Glow Serum: how to layer it & what not to mix',
        text: 'Our chemist explains layering the Glow Serum with retinol and vitamin C.',
        publishedAt: '2024-11-27T15:00:06Z',
      }),
    ]);
  });
});

describe('errors', () => {
  const cases: [string, number, Record<string, string>, string, SourceError['kind'], number | null][] = [
    ['401', 401, {}, '{"error":"InvalidToken"}', 'auth', null],
    ['403', 403, {}, '{"message":"Forbidden"}', 'auth', null],
    [
      '429 Retry-After',
      429,
      { 'retry-after': '30' },
      '{"message":"Too many requests"}',
      'rate_limited',
      30_000,
    ],
    ['429 reset seconds', 429, { 'x-ratelimit-reset': '12' }, '{}', 'rate_limited', 12_000],
    ['503', 503, {}, '<html>down</html>', 'unavailable', null],
    ['malformed JSON', 200, {}, '{"posts":[{"uri":', 'bad_response', null],
    ['wrong shape', 200, {}, '{"data":{}}', 'bad_response', null],
    ['HTML with 200', 200, {}, '<!doctype html><title>blocked</title>', 'bad_response', null],
  ];
  for (const [label, status, headers, body, kind, retry] of cases) {
    it(`${label} → ${kind}`, async () => {
      const s = await serve(() => ({ status, headers, body }));
      for (const adapter of [redditAdapter, blueskyAdapter, hackerNewsAdapter, mastodonAdapter]) {
        const error = await searchSource(adapter, query(), { baseUrl: s.baseUrl }, s.fetcher).catch(
          (e: unknown) => e,
        );
        if (label === 'wrong shape' && adapter === mastodonAdapter) continue;
        expect(error, adapter.name).toBeInstanceOf(SourceError);
        expect((error as SourceError).kind, adapter.name).toBe(kind);
        expect((error as SourceError).retryAfterMs, adapter.name).toBe(retry);
      }
    });
  }

  it('a transport failure is unavailable', async () => {
    const s = await serve(() => ({ file: 'bluesky-search-1.json' }));
    const refused = searchSource(blueskyAdapter, query(), { baseUrl: 'http://127.0.0.1:1' }, s.fetcher);
    await expect(refused).rejects.toMatchObject({ name: 'SourceError', kind: 'unavailable' });
  });

  it('an unparseable YouTube feed is bad_response', async () => {
    const s = await serve(() => ({ status: 200, body: 'not xml at all {' }));
    await expect(
      searchSource(
        youtubeAdapter,
        query({ query: 'UCabcdefghijklmnopqrstuv' }),
        { baseUrl: s.baseUrl },
        s.fetcher,
      ),
    ).rejects.toMatchObject({ kind: 'bad_response' });
  });
});

describe('bluesky adapter against the demo market search', () => {
  it('reads every matching post once, across pages, newest first', async () => {
    const { backfillPosts, searchPosts } = await import('../../../demo/voices.ts');
    const posts = backfillPosts(7, Date.parse('2024-11-01T00:00:00Z'));
    const s = await serve((url) => {
      if (url.pathname !== '/xrpc/app.bsky.feed.searchPosts') return undefined;
      const p = url.searchParams;
      const result = searchPosts(posts, {
        q: p.get('q') ?? '',
        since: p.get('since') ?? undefined,
        limit: Number(p.get('limit')),
        cursor: p.get('cursor') ?? undefined,
      });
      return { body: JSON.stringify(result) };
    });
    const since = new Date(Math.min(...posts.map((p) => p.at)) + 5 * 86_400_000).toISOString();
    const expected = posts.filter((p) => p.at >= Date.parse(since));
    const items = await searchSource(
      blueskyAdapter,
      query({ query: '*', since, limit: 100 }),
      { baseUrl: s.baseUrl },
      s.fetcher,
      { maxPages: 1000 },
    );
    expect(items.length).toBe(expected.length);
    expect(new Set(items.map((i) => i.sourceId)).size).toBe(items.length);
    const times = items.map((i) => Date.parse(i.publishedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });
});
