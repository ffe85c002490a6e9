/**
 * Starts `worker-process.ts` as a real child process (the worker role of a split deployment) and waits until it
 * takes jobs. Tests crash it with `kill()` (SIGKILL, nothing flushed, no shutdown hooks) and start another.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { QueueName } from '../../jobs/index.ts';

export interface WorkerProcessOptions {
  dbUrl: string;
  redisUrl: string;
  prefix: string;
  /** Settings for loadConfig (URL_ALLOWLIST, WORKER_LOCK_MS, WORKER_ID, CRAWL_CONCURRENCY, …). */
  env: Record<string, string>;
  concurrency?: Partial<Record<QueueName, number>>;
  /** Log level of the child, written to this process's stderr (default: silent). */
  logLevel?: string;
  dbMax?: number;
  /** Another worker script taking the same argv JSON (default: worker-process.ts). */
  script?: string;
}

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** True until the process has exited. */
  alive(): boolean;
  /** SIGKILL, then resolves once the process is gone. */
  kill(): Promise<void>;
}

/** Spawns a worker process; rejects if it exits before printing "ready" or takes longer than `readyMs`. */
export async function spawnWorkerProcess(o: WorkerProcessOptions, readyMs = 60_000): Promise<WorkerProcess> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      o.script ?? fileURLToPath(new URL('./worker-process.ts', import.meta.url)),
      JSON.stringify(o),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker process not ready after ${readyMs} ms`));
    }, readyMs);
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`worker process exited before it was ready (${code ?? signal})`));
    });
  });
  return {
    child,
    pid: child.pid as number,
    alive: () => child.exitCode === null && child.signalCode === null,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
