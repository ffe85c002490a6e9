import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { articlesAt, renderArticle, renderBlogIndex, renderFeed } from './blog.ts';
import { SHOP_KEYS } from './catalog.ts';
import { dayAt, dayStartsAt, type MarketClock } from './clock.ts';
import { type DemoResponse, htmlResponse, jsonResponse, xmlResponse } from './html.ts';
import { buildManifest, type DemoManifest } from './manifest.ts';
import { renderShop } from './shops.ts';
import { backfillPosts, type DemoPost, livePostsOn, searchPosts } from './voices.ts';

export interface DemoMarketOptions {
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** First of four consecutive ports (glowco, belezabr, maisonjs, voices); 0 = random ports. */
  basePort?: number;
  /** PRNG seed; same seed and start time, same market. Default 42. */
  seed?: number;
  /** Real seconds per simulated day. Default 4. */
  daySeconds?: number;
  /** Clock in ms, injectable for tests. Default Date.now. */
  now?: () => number;
  /** Products per shop (three quarters listed on day 0). Default 12. */
  productsPerShop?: number;
}

/** One request the market served (kept in a capped ring for tests). */
export interface DemoRequest {
  method: string;
  url: string;
  origin: string;
  at: number;
}

/** A running demo market. */
export interface DemoMarket {
  /** Shop keys and 'voices' → http://host:port. */
  origins: Record<string, string>;
  startedAt: number;
  /** The current simulated day. */
  day(): number;
  manifest(): DemoManifest;
  requestLog: DemoRequest[];
  close(): Promise<void>;
}

const REQUEST_LOG_SIZE = 1000;
const ORIGIN_KEYS = [...SHOP_KEYS, 'voices'] as const;

function notFound(): DemoResponse {
  return htmlResponse(
    '<!doctype html><html><head><title>Not found</title></head><body><h1>Not found</h1></body></html>',
    404,
  );
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Starts the demo market: three shops and a "voices" origin (blog and social search), each its
 * own HTTP server. Any URL accepts `?day=N` to render simulated day N instead of today's (the
 * voices origin then answers as of the end of day N), and glowco answers `?blocked=1` with a 403
 * bot-block page. Social posts cover the 30 real days before start plus live ones as time passes.
 * Rejects if a port cannot be bound (servers already started are closed first).
 */
export async function startDemoMarket(opts: DemoMarketOptions = {}): Promise<DemoMarket> {
  const host = opts.host ?? '127.0.0.1';
  const seed = opts.seed ?? 42;
  const now = opts.now ?? Date.now;
  const productsPerShop = opts.productsPerShop ?? 12;
  const clock: MarketClock = { startedAt: now(), daySeconds: opts.daySeconds ?? 4 };
  const origins: Record<string, string> = {};
  const requestLog: DemoRequest[] = [];
  const backfill = backfillPosts(seed, clock.startedAt);
  const liveDays = new Map<number, DemoPost[]>();

  const postsUntil = (at: number): DemoPost[] => {
    const posts = backfill.filter((p) => p.at <= at);
    for (let d = 0; d <= dayAt(clock, at); d++) {
      let live = liveDays.get(d);
      if (!live) {
        live = livePostsOn(seed, clock, d);
        liveDays.set(d, live);
      }
      posts.push(...live.filter((p) => p.at <= at));
    }
    return posts;
  };

  const serveVoices = (path: string, query: URLSearchParams, at: number): DemoResponse => {
    if (path === '/social/xrpc/app.bsky.feed.searchPosts') {
      try {
        const limit = query.get('limit');
        const result = searchPosts(postsUntil(at), {
          q: query.get('q') ?? '',
          since: query.get('since') ?? undefined,
          until: query.get('until') ?? undefined,
          limit: limit === null ? undefined : Number(limit),
          cursor: query.get('cursor') ?? undefined,
        });
        return jsonResponse(result);
      } catch (error) {
        return jsonResponse({ error: 'InvalidRequest', message: (error as Error).message }, 400);
      }
    }
    const articles = articlesAt(seed, clock, at);
    if (path === '/blog' || path === '/blog/') return htmlResponse(renderBlogIndex(articles));
    if (path === '/blog/feed.xml')
      return xmlResponse(renderFeed(articles, origins.voices), 'application/rss+xml; charset=utf-8');
    const article = articles.find((a) => `/blog/${a.slug}` === path);
    if (article) return htmlResponse(renderArticle(article, articles));
    if (path === '/robots.txt') {
      return {
        status: 200,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: 'User-agent: *\nAllow: /\n',
      };
    }
    if (path === '/') return htmlResponse('<!doctype html><title>Voices</title><a href="/blog/">Blog</a>');
    return notFound();
  };

  const route = (key: (typeof ORIGIN_KEYS)[number], method: string, url: URL, at: number): DemoResponse => {
    if (method !== 'GET' && method !== 'HEAD') {
      return {
        status: 405,
        headers: { 'content-type': 'text/plain', allow: 'GET, HEAD' },
        body: 'Method not allowed',
      };
    }
    const dayParam = url.searchParams.get('day');
    const override = dayParam !== null && /^\d+$/.test(dayParam) ? Number(dayParam) : null;
    if (key === 'voices') {
      const effectiveNow = override === null ? at : dayStartsAt(clock, override + 1) - 1;
      return serveVoices(url.pathname, url.searchParams, effectiveNow);
    }
    const context = { origin: origins[key], clock, seed, productsPerShop, day: override ?? dayAt(clock, at) };
    return renderShop(key, url.pathname, context, url.searchParams.get('blocked') === '1');
  };

  const handle = (key: (typeof ORIGIN_KEYS)[number], req: IncomingMessage, res: ServerResponse): void => {
    const at = now();
    const url = new URL(req.url ?? '/', origins[key]);
    requestLog.push({ method: req.method ?? 'GET', url: url.href, origin: key, at });
    if (requestLog.length > REQUEST_LOG_SIZE) requestLog.splice(0, requestLog.length - REQUEST_LOG_SIZE);
    let response: DemoResponse;
    try {
      response = route(key, req.method ?? 'GET', url, at);
    } catch (error) {
      const body = `demo market error: ${(error as Error).message}`;
      response = { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' }, body };
    }
    res.writeHead(response.status, { ...response.headers, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : response.body);
  };

  const servers: Server[] = [];
  try {
    for (const [i, key] of ORIGIN_KEYS.entries()) {
      const server = createServer((req, res) => handle(key, req, res));
      servers.push(server);
      const port = await listen(server, host, opts.basePort ? opts.basePort + i : 0);
      origins[key] = `http://${host}:${port}`;
    }
  } catch (error) {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    throw error;
  }

  return {
    origins,
    startedAt: clock.startedAt,
    day: () => dayAt(clock, now()),
    manifest: () => buildManifest({ origins, seed, productsPerShop, daySeconds: clock.daySeconds }),
    requestLog,
    close: async () => {
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve, reject) => {
              server.closeAllConnections();
              server.close((error) => (error ? reject(error) : resolve()));
            }),
        ),
      );
    },
  };
}
