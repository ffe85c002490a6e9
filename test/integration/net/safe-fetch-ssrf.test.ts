// Covers RELIABILITY.md S1 (through the transport), S2 (guard on the socket path), S3 (DNS rebinding)
// and S4 (redirects to private/metadata addresses, https→http), all against loopback servers only.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchError, type Resolver, safeFetch, type UrlPolicy } from '../../../crawlers/net/index.ts';
import { type Canary, startCanary } from '../../support/canary.ts';
import { type FaultServer, REDIRECT_BODY_SECRET, startFaultServer } from '../../support/fault-server.ts';

const TEST_PUBLIC = '127.0.0.3';
let fs: FaultServer; // on 127.0.0.3, classified "public" through the policy's CIDR entry
let canary: Canary; // on 127.0.0.1, same port as fs, so a rebind to 127.0.0.1 would land here
let canary2: Canary; // on 127.0.0.2
let policy: UrlPolicy;

async function failure(promise: Promise<unknown>): Promise<FetchError> {
  const error = await promise.then(
    () => new Error('expected the fetch to fail'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FetchError);
  return error as FetchError;
}

beforeAll(async () => {
  for (let attempt = 0; ; attempt++) {
    fs = await startFaultServer({ host: TEST_PUBLIC });
    try {
      canary = await startCanary('127.0.0.1', fs.port);
      break;
    } catch (error) {
      await fs.close();
      if (attempt > 5) throw error;
    }
  }
  canary2 = await startCanary('127.0.0.2');
  policy = { allowPrivate: false, allow: [`${TEST_PUBLIC}/32`] };
});

afterAll(async () => {
  await Promise.all([fs?.close(), canary?.close(), canary2?.close()]);
});

describe('S1/S2: private targets are refused at fetch time, before any connection', () => {
  const payloads = (port: number): string[] => [
    `http://127.0.0.1:${port}/`,
    `http://localhost:${port}/`,
    `http://0:${port}/`,
    `http://0.0.0.0:${port}/`,
    `http://127.1:${port}/`,
    `http://017700000001:${port}/`,
    `http://0x7f.0.0.1:${port}/`,
    `http://2130706433:${port}/`,
    `http://[::ffff:127.0.0.1]:${port}/`,
    `http://[::ffff:7f00:1]:${port}/`,
    `http://[::1]:${port}/`,
    `http://user:pw@127.0.0.1:${port}/`,
    `http://127.0.0.1:${port}/${'a'.repeat(10_000)}`,
    `gopher://127.0.0.1:${port}/_GET`,
    `ftp://127.0.0.1:${port}/`,
  ];

  it('refuses every payload with url_not_allowed and a clear message; canaries get 0 hits', async () => {
    for (const url of [
      ...payloads(canary.port),
      ...payloads(canary2.port).map((u) => u.replace('127.0.0.1', '127.0.0.2')),
    ]) {
      const error = await failure(safeFetch(url, { policy, timeoutMs: 2000 }));
      expect(error.code, url).toBe('url_not_allowed');
      expect(error.message.length).toBeGreaterThan(10);
      expect(error.message).not.toContain('CANARY');
    }
    expect(canary.hits).toBe(0);
    expect(canary2.hits).toBe(0);
  });

  it('refuses a name that resolves to the canary, even with the API check skipped (S2)', async () => {
    const resolver: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
    const error = await failure(safeFetch(`http://evil.test:${canary.port}/`, { policy, resolver }));
    expect(error.code).toBe('url_not_allowed');
    expect(error.message).toBe('target resolves to a private address (127.0.0.1, loopback)');
    expect(canary.hits).toBe(0);
  });

  it('the allowlist is exact: the allowed fixture works, the canary next to it does not', async () => {
    const result = await safeFetch(`${fs.url}/status/200`, { policy });
    expect(result.status).toBe(200);
    expect(result.address).toBe(TEST_PUBLIC);
    await failure(safeFetch(`http://127.0.0.1:${fs.port}/status/200`, { policy }));
    expect(canary.hits).toBe(0);
  });
});

describe('S3: DNS rebinding', () => {
  it('connects only to the validated address over 100 alternating answers', async () => {
    let calls = 0;
    const rebinding: Resolver = async () => {
      calls++;
      return [{ address: calls % 2 === 1 ? TEST_PUBLIC : '127.0.0.1', family: 4 }];
    };
    const before = fs.log.length;
    let ok = 0;
    let refused = 0;
    for (let i = 0; i < 100; i++) {
      try {
        const result = await safeFetch(`http://rebind.test:${fs.port}/status/200`, {
          policy,
          resolver: rebinding,
        });
        expect(result.address).toBe(TEST_PUBLIC);
        ok++;
      } catch (error) {
        expect((error as FetchError).code).toBe('url_not_allowed');
        refused++;
      }
    }
    expect(calls).toBe(100); // one resolution per fetch: nothing resolves the name a second time
    expect(ok).toBe(50);
    expect(refused).toBe(50);
    expect(fs.log.length - before).toBe(50);
    expect(canary.hits).toBe(0);
  });

  it('refuses a mixed answer (public + private) outright', async () => {
    const mixed: Resolver = async () => [
      { address: TEST_PUBLIC, family: 4 },
      { address: '127.0.0.1', family: 4 },
    ];
    expect(
      (await failure(safeFetch(`http://mixed.test:${fs.port}/`, { policy, resolver: mixed }))).code,
    ).toBe('url_not_allowed');
    expect(canary.hits).toBe(0);
  });

  it('re-resolves and re-checks the name on every redirect hop', async () => {
    let calls = 0;
    const rebinding: Resolver = async () => [
      { address: calls++ === 0 ? TEST_PUBLIC : '127.0.0.1', family: 4 },
    ];
    const to = encodeURIComponent(`http://rebind.test:${fs.port}/status/200`);
    const error = await failure(
      safeFetch(`http://rebind.test:${fs.port}/redirect?to=${to}`, { policy, resolver: rebinding }),
    );
    expect(error.code).toBe('url_not_allowed');
    expect(error.message).toContain('redirect to http://rebind.test');
    expect(calls).toBe(2);
    expect(canary.hits).toBe(0);
  });
});

describe('pinning keeps HTTP semantics', () => {
  it('sends the URL host as Host while connecting to the pinned IP, and drops credentials cross-origin', async () => {
    const seen: { host?: string; authorization?: string; cookie?: string; url?: string }[] = [];
    const server = http.createServer((req, res) => {
      seen.push({
        host: req.headers.host,
        authorization: req.headers.authorization,
        cookie: req.headers.cookie,
        url: req.url,
      });
      if (req.url === '/hop') {
        res.writeHead(302, { location: `http://other.test:${port}/end` });
        res.end();
      } else res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, TEST_PUBLIC, resolve));
    const port = (server.address() as AddressInfo).port;
    const resolver: Resolver = async () => [{ address: TEST_PUBLIC, family: 4 }];
    const result = await safeFetch(`http://shop.test:${port}/hop`, {
      policy,
      resolver,
      headers: { Authorization: 'Bearer secret', Cookie: 'sid=1' },
    });
    expect(result.body.toString()).toBe('ok');
    expect(seen).toEqual([
      { host: `shop.test:${port}`, authorization: 'Bearer secret', cookie: 'sid=1', url: '/hop' },
      { host: `other.test:${port}`, authorization: undefined, cookie: undefined, url: '/end' },
    ]);
    server.closeAllConnections();
    server.close();
  });
});

describe('S4: redirects to private addresses', () => {
  it.each([
    ['canary on 127.0.0.1', () => `${canary.url}/`],
    ['canary on 127.0.0.2', () => `${canary2.url}/`],
    ['cloud metadata', () => 'http://169.254.169.254/latest/meta-data/'],
    ['IPv6 metadata', () => 'http://[fd00:ec2::254]/'],
    ['decimal loopback', () => `http://2130706433:${canary.port}/`],
    ['file scheme', () => 'file:///etc/passwd'],
  ])('re-checks a redirect to %s and leaks no body', async (_name, target) => {
    for (const status of [301, 302, 303, 307, 308]) {
      const url = `${fs.url}/redirect?status=${status}&to=${encodeURIComponent(target())}`;
      const error = await failure(safeFetch(url, { policy }));
      expect(error.code).toBe('url_not_allowed');
      expect(error.message).toMatch(/^redirect to .* refused: /);
      expect(JSON.stringify({ ...error, message: error.message })).not.toContain(REDIRECT_BODY_SECRET);
      expect(error.message).not.toContain('CANARY');
    }
    expect(canary.hits).toBe(0);
    expect(canary2.hits).toBe(0);
  });

  it('maxRedirects 0 (webhooks) returns the 3xx without following it', async () => {
    const url = `${fs.url}/redirect?to=${encodeURIComponent(`${canary.url}/`)}`;
    const result = await safeFetch(url, { policy, maxRedirects: 0 });
    expect(result.status).toBe(302);
    expect(result.redirects).toEqual([]);
    expect(canary.hits).toBe(0);
  });

  describe('https → http', () => {
    let server: https.Server;
    let ca: Buffer;
    let port: number;
    beforeAll(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'net-tls-'));
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=secure.test'].concat([
          '-addext',
          'subjectAltName=DNS:secure.test',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ]),
        { stdio: 'ignore' },
      );
      ca = readFileSync(join(dir, 'cert.pem'));
      server = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: ca }, (req, res) => {
        const to = new URL(req.url ?? '/', 'https://x').searchParams.get('to');
        if (to) {
          res.writeHead(302, { location: to });
          res.end(REDIRECT_BODY_SECRET);
        } else res.end('secure hello');
      });
      await new Promise<void>((resolve) => server.listen(0, TEST_PUBLIC, resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const resolver: Resolver = async () => [{ address: TEST_PUBLIC, family: 4 }];

    it('pins the IP yet verifies the certificate against the host name', async () => {
      const result = await safeFetch(`https://secure.test:${port}/`, { policy, resolver, ca });
      expect(result.body.toString()).toBe('secure hello');
      const error = await failure(safeFetch(`https://other.test:${port}/`, { policy, resolver, ca }));
      expect(error.code).toBe('connect');
    });

    it('refuses a downgrade to http unless allowed', async () => {
      const to = encodeURIComponent(`http://secure.test:${fs.port}/status/200`);
      const error = await failure(
        safeFetch(`https://secure.test:${port}/?to=${to}`, { policy, resolver, ca }),
      );
      expect(error.code).toBe('url_not_allowed');
      expect(error.message).toContain('https to http');
      expect(error.message).not.toContain(REDIRECT_BODY_SECRET);
      const allowed = await safeFetch(`https://secure.test:${port}/?to=${to}`, {
        policy,
        resolver,
        ca,
        allowHttpsDowngrade: true,
      });
      expect(allowed.status).toBe(200);
    });
  });
});
