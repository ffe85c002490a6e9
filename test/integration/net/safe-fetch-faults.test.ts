// Covers RELIABILITY.md C1/C2 (statuses surfaced), C3 helper, C4 (timeouts), C5 (size caps),
// C6 (truncation is never success) and C7 (redirect chains) for safeFetch against the fault server.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  FetchError,
  type FetchErrorCode,
  openGuardedResponse,
  parseRetryAfter,
  type Resolver,
  type SafeFetchOptions,
  safeFetch,
  safeFetchWithRetries,
  type UrlPolicy,
} from '../../../crawlers/net/index.ts';
import { type FaultServer, startFaultServer } from '../../support/fault-server.ts';

let fs: FaultServer;
let policy: UrlPolicy;
const MIB = 1024 * 1024;

async function failWith(
  url: string,
  code: FetchErrorCode,
  opts: Partial<SafeFetchOptions> = {},
): Promise<FetchError> {
  const outcome = await safeFetch(url, { policy, ...opts }).then(
    (r) => r,
    (e: unknown) => e,
  );
  if (!(outcome instanceof FetchError)) {
    throw new Error(
      `expected FetchError ${code} for ${url}, got ${outcome instanceof Error ? outcome : 'success'}`,
    );
  }
  expect(outcome.code, outcome.message).toBe(code);
  return outcome;
}

beforeAll(async () => {
  fs = await startFaultServer({
    fixtures: { page: '<html><body><h1>Offer</h1></body></html>' },
    trickleIntervalMs: 100,
  });
  policy = { allowPrivate: false, allow: [`127.0.0.1:${fs.port}`] };
});
afterAll(() => fs.close());

describe('C1/C2: statuses are surfaced, not thrown', () => {
  it('returns 404, 410 and 5xx with their status', async () => {
    for (const status of [404, 410, 500, 503]) {
      expect((await safeFetch(`${fs.url}/status/${status}`, { policy })).status).toBe(status);
    }
  });

  it('/flaky fails twice then succeeds', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await safeFetch(`${fs.url}/flaky?fail=2&key=c1`, { policy })).status);
    expect(statuses).toEqual([500, 500, 200]);
  });

  it('surfaces 429 with a parseable Retry-After (C3)', async () => {
    const result = await safeFetch(`${fs.url}/retry-after?s=5`, { policy });
    expect(result.status).toBe(429);
    expect(parseRetryAfter(result.headers['retry-after'])).toBe(5000);
  });

  it('reports NXDOMAIN as dns', async () => {
    const nx: Resolver = async (host) => {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    };
    const error = await failWith('http://nx.test/', 'dns', { resolver: nx });
    expect(error.message).toBe('could not resolve nx.test (ENOTFOUND)');
  });

  it('reports a refused connection as connect', async () => {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await failWith(`http://127.0.0.1:${port}/`, 'connect', {
      policy: { allowPrivate: false, allow: [`127.0.0.1:${port}`] },
    });
  });

  it('decodes gzip and brotli bodies', async () => {
    const server = http.createServer((req, res) => {
      const body = Buffer.from('<p>compressed offer</p>');
      const br = req.url === '/br';
      res.writeHead(200, { 'content-encoding': br ? 'br' : 'gzip' });
      res.end(br ? zlib.brotliCompressSync(body) : zlib.gzipSync(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const local: UrlPolicy = { allowPrivate: false, allow: [`127.0.0.1:${port}`] };
    for (const path of ['/gz', '/br']) {
      const result = await safeFetch(`http://127.0.0.1:${port}${path}`, { policy: local });
      expect(result.body.toString()).toBe('<p>compressed offer</p>');
    }
    server.closeAllConnections();
    server.close();
  });
});

describe('bodiless responses', () => {
  it('HEAD and 304 with Content-Encoding gzip are complete, empty and not decoded', async () => {
    const server = http.createServer((req, res) => {
      res.writeHead(req.url === '/304' ? 304 : 200, { 'content-encoding': 'gzip', 'content-length': 99 });
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const local: UrlPolicy = { allowPrivate: false, allow: [`127.0.0.1:${port}`] };
    const head = await safeFetch(`http://127.0.0.1:${port}/`, { policy: local, method: 'HEAD' });
    expect([head.status, head.body.length]).toEqual([200, 0]);
    const notModified = await safeFetch(`http://127.0.0.1:${port}/304`, { policy: local });
    expect([notModified.status, notModified.body.length]).toEqual([304, 0]);
    server.closeAllConnections();
    server.close();
  });
});

describe('C4: slow and never-ending responses time out', () => {
  it.each([
    ['/trickle', { timeoutMs: 800 }],
    ['/forever', { timeoutMs: 800 }],
    ['/delay?ms=120000&headersFirst=1', { timeoutMs: 800 }],
    ['/delay?ms=120000', { timeoutMs: 800 }],
    ['/robots.txt', { timeoutMs: 800 }],
  ])('%s aborts at the configured timeout', async (path, opts) => {
    fs.robots = 'hang';
    const started = Date.now();
    const error = await failWith(`${fs.url}${path}`, 'timeout', opts);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(750);
    // The server would hold on for two minutes: ending within seconds is our timeout, with room for a loaded CI.
    expect(elapsed).toBeLessThan(10_000);
    expect(error.message).toContain('800 ms');
    fs.robots = 'User-agent: *\nAllow: /\n';
  });

  it('headersTimeoutMs bounds the wait for headers separately', async () => {
    const started = Date.now();
    const error = await failWith(`${fs.url}/delay?ms=120000`, 'timeout', {
      timeoutMs: 10_000,
      headersTimeoutMs: 300,
    });
    // The message says which bound fired; the overall 10 s bound would have said otherwise.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(error.message).toContain('no response headers within 300 ms');
  });

  it('frees the socket: the server sees the connection closed', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200);
      res.write('x');
    });
    let closed = 0;
    server.on('connection', (socket) => socket.on('close', () => closed++));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await failWith(`http://127.0.0.1:${port}/`, 'timeout', {
      policy: { allowPrivate: false, allow: [`127.0.0.1:${port}`] },
      timeoutMs: 300,
    });
    await vi.waitFor(() => expect(closed).toBe(1), { timeout: 5000 });
    server.close();
  });

  it('an AbortSignal aborts as aborted', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    await failWith(`${fs.url}/forever`, 'aborted', { signal: controller.signal });
  });
});

describe('C5: oversized and compressed bodies are capped', () => {
  it.each([
    ['/huge?mb=10', 'Content-Length'],
    ['/huge?mb=10&chunked=1', 'on the wire'],
    ['/chunked-infinite', 'on the wire'],
    ['/gzip-bomb', 'after decompression'],
  ])('%s → too_large (%s), with bounded memory', async (path, where) => {
    const rssBefore = process.memoryUsage().rss;
    const error = await failWith(`${fs.url}${path}`, 'too_large');
    expect(error.message).toContain(where);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(3 * 5 * MIB);
  });

  it('a smaller cap applies too, and a body at the cap passes', async () => {
    await failWith(`${fs.url}/huge?mb=1&chunked=1`, 'too_large', { maxBytes: 512 * 1024 });
    const ok = await safeFetch(`${fs.url}/huge?mb=0.5`, { policy, maxBytes: 512 * 1024 });
    expect(ok.body.length).toBe(512 * 1024);
  });

  it('the gzip bomb is stopped after decompression even when the wire size is small', async () => {
    const error = await failWith(`${fs.url}/gzip-bomb?mb=64`, 'too_large', { maxBytes: MIB });
    expect(error.message).toContain('after decompression');
  });
});

describe('C6: truncated and dropped bodies are errors', () => {
  it('/partial (short Content-Length body) → truncated', async () => {
    await failWith(`${fs.url}/partial`, 'truncated');
  });

  it('/drop?abort=1 (chunked body cut) → truncated', async () => {
    await failWith(`${fs.url}/drop?abort=1`, 'truncated');
  });

  it('/drop (no response at all) → connect', async () => {
    await failWith(`${fs.url}/drop`, 'connect');
  });

  it('a gzip body cut mid-stream → truncated', async () => {
    const full = zlib.gzipSync(Buffer.alloc(200_000, 'z'));
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end(full.subarray(0, Math.floor(full.length / 2)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await failWith(`http://127.0.0.1:${port}/`, 'truncated', {
      policy: { allowPrivate: false, allow: [`127.0.0.1:${port}`] },
    });
    server.close();
  });

  it('the streaming body errors too: a consumer never sees a clean end', async () => {
    const response = await openGuardedResponse(`${fs.url}/partial`, { policy });
    expect(response.status).toBe(200);
    const consumed = (async () => {
      for await (const _chunk of response.body) {
        // drain
      }
    })();
    await expect(consumed).rejects.toMatchObject({ code: 'truncated' });
  });
});

describe('C7: redirect chains', () => {
  it('/loop → too_many_redirects (loop detected)', async () => {
    const error = await failWith(`${fs.url}/loop`, 'too_many_redirects');
    expect(error.message).toContain('loop');
  });

  it('a 20-hop chain stops at the cap of 5', async () => {
    const before = fs.log.length;
    const error = await failWith(`${fs.url}/chain?n=20`, 'too_many_redirects');
    expect(error.message).toBe('more than 5 redirects');
    expect(error.redirects).toHaveLength(5);
    expect(fs.log.length - before).toBe(6);
  });

  it('a 3-hop chain is followed and reported', async () => {
    const result = await safeFetch(`${fs.url}/chain?n=3`, { policy });
    expect(result.status).toBe(200);
    expect(result.url).toBe(`${fs.url}/chain?n=0`);
    expect(result.redirects).toHaveLength(3);
  });

  it('303 turns a POST into a GET without the body', async () => {
    const server = http.createServer((req, res) => {
      if (req.url === '/post') {
        res.writeHead(303, { location: '/after' });
        res.end();
        return;
      }
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => res.end(`${req.method} ${body.length}`));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const result = await safeFetch(`http://127.0.0.1:${port}/post`, {
      policy: { allowPrivate: false, allow: [`127.0.0.1:${port}`] },
      method: 'POST',
      body: 'payload',
      headers: { 'content-type': 'text/plain' },
    });
    expect(result.body.toString()).toBe('GET 0');
    server.closeAllConnections();
    server.close();
  });
});

describe('safeFetchWithRetries: a moment of trouble is tried again, a refusal is not', () => {
  const quick = { retries: 2, delaysMs: [10, 20] };
  const requestsTo = (prefix: string) => fs.log.filter((e) => e.path.startsWith(prefix)).length;

  it('retries 5xx until it succeeds, and returns the last answer when the retries run out', async () => {
    expect((await safeFetchWithRetries(`${fs.url}/flaky?fail=2&key=r1`, { policy }, quick)).status).toBe(200);
    expect(requestsTo('/flaky?fail=2&key=r1')).toBe(3);
    expect((await safeFetchWithRetries(`${fs.url}/flaky?fail=5&key=r2`, { policy }, quick)).status).toBe(500);
    expect(requestsTo('/flaky?fail=5&key=r2')).toBe(3);
  });

  it('waits for a short Retry-After, and returns a long one at once for the caller to record', async () => {
    const t0 = Date.now();
    expect(
      (await safeFetchWithRetries(`${fs.url}/retry-after?s=1&fail=1&key=r3`, { policy }, quick)).status,
    ).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    const long = await safeFetchWithRetries(`${fs.url}/retry-after?s=3600&key=r4`, { policy }, quick);
    expect(long.status).toBe(429);
    expect(requestsTo('/retry-after?s=3600&key=r4')).toBe(1);
  });

  it('retries a dropped connection but never a permanent failure', async () => {
    await expect(safeFetchWithRetries(`${fs.url}/drop`, { policy }, quick)).rejects.toMatchObject({
      code: 'connect',
    });
    expect(requestsTo('/drop')).toBeGreaterThanOrEqual(3);
    const before = requestsTo('/huge?mb=2&key=r5');
    await expect(
      safeFetchWithRetries(`${fs.url}/huge?mb=2&key=r5`, { policy, maxBytes: MIB }, quick),
    ).rejects.toMatchObject({ code: 'too_large' });
    expect(requestsTo('/huge?mb=2&key=r5') - before).toBe(1);
    expect((await safeFetchWithRetries(`${fs.url}/status/404`, { policy }, quick)).status).toBe(404);
  });

  it('sends another method than GET or HEAD once, and an abort while waiting is a FetchError aborted', async () => {
    const post = await safeFetchWithRetries(
      `${fs.url}/flaky?fail=1&key=r6`,
      { policy, method: 'POST' },
      quick,
    );
    expect(post.status).toBe(500);
    expect(requestsTo('/flaky?fail=1&key=r6')).toBe(1);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    await expect(
      safeFetchWithRetries(
        `${fs.url}/flaky?fail=5&key=r7`,
        { policy, signal: controller.signal },
        { retries: 2, delaysMs: [10_000] },
      ),
    ).rejects.toMatchObject({ name: 'FetchError', code: 'aborted' });
    expect(requestsTo('/flaky?fail=5&key=r7')).toBe(1);
  });
});
