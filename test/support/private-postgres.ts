/**
 * A private Postgres server for fault tests (P2): its own data directory under the temp dir and its own free
 * port on 127.0.0.1, so a test may stop it (`pg_ctl stop -m immediate`) and start it again without touching the
 * shared server on 5432. Postgres refuses to run as root: when the tests run as root, every server command runs
 * as the `postgres` OS user through `runuser` (or `su`).
 *
 * When no server binaries are installed, or Postgres cannot be started, `startPrivatePostgres` warns loudly and
 * returns null; under CI (CI=true) it throws instead, so a missing capability is a failure there, never a skip.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PrivatePostgres {
  /** postgres:// URL of the `postgres` database (trust authentication, 127.0.0.1 only). */
  url: string;
  port: number;
  /** Data directory (for the log: `server.log` sits beside it). */
  dataDir: string;
  /** Stops the server: `immediate` is a crash (no checkpoint; WAL replayed on the next start). */
  stop(mode?: 'immediate' | 'fast'): void;
  /** Starts the server again on the same port and data directory; resolves once it accepts connections. */
  start(): Promise<void>;
  /** SIGSTOP every process of the server: it keeps its sockets open but answers nothing (a hung server). */
  freeze(): void;
  /** SIGCONT after `freeze`. */
  thaw(): void;
  /** True while the postmaster runs. */
  running(): boolean;
  /** The server log so far (for failure messages). */
  log(): string;
  /** Stops the server (if running) and deletes its directory. */
  close(): Promise<void>;
}

function binDir(): string | null {
  const fromEnv = process.env.PG_BINDIR;
  if (fromEnv && existsSync(join(fromEnv, 'initdb'))) return fromEnv;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length) return join(root, versions[0], 'bin');
  }
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    if (existsSync(join(dir, 'initdb'))) return dir;
  } catch {
    // no pg_config
  }
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Runs a server binary as the postgres user when we are root, directly otherwise. Throws with its output. */
function runAs(asPostgres: boolean, bin: string, args: string[]): string {
  const [cmd, argv] = asPostgres
    ? existsSync('/usr/sbin/runuser') || existsSync('/sbin/runuser')
      ? ['runuser', ['-u', 'postgres', '--', bin, ...args]]
      : ['su', ['postgres', '-s', '/bin/sh', '-c', [bin, ...args].map((a) => `'${a}'`).join(' ')]]
    : [bin, args];
  const r = spawnSync(cmd as string, argv as string[], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) {
    throw new Error(
      `${[cmd, ...(argv as string[])].join(' ')} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout}`,
    );
  }
  return r.stdout;
}

async function acceptsConnections(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

function unavailable(reason: string, suite: string): null {
  const message = `SKIPPING ${suite}: cannot run a private Postgres server (${reason})`;
  if (process.env.CI === 'true') throw new Error(`${message} — under CI this is a failure`);
  console.warn(`\n${'!'.repeat(80)}\n${message}\n${'!'.repeat(80)}\n`);
  return null;
}

/**
 * initdb into a fresh temp directory and start `postgres` on a free loopback port. Returns null (after a loud
 * warning) when that is impossible here; throws under CI. `fsync` stays on: a crash test must not lean on the
 * kernel cache more than production would.
 */
export async function startPrivatePostgres(suite: string): Promise<PrivatePostgres | null> {
  const bin = binDir();
  if (!bin) return unavailable('no initdb found in /usr/lib/postgresql/*/bin, PG_BINDIR or pg_config', suite);
  const asPostgres = process.getuid?.() === 0;
  let uid = -1;
  let gid = -1;
  if (asPostgres) {
    try {
      uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    } catch {
      return unavailable('running as root and there is no `postgres` OS user to run the server as', suite);
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'mr-private-pg-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  if (asPostgres) chownSync(dir, uid, gid);
  try {
    runAs(asPostgres, join(bin, 'initdb'), [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return unavailable((err as Error).message.slice(0, 300), suite);
  }
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const pgCtl = (args: string[]) => runAs(asPostgres, join(bin, 'pg_ctl'), ['-D', dataDir, ...args]);
  const running = () => existsSync(join(dataDir, 'postmaster.pid'));
  const start = async () => {
    pgCtl([
      'start',
      '-w',
      '-t',
      '60',
      '-l',
      logFile,
      '-o',
      `-p ${port} -h 127.0.0.1 -k ${dir} -c max_connections=60 -c shared_buffers=32MB`,
    ]);
    for (let i = 0; i < 100 && !(await acceptsConnections(url)); i++)
      await new Promise((r) => setTimeout(r, 100));
  };
  const stop = (mode: 'immediate' | 'fast' = 'immediate') => {
    if (running()) pgCtl(['stop', '-w', '-t', '60', '-m', mode]);
  };
  /** The postmaster and its children (backends, checkpointer, …). */
  function serverPids(): number[] {
    const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(postmaster)], { encoding: 'utf8' })
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter((n) => n > 0);
    return [postmaster, ...children];
  }
  function signal(sig: NodeJS.Signals): void {
    for (const pid of serverPids()) {
      try {
        process.kill(pid, sig);
      } catch {
        // exited meanwhile
      }
    }
  }
  // Whatever happens to the test, never leave a server behind (a frozen one is thawed first).
  const onExit = () => {
    try {
      if (running()) signal('SIGCONT');
      stop('immediate');
    } catch {
      // best effort at exit
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  try {
    await start();
  } catch (err) {
    onExit();
    process.removeListener('exit', onExit);
    return unavailable((err as Error).message.slice(0, 300), suite);
  }
  return {
    url,
    port,
    dataDir,
    stop,
    start,
    freeze: () => signal('SIGSTOP'),
    thaw: () => signal('SIGCONT'),
    running,
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    async close() {
      onExit();
      process.removeListener('exit', onExit);
    },
  };
}
