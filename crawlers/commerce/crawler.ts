/**
 * The crawlee adapter for shop pages: one long-lived CheerioCrawler per worker process (keepAlive), fed by
 * jobs. Each job hands it requests and awaits their outcomes; extraction is delegated to the pure functions
 * in this folder. robots.txt is checked before a request is queued, and each attempt waits for a per-origin
 * slot (`HostLimiter`). Crawlee storage is scratch (in memory); Postgres is the record, written by the job.
 */
// The narrow crawlee packages: the `crawlee` umbrella also loads the browser crawlers (seconds of start-up).
import type { IncomingMessage } from 'node:http';
import { text } from 'node:stream/consumers';
import { CheerioCrawler, type CheerioCrawlingContext } from '@crawlee/cheerio';
import { type BaseHttpClient, Configuration, log as crawleeLog, LogLevel } from '@crawlee/core';
import { type CheerioAPI, load } from 'cheerio';
import { capNesting } from './cap-nesting.ts';
import { discoverProductLinks, mayBeProductPage } from './discover-links.ts';
import { extractProductPage, loadHtml } from './extract.ts';
import {
  createPageCrawlCore,
  type PageCrawler,
  type PageLabel,
  type PageOutcome,
  type PoliteCrawlOptions,
  runPageCrawler,
} from './page-crawl.ts';
import { InMemoryRequestManager } from './request-manager.ts';
import { parseSitemap } from './sitemap.ts';
import type { ExtractHints } from './types.ts';

export {
  type FailureOutcome,
  PAGE_LABELS,
  type PageCrawler,
  type PageLabel,
  type PageOutcome,
  type PageRequest,
  type PoliteCrawlOptions,
} from './page-crawl.ts';

export interface PageCrawlerOptions extends PoliteCrawlOptions {
  userAgent: string;
  maxConcurrency: number;
  maxRetries: number;
  timeoutMs: number;
  /** The SSRF-guarded client; crawlee's default got-scraping client when absent (tests of bare crawlee only). */
  httpClient?: BaseHttpClient;
}

/** Every 4xx/5xx reaches the handler, which applies the shared status rules (blocks, 429 pauses, retries). */
const HTTP_ERROR_STATUSES = Array.from({ length: 200 }, (_, i) => 400 + i);

/** Text of a page for block detection and re-parsing; NUL characters become U+FFFD (Postgres refuses 0x00). */
function pageText(body: string | Buffer, label: PageLabel): string | null {
  const text = typeof body === 'string' ? body : label === 'sitemap' ? null : body.toString('utf8');
  return text?.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

/** Extracts what a fetched page holds for its label (pure; shared with the browser crawler). */
export function outcomeOfPage(
  label: PageLabel,
  url: string,
  status: number,
  hints: ExtractHints,
  page: { $: CheerioAPI } | { body: string | Buffer },
): PageOutcome {
  const $ = (): CheerioAPI => {
    if ('$' in page) return page.$;
    return loadHtml(typeof page.body === 'string' ? page.body : page.body.toString('utf8'));
  };
  if (label === 'product') {
    return {
      kind: 'product',
      url,
      status,
      page: extractProductPage($(), { ...hints, url, fetchedAt: new Date().toISOString() }),
    };
  }
  if (label === 'catalog') {
    const links = discoverProductLinks($(), url).map((u) => ({ url: u, lastmod: null }));
    return { kind: 'links', url, status, links, sitemaps: [] };
  }
  const body = 'body' in page ? page.body : page.$.xml();
  const parsed = parseSitemap(typeof body === 'string' ? body : Buffer.from(body));
  return {
    kind: 'links',
    url,
    status,
    // A flat sitemap lists every page of the shop: its home, categories, blog posts and policies are not products.
    links: parsed.urls.filter((u) => mayBeProductUrl(u.loc)).map((u) => ({ url: u.loc, lastmod: u.lastmod })),
    sitemaps: parsed.sitemaps.map((s) => s.loc),
  };
}

function mayBeProductUrl(loc: string): boolean {
  try {
    return mayBeProductPage(new URL(loc));
  } catch {
    return false;
  }
}

/**
 * crawlee reads "ECONNRESET" / "ECONNREFUSED" in any error as a bad proxy and turns it into a session
 * rotation that does not end within maxRetries. We never use proxies (the guard refuses them): a reset is a
 * plain transient error.
 */
class NoProxyCheerioCrawler extends CheerioCrawler {
  protected override isProxyError(): boolean {
    return false;
  }

  /**
   * crawlee parses every page twice (htmlparser2 DOM, then cheerio) and has no guard against hostile nesting.
   * Parse once, in htmlparser2 mode, after cutting the body where its nesting passes MAX_NESTING (C8).
   */
  protected override async _parseHTML(response: IncomingMessage, isXml: boolean) {
    const { html: body } = capNesting(await text(response));
    const $ = isXml ? load(body, { xml: true }) : loadHtml(body);
    return { dom: $.root()[0], $, body } as unknown as Awaited<ReturnType<CheerioCrawler['_parseHTML']>>;
  }
}

/** Starts the shared crawler. Its queue lives in memory and is private to this instance. */
export function createPageCrawler(opts: PageCrawlerOptions): PageCrawler {
  // Every attempt's end is returned as an outcome and recorded by the job; crawlee's own retry logs would only repeat it.
  crawleeLog.setLevel(LogLevel.OFF);
  const core = createPageCrawlCore(opts);
  const config = new Configuration({ persistStorage: false, purgeOnStart: false });
  const requests = new InMemoryRequestManager();
  const crawler = new NoProxyCheerioCrawler(
    {
      requestQueue: requests.asCrawlerQueue,
      keepAlive: true,
      maxConcurrency: opts.maxConcurrency,
      // Jobs hand this long-lived crawler one request at a time and wake its pool when they do (runPageCrawler):
      // start at full concurrency, and poll an empty queue every 50 ms as a fallback (an O(1) question of our
      // InMemoryRequestManager; crawlee's default ramps up from 1). Crawlee's "overloaded" verdict, which starts
      // nothing while a request runs, keeps its signals about this process (event loop, memory) but not the host's
      // CPU: that counts Postgres storing these very pages, the API, any neighbour, and on a busy host held the
      // crawler at one fetch at a time however long the pages took to arrive. The worker bounds its own load
      // (CRAWL_CONCURRENCY fetches, per-origin slots, job concurrency).
      autoscaledPoolOptions: {
        desiredConcurrency: opts.maxConcurrency,
        maybeRunIntervalSecs: 0.05,
        systemStatusOptions: { maxCpuOverloadedRatio: 1 },
      },
      maxRequestRetries: opts.maxRetries,
      // Covers the wait for a politeness slot as well as the handler.
      requestHandlerTimeoutSecs: Math.ceil(opts.timeoutMs / 1000) + 70,
      navigationTimeoutSecs: Math.ceil(opts.timeoutMs / 1000),
      ignoreHttpErrorStatusCodes: HTTP_ERROR_STATUSES,
      additionalMimeTypes: [
        'application/xml',
        'text/xml',
        'text/plain',
        'application/gzip',
        'application/x-gzip',
        'application/octet-stream',
      ],
      useSessionPool: false,
      persistCookiesPerSession: false,
      httpClient: opts.httpClient,
      preNavigationHooks: [
        async ({ request }, gotOptions) => {
          gotOptions.headers = { ...gotOptions.headers, 'user-agent': opts.userAgent };
          await core.beforeAttempt(request);
        },
      ],
      requestHandler: async (ctx: CheerioCrawlingContext) => {
        const { request, response, body } = ctx;
        // Absent for bodies crawlee does not parse as HTML/XML (text/plain, gzip).
        const $ = ctx.$ as unknown as CheerioAPI | undefined;
        core.afterAttempt(request);
        const status = response.statusCode ?? 0;
        const label = request.label as PageLabel;
        const text = pageText(body, label);
        const blocked = core.checkResponse(request, status, response.headers, text);
        if (blocked) return core.settle(request.uniqueKey, blocked);
        const url = request.loadedUrl ?? request.url;
        const hints = request.userData.hints as ExtractHints;
        // crawlee bundles its own cheerio build (same API). Re-parsed when NULs were replaced or nothing was parsed.
        const parsed = label === 'sitemap' ? { body } : $ && text === body ? { $ } : { body: text ?? '' };
        core.settle(request.uniqueKey, outcomeOfPage(label, url, status, hints, parsed));
      },
      errorHandler: async ({ request }, error) => core.beforeRetry(request, error),
      failedRequestHandler: async ({ request, response }, error) =>
        core.fail(request, response?.statusCode ?? null, error),
    },
    config,
  );
  return runPageCrawler(crawler, core, requests);
}

/**
 * One PageCrawler over two: requests with `needsJs` go to the browser crawler, the rest to the static one.
 * Each is created on first use (a worker that never sees a needsJs target never starts Chromium). Outcomes
 * come back in request order.
 */
export function routePageCrawlers(create: {
  static: () => PageCrawler;
  browser: () => PageCrawler;
}): PageCrawler {
  let plain: PageCrawler | null = null;
  let browser: PageCrawler | null = null;
  return {
    async fetchPages(requests) {
      const js = requests.filter((r) => r.needsJs);
      const rest = requests.filter((r) => !r.needsJs);
      if (rest.length) plain ??= create.static();
      if (js.length) browser ??= create.browser();
      const [a, b] = await Promise.all([
        plain && rest.length ? plain.fetchPages(rest) : [],
        browser && js.length ? browser.fetchPages(js) : [],
      ]);
      let i = 0;
      let j = 0;
      return requests.map((r) => (r.needsJs ? b[j++] : a[i++]));
    },
    // Both share the worker's limiter; the first one started answers (nothing started: nothing waits).
    deferMs(url, opts) {
      return (plain ?? browser)?.deferMs(url, opts) ?? 0;
    },
    async close() {
      await Promise.all([plain?.close(), browser?.close()]);
    },
  };
}

/** Requests one crawler instance serves before a fresh one takes over (see recyclePageCrawler). */
export const RECYCLE_AFTER_REQUESTS = 5_000;

/**
 * A long-lived crawler that is replaced by a fresh instance every `afterRequests` requests. Our request manager
 * forgets handled requests, but a crawlee crawler still accumulates per instance (its statistics and error
 * trackers, per-domain state): a worker that crawls for weeks starts afresh now and then instead. New calls go to
 * the fresh instance at once; the old one is closed when its last call has its outcomes, so no request is cut short.
 */
export function recyclePageCrawler(
  create: () => PageCrawler,
  opts: { afterRequests?: number; onRecycle?: (generation: number) => void } = {},
): PageCrawler {
  const afterRequests = opts.afterRequests ?? RECYCLE_AFTER_REQUESTS;
  interface Instance {
    crawler: PageCrawler;
    served: number;
    active: number;
    retired: boolean;
    closed?: Promise<void>;
  }
  let current: Instance | null = null;
  let generation = 0;
  const live = new Set<Instance>();
  const closeInstance = (i: Instance) => {
    i.closed ??= i.crawler
      .close()
      .catch(() => undefined)
      .finally(() => live.delete(i));
    return i.closed;
  };
  return {
    async fetchPages(requests) {
      if (current && current.served >= afterRequests) {
        current.retired = true;
        if (current.active === 0) void closeInstance(current);
        current = null;
        opts.onRecycle?.(++generation);
      }
      if (!current) {
        current = { crawler: create(), served: 0, active: 0, retired: false };
        live.add(current);
      }
      const instance = current;
      instance.served += requests.length;
      instance.active++;
      try {
        return await instance.crawler.fetchPages(requests);
      } finally {
        instance.active--;
        if (instance.retired && instance.active === 0) void closeInstance(instance);
      }
    },
    deferMs(url, opts) {
      return current?.crawler.deferMs(url, opts) ?? 0;
    },
    async close() {
      // Shutting down: every instance stops now, as one crawler would (what they still hold fails as closed).
      current = null;
      await Promise.all([...live].map(closeInstance));
    },
  };
}
