// AUTH modes (auto on a non-loopback host, required, off) and RELIABILITY.md S9: per-key and per-address rate
// limits with 429 + retry-after, other clients unaffected, and a rotating X-Forwarded-For that changes nothing
// unless TRUST_PROXY is set. One database; each app starts from an empty keys table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { createPgliteTestDb, type TestDb } from '../support/db.ts';

let tdb: TestDb;
beforeAll(async () => {
  tdb = await createPgliteTestDb();
});
afterAll(async () => {
  await tdb?.close();
});

async function withApp(env: Record<string, string>, fn: (t: TestApp) => Promise<void>) {
  await tdb.db.query('test.reset', 'TRUNCATE api_keys CASCADE');
  const t = await createTestApp(tdb, { env });
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

const get = (t: TestApp, url: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url, headers });
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function firstAdmin(t: TestApp, headers: Record<string, string> = {}): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/api/keys', headers, payload: { role: 'admin' } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().key;
}

describe('AUTH modes', () => {
  it('auto on a non-loopback host: a key from the start; only the first admin key may be made locally', async () => {
    await withApp({ HOST: '0.0.0.0' }, async (t) => {
      expect((await get(t, '/api/targets')).statusCode).toBe(401);
      expect((await get(t, '/')).statusCode).toBe(401);
      // Not from a proxy, not under another name.
      for (const headers of [{ 'x-forwarded-for': '127.0.0.1' }, { host: 'radar.example.com' }]) {
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/keys',
          headers,
          payload: { role: 'admin' },
        });
        expect(res.statusCode).toBe(401);
      }
      const key = await firstAdmin(t);
      expect((await get(t, '/api/targets', bearer(key))).statusCode).toBe(200);
      expect(
        (await t.app.inject({ method: 'POST', url: '/api/keys', payload: { role: 'admin' } })).statusCode,
      ).toBe(401);
    });
  });

  it('auto behind a trusted proxy never opens, not even for the first key', async () => {
    await withApp({ HOST: '0.0.0.0', TRUST_PROXY: '127.0.0.1' }, async (t) => {
      expect(
        (await t.app.inject({ method: 'POST', url: '/api/keys', payload: { role: 'admin' } })).statusCode,
      ).toBe(401);
    });
  });

  it('required on loopback: no key, no answer; the first admin key may still be made locally', async () => {
    await withApp({ AUTH: 'required' }, async (t) => {
      expect((await get(t, '/api/targets')).statusCode).toBe(401);
      const key = await firstAdmin(t);
      expect((await get(t, '/api/targets', bearer(key))).statusCode).toBe(200);
    });
  });

  it('off: everything open, even with keys', async () => {
    await withApp({ AUTH: 'off', HOST: '0.0.0.0' }, async (t) => {
      await firstAdmin(t);
      expect((await get(t, '/api/targets', { 'x-forwarded-for': '203.0.113.1' })).statusCode).toBe(200);
      expect((await get(t, '/api/keys')).statusCode).toBe(200);
    });
  });

  it('a key created elsewhere (another process) closes the bootstrap at once', async () => {
    await withApp({}, async (t) => {
      expect((await get(t, '/api/targets')).statusCode).toBe(200);
      await tdb.db.query(
        'test.foreign_key',
        `INSERT INTO api_keys (name, role, lookup, salt, digest) VALUES ('other', 'admin', 'aaaaaaaaaaaa', '\\x00', '\\x00')`,
      );
      expect((await get(t, '/api/targets')).statusCode).toBe(401);
    });
  });
});

/** Sends n GETs, 50 at a time; returns the status codes in order. */
async function burst(t: TestApp, n: number, url: string, headers: (i: number) => Record<string, string>) {
  const codes: number[] = [];
  const last: { headers: Record<string, unknown>; body: string }[] = [];
  for (let i = 0; i < n; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, n - i) }, (_, j) => get(t, url, headers(i + j))),
    );
    for (const r of batch) {
      codes.push(r.statusCode);
      last.push({ headers: r.headers, body: r.body });
    }
  }
  return { codes, responses: last };
}
const countOf = (codes: number[], code: number) => codes.filter((c) => c === code).length;

// 1,200 in-process requests plus key set-up: seconds when quiet, but over vitest's 30 s default on a loaded CI.
describe('S9: rate limits', { timeout: 90_000 }, () => {
  it('1,200 requests in a minute on one key: 600 answered, then 429 with retry-after; other keys unaffected', async () => {
    await withApp({}, async (t) => {
      const admin = await firstAdmin(t);
      const make = async () =>
        (
          await t.app.inject({
            method: 'POST',
            url: '/api/keys',
            headers: bearer(admin),
            payload: { role: 'viewer' },
          })
        ).json().key as string;
      const a = await make();
      const b = await make();
      const { codes, responses } = await burst(t, 1200, '/api/competitors', () => bearer(a));
      expect(countOf(codes, 200)).toBe(600);
      expect(countOf(codes, 429)).toBe(600);
      const limited = responses[codes.lastIndexOf(429)];
      const retryAfter = Number(limited.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(limited.headers['x-ratelimit-limit']).toBe('600');
      expect(JSON.parse(limited.body)).toMatchObject({
        error: 'RATE_LIMITED',
        message: expect.stringMatching(/600/),
      });
      // Another key, and the address itself (no key), keep their own budgets.
      expect((await get(t, '/api/competitors', bearer(b))).statusCode).toBe(200);
      expect((await get(t, '/health')).statusCode).toBe(200);
      expect((await get(t, '/api/competitors', bearer(a))).statusCode).toBe(429);
    });
  });

  it('a rotating X-Forwarded-For does not reset the per-address counter (trustProxy off)', async () => {
    await withApp({}, async (t) => {
      const { codes } = await burst(t, 1200, '/health', (i) => ({
        'x-forwarded-for': `198.51.100.${i % 250}, 10.0.${i % 7}.1`,
      }));
      expect(countOf(codes, 200)).toBe(600);
      expect(countOf(codes, 429)).toBe(600);
    });
  });

  it('wrong keys are limited per address too (no free guessing)', async () => {
    await withApp({ RATE_LIMIT_PER_MINUTE: '5' }, async (t) => {
      await firstAdmin(t);
      const { codes } = await burst(t, 12, '/api/targets', (i) =>
        bearer(`mr_${String(i).padStart(12, '0')}_${'A'.repeat(43)}`),
      );
      // Creating the first key (no key yet: the address's budget) took one of the five.
      expect(countOf(codes, 401)).toBe(4);
      expect(countOf(codes, 429)).toBe(8);
    });
  });

  it('with TRUST_PROXY set, the forwarded address is the client (each gets its own budget)', async () => {
    await withApp({ RATE_LIMIT_PER_MINUTE: '5', TRUST_PROXY: '127.0.0.1' }, async (t) => {
      const rotating = await burst(t, 20, '/health', (i) => ({ 'x-forwarded-for': `198.51.100.${i}` }));
      expect(countOf(rotating.codes, 200)).toBe(20);
      const same = await burst(t, 8, '/health', () => ({ 'x-forwarded-for': '198.51.100.200' }));
      expect(countOf(same.codes, 200)).toBe(5);
      expect(countOf(same.codes, 429)).toBe(3);
    });
  });

  it('RATE_LIMIT_PER_MINUTE=0 turns limiting off', async () => {
    await withApp({ RATE_LIMIT_PER_MINUTE: '0' }, async (t) => {
      const { codes } = await burst(t, 100, '/health', () => ({}));
      expect(countOf(codes, 200)).toBe(100);
    });
  });
});
