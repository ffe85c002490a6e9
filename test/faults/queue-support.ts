/**
 * Rig for the queue fault suites: worker processes (queue-worker-process.ts) and a private redis-server on a
 * free loopback port with its own data directory, which the tests stop, kill and restart. The shared Redis on
 * 6379 is never touched by fault injection.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface WorkerProcessOptions {
  dbUrl: string;
  redisUrl: string;
  prefix: string;
  env?: Record<string, string>;
  concurrency?: Record<string, number>;
  lockDurationMs?: number;
  freshnessEveryMs?: number;
  analyzeEveryMs?: number;
  workerId?: string;
}

/** Starts a worker process and resolves once it takes jobs. */
export async function spawnWorkerProcess(o: WorkerProcessOptions): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(new URL('./queue-worker-process.ts', import.meta.url)),
      JSON.stringify(o),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`worker process exited early (${code})`)));
  });
  return child;
}

export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export function redisServerPath(): string | null {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/**
 * A redis-server of our own, configured as the README asks of production: `noeviction`, the append-only file on
 * (fsync every second), no RDB snapshots. `stop()` is `SHUTDOWN` (the AOF is flushed), `kill()` is SIGKILL;
 * `start()` brings it back on the same port and data directory, so the AOF is replayed.
 */
export interface PrivateRedis {
  url: string;
  port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: a Redis that accepts connections but does not answer. */
  pause(): void;
  resume(): void;
  /** Stops it for good and removes its data directory. */
  destroy(): Promise<void>;
}

export async function startPrivateRedis(binary: string): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'mr-redis-'));
  let child: ChildProcess | null = null;
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'yes',
    '--appendfsync',
    'everysec',
    '--maxmemory-policy',
    'noeviction',
  ];
  const start = async () => {
    const c = spawn(binary, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    child = c;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      c.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Ready to accept connections')) resolve();
      });
      c.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out.slice(-500)}`)));
    });
    c.stdout?.removeAllListeners('data');
    c.stdout?.resume();
  };
  const exited = async (signal: NodeJS.Signals | null) => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const done = new Promise((r) => c.once('exit', r));
    if (signal) c.kill(signal);
    else {
      try {
        execFileSync('redis-cli', ['-p', String(port), 'shutdown'], { stdio: 'ignore' });
      } catch {
        // redis-cli may report the connection it lost as an error; the exit below is what counts.
      }
    }
    await done;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    stop: () => exited(null),
    kill: () => exited('SIGKILL'),
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    async destroy() {
      await exited('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
