/**
 * The crawlee adapter for shop pages that render prices with JavaScript (targets with `options.needsJs`):
 * one long-lived PlaywrightCrawler per worker, same contract as the Cheerio one (`fetchPages` → `PageOutcome`).
 * Every page gets its own incognito context with service workers blocked and every request routed through
 * the SSRF guard (`guardBrowserContext`); Chromium runs with `CHROMIUM_ARGS`, so nothing leaves it otherwise.
 * Browsers are retired after `retireBrowserAfterPageCount` pages, so memory stays flat over long runs.
 */
import { Configuration, log as crawleeLog, LogLevel } from '@crawlee/core';
import { PlaywrightCrawler, type PlaywrightCrawlingContext } from '@crawlee/playwright';
import type { Page } from 'playwright';
import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  guardBrowserContext,
  type Resolver,
  type UrlPolicy,
} from '../net/index.ts';
import { outcomeOfPage } from './crawler.ts';
import {
  createPageCrawlCore,
  type PageCrawler,
  type PageLabel,
  type PoliteCrawlOptions,
  type RequestLike,
  runPageCrawler,
} from './page-crawl.ts';
import { InMemoryRequestManager } from './request-manager.ts';
import type { ExtractHints } from './types.ts';

export interface BrowserPageCrawlerOptions extends PoliteCrawlOptions {
  userAgent: string;
  /** Pages rendered at once. */
  maxConcurrency: number;
  maxRetries: number;
  /** Budget of the page's own fetch (in the guard) and of its navigation. */
  timeoutMs: number;
  /** Outbound URL policy for the page and everything it loads. */
  policy: UrlPolicy;
  resolver?: Resolver;
  /** Cap of each response the page loads. Default 5 MiB. */
  maxBytes?: number;
  ca?: string | Buffer;
  /** Chromium binary. Default `CHROMIUM_PATH`. */
  chromiumPath?: string;
  /** Longest wait, after DOMContentLoaded, for a price to render or the network to go idle. Default 5 s. */
  renderWaitMs?: number;
  /** Pages a browser serves before it is replaced by a fresh one. Default 50. */
  retireBrowserAfterPageCount?: number;
}

/** The guard's verdict on a failed request, from its message (the guard reports text, not codes). */
function guardCode(message: string): string {
  if (/timed out after|no response headers within/i.test(message)) return 'timeout';
  if (/exceeds \d+ bytes/i.test(message)) return 'too_large';
  if (/more than \d+ redirects|redirect loop/i.test(message)) return 'too_many_redirects';
  if (/truncated/i.test(message)) return 'truncated';
  if (/not allowed|refused|blocked/i.test(message)) return 'url_not_allowed';
  return 'failed';
}
const PERMANENT_GUARD_CODES = new Set(['too_large', 'too_many_redirects', 'url_not_allowed']);

/**
 * Waits until a price looks rendered (the target's price selector, JSON-LD with a price, an `itemprop=price`,
 * or a price-named element holding a digit) or the network goes idle, whichever comes first, at most `ms`.
 */
async function waitForRender(page: Page, priceSelector: string | null, ms: number): Promise<void> {
  const priceShown = page.waitForFunction(
    (selector: string | null) => {
      const digit = /\d/;
      if (selector) {
        const el = document.querySelector(selector);
        return !!el && digit.test(el.textContent ?? '');
      }
      for (const s of document.querySelectorAll('script[type="application/ld+json"]')) {
        if (/"(?:price|lowPrice)"/.test(s.textContent ?? '')) return true;
      }
      if (document.querySelector('[itemprop="price"]')) return true;
      for (const el of document.querySelectorAll('[class*="price" i], [id*="price" i], [data-price]')) {
        if (digit.test(el.textContent ?? '')) return true;
      }
      return false;
    },
    priceSelector,
    { timeout: ms, polling: 100 },
  );
  const idle = page.waitForLoadState('networkidle', { timeout: ms });
  priceShown.catch(() => undefined);
  idle.catch(() => undefined);
  await Promise.race([priceShown, idle]).catch(() => undefined);
}

/**
 * crawlee reads ERR_PROXY_CONNECTION_FAILED / ECONNRESET as a bad proxy and rotates sessions outside
 * maxRetries; here the "proxy" is CHROMIUM_ARGS' deliberately dead one, so that is a plain failure.
 */
class NoProxyPlaywrightCrawler extends PlaywrightCrawler {
  protected override isProxyError(): boolean {
    return false;
  }
}

/** NUL characters become U+FFFD (Postgres refuses 0x00 in text). */
function withoutNul(html: string): string {
  return html.includes('\u0000') ? html.replaceAll('\u0000', '\uFFFD') : html;
}

/**
 * Starts the shared browser crawler; Chromium is launched on the first request. Never navigates a page
 * whose context could not be guarded (the hook's error fails the attempt).
 */
export function createBrowserPageCrawler(opts: BrowserPageCrawlerOptions): PageCrawler {
  // Every attempt's end is returned as an outcome and recorded by the job; crawlee's own retry logs would only repeat it.
  crawleeLog.setLevel(LogLevel.OFF);
  const core = createPageCrawlCore(opts);
  const renderWaitMs = opts.renderWaitMs ?? 5000;
  const timeoutSecs = Math.ceil(opts.timeoutMs / 1000);
  // What the guard refused or failed to fetch, by URL: a failed navigation only says net::ERR_FAILED.
  const guardFailures = new Map<string, string>();
  const noteGuardFailure = (url: string, reason: string): void => {
    guardFailures.set(url, reason);
    if (guardFailures.size > 500) guardFailures.delete(guardFailures.keys().next().value as string);
  };
  const guardFailureOf = (request: RequestLike): { code: string; message: string } | undefined => {
    const message = guardFailures.get(request.url);
    return message === undefined ? undefined : { code: guardCode(message), message };
  };

  const config = new Configuration({ persistStorage: false, purgeOnStart: false });
  const requests = new InMemoryRequestManager();
  const crawler = new NoProxyPlaywrightCrawler(
    {
      requestQueue: requests.asCrawlerQueue,
      keepAlive: true,
      maxConcurrency: opts.maxConcurrency,
      // Fed one request at a time by jobs: no 500 ms poll of an empty queue, no ramp-up from 1.
      autoscaledPoolOptions: { desiredConcurrency: opts.maxConcurrency, maybeRunIntervalSecs: 0.05 },
      maxRequestRetries: opts.maxRetries,
      // The guard's own timeout (timeoutMs) fires first, so its reason is the one recorded.
      navigationTimeoutSecs: timeoutSecs + 2,
      requestHandlerTimeoutSecs: Math.ceil(renderWaitMs / 1000) + 30,
      useSessionPool: false,
      persistCookiesPerSession: false,
      headless: true,
      launchContext: {
        useIncognitoPages: true,
        launchOptions: {
          executablePath: opts.chromiumPath ?? CHROMIUM_PATH,
          args: [...CHROMIUM_ARGS],
          headless: true,
        },
      },
      browserPoolOptions: {
        useFingerprints: false,
        retireBrowserAfterPageCount: opts.retireBrowserAfterPageCount ?? 50,
        closeInactiveBrowserAfterSecs: 60,
        prePageCreateHooks: [
          (_pageId, _controller, pageOptions) => {
            if (!pageOptions) throw new Error('browser pages must be incognito to be guarded');
            Object.assign(pageOptions, { serviceWorkers: 'block', userAgent: opts.userAgent });
          },
        ],
        postPageCreateHooks: [
          async (page) => {
            await guardBrowserContext(page.context(), opts.policy, opts.resolver, {
              timeoutMs: opts.timeoutMs,
              maxBytes: opts.maxBytes,
              ca: opts.ca,
              onBlocked: noteGuardFailure,
            });
          },
        ],
      },
      preNavigationHooks: [
        async ({ request }, gotoOptions) => {
          if (gotoOptions) gotoOptions.waitUntil = 'domcontentloaded';
          guardFailures.delete(request.url);
          await core.beforeAttempt(request);
        },
      ],
      requestHandler: async ({ request, page, response }: PlaywrightCrawlingContext) => {
        try {
          const status = response?.status() ?? 0;
          const headers = response ? await response.allHeaders() : {};
          const label = request.label as PageLabel;
          const hints = request.userData.hints as ExtractHints;
          if (status < 400 && label === 'product')
            await waitForRender(page, hints.selectors?.price ?? null, renderWaitMs);
          const body =
            label === 'sitemap' && response ? await response.body() : withoutNul(await page.content());
          const blocked = core.checkResponse(
            request,
            status,
            headers,
            typeof body === 'string' ? body : null,
          );
          if (blocked) return core.settle(request.uniqueKey, blocked);
          core.settle(
            request.uniqueKey,
            outcomeOfPage(label, request.loadedUrl ?? request.url, status, hints, { body }),
          );
        } finally {
          core.afterAttempt(request);
        }
      },
      errorHandler: async ({ request }, error) => {
        const guard = guardFailureOf(request);
        if (guard && PERMANENT_GUARD_CODES.has(guard.code)) request.noRetry = true;
        core.beforeRetry(request, error);
      },
      failedRequestHandler: async ({ request, response }, error) =>
        core.fail(request, response?.status() ?? null, error, guardFailureOf(request)),
    },
    config,
  );
  return runPageCrawler(crawler, core, requests);
}
