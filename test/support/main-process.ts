/**
 * `main.ts` as a real child process, the way `npm start`, `npm run start:api` and `npm run start:worker` run it
 * (`tsx main.ts …`), each in its own process group so a test can end it with everything it started (Chromium).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface MainProcess {
  child: ChildProcess;
  pid: number;
  /** Everything it printed (stdout and stderr), the last `keepChars` characters. */
  output(): string;
  /** Resolves when some output line contains `text`; rejects if the process exits first or after `timeoutMs`. */
  waitForOutput(text: string, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string | null>;
  alive(): boolean;
  /** SIGTERM (a graceful shutdown); resolves with how it exited, or 'hung' after `timeoutMs`. */
  terminate(timeoutMs?: number): Promise<number | string | null>;
  /** SIGKILL to its whole process group, if any of it is left. */
  killGroup(): void;
}

/** True while any process of the group is alive. */
export function groupAlive(pgid: number): boolean {
  try {
    return execFileSync('pgrep', ['-g', String(pgid)], { encoding: 'utf8' }).trim().length > 0;
  } catch {
    return false; // pgrep exits 1 when nothing matches
  }
}

export function spawnMain(
  args: string[],
  env: Record<string, string | undefined>,
  keepChars = 50_000,
): MainProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'main.ts', ...args], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const waiters: { text: string; resolve(): void }[] = [];
  const onData = (d: Buffer) => {
    out = (out + d.toString()).slice(-keepChars);
    for (const w of waiters.filter((w) => out.includes(w.text))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    pid: child.pid as number,
    output: () => out,
    exited,
    alive,
    waitForOutput(text, timeoutMs = 30_000) {
      if (out.includes(text)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no "${text}" after ${timeoutMs} ms:\n${out}`)),
          timeoutMs,
        );
        waiters.push({
          text,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`main.ts ${args.join(' ')} exited (${code}) before printing "${text}":\n${out}`));
        });
      });
    },
    async terminate(timeoutMs = 30_000) {
      if (!alive()) return exited;
      child.kill('SIGTERM');
      return Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), timeoutMs))]);
    },
    killGroup() {
      if (child.pid && groupAlive(child.pid)) process.kill(-child.pid, 'SIGKILL');
    },
  };
}

/** A free loopback port. */
export function freePort(): Promise<number> {
  return freePortRange(1);
}

/**
 * The first of `n` consecutive free loopback ports (the demo market listens on DEMO_PORT … DEMO_PORT+3, and a
 * split deployment's workers allow-list that range, so it cannot be 0 there).
 */
export async function freePortRange(n: number): Promise<number> {
  const listen = (port: number) =>
    new Promise<Server | null>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(null));
      s.listen(port, '127.0.0.1', () => resolve(s));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = n === 1 ? 0 : 20_000 + Math.floor(Math.random() * 30_000);
    const servers = await Promise.all(Array.from({ length: n }, (_, i) => listen(base === 0 ? 0 : base + i)));
    const first = servers[0]?.address();
    await Promise.all(servers.map((s) => (s ? new Promise((r) => s.close(r)) : null)));
    if (servers.every(Boolean) && first && typeof first === 'object') return first.port;
  }
  throw new Error(`no ${n} consecutive free ports on 127.0.0.1`);
}
