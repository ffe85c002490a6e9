// The CLI against a real buildApp listening on 127.0.0.1:0 (PGlite behind it): bootstrap key creation, keys and
// roles, targets, price changes (table, filters, CSV), the weekly report (JSON data and HTML page), clear errors
// and exit codes; and the `market-radar` launcher run as a real process.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, isoWeekOf, runCli, weekRange } from '../../cli.ts';
import { insertEvents, upsertCompetitor } from '../../db/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let t: TestApp;
let server: string;
let dir: string;

beforeAll(async () => {
  t = await createTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const addr = t.app.server.address();
  server = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  dir = await mkdtemp(join(tmpdir(), 'cli-test-'));
});
afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function cli(args: string[], env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const code = await runCli(['--server', server, ...args], env, {
    out: (s) => {
      out += s;
    },
    err: (s) => {
      err += s;
    },
  });
  return { code, out, err };
}

let admin = '';

describe('usage', () => {
  it('prints help, and refuses bad usage with exit 2 and a clear message', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(EXIT.ok);
    expect(help.out).toMatch(/targets add --kind KIND --url URL/);
    expect((await cli([])).code).toBe(EXIT.usage);
    const cases: [string[], RegExp][] = [
      [['bogus'], /unknown command "bogus"/],
      [['targets', 'list', '--nope'], /Unknown option '--nope'/],
      [['price-changes', '--direction', 'sideways'], /--direction must be down or up/],
      [['price-changes', '--since', 'last tuesday'], /--since must be a date/],
      [['price-changes', '--min-pct=-3'], /--min-pct must be a number ≥ 0/],
      [['report', 'weekly', '--week', '2026-W60'], /--week must look like 2026-W07/],
      [['keys', 'create'], /--role is required/],
      [['keys', 'create', '--role', 'root'], /--role must be viewer, editor or admin/],
      [['targets', 'add', '--kind', 'product'], /--url is required/],
      [
        ['targets', 'add', '--kind', 'product', '--url', 'https://shop.test/x', '--interval', 'often'],
        /--interval/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(EXIT.usage);
      expect(r.err, args.join(' ')).toMatch(message);
      expect(r.err).toMatch(/--help/);
    }
  });

  it('says when the server cannot be reached (exit 4)', async () => {
    const r = await runCli(
      ['targets', 'list', '--url', 'http://127.0.0.1:1'],
      {},
      { out: () => {}, err: () => {} },
    );
    expect(r).toBe(EXIT.unreachable);
  });

  it('knows ISO weeks', () => {
    expect(isoWeekOf(new Date('2026-01-01T12:00:00Z'))).toBe('2026-W01');
    expect(isoWeekOf(new Date('2027-01-01T12:00:00Z'))).toBe('2026-W53');
    expect(weekRange('2026-W07')?.start.toISOString()).toBe('2026-02-09T00:00:00.000Z');
    expect(weekRange('2025-W53')).toBeNull();
  });
});

describe('against a running server', () => {
  it('keys create works in bootstrap (no key yet, this machine) and prints only the key on stdout', async () => {
    const r = await cli(['keys', 'create', '--role', 'admin', '--name', 'ops']);
    expect(r.code, r.err).toBe(EXIT.ok);
    expect(r.out).toMatch(/^mr_[0-9a-f]{12}_[A-Za-z0-9_-]{43}\n$/);
    expect(r.err).toMatch(/shown once/);
    admin = r.out.trim();
  });

  it('needs a key from then on (exit 3 with a hint), and takes it from --key or MARKET_RADAR_KEY', async () => {
    const none = await cli(['targets', 'list']);
    expect(none.code).toBe(EXIT.auth);
    expect(none.err).toMatch(/AUTH_REQUIRED.*--key or set MARKET_RADAR_KEY/);
    const wrong = await cli(['targets', 'list', '--key', 'mr_nope']);
    expect(wrong.code).toBe(EXIT.auth);
    expect(wrong.err).toMatch(/API_KEY_INVALID/);
    expect((await cli(['targets', 'list', '--key', admin])).code).toBe(EXIT.ok);
    expect((await cli(['targets', 'list'], { MARKET_RADAR_KEY: admin })).code).toBe(EXIT.ok);
  });

  it('adds and lists targets; a viewer key may list but not add (exit 3)', async () => {
    const viewer = await cli(['keys', 'create', '--role', 'viewer', '--key', admin]);
    expect(viewer.code).toBe(EXIT.ok);
    const v = viewer.out.trim();
    const refused = await cli([
      'targets',
      'add',
      '--kind',
      'product',
      '--url',
      'https://shop.test/p/1',
      '--key',
      v,
    ]);
    expect(refused.code).toBe(EXIT.auth);
    expect(refused.err).toMatch(
      /viewer key cannot POST \/api\/targets: it needs editor \(FORBIDDEN, HTTP 403\)/,
    );

    const added = await cli([
      'targets',
      'add',
      '--kind',
      'product',
      '--url',
      'https://shop.test/p/1',
      '--interval',
      '3600',
      '--key',
      admin,
    ]);
    expect(added.code, added.err).toBe(EXIT.ok);
    expect(added.out).toMatch(/^added target \d+: product https:\/\/shop.test\/p\/1\n$/);
    // The API's refusals come through with their message (exit 1).
    const dup = await cli([
      'targets',
      'add',
      '--kind',
      'product',
      '--url',
      'https://shop.test/p/1',
      '--key',
      admin,
    ]);
    expect(dup.code).toBe(EXIT.failed);
    expect(dup.err).toMatch(/TARGET_EXISTS, HTTP 409/);
    const ssrf = await cli([
      'targets',
      'add',
      '--kind',
      'page',
      '--url',
      'http://evil.test/',
      '--key',
      admin,
    ]);
    expect(ssrf.code).toBe(EXIT.failed);
    expect(ssrf.err).toMatch(/URL_NOT_ALLOWED/);

    const list = await cli(['targets', 'list', '--key', v]);
    expect(list.code).toBe(EXIT.ok);
    expect(list.out.split('\n')[0]).toMatch(/^id\s+kind\s+enabled\s+intervalSeconds\s+lastOutcome\s+url$/);
    expect(list.out).toMatch(/product\s+true\s+3600\s+https:\/\/shop.test\/p\/1/);
    const asJson = JSON.parse((await cli(['targets', 'list', '--json', '--key', v])).out);
    expect(asJson).toHaveLength(1);
  });

  it('lists price changes with filters, as a table, JSON or CSV', async () => {
    const glow = await upsertCompetitor(t.tdb.db, {
      key: 'glow',
      name: 'Glow & Co',
      brand: null,
      homepage: null,
      currency: 'USD',
      locale: null,
    });
    const other = await upsertCompetitor(t.tdb.db, {
      key: 'other',
      name: 'Other',
      brand: null,
      homepage: null,
      currency: 'USD',
      locale: null,
    });
    const change = (
      id: string,
      competitorId: number,
      day: string,
      oldP: string,
      newP: string,
      pct: number,
    ) => ({
      type: 'price_changed' as const,
      dedupKey: `cli:${id}`,
      occurredAt: `${day}T10:00:00Z`,
      competitorId,
      subject: id,
      payload: { old: oldP, new: newP, pct, currency: 'USD' },
    });
    await insertEvents(t.tdb.db, [
      change('a', glow.id, '2026-02-10', '20.00', '15.00', -25),
      change('b', glow.id, '2026-02-11', '15.00', '15.60', 4),
      change('c', other.id, '2026-02-12', '10.00', '8.00', -20),
      change('d', glow.id, '2026-01-05', '30.00', '20.00', -33.3),
    ]);
    const key = ['--key', admin];
    const table = await cli(['price-changes', '--competitor', 'glow', '--since', '2026-02-01', ...key]);
    expect(table.code, table.err).toBe(EXIT.ok);
    const lines = table.out.trim().split('\n');
    expect(lines[0]).toMatch(/^occurredAt\s+competitor\s+product\s+change\s+pct$/);
    expect(lines.slice(1)).toHaveLength(2);
    expect(lines[1]).toMatch(/^2026-02-11 10:00\s+Glow & Co\s+15.00 → 15.60 USD\s+\+4.0%$/);

    const down = JSON.parse(
      (await cli(['price-changes', '--direction', 'down', '--min-pct', '21', '--json', ...key])).out,
    ) as { pct: number }[];
    expect(down.map((p) => p.pct).sort((a, b) => a - b)).toEqual([-33.3, -25]);

    const csv = await cli(['price-changes', '--csv', '--since', '2026-02-01', ...key]);
    expect(csv.code).toBe(EXIT.ok);
    const rows = csv.out.trim().split('\r\n');
    expect(rows[0]).toMatch(/^occurredAt,competitor,product/);
    expect(rows).toHaveLength(4);
    expect(csv.out).toContain('Glow & Co');
  });

  it('downloads the weekly report: its data as JSON, or the page', async () => {
    const out = join(dir, 'week.json');
    const r = await cli(['report', 'weekly', '--week', '2026-W07', '--out', out, '--key', admin]);
    expect(r.code, r.err).toBe(EXIT.ok);
    expect(r.err).toMatch(/2026-W07 written to/);
    const data = JSON.parse(await readFile(out, 'utf8'));
    expect(data).toMatchObject({
      week: '2026-W07',
      since: '2026-02-09T00:00:00.000Z',
      until: '2026-02-16T00:00:00.000Z',
    });
    expect(data.priceChanges.items).toHaveLength(3);
    for (const k of ['alerts', 'trends', 'sentiment', 'launches', 'promotions'])
      expect(data[k]).toBeDefined();

    const page = await cli(['report', 'weekly', '--week', '2026-W07', '--html', '--key', admin]);
    expect(page.code, page.err).toBe(EXIT.ok);
    expect(page.out).toMatch(/^<!doctype html>/);
    expect(page.out).toContain('Weekly report');
    // Without a key the page answers with a redirect to the login form: an auth error, not a saved login page.
    expect((await cli(['report', 'weekly', '--html'])).code).toBe(EXIT.auth);
  });

  it('lists and revokes keys', async () => {
    const made = await cli([
      'keys',
      'create',
      '--role',
      'editor',
      '--name',
      'temp',
      '--json',
      '--key',
      admin,
    ]);
    const { id, key } = JSON.parse(made.out);
    const list = await cli(['keys', 'list', '--key', admin]);
    expect(list.out).toMatch(new RegExp(`${id}\\s+editor\\s+active\\s+temp`));
    expect(list.out).not.toContain(key);
    expect((await cli(['keys', 'revoke', String(id), '--key', admin])).code).toBe(EXIT.ok);
    const revoked = await cli(['targets', 'list', '--key', key]);
    expect(revoked.code).toBe(EXIT.auth);
    expect(revoked.err).toMatch(/API_KEY_REVOKED/);
    expect((await cli(['keys', 'revoke', '99999', '--key', admin])).err).toMatch(/KEY_NOT_FOUND/);
  });

  it('runs as `market-radar` through its launcher (bin/market-radar.js) and through `tsx cli.ts`', async () => {
    const run = promisify(execFile);
    const viaBin = await run(process.execPath, ['bin/market-radar.js', 'targets', 'list', '--url', server], {
      cwd: ROOT,
      env: { ...process.env, MARKET_RADAR_KEY: admin },
    });
    expect(viaBin.stdout).toMatch(/https:\/\/shop.test\/p\/1/);
    const denied = await run(process.execPath, ['bin/market-radar.js', 'targets', 'list', '--url', server], {
      cwd: ROOT,
      env: { ...process.env, MARKET_RADAR_KEY: '' },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(denied).toMatchObject({ code: EXIT.auth, stderr: expect.stringMatching(/AUTH_REQUIRED/) });
    const viaTsx = await run(join(ROOT, 'node_modules/.bin/tsx'), ['cli.ts', '--help'], { cwd: ROOT });
    expect(viaTsx.stdout).toMatch(/^market-radar — /);
  });
});
