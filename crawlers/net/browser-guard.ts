import type { Browser, BrowserContext, BrowserContextOptions, Route, WebSocketRoute } from 'playwright';
import { checkUrl } from './check-url.ts';
import { FetchError } from './fetch-error.ts';
import { safeFetch } from './safe-fetch.ts';
import { UrlNotAllowedError } from './url-not-allowed-error.ts';
import type { Resolver, UrlPolicy } from './url-policy.ts';

/** Debian's Chromium, used instead of Playwright's downloaded build. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Launch flags for guarded Chromium. Besides the usual headless hardening, two flags make the browser
 * unable to reach the network by itself, so the only way out is `guardBrowserContext`'s route, which
 * fetches through `safeFetch` in Node and fulfils the response:
 * - `--proxy-server` points at a dead loopback port and `--proxy-bypass-list=<-loopback>` stops
 *   Chromium's implicit loopback bypass, so anything not intercepted (preconnect, a WebSocket the page
 *   opens, a stray service worker) goes nowhere;
 * - `--host-resolver-rules` makes every name unresolvable, so the browser cannot even leak DNS queries.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
  '--proxy-server=http://127.0.0.1:9',
  '--proxy-bypass-list=<-loopback>',
  '--host-resolver-rules=MAP * ~NOTFOUND',
];

/** Options of `guardBrowserContext`. */
export type BrowserGuardOptions = {
  /** Per-request budget in ms (default 30 000). */
  timeoutMs?: number;
  /** Per-response body cap in bytes (default 5 MiB). */
  maxBytes?: number;
  /** Extra trusted CA certificate(s) in PEM. */
  ca?: string | Buffer;
  /** Called for every blocked or failed request, e.g. to log or count. */
  onBlocked?: (url: string, reason: string) => void;
};

const DROPPED_REQUEST_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'accept-encoding',
  'keep-alive',
]);
const DROPPED_RESPONSE_HEADERS = new Set([
  'content-encoding',
  'content-length',
  'transfer-encoding',
  'connection',
]);

function abortReason(error: unknown): 'blockedbyclient' | 'timedout' | 'failed' {
  if (error instanceof UrlNotAllowedError) return 'blockedbyclient';
  if (error instanceof FetchError) {
    if (error.code === 'url_not_allowed') return 'blockedbyclient';
    if (error.code === 'timeout') return 'timedout';
  }
  return 'failed';
}

async function fulfilThroughGuard(
  route: Route,
  policy: UrlPolicy,
  resolver: Resolver | undefined,
  options: BrowserGuardOptions,
): Promise<void> {
  const request = route.request();
  const url = request.url();
  try {
    if (!/^https?:/i.test(url)) {
      throw new UrlNotAllowedError('scheme', `scheme of ${url.slice(0, 40)} is not allowed in the browser`);
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(await request.allHeaders())) {
      if (!name.startsWith(':') && !DROPPED_REQUEST_HEADERS.has(name)) headers[name] = value;
    }
    const result = await safeFetch(url, {
      policy,
      resolver,
      method: request.method(),
      headers,
      body: request.postDataBuffer() ?? undefined,
      // Followed here, not by the browser: Playwright auto-continues redirected requests without
      // routing them, so a browser-followed hop would bypass the guard (under CHROMIUM_ARGS it fails).
      timeoutMs: options.timeoutMs,
      maxBytes: options.maxBytes,
      ca: options.ca,
    });
    const responseHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(result.headers)) {
      if (!DROPPED_RESPONSE_HEADERS.has(name)) responseHeaders[name] = value;
    }
    await route.fulfill({ status: result.status, headers: responseHeaders, body: result.body });
  } catch (error) {
    options.onBlocked?.(url, error instanceof Error ? error.message : String(error));
    await route.abort(abortReason(error)).catch(() => {});
  }
}

async function checkWebSocket(
  ws: WebSocketRoute,
  policy: UrlPolicy,
  resolver: Resolver | undefined,
  options: BrowserGuardOptions,
): Promise<void> {
  const url = ws.url().replace(/^ws(s?):/i, 'http$1:');
  try {
    await checkUrl(url, policy, { resolver });
  } catch (error) {
    options.onBlocked?.(ws.url(), error instanceof Error ? error.message : String(error));
    await ws.close({ code: 1008, reason: 'blocked by policy' });
    return;
  }
  // Allowed: the browser connects itself (not DNS-pinned). Under CHROMIUM_ARGS this fails closed.
  ws.connectToServer();
}

/**
 * Route every request of a Playwright context through the SSRF guard: documents, subresources,
 * iframes, fetch/XHR and beacons are fetched by `safeFetch` in Node (DNS checked and pinned, every
 * redirect hop re-checked) and fulfilled into the page; disallowed ones are aborted (`blockedbyclient`).
 * Redirects are followed in Node because Playwright never routes a redirected request, so the page
 * receives the final response under the URL it asked for (`page.url()` is the pre-redirect URL).
 * WebSockets to disallowed addresses are closed with 1008; allowed ones are connected by the browser
 * (not DNS-pinned, and refused outright under CHROMIUM_ARGS).
 * The context MUST be created with `serviceWorkers: 'block'` (requests made by service workers bypass
 * routing; use `createGuardedContext`), and Chromium should be launched with `CHROMIUM_ARGS` so that
 * nothing can leave the browser except through this route.
 * Throws whatever Playwright throws when the context is already closed.
 */
export async function guardBrowserContext(
  context: BrowserContext,
  policy: UrlPolicy,
  resolver?: Resolver,
  options: BrowserGuardOptions = {},
): Promise<void> {
  await context.route('**/*', (route) => fulfilThroughGuard(route, policy, resolver, options));
  await context.routeWebSocket(/.*/, (ws) => checkWebSocket(ws, policy, resolver, options));
}

/**
 * Create a context that blocks service workers and is guarded by `guardBrowserContext`; the safe way
 * to get a browsing context for user-supplied URLs. Throws if the browser is closed.
 */
export async function createGuardedContext(
  browser: Browser,
  policy: UrlPolicy,
  options: BrowserGuardOptions & { resolver?: Resolver; context?: BrowserContextOptions } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({ ...options.context, serviceWorkers: 'block' });
  await guardBrowserContext(context, policy, options.resolver, options);
  return context;
}
