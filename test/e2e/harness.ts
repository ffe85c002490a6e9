/**
 * Runs the real thing for browser tests: `main.ts` (API + in-process worker + demo market) in a child process
 * on a port we chose, over a database the test can also write to, and a headless Chromium.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright';
import { CHROMIUM_PATH } from '../support/services.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const SCREENSHOT_DIR = join(ROOT, 'test/.screenshots');

/** A free loopback port: main.ts does not print back the port it got for PORT=0. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface RunningMarketRadar {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `main.ts` with the demo market on `databaseUrl` and waits until it has crawled price changes.
 * Throws with the child's output when it exits early or has no price changes after `timeoutMs`.
 */
export async function startMarketRadar(
  databaseUrl: string,
  timeoutMs = 120_000,
): Promise<RunningMarketRadar> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'mr-e2e-'));
  let out = '';
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DEMO_PORT: '0',
      DEMO: '1',
      DATABASE_URL: databaseUrl,
      REDIS_URL: '',
      MARKET_RADAR_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (b: Buffer) => {
    out += b.toString();
  });
  child.stderr?.on('data', (b: Buffer) => {
    out += b.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`main.ts exited with ${child.exitCode}:\n${out}`);
    try {
      const res = await fetch(`${url}/api/price-changes?limit=5`);
      if (res.ok && ((await res.json()) as { items: unknown[] }).items.length >= 3) {
        return { url, output: () => out, stop };
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  await stop();
  throw new Error(`no price changes after ${timeoutMs} ms:\n${out}`);
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** What a page did that it should not have: dialogs, script errors, CSP violations, injected console markers. */
export interface PageWatch {
  dialogs: string[];
  errors: string[];
  csp: string[];
  console: string[];
}

/** Records dialogs (and dismisses them), uncaught errors and console messages of a page. */
export function watchPage(page: Page): PageWatch {
  const w: PageWatch = { dialogs: [], errors: [], csp: [], console: [] };
  page.on('dialog', (d) => {
    w.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss().catch(() => undefined);
  });
  page.on('pageerror', (e) => w.errors.push(e.message));
  page.on('console', (m) => {
    const text = m.text();
    w.console.push(text);
    if (/Content Security Policy/i.test(text)) w.csp.push(text);
  });
  return w;
}
