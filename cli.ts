/**
 * `market-radar <command>` (or `npm run cli -- <command>`): the HTTP API of a running server, from a terminal.
 * It never opens the database: everything goes through the API, with its keys, roles and limits.
 */
import { realpathSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { processEnv } from './config.ts';

export const EXIT = { ok: 0, failed: 1, usage: 2, auth: 3, unreachable: 4 } as const;

export const HELP = `market-radar — competitor prices, trends and alerts from a running Market Radar server

Usage: market-radar <command> [options]

Commands
  targets add --kind KIND --url URL [--competitor-id N] [--interval SECONDS] [--label TEXT]
  targets list [--kind KIND] [--limit N]
  price-changes [--competitor NAME] [--since ISO] [--until ISO] [--min-pct N] [--direction down|up]
                [--limit N] [--csv]
  report weekly [--week YYYY-Www] [--out FILE] [--html]
                the week's data as JSON (price changes, alerts, trends, sentiment, launches, promotions);
                --html saves the report page instead (it renders in a browser)
  keys create --role viewer|editor|admin [--name TEXT] [--expires ISO]
                prints the key (shown once) on stdout; the first admin key needs no key on this machine
  keys list
  keys revoke ID

Options
  --url URL     server (default http://127.0.0.1:3000, or MARKET_RADAR_URL); in "targets add", --url is the
                target's page, so give the server with --server there (accepted everywhere)
  --server URL  server, as --url
  --key KEY     API key (or MARKET_RADAR_KEY); sent as Authorization: Bearer
  --json        print the API's JSON instead of a table
  -h, --help    this help

Exit codes: 0 done, 1 the server refused or failed, 2 usage error, 3 missing/invalid key or role too low,
4 server not reachable.
`;

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

class UsageError extends Error {}
class ExitError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const OPTIONS = {
  url: { type: 'string' },
  server: { type: 'string' },
  key: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  kind: { type: 'string' },
  'competitor-id': { type: 'string' },
  interval: { type: 'string' },
  label: { type: 'string' },
  limit: { type: 'string' },
  competitor: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  'min-pct': { type: 'string' },
  direction: { type: 'string' },
  csv: { type: 'boolean' },
  week: { type: 'string' },
  out: { type: 'string' },
  html: { type: 'boolean' },
  role: { type: 'string' },
  name: { type: 'string' },
  expires: { type: 'string' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function int(v: string | undefined, flag: string, min = 1): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${flag} must be an integer ≥ ${min}, got "${v}"`);
  return n;
}

function iso(v: string | undefined, flag: string): string | undefined {
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime()))
    throw new UsageError(`--${flag} must be a date or date-time (ISO 8601), got "${v}"`);
  return d.toISOString();
}

function required(v: string | undefined, flag: string): string {
  if (!v) throw new UsageError(`--${flag} is required`);
  return v;
}

/** ISO week (2026-W07) of a date, and the UTC Monday that starts a week. */
export function isoWeekOf(d: Date): string {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  t.setUTCDate(t.getUTCDate() + 4 - (t.getUTCDay() || 7));
  const year = t.getUTCFullYear();
  const week = Math.ceil(((t.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

export function weekRange(week: string): { start: Date; end: Date } | null {
  const m = /^(\d{4})-W(\d{2})$/.exec(week);
  if (!m) return null;
  const year = Number(m[1]);
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const start = new Date(
    Date.UTC(year, 0, 4 - ((jan4.getUTCDay() || 7) - 1)) + (Number(m[2]) - 1) * 7 * 86_400_000,
  );
  if (Number(m[2]) < 1 || isoWeekOf(start) !== week) return null;
  return { start, end: new Date(start.getTime() + 7 * 86_400_000) };
}

interface Client {
  base: string;
  key: string | undefined;
}

async function request(
  c: Client,
  method: string,
  path: string,
  opts: { query?: Record<string, string | number | undefined>; body?: unknown; accept?: string } = {},
): Promise<Response> {
  const url = new URL(path, c.base);
  for (const [k, v] of Object.entries(opts.query ?? {}))
    if (v !== undefined) url.searchParams.set(k, String(v));
  const headers: Record<string, string> = { accept: opts.accept ?? 'application/json' };
  if (c.key) headers.authorization = `Bearer ${c.key}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      redirect: 'manual',
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (err as Error).message;
    throw new ExitError(EXIT.unreachable, `cannot reach ${c.base}: ${why}`);
  }
  if (res.ok) return res;
  let detail = `HTTP ${res.status}`;
  try {
    const body = (await res.json()) as { error?: string; message?: string };
    if (body.message) detail = `${body.message} (${body.error ?? 'ERROR'}, HTTP ${res.status})`;
  } catch {
    // not JSON: the status says enough
  }
  if (res.status === 401 || res.status === 403 || res.status === 303) {
    const hint = c.key ? '' : ' — pass --key or set MARKET_RADAR_KEY';
    throw new ExitError(
      EXIT.auth,
      `${res.status === 303 ? 'an API key is required (HTTP 303)' : detail}${hint}`,
    );
  }
  throw new ExitError(EXIT.failed, detail);
}

const json = async <T>(res: Response) => (await res.json()) as T;

function table(rows: Record<string, unknown>[], columns: string[]): string {
  const cell = (v: unknown) => (v === null || v === undefined ? '' : String(v).replace(/[\t\r\n]+/g, ' '));
  const all = [columns, ...rows.map((r) => columns.map((c) => cell(r[c])))];
  const widths = columns.map((_, i) => Math.min(60, Math.max(...all.map((r) => r[i].length))));
  return `${all
    .map((r) =>
      r
        .map((v, i) => v.slice(0, 60).padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

async function targets(c: Client, sub: string | undefined, v: Values, io: CliIo) {
  if (sub === 'add') {
    const body = {
      kind: required(v.kind, 'kind'),
      url: required(v.url, 'url'),
      competitorId: int(v['competitor-id'], 'competitor-id'),
      intervalSeconds: int(v.interval, 'interval'),
      label: v.label,
    };
    const t = await json<Record<string, unknown>>(await request(c, 'POST', '/api/targets', { body }));
    io.out(v.json ? `${JSON.stringify(t, null, 2)}\n` : `added target ${t.id}: ${t.kind} ${t.url}\n`);
    return;
  }
  if (sub === 'list') {
    const page = await json<{ items: Record<string, unknown>[] }>(
      await request(c, 'GET', '/api/targets', {
        query: { kind: v.kind, limit: int(v.limit, 'limit') ?? 1000 },
      }),
    );
    io.out(
      v.json
        ? `${JSON.stringify(page.items, null, 2)}\n`
        : table(page.items, ['id', 'kind', 'enabled', 'intervalSeconds', 'lastOutcome', 'url']),
    );
    return;
  }
  throw new UsageError('targets: use "targets add" or "targets list"');
}

async function priceChanges(c: Client, v: Values, io: CliIo) {
  if (v.direction !== undefined && v.direction !== 'down' && v.direction !== 'up')
    throw new UsageError(`--direction must be down or up, got "${v.direction}"`);
  const minPct = v['min-pct'] === undefined ? undefined : Number(v['min-pct']);
  if (minPct !== undefined && (!Number.isFinite(minPct) || minPct < 0))
    throw new UsageError(`--min-pct must be a number ≥ 0, got "${v['min-pct']}"`);
  const query = {
    competitor: v.competitor,
    since: iso(v.since, 'since'),
    until: iso(v.until, 'until'),
    min_pct: minPct,
    direction: v.direction,
    limit: int(v.limit, 'limit') ?? 1000,
  };
  if (v.csv) {
    io.out(await (await request(c, 'GET', '/api/price-changes', { query, accept: 'text/csv' })).text());
    return;
  }
  const page = await json<{ items: Record<string, unknown>[] }>(
    await request(c, 'GET', '/api/price-changes', { query }),
  );
  if (v.json) return io.out(`${JSON.stringify(page.items, null, 2)}\n`);
  const rows = page.items.map((p) => ({
    ...p,
    occurredAt: String(p.occurredAt).slice(0, 16).replace('T', ' '),
    change: `${p.oldPrice} → ${p.newPrice} ${p.currency ?? ''}`.trim(),
    pct: typeof p.pct === 'number' ? `${p.pct > 0 ? '+' : ''}${p.pct.toFixed(1)}%` : '',
  }));
  io.out(table(rows, ['occurredAt', 'competitor', 'product', 'change', 'pct']));
}

async function report(c: Client, sub: string | undefined, v: Values, io: CliIo) {
  if (sub !== 'weekly') throw new UsageError('report: use "report weekly"');
  const week = v.week ?? isoWeekOf(new Date(Date.now() - 7 * 86_400_000));
  const range = weekRange(week);
  if (!range) throw new UsageError(`--week must look like 2026-W07, got "${week}"`);
  let text: string;
  if (v.html) {
    text = await (await request(c, 'GET', '/report/weekly', { query: { week }, accept: 'text/html' })).text();
  } else {
    const since = range.start.toISOString();
    const until = range.end.toISOString();
    const get = async (path: string, query: Record<string, string | number | undefined>) =>
      json<unknown>(await request(c, 'GET', path, { query }));
    const [priceChanges, alerts, trends, sentiment, launches, promotions] = await Promise.all([
      get('/api/price-changes', { since, until, limit: 1000 }),
      get('/api/alerts', { since, limit: 1000 }),
      get('/api/trends', { since: since.slice(0, 10), limit: 50 }),
      get('/api/sentiment', { bucket: 'day', since, until }),
      get('/api/launches', { since }),
      get('/api/promotions', { since }),
    ]);
    text = `${JSON.stringify({ week, since, until, priceChanges, alerts, trends, sentiment, launches, promotions }, null, 2)}\n`;
  }
  if (v.out) {
    await writeFile(v.out, text);
    io.err(`weekly report ${week} written to ${v.out}\n`);
  } else io.out(text);
}

async function keys(c: Client, sub: string | undefined, rest: string[], v: Values, io: CliIo) {
  if (sub === 'create') {
    const role = required(v.role, 'role');
    if (!['viewer', 'editor', 'admin'].includes(role))
      throw new UsageError(`--role must be viewer, editor or admin, got "${role}"`);
    const body = { role, name: v.name, expiresAt: iso(v.expires, 'expires') };
    const k = await json<Record<string, unknown>>(await request(c, 'POST', '/api/keys', { body }));
    if (v.json) return io.out(`${JSON.stringify(k, null, 2)}\n`);
    io.out(`${k.key}\n`);
    io.err(`created ${k.role} key ${k.id} (${k.name}). It is shown once: store it now.\n`);
    return;
  }
  if (sub === 'list') {
    const page = await json<{ items: Record<string, unknown>[] }>(
      await request(c, 'GET', '/api/keys', { query: { limit: 1000 } }),
    );
    io.out(
      v.json
        ? `${JSON.stringify(page.items, null, 2)}\n`
        : table(page.items, ['id', 'role', 'status', 'name', 'hint', 'expiresAt', 'lastUsedAt']),
    );
    return;
  }
  if (sub === 'revoke') {
    const id = int(rest[0], 'id (keys revoke ID)');
    if (id === undefined) throw new UsageError('keys revoke needs the key id: keys revoke ID');
    await request(c, 'DELETE', `/api/keys/${id}`);
    io.err(`revoked key ${id}\n`);
    return;
  }
  throw new UsageError('keys: use "keys create", "keys list" or "keys revoke ID"');
}

/** Runs one command; returns the exit code. Never throws, never exits the process. */
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined>,
  io: CliIo,
): Promise<number> {
  try {
    const { values: v, positionals } = parseArgs({
      args: argv,
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    });
    const [command, sub, ...rest] = positionals;
    if (v.help || !command) {
      io.out(HELP);
      return v.help ? EXIT.ok : EXIT.usage;
    }
    const addingTarget = command === 'targets' && sub === 'add';
    const base =
      v.server ?? (addingTarget ? undefined : v.url) ?? env.MARKET_RADAR_URL ?? 'http://127.0.0.1:3000';
    if (!/^https?:\/\/[^/]+/.test(base)) throw new UsageError(`--url must be an http(s) URL, got "${base}"`);
    const client: Client = {
      base: base.replace(/\/$/, ''),
      key: v.key ?? (env.MARKET_RADAR_KEY || undefined),
    };
    if (command === 'targets') await targets(client, sub, v, io);
    else if (command === 'price-changes') await priceChanges(client, v, io);
    else if (command === 'report') await report(client, sub, v, io);
    else if (command === 'keys') await keys(client, sub, rest, v, io);
    else throw new UsageError(`unknown command "${command}"`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof ExitError) {
      io.err(`error: ${err.message}\n`);
      return err.code;
    }
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`error: ${(err as Error).message}\nRun "market-radar --help" for usage.\n`);
      return EXIT.usage;
    }
    io.err(`error: ${(err as Error).message}\n`);
    return EXIT.failed;
  }
}

/** Runs with the process's arguments, streams and environment, and sets its exit code. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  process.exitCode = await runCli(argv, processEnv(), {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
  });
}

const invokedDirectly = process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) await main();
