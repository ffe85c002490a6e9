/**
 * The README's promise: `npm start` on an empty machine (no DATABASE_URL, no REDIS_URL) brings up the whole
 * system on the embedded default and the demo market, and price changes and alerts appear through the API
 * within a minute. Then a SIGTERM shuts everything down with no orphan process. `npm start -- --no-demo` (or DEMO=0)
 * starts it without the demo.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, runsDemoMarket } from '../../config.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function groupAlive(pgid: number): boolean {
  try {
    return execFileSync('pgrep', ['-g', String(pgid)], { encoding: 'utf8' }).trim().length > 0;
  } catch {
    return false; // pgrep exits 1 when nothing matches
  }
}

/** `npm start` (plus `extraArgs`) on an empty data dir with no service URLs, in its own process group. */
function npmStart(dataDir: string, port: number, extraArgs: string[] = []) {
  const env: Record<string, string | undefined> = {
    ...process.env,
    PORT: String(port),
    DEMO_PORT: '0',
    MARKET_RADAR_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    // The local fake Slack the README points newcomers to: the demo's rules deliver Block Kit messages to it.
    DEMO_SLACK: '1',
  };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.DEMO;
  const args = extraArgs.length ? ['start', '--', ...extraArgs] : ['start'];
  const child = spawn('npm', args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  return { child, output: () => output };
}

/** SIGTERM to the whole group; npm exits first, its children finish closing (workers, crawler, PGlite) right after. */
async function stopCleanly(child: ChildProcess): Promise<void> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  process.kill(-child.pid!, 'SIGTERM');
  const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000))]);
  expect(code).not.toBe('hung');
  const deadline = Date.now() + 30_000;
  while (groupAlive(child.pid!) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  expect(groupAlive(child.pid!)).toBe(false);
}

describe('npm start on an empty machine', () => {
  const dataDirs: string[] = [];
  const children: ChildProcess[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'mr-e2e-'));
    dataDirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const c of children) if (c.pid && groupAlive(c.pid)) process.kill(-c.pid, 'SIGKILL');
    for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
  });

  it('shows price changes, alerts and their Slack deliveries (DEMO_SLACK=1) from the demo market within 60 s, then shuts down cleanly', async () => {
    const port = await freePort();
    const started = Date.now();
    const { child, output } = npmStart(tempDir(), port);
    children.push(child);
    const base = `http://127.0.0.1:${port}`;
    const get = async (path: string) => {
      try {
        const res = await fetch(base + path);
        return res.ok ? ((await res.json()) as { items: unknown[] }) : null;
      } catch {
        return null;
      }
    };
    let firstChange: number | null = null;
    let firstAlert: number | null = null;
    let firstSlack: number | null = null;
    const slackSent = async () =>
      ((await get('/api/deliveries?status=sent&limit=20'))?.items ?? []).some((d) => {
        const a = d as { channelKind?: string; message?: { blocks?: unknown[] } | null };
        return a.channelKind === 'slack' && Array.isArray(a.message?.blocks) && a.message.blocks.length > 0;
      });
    // Polls past the bound so a slow run reports how slow it was.
    while (
      Date.now() - started < 90_000 &&
      (firstChange === null || firstAlert === null || firstSlack === null)
    ) {
      await new Promise((r) => setTimeout(r, 1000));
      if (firstChange === null && (await get('/api/price-changes?limit=1'))?.items.length)
        firstChange = Date.now() - started;
      if (firstAlert === null && (await get('/api/alerts?limit=1'))?.items.length)
        firstAlert = Date.now() - started;
      if (firstSlack === null && firstAlert !== null && (await slackSent()))
        firstSlack = Date.now() - started;
    }
    console.log(
      `npm start → first price change ${firstChange} ms, first alert ${firstAlert} ms, first Slack delivery ${firstSlack} ms`,
    );
    expect(output()).toContain(`Market Radar is running: ${base}`);
    expect(firstChange, output().slice(-2000)).not.toBeNull();
    expect(firstAlert).not.toBeNull();
    // Issue #7's: with DEMO_SLACK=1 the alerts reach the local fake Slack, visible with their Block Kit at the API.
    expect(firstSlack, output().slice(-2000)).not.toBeNull();
    // Issue #2's promise, measured from the spawn of npm (npm and tsx start-up included).
    expect(Math.max(firstChange!, firstAlert!)).toBeLessThan(60_000);
    await stopCleanly(child);
  }, 150_000);

  // A second `npm start -- --no-demo` boot costs about 20 s on this machine (PGlite and the migrations again), so the
  // opt-out is checked through the decision main.ts takes, on the configuration it parses from the same flags.
  it('npm start -- --no-demo and DEMO=0 start without the demo market (nothing seeded); workers never run it', () => {
    expect(runsDemoMarket(loadConfig({}, []))).toBe(true);
    expect(runsDemoMarket(loadConfig({}, ['--no-demo']))).toBe(false);
    expect(runsDemoMarket(loadConfig({ DEMO: '0' }, []))).toBe(false);
    expect(runsDemoMarket(loadConfig({ DEMO: '0' }, ['--demo']))).toBe(true);
    const services = { DATABASE_URL: 'postgres://db/x', REDIS_URL: 'redis://r:6379' };
    expect(runsDemoMarket(loadConfig(services, ['--role', 'api']))).toBe(true);
    expect(runsDemoMarket(loadConfig(services, ['--role', 'worker']))).toBe(false);
    expect(runsDemoMarket(loadConfig(services, ['--role', 'api', '--no-demo']))).toBe(false);
  });
});
