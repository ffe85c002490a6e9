// Covers RELIABILITY.md S5 (browser subresource SSRF) with real Chromium: an allowed page aims img,
// iframe, fetch, XHR, WebSocket, beacon, preconnect, a redirect and a service worker at the canary.
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  createGuardedContext,
  type Resolver,
  type UrlPolicy,
} from '../../../crawlers/net/index.ts';
import { type Canary, startCanary } from '../../support/canary.ts';
import { type FaultServer, startFaultServer } from '../../support/fault-server.ts';

const hasChromium = existsSync(CHROMIUM_PATH);
if (!hasChromium) {
  console.warn(
    `\n\n!!! S5 browser SSRF tests SKIPPED: ${CHROMIUM_PATH} is missing (apt install chromium) !!!\n\n`,
  );
}

it('Chromium is present when running in CI', () => {
  if (process.env.CI === 'true') expect(hasChromium, `${CHROMIUM_PATH} is required in CI`).toBe(true);
});

function attackPage(canaryUrl: string, fsUrl: string): string {
  const ws = canaryUrl.replace('http:', 'ws:');
  return `<!doctype html><html><head><title>S5</title>
<link rel="preconnect" href="${canaryUrl}"><link rel="dns-prefetch" href="${canaryUrl}">
<link rel="stylesheet" href="${canaryUrl}/style.css"></head><body>
<img src="${canaryUrl}/img.png">
<img src="${fsUrl}/redirect?to=${encodeURIComponent(`${canaryUrl}/redirected.png`)}">
<iframe src="${canaryUrl}/iframe"></iframe>
<script>
window.results = {};
fetch('${canaryUrl}/fetch').then(() => { results.fetch = 'ok' }, () => { results.fetch = 'blocked' });
fetch('/html/ok').then((r) => r.text()).then((t) => { results.allowed = t }, () => { results.allowed = 'failed' });
const xhr = new XMLHttpRequest();
xhr.onload = () => { results.xhr = 'ok' }; xhr.onerror = () => { results.xhr = 'blocked' };
xhr.open('GET', '${canaryUrl}/xhr'); xhr.send();
try {
  const socket = new WebSocket('${ws}/ws');
  socket.onopen = () => { results.ws = 'open' }; socket.onerror = socket.onclose = () => { results.ws = 'closed' };
} catch (e) { results.ws = 'threw' }
navigator.sendBeacon('${canaryUrl}/beacon', 'x');
if (navigator.serviceWorker) {
  navigator.serviceWorker.register('/html/sw.js')
    .then((reg) => navigator.serviceWorker.getRegistrations().then((all) => { results.sw = reg || all.length ? 'registered' : 'blocked' }))
    .catch(() => { results.sw = 'failed' });
} else { results.sw = 'unavailable' }
</script></body></html>`;
}

describe.skipIf(!hasChromium)('S5: guarded Chromium never reaches the canary', () => {
  let browser: Browser;
  let fs: FaultServer;
  let canary: Canary;
  let policy: UrlPolicy;
  const blocked: string[] = [];

  beforeAll(async () => {
    canary = await startCanary();
    fs = await startFaultServer();
    fs.fixtures = { attack: attackPage(canary.url, fs.url), ok: 'allowed-ok' };
    policy = { allowPrivate: false, allow: [`127.0.0.1:${fs.port}`] };
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([fs?.close(), canary?.close()]);
  });

  it('blocks img, iframe, fetch, XHR, WebSocket, beacon, redirects and service workers', async () => {
    const context = await createGuardedContext(browser, policy, {
      onBlocked: (url, reason) => blocked.push(`${url} ${reason}`),
    });
    const page = await context.newPage();
    const response = await page.goto(`${fs.url}/html/attack`);
    expect(response?.status()).toBe(200);
    await page.waitForFunction(
      () => {
        const r = (window as unknown as { results: Record<string, string> }).results;
        return r.fetch && r.xhr && r.ws && r.sw && r.allowed;
      },
      undefined,
      { timeout: 10_000 },
    );
    await page.waitForTimeout(500);
    const results = await page.evaluate(
      () => (window as unknown as { results: Record<string, string> }).results,
    );
    expect(results).toMatchObject({ fetch: 'blocked', xhr: 'blocked', allowed: 'allowed-ok' });
    expect(results.ws).toBe('closed');
    expect(results.sw).not.toBe('registered');
    expect(await page.title()).toBe('S5');
    expect(blocked.some((u) => u.includes('/img.png '))).toBe(true);
    expect(blocked.some((u) => u.includes('redirected.png') && u.includes('refused'))).toBe(true);
    expect(blocked.some((u) => u.includes('/iframe '))).toBe(true);
    await context.close();
    expect(canary.requests).toEqual([]);
    expect(canary.hits).toBe(0);
  }, 30_000);

  it('refuses navigation to the canary, directly and by a name the guard resolves', async () => {
    const resolver: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
    const context = await createGuardedContext(
      browser,
      { ...policy, allow: [...policy.allow, `shop.test:${fs.port}`] },
      { resolver },
    );
    await expect((await context.newPage()).goto(`${canary.url}/nav`)).rejects.toThrow(
      /ERR_BLOCKED_BY_CLIENT/,
    );
    await expect((await context.newPage()).goto(`http://evil.test:${canary.port}/nav`)).rejects.toThrow(
      /ERR_BLOCKED_BY_CLIENT/,
    );
    // shop.test only resolves in the guard (Chromium's own resolver is disabled): proves the browser
    // never uses its own DNS, the fetch happens in Node on the pinned address.
    const ok = await (await context.newPage()).goto(`http://shop.test:${fs.port}/html/ok`);
    expect(await ok?.text()).toBe('allowed-ok');
    await context.close();
    expect(canary.hits).toBe(0);
  }, 30_000);

  it('the route alone (without CHROMIUM_ARGS) still sends no HTTP request to the canary', async () => {
    const plain = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: ['--no-sandbox', '--disable-gpu'],
    });
    try {
      const context = await createGuardedContext(plain, policy);
      const page = await context.newPage();
      await page.goto(`${fs.url}/html/attack`);
      await page.waitForFunction(() => {
        const r = (window as unknown as { results: Record<string, string> }).results;
        return r.fetch && r.xhr && r.ws && r.sw && r.allowed;
      });
      await page.waitForTimeout(500);
      await context.close();
    } finally {
      await plain.close();
    }
    // <link rel=preconnect> may still open a bare TCP socket here; CHROMIUM_ARGS close that gap.
    expect(canary.requests).toEqual([]);
  }, 30_000);

  it('CHROMIUM_ARGS alone (no route) keep an unguarded context off the network', async () => {
    const before = canary.hits;
    const context = await browser.newContext();
    const page = await context.newPage();
    await expect(page.goto(`${canary.url}/unguarded`, { timeout: 5000 })).rejects.toThrow();
    await context.close();
    expect(canary.hits - before).toBe(0);
  }, 30_000);
});
