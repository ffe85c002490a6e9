// RELIABILITY.md S10 against the whole API, driven by its own OpenAPI document: every operation with a body
// gets an oversized body, Content-Type tricks, prototype keys, wrong types and unknown fields; every parameter
// gets hostile text. Hostile strings in the fields that store text are kept verbatim or refused with 400; NUL
// never reaches Postgres; every 4xx is JSON {error, message} naming the part at fault; no 5xx at all; tables
// intact. Also: the OpenAPI document validates (@apidevtools/swagger-parser) and declares how to authenticate.
import SwaggerParser from '@apidevtools/swagger-parser';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
let doc: {
  paths: Record<string, Record<string, Operation>>;
  components?: Record<string, unknown>;
  security?: unknown;
};
interface Operation {
  requestBody?: unknown;
  parameters?: { name: string; in: string }[];
  security?: unknown[];
}
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
type Method = Uppercase<(typeof METHODS)[number]>;

beforeAll(async () => {
  // Limits have their own tests (auth-limits); here they would only cut the fuzz set short.
  t = await createTestApp(undefined, { env: { RATE_LIMIT_PER_MINUTE: '0' } });
  doc = (await t.app.inject('/docs/json')).json();
});
afterAll(async () => {
  await t?.close();
});

/** Empty while no key exists (bootstrap: open on loopback); an admin key once the verbatim cases made one. */
let auth: Record<string, string> = {};
/** Every response of the fuzz set, checked at the end for 5xx. */
const seen: { what: string; status: number }[] = [];

async function send(
  method: Method,
  url: string,
  opts: { body?: string; contentType?: string; headers?: Record<string, string> } = {},
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { ...auth, ...opts.headers };
  if (opts.contentType !== undefined) headers['content-type'] = opts.contentType;
  const res = await t.app.inject({
    method,
    url,
    headers,
    ...(opts.body === undefined ? {} : { payload: opts.body }),
  });
  seen.push({ what: `${method} ${url.slice(0, 80)} ${opts.contentType ?? ''}`, status: res.statusCode });
  return res;
}

/** A 4xx is JSON {error, message}, and the message names where the problem is. */
function expectClientError(res: LightMyRequestResponse, what: string, names: RegExp) {
  expect(res.statusCode, `${what}: ${res.body}`).toBeGreaterThanOrEqual(400);
  expect(res.statusCode, `${what}: ${res.body}`).toBeLessThan(500);
  expect(res.headers['content-type'], what).toMatch(/^application\/json/);
  const body = res.json();
  expect(typeof body.error, what).toBe('string');
  expect(body.message, what).toMatch(names);
}

/** Operations as [METHOD, concrete url], path parameters filled with 1. */
function operations(filter: (op: Operation) => boolean): [Method, string][] {
  const out: [Method, string][] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) {
      const op = item[m];
      if (op && filter(op)) out.push([m.toUpperCase() as Method, path.replace(/\{[^}]+\}/g, '1')]);
    }
  }
  return out;
}

async function rowCounts(): Promise<Record<string, number>> {
  const { rows } = await t.tdb.db.query<{ tablename: string }>(
    'test.tables',
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
  );
  const counts: Record<string, number> = {};
  for (const { tablename } of rows) {
    const r = await t.tdb.db.query<{ n: number }>(
      'test.count',
      `SELECT count(*)::int AS n FROM "${tablename}"`,
    );
    counts[tablename] = r.rows[0].n;
  }
  return counts;
}

describe('OpenAPI', () => {
  it('validates against the OpenAPI 3.0 schema and declares the API key security schemes', async () => {
    const copy = structuredClone(doc);
    await expect(SwaggerParser.validate(copy as never)).resolves.toBeTruthy();
    expect(doc.components?.securitySchemes).toMatchObject({
      bearerKey: { type: 'http', scheme: 'bearer' },
      headerKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
    });
    expect(doc.security).toEqual(expect.arrayContaining([{ bearerKey: [] }, { headerKey: [] }]));
    expect(doc.paths['/health'].get.security).toEqual([]);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/keys', '/api/keys/{id}']));
  });
});

// The sweep sends every hostile value to every parameter of every operation: ~15 s quiet, and it grows with the API.
describe('S10: bad API input', { timeout: 120_000 }, () => {
  let bodyOps: [Method, string][];
  let before: Record<string, number>;
  beforeAll(async () => {
    bodyOps = operations((op) => op.requestBody !== undefined);
    before = await rowCounts();
  });

  it('covers every operation that takes a body', () => {
    const urls = bodyOps.map(([m, u]) => `${m} ${u}`);
    expect(urls).toEqual(
      expect.arrayContaining([
        'POST /api/targets',
        'PATCH /api/targets/1',
        'POST /api/rules',
        'POST /api/channels',
      ]),
    );
    expect(urls).toEqual(
      expect.arrayContaining(['POST /api/keys', 'PATCH /api/rules/1', 'PATCH /api/channels/1']),
    );
  });

  it('a 2 MB JSON body is a 413', async () => {
    const big = JSON.stringify({
      kind: 'product',
      url: 'https://shop.test/x',
      label: 'x'.repeat(2 * 1024 * 1024),
    });
    for (const [m, u] of bodyOps) {
      const res = await send(m, u, { body: big, contentType: 'application/json' });
      expect(res.statusCode, `${m} ${u}`).toBe(413);
      expectClientError(res, `${m} ${u}`, /too large/i);
    }
  });

  it('Content-Type tricks get a 400 from validation or a 415, never a 2xx with an unvalidated body', async () => {
    const variants = [
      'application/json\t;',
      ' application/json',
      'APPLICATION/JSON;x',
      'application/json;',
      'application/json; charset=utf-7',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/jsonx',
      'application/json, text/plain',
    ];
    // Bodies the schema refuses: a trick that skipped validation would answer 2xx (or crash).
    const bodies = [
      '{"kind":"product","url":"https://shop.test/ct","surprise":1}',
      '{"role":"root","name":5}',
    ];
    for (const [m, u] of bodyOps) {
      for (const contentType of variants) {
        for (const body of bodies) {
          const res = await send(m, u, { body, contentType });
          const what = `${m} ${u} [${JSON.stringify(contentType)}]`;
          expect([400, 404, 415], `${what}: ${res.body}`).toContain(res.statusCode);
          expectClientError(res, what, /body|media type|content-type|does not exist/i);
        }
      }
    }
  });

  it('a body with __proto__ or constructor.prototype is refused', async () => {
    const bodies = [
      '{"kind":"product","url":"https://shop.test/proto","__proto__":{"isAdmin":true}}',
      '{"kind":"product","url":"https://shop.test/proto","options":{"__proto__":{"needsJs":true}}}',
      '{"kind":"product","url":"https://shop.test/proto","constructor":{"prototype":{"x":1}}}',
    ];
    for (const [m, u] of bodyOps) {
      for (const body of bodies) {
        const res = await send(m, u, { body, contentType: 'application/json' });
        expect(res.statusCode, `${m} ${u}`).toBe(400);
        expectClientError(res, `${m} ${u}`, /prototype|body/i);
      }
    }
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('wrong types, unknown fields, broken JSON and empty bodies are a 400 naming the field', async () => {
    const cases: [string, RegExp][] = [
      ['{"kind":"product","url":"https://shop.test/u","surprise":1}', /body.*surprise|body/],
      ['{"kind":"product","url":"https://shop.test/u","intervalSeconds":"often"}', /body/],
      ['{"kind":["product"],"url":{"a":1}}', /body/],
      ['[]', /body/],
      ['"text"', /body/],
      ['null', /body/],
      ['{"kind":"product",', /JSON|body/i],
      ['', /body|JSON|empty/i],
      [JSON.stringify({ kind: 'product', url: `https://shop.test/${'a'.repeat(10_000)}` }), /body/],
    ];
    for (const [m, u] of bodyOps) {
      for (const [body, names] of cases) {
        const res = await send(m, u, { body, contentType: 'application/json' });
        expect([400, 404], `${m} ${u} ${body.slice(0, 60)}: ${res.body}`).toContain(res.statusCode);
        expectClientError(
          res,
          `${m} ${u} ${body.slice(0, 60)}`,
          res.statusCode === 404 ? /does not exist/ : names,
        );
      }
    }
    const unknown = await send('POST', '/api/targets', {
      body: '{"kind":"product","url":"https://shop.test/u","surprise":1}',
      contentType: 'application/json',
    });
    expect(unknown.json().message).toMatch(/additional properties: 'surprise'/);
    const long = await send('POST', '/api/targets', {
      body: JSON.stringify({ kind: 'product', url: `https://shop.test/${'a'.repeat(10_000)}` }),
      contentType: 'application/json',
    });
    expectClientError(long, 'a 10k URL', /body\/url must NOT have more than 2048 characters/);
  });

  const HOSTILE = [
    "'); DROP TABLE targets;--",
    "' OR 1=1 --",
    '<script>alert(1)</script><img src=x onerror=alert(1)>',
    '"><svg onload=alert(1)>',
    '😀👩‍👩‍👧 كريم مرطب עברית \u202Eevil\u202C',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: template-looking text, stored literally, is the point
    '{{7*7}} ${process.exit(1)}',
    '\\x00 %00 \\u0000',
  ];

  it('SQL-like, HTML-like, emoji and RTL text is stored verbatim', async () => {
    let n = 0;
    for (const text of HOSTILE) {
      n++;
      const target = await send('POST', '/api/targets', {
        body: JSON.stringify({ kind: 'product', url: `https://shop.test/h/${n}`, label: text }),
        contentType: 'application/json',
      });
      expect(target.statusCode, target.body).toBe(201);
      const stored = await send('GET', `/api/targets/${target.json().id}`);
      expect(stored.json().label).toBe(text);

      const channel = await send('POST', '/api/channels', {
        body: JSON.stringify({ kind: 'log', name: text }),
        contentType: 'application/json',
      });
      expect(channel.statusCode, channel.body).toBe(201);
      expect((await send('GET', `/api/channels/${channel.json().id}`)).json().name).toBe(text);

      const key = await send('POST', '/api/keys', {
        body: JSON.stringify({ role: 'admin', name: text }),
        contentType: 'application/json',
      });
      expect(key.statusCode, key.body).toBe(201);
      expect(key.json().name).toBe(text);
      // A key exists now: the rest of the file uses it.
      auth = { authorization: `Bearer ${key.json().key}` };
      // Hostile text in a query is only ever a parameter.
      const found = await send('GET', `/api/price-changes?competitor=${encodeURIComponent(text)}`, {});
      expect(found.statusCode, found.body).toBe(200);
    }
  });

  it('NUL characters and lone surrogates never reach Postgres: 400 naming the field', async () => {
    const bodies: [Method, string, unknown, RegExp][] = [
      [
        'POST',
        '/api/targets',
        { kind: 'product', url: 'https://shop.test/nul', label: 'a\u0000b' },
        /body\/label/,
      ],
      ['POST', '/api/targets', { kind: 'product', url: 'https://shop.test/nul\u0000' }, /body\/url/],
      ['POST', '/api/channels', { kind: 'log', name: '\u0000' }, /body\/name/],
      ['POST', '/api/keys', { role: 'viewer', name: 'x\u0000' }, /body\/name/],
      [
        'POST',
        '/api/targets',
        { kind: 'product', url: 'https://shop.test/nul', options: { query: 'q\u0000' } },
        /body\/options\/query/,
      ],
      [
        'POST',
        '/api/targets',
        { kind: 'product', url: 'https://shop.test/nul', 'a\u0000': 1 },
        /body has a property name/,
      ],
    ];
    for (const [m, u, body, names] of bodies) {
      const res = await send(m, u, { body: JSON.stringify(body), contentType: 'application/json' });
      expect(res.statusCode, `${u} ${JSON.stringify(body)}: ${res.body}`).toBe(400);
      expectClientError(res, u, names);
      expect(res.json().message).toMatch(/NUL/);
    }
    const surrogate = await send('POST', '/api/channels', {
      body: '{"kind":"log","name":"\\ud800x"}',
      contentType: 'application/json',
    });
    expectClientError(surrogate, 'lone surrogate', /body\/name must be well-formed Unicode/);
    for (const q of ['competitor=%00', 'category=a%00b', 'currency=%00']) {
      const res = await send('GET', `/api/price-changes?${q}`, {});
      expect(res.statusCode, `${q}: ${res.body}`).toBe(400);
      expectClientError(res, q, /querystring/);
    }
    const param = await send('GET', '/competitors/a%00b', { headers: { accept: 'text/html' } });
    expect(param.statusCode).toBe(400);
  });

  it('every parameter of every operation takes hostile values without a 5xx', async () => {
    const values = [
      "'; DROP TABLE targets;--",
      '%00',
      '-1',
      '0',
      '1e309',
      '99999999999999999999999',
      'NaN',
      '<script>',
      '%F0%9F%98%80',
      '%D8%00',
      'a'.repeat(10_000),
    ];
    let calls = 0;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const m of METHODS) {
        const op = item[m];
        if (!op) continue;
        const method = m.toUpperCase() as Method;
        const params = op.parameters ?? [];
        for (const p of params) {
          for (const v of values) {
            let url = path.replace(/\{[^}]+\}/g, '1');
            if (p.in === 'path') url = path.replace(`{${p.name}}`, v).replace(/\{[^}]+\}/g, '1');
            else if (p.in === 'query') url = `${url}?${p.name}=${v}`;
            else continue;
            const res = await send(method, url, {
              ...(op.requestBody ? { body: '{}', contentType: 'application/json' } : {}),
            });
            calls++;
            expect(res.statusCode, `${method} ${url.slice(0, 100)}: ${res.body}`).toBeLessThan(500);
            if (res.statusCode >= 400 && res.statusCode !== 404) {
              expectClientError(
                res,
                `${method} ${url.slice(0, 100)}`,
                /querystring|params|body|cursor|param length|not a valid url component|request value/i,
              );
            }
          }
        }
      }
    }
    expect(calls).toBeGreaterThan(300);
  });

  it('the tables are intact: only the rows the verbatim cases added', async () => {
    const after = await rowCounts();
    expect(Object.keys(after)).toEqual(Object.keys(before));
    const added = Object.fromEntries(
      Object.entries(after)
        .filter(([k, n]) => n !== before[k])
        .map(([k, n]) => [k, n - before[k]]),
    );
    expect(added).toEqual({ targets: HOSTILE.length, channels: HOSTILE.length, api_keys: HOSTILE.length });
  });

  it('answered no request of the whole fuzz set with a 5xx', () => {
    expect(seen.length).toBeGreaterThan(500);
    expect(seen.filter((s) => s.status >= 500)).toEqual([]);
  });
});
