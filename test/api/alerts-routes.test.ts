// /api/rules, /api/channels, /api/deliveries through buildApp + inject, with the real in-process worker behind
// them. Covers RELIABILITY.md S1 for channel URLs (about 30 payloads, 400 with a clear message, canary 0 hits),
// S7 (no templates: template fields refused, template-looking text stored and sent literally) and the
// secrets rule (webhook URLs and secrets never returned after creation, never logged).
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../api/index.ts';
import { loadConfig } from '../../config.ts';
import { checkUrl } from '../../crawlers/index.ts';
import { createInProcessQueue, type JobQueue, type RunningWorker, startWorker } from '../../jobs/index.ts';
import { testResolver } from '../support/app.ts';
import { type Canary, startCanary } from '../support/canary.ts';
import { createPgliteTestDb, type TestDb } from '../support/db.ts';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.ts';
import { waitFor } from '../support/pipeline.ts';

let app: App;
let tdb: TestDb;
let queue: JobQueue;
let worker: RunningWorker;
let slack: FakeSlack;
let canary: Canary;
const logLines: string[] = [];

beforeAll(async () => {
  tdb = await createPgliteTestDb();
  slack = await startFakeSlack();
  canary = await startCanary('127.0.0.1');
  const allow = [`127.0.0.1:${slack.port}`];
  const config = loadConfig({ DEMO: '0', URL_ALLOWLIST: allow.join(','), DELIVERY_SLACK_INTERVAL_MS: '0' });
  const log = pino(
    { level: 'debug' },
    new Writable({
      write(chunk, _enc, cb) {
        logLines.push(String(chunk));
        cb();
      },
    }),
  );
  queue = createInProcessQueue({ log, concurrency: {} });
  worker = await startWorker(config, tdb.db, queue, log);
  app = await buildApp({
    config,
    db: tdb.db,
    queue,
    log,
    checkUrl: async (url) => {
      await checkUrl(url, config.net, { resolver: testResolver });
    },
  });
});
afterAll(async () => {
  await app?.close();
  await queue?.close(1000);
  await worker?.close();
  await tdb?.close();
  await slack?.close();
  await canary?.close();
});

const post = (url: string, payload: unknown) =>
  app.inject({ method: 'POST', url, payload: payload as object });

describe('channels API', () => {
  it('creates a Slack channel and never shows its URL again: only host and last 4 characters', async () => {
    const res = await post('/api/channels', { kind: 'slack', name: 'Pricing team', url: slack.url });
    expect(res.statusCode).toBe(201);
    const ch = res.json();
    expect(ch.urlHint).toBe(`127.0.0.1:${slack.port}/…${slack.url.slice(-4)}`);
    for (const body of [
      res.body,
      (await app.inject(`/api/channels/${ch.id}`)).body,
      (await app.inject('/api/channels')).body,
    ])
      expect(body).not.toContain('fakeslacktoken');

    const test = await post(`/api/channels/${ch.id}/test`, {});
    expect(test.statusCode).toBe(202);
    const { messageId } = test.json();
    await waitFor(async () => {
      const d = (await app.inject(`/api/deliveries?message_id=${messageId}`)).json();
      return d.items[0]?.status === 'sent';
    }, 'test message sent');
    expect(slack.requests.at(-1)?.body).toContain('test message');
    expect(logLines.join('')).not.toContain('fakeslacktoken');
  });

  it('generates a whsec_ secret shown once, and rotates it (both sign during the overlap)', async () => {
    const res = await post('/api/channels', {
      kind: 'webhook',
      name: 'ERP',
      url: 'https://shop.test/hooks/radar',
    });
    expect(res.statusCode).toBe(201);
    const ch = res.json();
    expect(ch.secret).toMatch(/^whsec_/);
    expect(ch.signingSecrets).toBe(1);
    const again = (await app.inject(`/api/channels/${ch.id}`)).body;
    expect(again).not.toContain(ch.secret);
    expect(again).not.toContain('/hooks/radar');
    const rotated = await post(`/api/channels/${ch.id}/rotate-secret`, {});
    expect(rotated.json().secret).toMatch(/^whsec_/);
    expect((await app.inject(`/api/channels/${ch.id}`)).json().signingSecrets).toBe(2);
    const bad = await post('/api/channels', {
      kind: 'webhook',
      name: 'x',
      url: 'https://shop.test/h',
      secret: 'hunter2hunter2',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('body/secret');
  });

  it('S1: refuses private, metadata, odd-scheme and tricky channel URLs with a clear 400; canary 0 hits', async () => {
    const p = canary.port;
    const payloads = [
      `http://127.0.0.1:${p}/`,
      'http://127.0.0.1:6379/',
      `http://localhost:${p}/`,
      `http://[::1]:${p}/`,
      `http://0.0.0.0:${p}/`,
      `http://0:${p}/`,
      `http://127.1:${p}/`,
      `http://017700000001:${p}/`,
      `http://0x7f.0.0.1:${p}/`,
      `http://2130706433:${p}/`,
      `http://[::ffff:127.0.0.1]:${p}/`,
      `http://[::ffff:7f00:1]:${p}/`,
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/',
      'http://172.16.0.1/',
      'http://192.168.0.1/',
      'http://100.64.0.1/',
      'http://[fc00::1]/',
      'http://[fe80::1]/',
      `http://evil.test:${p}/`,
      'http://metadata.test/',
      'file:///etc/passwd',
      `gopher://127.0.0.1:${p}/_GET`,
      `ftp://127.0.0.1:${p}/`,
      'javascript:alert(1)',
      'data:text/plain,hello',
      `http://user:pw@127.0.0.1:${p}/`,
      `https://shop.test/${'a'.repeat(10_000)}`,
      'not a url',
    ];
    for (const url of payloads) {
      for (const kind of ['slack', 'webhook']) {
        const res = await post('/api/channels', { kind, name: 'bad', url });
        expect(res.statusCode, `${kind} ${url.slice(0, 60)}`).toBe(400);
        const body = res.json();
        expect(body.message, url.slice(0, 60)).toMatch(/url/);
        expect(body.message.length).toBeGreaterThan(15);
      }
    }
    const loop = await post('/api/channels', { kind: 'slack', name: 'bad', url: 'http://127.0.0.1:6379/' });
    expect(loop.json()).toMatchObject({ error: 'URL_NOT_ALLOWED' });
    expect(loop.json().message).toContain('127.0.0.1');
    expect(canary.hits).toBe(0);
    expect(
      (await app.inject('/api/channels?limit=1000'))
        .json()
        .items.every((c: { name: string }) => c.name !== 'bad'),
    ).toBe(true);
  });

  it('re-enabling a disabled channel and deleting one unroutes it from rules', async () => {
    const ch = (await post('/api/channels', { kind: 'log', name: 'log' })).json();
    const off = await app.inject({
      method: 'PATCH',
      url: `/api/channels/${ch.id}`,
      payload: { status: 'disabled' },
    });
    expect(off.json()).toMatchObject({ status: 'disabled', lastError: 'disabled by a person' });
    const on = await app.inject({
      method: 'PATCH',
      url: `/api/channels/${ch.id}`,
      payload: { status: 'active' },
    });
    expect(on.json()).toMatchObject({ status: 'active', lastError: null });
    const rule = (
      await post('/api/rules', { name: 'launches', eventType: 'launched', channelIds: [ch.id] })
    ).json();
    expect((await app.inject({ method: 'DELETE', url: `/api/channels/${ch.id}` })).statusCode).toBe(204);
    expect((await app.inject(`/api/rules/${rule.id}`)).json().channelIds).toEqual([]);
  });
});

describe('rules API', () => {
  it('creates, reads, pages, patches and deletes rules', async () => {
    const ch = (await post('/api/channels', { kind: 'log', name: 'rules-log' })).json();
    const created = await post('/api/rules', {
      name: 'Big drops, new lows',
      eventType: 'price_changed',
      params: { minPct: 15, direction: 'down', onlyNewLow30: true },
      scope: { competitors: ['glowco'], categories: ['lipstick'] },
      channelIds: [ch.id],
      cooldownSeconds: 7200,
    });
    expect(created.statusCode).toBe(201);
    const rule = created.json();
    expect(rule).toMatchObject({
      mode: 'immediate',
      enabled: true,
      channelIds: [ch.id],
      cooldownSeconds: 7200,
    });
    const digest = await post('/api/rules', {
      name: 'Weekly trends',
      eventType: 'trend_emerging',
      params: { minScore: 12 },
      scope: { terms: ['glass skin'] },
      mode: 'digest',
      digest: { every: 'weekly', at: '08:30', timeZone: 'America/New_York', weekday: 1 },
    });
    expect(digest.statusCode).toBe(201);
    const page1 = (await app.inject('/api/rules?limit=1')).json();
    expect(page1.items).toHaveLength(1);
    const page2 = (await app.inject(`/api/rules?limit=1&cursor=${page1.nextCursor}`)).json();
    expect(page2.items[0].id).not.toBe(page1.items[0].id);
    const patched = await app.inject({
      method: 'PATCH',
      url: `/api/rules/${rule.id}`,
      payload: { enabled: false, params: { minPct: 20 } },
    });
    expect(patched.json()).toMatchObject({ enabled: false, params: { minPct: 20 } });
    expect((await app.inject({ method: 'DELETE', url: `/api/rules/${rule.id}` })).statusCode).toBe(204);
    expect((await app.inject(`/api/rules/${rule.id}`)).json().error).toBe('RULE_NOT_FOUND');
  });

  it('validates with messages naming the field', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ name: 'x', eventType: 'price_dropped' }, /eventType/],
      [{ name: 'x', eventType: 'price_changed', params: { minPct: -5 } }, /params\/minPct/],
      [{ name: 'x', eventType: 'price_changed', params: { threshold: 5 } }, /params\/threshold.*minPct/],
      [{ name: 'x', eventType: 'sentiment_shift', params: { minDrop: 'a lot' } }, /params\/minDrop/],
      [{ name: 'x', eventType: 'launched', scope: { brands: ['a'] } }, /scope\/brands/],
      // No event carries a source: a sources scope would match nothing, so it is refused.
      [
        { name: 'x', eventType: 'trend_emerging', scope: { sources: ['reddit'] } },
        /scope\/sources cannot narrow trend_emerging rules: their events carry no source/,
      ],
      [{ name: 'x', eventType: 'price_changed', scope: { terms: ['serum'] } }, /scope\/terms cannot narrow/],
      [{ name: 'x', eventType: 'launched', mode: 'digest' }, /digest is required/],
      [
        {
          name: 'x',
          eventType: 'launched',
          mode: 'digest',
          digest: { every: 'daily', at: '25:00', timeZone: 'UTC' },
        },
        /at/,
      ],
      [
        {
          name: 'x',
          eventType: 'launched',
          mode: 'digest',
          digest: { every: 'daily', at: '09:00', timeZone: 'Mars/Olympus' },
        },
        /timeZone/,
      ],
      [{ name: 'x', eventType: 'launched', channelIds: [99999] }, /channel 99999 does not exist/],
      // No templates: the field is refused (Fastify's message says "additional properties").
      [{ name: 'x', eventType: 'launched', template: '{{7*7}}' }, /additional properties/],
    ];
    for (const [payload, message] of cases) {
      const res = await post('/api/rules', payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().message, JSON.stringify(payload)).toMatch(message);
    }
  });

  it('S7: template-looking text is stored and sent literally, never evaluated', async () => {
    const ch = (await post('/api/channels', { kind: 'slack', name: 's7', url: slack.url })).json();
    // biome-ignore lint/suspicious/noTemplateCurlyInString: S7 payloads look like templates on purpose
    const name = "{{constructor.constructor('return process')()}} ${process.exit(1)} {{7*7}}";
    const res = await post('/api/rules', { name, eventType: 'launched', channelIds: [ch.id] });
    expect(res.statusCode).toBe(201);
    expect(res.json().name).toBe(name);
    const { insertEvents } = await import('../../db/index.ts');
    const ids = await insertEvents(tdb.db, [
      {
        type: 'launched',
        dedupKey: 's7-launch',
        occurredAt: new Date(),
        // biome-ignore lint/suspicious/noTemplateCurlyInString: S7 payloads look like templates on purpose
        subject: '${7*7} {{7*7}}',
        payload: {},
      },
    ]);
    const before = slack.requests.length;
    await queue.enqueue('evaluate-alerts', { eventIds: ids });
    await waitFor(async () => slack.requests.length > before, 'the S7 alert');
    const body = slack.requests.at(-1)!.body;
    expect(body).toContain("{{constructor.constructor('return process')()}}");
    expect(body).toContain('{{7*7}}');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: S7 payloads look like templates on purpose
    expect(body).toContain('${process.exit(1)}');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: S7 payloads look like templates on purpose
    expect(body).toContain('${7*7}');
    expect(process.exitCode ?? 0).toBe(0);
  });
});

describe('deliveries API', () => {
  it('lists every attempt with status and error, newest first, with a cursor', async () => {
    const all = (await app.inject('/api/deliveries?limit=1000')).json().items;
    expect(all.length).toBeGreaterThanOrEqual(2);
    const first = (await app.inject('/api/deliveries?limit=1')).json();
    expect(first.items[0].id).toBe(all[0].id);
    const second = (await app.inject(`/api/deliveries?limit=1&cursor=${first.nextCursor}`)).json();
    expect(second.items[0].id).toBe(all[1].id);
    expect(Object.keys(all[0]).sort()).toEqual(
      [
        'alertId',
        'attempt',
        'channelId',
        'channelKind',
        'channelName',
        'createdAt',
        'durationMs',
        'error',
        'finishedAt',
        'httpStatus',
        'id',
        'kind',
        'message',
        'messageId',
        'status',
      ].sort(),
    );
    expect((await app.inject('/api/deliveries?status=bogus')).statusCode).toBe(400);
  });

  it('shows the message sent: Slack Block Kit with its text fallback, no URL or token; opt out with include_message=false', async () => {
    const ch = (await post('/api/channels', { kind: 'slack', name: 'shown', url: slack.url })).json();
    await post('/api/rules', { name: 'shown launches', eventType: 'launched', channelIds: [ch.id] });
    const { insertEvents } = await import('../../db/index.ts');
    const ids = await insertEvents(tdb.db, [
      {
        type: 'launched',
        dedupKey: 'shown-launch',
        occurredAt: new Date(),
        subject: 'Velvet Serum <b>',
        payload: { price: '19.90', currency: 'EUR', url: 'https://shop.test/p/velvet' },
      },
    ]);
    await queue.enqueue('evaluate-alerts', { eventIds: ids });
    const attempts = async (query = '') =>
      (await app.inject(`/api/deliveries?channel_id=${ch.id}${query}`)).json().items;
    await waitFor(async () => (await attempts())[0]?.status === 'sent', 'the alert sent');
    const [sent] = await attempts();
    expect(sent.kind).toBe('alert');
    const message = sent.message as { text: string; blocks: { type: string }[] };
    expect(message.text).toContain('Velvet Serum &lt;b&gt;');
    expect(message.blocks[0].type).toBe('header');
    expect(message.blocks.length).toBeGreaterThan(1);
    // Exactly what Slack received.
    expect(JSON.parse(slack.requests.at(-1)!.body)).toEqual(sent.message);
    const raw = (await app.inject(`/api/deliveries?channel_id=${ch.id}`)).body;
    expect(raw).not.toContain('fakeslacktoken');
    expect(raw).not.toContain(slack.url);
    expect((await attempts('&include_message=false'))[0]).toMatchObject({ id: sent.id, message: null });
  });
});
