// API keys through buildApp + inject: the bootstrap (open on loopback until the first key, only from this
// machine), RELIABILITY.md S8 (no key, wrong, revoked, expired → 401; viewer POST /api/targets → 403; digests
// only; shown once; no key in logs), roles, key management, and the read-only browser session of the report.
import { Writable } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../logger.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

const logLines: string[] = [];
/** The app's own logger (logger.ts, with its redaction), written to memory so every line can be grepped. */
function memoryLogger(lines: string[]) {
  return createLogger(
    'debug',
    'auth-test',
    new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    }),
  );
}

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp(undefined, { log: memoryLogger(logLines) });
});
afterAll(async () => {
  await t?.close();
});

interface Opts {
  key?: string;
  xApiKey?: string;
  cookie?: string;
  payload?: unknown;
  headers?: Record<string, string>;
}
function call(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, o: Opts = {}) {
  const headers: Record<string, string> = { ...o.headers };
  if (o.key) headers.authorization = `Bearer ${o.key}`;
  if (o.xApiKey) headers['x-api-key'] = o.xApiKey;
  if (o.cookie) headers.cookie = o.cookie;
  return t.app.inject({
    method,
    url,
    headers,
    ...(o.payload === undefined ? {} : { payload: o.payload as object }),
  });
}

function expectError(res: LightMyRequestResponse, status: number, code: string | RegExp) {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json();
  expect(body.error).toMatch(code);
  expect(typeof body.message).toBe('string');
  expect(body.message.length).toBeGreaterThan(5);
}

async function createKey(adminKey: string | undefined, role: string, extra: Record<string, unknown> = {}) {
  const res = await call('POST', '/api/keys', { key: adminKey, payload: { role, ...extra } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: number; key: string; role: string; hint: string };
}

const secrets: string[] = [];
let admin: { id: number; key: string };
let viewer: { id: number; key: string };
let editor: { id: number; key: string };

describe('bootstrap: no key needed on loopback until the first key exists', () => {
  it('answers local requests without a key while no key exists', async () => {
    expect((await call('GET', '/api/targets')).statusCode).toBe(200);
    expect((await call('GET', '/')).statusCode).toBe(200);
  });

  it('is not open to a request naming another host (DNS rebinding) or forwarded by a proxy', async () => {
    expectError(
      await call('GET', '/api/targets', { headers: { host: 'evil.example:3000' } }),
      401,
      'AUTH_REQUIRED',
    );
    expectError(
      await call('GET', '/api/targets', { headers: { 'x-forwarded-for': '203.0.113.9' } }),
      401,
      'AUTH_REQUIRED',
    );
    expectError(
      await call('GET', '/api/targets', { headers: { forwarded: 'for=203.0.113.9' } }),
      401,
      'AUTH_REQUIRED',
    );
  });

  it('refuses a first key that is not admin, then creates the admin key and shows it once', async () => {
    expectError(
      await call('POST', '/api/keys', { payload: { role: 'viewer' } }),
      400,
      'FIRST_KEY_MUST_BE_ADMIN',
    );
    const res = await call('POST', '/api/keys', { payload: { role: 'admin', name: 'ops' } });
    expect(res.statusCode).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body.key).toMatch(/^mr_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(body).toMatchObject({
      role: 'admin',
      name: 'ops',
      status: 'active',
      revokedAt: null,
      expiresAt: null,
    });
    expect(body.key.startsWith(body.hint.replace('…', ''))).toBe(true);
    admin = body;
    secrets.push(admin.key);
  });

  it('once a key exists, every /api request and page needs one', async () => {
    const res = await call('GET', '/api/targets');
    expectError(res, 401, 'AUTH_REQUIRED');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expectError(await call('POST', '/api/keys', { payload: { role: 'admin' } }), 401, 'AUTH_REQUIRED');
    // A person's browser goes to the login form, keeping where it wanted to go.
    const page = await call('GET', '/report/weekly?week=2026-W07', { headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe(`/login?next=${encodeURIComponent('/report/weekly?week=2026-W07')}`);
    // Health, docs and static assets stay open.
    expect((await call('GET', '/health')).statusCode).toBe(200);
    expect((await call('GET', '/docs/json')).statusCode).toBe(200);
    expect((await call('GET', '/assets/css/app.css')).statusCode).toBe(200);
    expect((await call('GET', '/login')).statusCode).toBe(200);
  });
});

describe('S8: API authentication', () => {
  beforeAll(async () => {
    viewer = await createKey(admin.key, 'viewer', { name: 'read only' });
    editor = await createKey(admin.key, 'editor');
    secrets.push(viewer.key, editor.key);
  });

  it('no key, a wrong key, a revoked key and an expired key get 401; a viewer POSTing a target gets 403', async () => {
    expectError(await call('GET', '/api/targets'), 401, 'AUTH_REQUIRED');

    // Wrong: malformed, unknown lookup, right lookup with a wrong secret, wrong scheme.
    const tampered = `${viewer.key.slice(0, -4)}AAAA`;
    for (const key of ['nope', `mr_${'0'.repeat(12)}_${'A'.repeat(43)}`, tampered]) {
      expectError(await call('GET', '/api/targets', { key }), 401, 'API_KEY_INVALID');
      expectError(await call('GET', '/api/targets', { xApiKey: key }), 401, 'API_KEY_INVALID');
    }
    expectError(
      await call('GET', '/api/targets', { headers: { authorization: `Basic ${viewer.key}` } }),
      401,
      'API_KEY_INVALID',
    );

    const doomed = await createKey(admin.key, 'editor');
    const expiring = await createKey(admin.key, 'editor', {
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    secrets.push(doomed.key, expiring.key);
    expect((await call('GET', '/api/targets', { key: doomed.key })).statusCode).toBe(200);
    expect((await call('GET', '/api/targets', { key: expiring.key })).statusCode).toBe(200);
    expect((await call('DELETE', `/api/keys/${doomed.id}`, { key: admin.key })).statusCode).toBe(204);
    expectError(await call('GET', '/api/targets', { key: doomed.key }), 401, 'API_KEY_REVOKED');
    await t.tdb.db.query(
      'test.expire',
      `UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [expiring.id],
    );
    expectError(await call('GET', '/api/targets', { key: expiring.key }), 401, 'API_KEY_EXPIRED');

    const payload = { kind: 'product', url: 'https://shop.test/p/auth' };
    expectError(await call('POST', '/api/targets', { key: viewer.key, payload }), 403, 'FORBIDDEN');
    expect((await call('GET', '/api/targets', { key: viewer.key })).statusCode).toBe(200);
    expect((await call('GET', '/api/targets', { xApiKey: viewer.key })).statusCode).toBe(200);
    const made = await call('POST', '/api/targets', { key: editor.key, payload });
    expect(made.statusCode).toBe(201);
    // Viewers cannot change targets, rules or channels in any way.
    const id = made.json().id;
    expectError(
      await call('PATCH', `/api/targets/${id}`, { key: viewer.key, payload: { enabled: false } }),
      403,
      'FORBIDDEN',
    );
    expectError(await call('DELETE', `/api/targets/${id}`, { key: viewer.key }), 403, 'FORBIDDEN');
    expectError(await call('POST', '/api/rules', { key: viewer.key, payload: {} }), 403, 'FORBIDDEN');
    expectError(await call('POST', '/api/channels', { key: viewer.key, payload: {} }), 403, 'FORBIDDEN');
    expect((await call('GET', `/api/targets/${id}`, { key: viewer.key })).json().enabled).toBe(true);
  });

  it('only admins manage keys', async () => {
    for (const k of [viewer, editor]) {
      expectError(await call('GET', '/api/keys', { key: k.key }), 403, 'FORBIDDEN');
      expectError(
        await call('POST', '/api/keys', { key: k.key, payload: { role: 'admin' } }),
        403,
        'FORBIDDEN',
      );
      expectError(await call('DELETE', `/api/keys/${admin.id}`, { key: k.key }), 403, 'FORBIDDEN');
    }
  });

  it('lists keys without their secrets (shown once), with status and last use', async () => {
    const res = await call('GET', '/api/keys', { key: admin.key });
    expect(res.statusCode).toBe(200);
    for (const s of secrets) expect(res.body).not.toContain(s.slice(16));
    const items = res.json().items as Record<string, unknown>[];
    for (const k of items) {
      expect(Object.keys(k).sort()).toEqual(
        ['createdAt', 'expiresAt', 'hint', 'id', 'lastUsedAt', 'name', 'revokedAt', 'role', 'status'].sort(),
      );
    }
    expect(items.map((k) => k.status)).toEqual(['active', 'active', 'active', 'revoked', 'expired']);
    expect(items.find((k) => k.id === viewer.id)?.lastUsedAt).not.toBeNull();
    const page = (await call('GET', '/api/keys?limit=2', { key: admin.key })).json();
    expect(page.items).toHaveLength(2);
    const rest = (
      await call('GET', `/api/keys?limit=10&cursor=${page.nextCursor}`, { key: admin.key })
    ).json();
    expect(rest.items).toHaveLength(3);
  });

  it('validates key creation and revocation', async () => {
    const bad = [
      { role: 'root' },
      {},
      { role: 'viewer', expiresAt: 'tomorrow' },
      { role: 'viewer', expiresAt: '2001-01-01T00:00:00Z' },
      { role: 'viewer', name: '' },
      { role: 'viewer', surprise: true },
    ];
    for (const payload of bad) {
      const res = await call('POST', '/api/keys', { key: admin.key, payload });
      expectError(res, 400, /VALIDATION_FAILED/);
      expect(res.json().message, JSON.stringify(payload)).toMatch(/body/);
    }
    expectError(await call('DELETE', '/api/keys/999999', { key: admin.key }), 404, 'KEY_NOT_FOUND');
    // The last active admin key cannot be revoked: that would lock everyone out of key management.
    expectError(await call('DELETE', `/api/keys/${admin.id}`, { key: admin.key }), 409, 'LAST_ADMIN_KEY');
    const second = await createKey(admin.key, 'admin');
    secrets.push(second.key);
    expect((await call('DELETE', `/api/keys/${admin.id}`, { key: second.key })).statusCode).toBe(204);
    expectError(await call('GET', '/api/keys', { key: admin.key }), 401, 'API_KEY_REVOKED');
    // Revoking again is harmless.
    expect((await call('DELETE', `/api/keys/${admin.id}`, { key: second.key })).statusCode).toBe(204);
    admin = second;
  });

  it('stores only digests: no key, nor its secret part, anywhere in the keys table', async () => {
    const { rows } = await t.tdb.db.query<{ dump: string }>(
      'test.dump',
      `SELECT string_agg(row_to_json(k)::text || encode(k.salt, 'escape') || encode(k.digest, 'escape'), E'\\n') AS dump
       FROM api_keys k`,
    );
    const dump = rows[0].dump;
    expect(dump.length).toBeGreaterThan(100);
    for (const s of secrets) {
      expect(dump).not.toContain(s);
      expect(dump).not.toContain(s.slice(16)); // the secret part, after mr_<lookup>_
    }
  });
});

describe('browser sessions for the web report', () => {
  let cookie = '';

  it('a key opens a read-only session in an HttpOnly SameSite=Strict cookie', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ key: editor.key, next: '/report/weekly' }).toString(),
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/report/weekly');
    const set = String(res.headers['set-cookie']);
    expect(set).toMatch(
      /^market_radar_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Strict$/,
    );
    cookie = set.split(';')[0];
    secrets.push(cookie.split('=')[1]);

    const page = await call('GET', '/report/weekly', { cookie, headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(200);
    // A session can be ended from the page; a key-holding script has no session to end.
    expect(page.body).toContain('<a href="/logout" data-testid="sign-out">Sign out</a>');
    const byKey = await call('GET', '/report/weekly', { key: editor.key, headers: { accept: 'text/html' } });
    expect(byKey.statusCode).toBe(200);
    expect(byKey.body).not.toContain('/logout');
    expect((await call('GET', '/api/targets', { cookie })).statusCode).toBe(200);
    // Read-only whatever the key's role: a cross-site form could never change anything with it.
    expectError(
      await call('POST', '/api/targets', {
        cookie,
        payload: { kind: 'product', url: 'https://shop.test/p/s' },
      }),
      403,
      'FORBIDDEN',
    );
    expectError(await call('GET', '/api/keys', { cookie }), 403, 'FORBIDDEN');
    // Only a digest of the session token is stored.
    const { rows } = await t.tdb.db.query<{ d: string }>(
      'test.sessions',
      `SELECT encode(digest, 'hex') AS d FROM api_sessions`,
    );
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(cookie.split('=')[1]);
  });

  it('refuses a wrong key with the form again, and never redirects off-site', async () => {
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'key=mr_nope&next=%2F',
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['content-type']).toMatch(/text\/html/);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    for (const next of [
      '//evil.example/',
      '/\\evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
    ]) {
      const res = await call('POST', '/login', { payload: { key: viewer.key, next } });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location, next).toBe('/');
    }
    const form = await call('GET', `/login?next=${encodeURIComponent('/"><script>alert(1)</script>')}`);
    expect(form.body).not.toContain('<script>');
    expect(form.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expectError(await call('POST', '/login', { payload: { key: 'mr_nope' } }), 401, 'API_KEY_INVALID');
  });

  it('ends with logout, and with the revocation of its key', async () => {
    const open = async (key: string) => {
      const res = await call('POST', '/login', { payload: { key } });
      return String(res.headers['set-cookie']).split(';')[0];
    };
    const a = await open(viewer.key);
    const b = await open(viewer.key);
    expect((await call('GET', '/api/targets', { cookie: a })).statusCode).toBe(200);
    const out = await call('GET', '/logout', { cookie: a });
    expect(out.statusCode).toBe(303);
    expect(String(out.headers['set-cookie'])).toMatch(/Max-Age=0/);
    expectError(await call('GET', '/api/targets', { cookie: a }), 401, 'AUTH_REQUIRED');
    expect((await call('GET', '/api/targets', { cookie: b })).statusCode).toBe(200);
    expect((await call('DELETE', `/api/keys/${viewer.id}`, { key: admin.key })).statusCode).toBe(204);
    expectError(await call('GET', '/api/targets', { cookie: b }), 401, 'AUTH_REQUIRED');
  });
});

describe('logs', () => {
  it('hold no key, no session token and no key prefix, after everything above at debug level', () => {
    const all = logLines.join('');
    // Request lines are off (api/app.ts); key creation and revocation are logged, by id and role only.
    expect(all.match(/API key created/g)?.length).toBe(6);
    expect(all.match(/API key revoked/g)?.length).toBe(4);
    expect(all).not.toContain('mr_');
    for (const s of secrets) expect(all).not.toContain(s);
  });

  it("the app's logger redacts the authorization and x-api-key headers", () => {
    const lines: string[] = [];
    const sink = memoryLogger(lines);
    const headers = { authorization: 'Bearer mr_x', 'x-api-key': 'mr_y', cookie: 'market_radar_session=tok' };
    sink.info({ req: { headers } }, 'request');
    sink.info({ headers }, 'request headers');
    expect(lines.join('')).not.toMatch(/mr_|tok/);
    expect(lines.join('').match(/\[redacted\]/g)).toHaveLength(6);
  });
});
