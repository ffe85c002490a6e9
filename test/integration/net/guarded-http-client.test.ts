// Covers RELIABILITY.md S2/S4 for the crawl path (a real CheerioCrawler through GuardedHttpClient),
// plus C5/C7 surfacing as permanent (non-retried) failures.
import { CheerioCrawler, Configuration, log } from 'crawlee';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GuardedHttpClient,
  PermanentFetchError,
  type Resolver,
  type UrlPolicy,
} from '../../../crawlers/net/index.ts';
import { type Canary, startCanary } from '../../support/canary.ts';
import { type FaultServer, REDIRECT_BODY_SECRET, startFaultServer } from '../../support/fault-server.ts';

let fs: FaultServer;
let canary: Canary;
let policy: UrlPolicy;

type Outcome = { titles: Map<string, string>; failures: Map<string, { message: string; retries: number }> };

async function crawl(urls: string[], client: GuardedHttpClient, maxRequestRetries = 2): Promise<Outcome> {
  const titles = new Map<string, string>();
  const failures = new Map<string, { message: string; retries: number }>();
  const crawler = new CheerioCrawler(
    {
      httpClient: client,
      maxRequestRetries,
      navigationTimeoutSecs: 5,
      requestHandler: async ({ request, $, enqueueLinks }) => {
        titles.set(request.url, $('title').text());
        await enqueueLinks({ strategy: 'same-origin' });
      },
      failedRequestHandler: ({ request }, error) => {
        failures.set(request.url, { message: error.message, retries: request.retryCount });
      },
    },
    new Configuration({ persistStorage: false }),
  );
  await crawler.run(urls);
  return { titles, failures };
}

beforeAll(async () => {
  log.setLevel(log.LEVELS.OFF);
  canary = await startCanary();
  fs = await startFaultServer({
    fixtures: {
      index:
        '<html><head><title>Index</title></head><body><a href="/html/a">a</a><a href="/html/b">b</a></body></html>',
      a: '<html><head><title>A</title></head><body>offer</body></html>',
      b: '<html><head><title>B</title></head><body><a href="/html/a">back</a></body></html>',
    },
  });
  policy = { allowPrivate: false, allow: [`127.0.0.1:${fs.port}`] };
});
afterAll(async () => {
  await Promise.all([fs.close(), canary.close()]);
});

describe('GuardedHttpClient in a real CheerioCrawler', () => {
  it('crawls an allowlisted fixture site and follows its links', async () => {
    const { titles, failures } = await crawl([`${fs.url}/html/index`], new GuardedHttpClient(policy));
    expect([...titles.values()].sort()).toEqual(['A', 'B', 'Index']);
    expect(failures.size).toBe(0);
  });

  it('never reaches the canary: direct, obfuscated, by name, or via redirect (S2/S4)', async () => {
    const resolver: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
    const client = new GuardedHttpClient(policy, { resolver });
    const targets = [
      `${canary.url}/direct`,
      `http://2130706433:${canary.port}/decimal`,
      `http://evil.test:${canary.port}/by-name`,
      `${fs.url}/redirect?to=${encodeURIComponent(`${canary.url}/redirected`)}`,
      `${fs.url}/redirect?to=${encodeURIComponent('http://169.254.169.254/latest/meta-data/')}`,
    ];
    const before = fs.log.length;
    const { titles, failures } = await crawl(targets, client);
    expect(titles.size).toBe(0);
    expect(failures.size).toBe(targets.length);
    for (const { message, retries } of failures.values()) {
      expect(message).toMatch(/private address/);
      expect(message).not.toContain(REDIRECT_BODY_SECRET);
      expect(retries).toBe(0); // permanent: not retried
    }
    expect(fs.log.length - before).toBe(2); // each redirecting page fetched once
    expect(canary.hits).toBe(0);
  });

  it('reports caps and redirect limits as permanent, timeouts as retried', async () => {
    // The timeout leaves room for a loaded machine: at 400 ms a stalled event loop once timed the bomb out
    // (retried) before its cap was reached (permanent).
    const client = new GuardedHttpClient(policy, { maxBytes: 256 * 1024, timeoutMs: 2500 });
    const { failures } = await crawl(
      [`${fs.url}/gzip-bomb?mb=16`, `${fs.url}/chain?n=20`, `${fs.url}/forever`],
      client,
      1,
    );
    expect(failures.get(`${fs.url}/gzip-bomb?mb=16`)).toMatchObject({ retries: 0 });
    expect(failures.get(`${fs.url}/gzip-bomb?mb=16`)?.message).toContain('after decompression');
    expect(failures.get(`${fs.url}/chain?n=20`)).toMatchObject({
      message: 'more than 5 redirects',
      retries: 0,
    });
    expect(failures.get(`${fs.url}/forever`)?.retries).toBe(1);
    expect(failures.get(`${fs.url}/forever`)?.message).toContain('timed out');
  });

  it('sendRequest returns text, buffer and JSON through the guard', async () => {
    const client = new GuardedHttpClient(policy);
    const text = await client.sendRequest({ url: `${fs.url}/html/a` });
    expect(text.statusCode).toBe(200);
    expect(text.body).toContain('<title>A</title>');
    const buffer = await client.sendRequest({ url: `${fs.url}/chain?n=2`, responseType: 'buffer' });
    expect(buffer.body.toString()).toBe('end of chain');
    expect(buffer.redirectUrls).toHaveLength(2);
    await expect(client.sendRequest({ url: `${canary.url}/x` })).rejects.toBeInstanceOf(PermanentFetchError);
    expect(canary.hits).toBe(0);
  });
});
