import pg from 'pg';
import type { Logger } from '../logger.ts';
import { copyIn } from './copy.ts';

// int8 and numeric come back as strings by default: keep numeric exact (strings), but ids fit in JS numbers.
pg.types.setTypeParser(20, (v) => Number(v));

export type Row = Record<string, unknown>;

/** What a query returns: rows typed by the caller, and the affected row count. */
export interface Result<R> {
  rows: R[];
  rowCount: number | null;
}

/** The database handle every query function takes. */
export interface Db {
  /** Runs one statement. `name` is for logs only (no named prepared statements: PGlite sessions are shared). */
  query<R extends object = Row>(name: string, sql: string, params?: unknown[]): Promise<Result<R>>;
  /** Runs fn in a transaction on one connection; retries serialization failures and deadlocks up to 3 times. */
  withTransaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /**
   * Runs `COPY … FROM STDIN` with text-format chunks (see copy.ts); resolves with the rows stored. Only where
   * `canCopy` (real Postgres; PGlite's socket does not speak COPY's sub-protocol).
   */
  copyFrom(name: string, sql: string, chunks: Buffer[]): Promise<number>;
  readonly canCopy: boolean;
  /** True when the database answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
  readonly pool: pg.Pool;
}

const RETRYABLE = new Set(['40001', '40P01']);

/** Longest wait for `ping()`: past it the database counts as down. */
const PING_TIMEOUT_MS = 3_000;

/** SQLSTATEs of a server that is going away or not there yet: admin, crash and startup shutdowns, connections. */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300']);
const UNAVAILABLE_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
const UNAVAILABLE_MESSAGE =
  /Query read timeout|Connection terminated|connection timeout|timeout exceeded when trying to connect|not queryable|the database system is (starting up|shutting down|in recovery mode)/i;

/**
 * True when an error means the database cannot be reached right now (refused, reset, timed out, shutting down,
 * starting up, out of connections), as opposed to a problem with the statement. Such work is safe to retry
 * later: the API answers 503, jobs wait and run again.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  if (UNAVAILABLE_STATES.has(code) || UNAVAILABLE_ERRNOS.has(code) || code.startsWith('08')) return true;
  return typeof e.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message);
}

/** A statement with the caller's client-side answer deadline (pg's `query_timeout`), when it has one. */
const statement = (text: string, values: unknown[] | undefined, timeoutMs: number | undefined) =>
  ({ text, values, query_timeout: timeoutMs }) as pg.QueryConfig;

class ClientDb implements Db {
  constructor(
    private readonly client: pg.PoolClient,
    private readonly log: Logger,
    readonly pool: pg.Pool,
    private readonly timeoutMs: number | undefined,
    readonly canCopy: boolean,
  ) {}
  async query<R extends object>(name: string, sql: string, params?: unknown[]) {
    return timed<R>(this.log, name, () => this.client.query(statement(sql, params, this.timeoutMs)));
  }
  copyFrom(name: string, sql: string, chunks: Buffer[]) {
    return copyOn(this.client, this.log, this.canCopy, name, sql, chunks);
  }
  withTransaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return fn(this); // nested: already inside one
  }
  ping() {
    return Promise.resolve(true);
  }
  close() {
    return Promise.resolve();
  }
}

async function timed<R extends object>(
  log: Logger,
  name: string,
  run: () => Promise<pg.QueryResult>,
): Promise<Result<R>> {
  const started = performance.now();
  try {
    const res = (await run()) as unknown as Result<R>;
    log.debug({ query: name, ms: Math.round(performance.now() - started), rows: res.rowCount }, 'query');
    return res;
  } catch (err) {
    log.debug({ query: name, ms: Math.round(performance.now() - started), err }, 'query failed');
    throw err;
  }
}

async function copyOn(
  client: pg.PoolClient,
  log: Logger,
  canCopy: boolean,
  name: string,
  sql: string,
  chunks: Buffer[],
): Promise<number> {
  if (!canCopy) throw new Error(`${name}: this database does not take COPY FROM STDIN (embedded PGlite)`);
  const res = await timed<Row>(log, name, async () => {
    const rowCount = await copyIn(client, sql, chunks);
    return { rows: [], rowCount } as unknown as pg.QueryResult;
  });
  return res.rowCount ?? 0;
}

/** Takes a connection from the pool (plain `pool.connect()`, or one that waits out an outage). */
type Acquire = () => Promise<pg.PoolClient>;

/**
 * Runs `use` on a checked-out client. A checked-out client has no pool listener: without ours, a server crash
 * while it is held is an 'error' event nobody handles, which ends the process. A broken connection is destroyed
 * on release, never handed to the next caller.
 */
async function withClient<T>(
  acquire: Acquire,
  log: Logger,
  use: (client: pg.PoolClient, lost: () => Error | null) => Promise<T>,
): Promise<T> {
  const client = await acquire();
  let lost: Error | null = null;
  const onError = (err: Error) => {
    lost = err;
    log.warn({ err: err.message }, 'database connection lost while in use');
  };
  client.on('error', onError);
  try {
    const result = await use(client, () => lost);
    client.release();
    return result;
  } catch (err) {
    client.release(lost ?? (isDatabaseUnavailable(err) ? (err as Error) : undefined));
    throw err;
  } finally {
    client.removeListener('error', onError);
  }
}

function poolDb(
  pool: pg.Pool,
  log: Logger,
  acquire: Acquire | null,
  owner: boolean,
  canCopy: boolean,
  timeoutMs?: number,
): Db {
  const take: Acquire = acquire ?? (() => pool.connect());
  return {
    pool,
    canCopy,
    copyFrom(name: string, sql: string, chunks: Buffer[]) {
      return withClient(take, log, (client) => copyOn(client, log, canCopy, name, sql, chunks));
    },
    query<R extends object>(name: string, sql: string, params?: unknown[]) {
      if (!acquire) return timed<R>(log, name, () => pool.query(statement(sql, params, timeoutMs)));
      return timed<R>(log, name, () =>
        withClient(take, log, (client) => client.query(statement(sql, params, timeoutMs))),
      );
    },
    async withTransaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        try {
          return await withClient(take, log, async (client, lost) => {
            await client.query(statement('BEGIN', undefined, timeoutMs));
            try {
              const result = await fn(new ClientDb(client, log, pool, timeoutMs, canCopy));
              await client.query(statement('COMMIT', undefined, timeoutMs));
              return result;
            } catch (err) {
              if (!lost() && !isDatabaseUnavailable(err))
                await client.query('ROLLBACK').catch(() => undefined);
              throw err;
            }
          });
        } catch (err) {
          const code = (err as { code?: string }).code;
          if (code && RETRYABLE.has(code) && attempt < 4) continue;
          throw err;
        }
      }
    },
    async ping() {
      // A server that accepts but never answers (hung, stopped with SIGSTOP) must not hang /health.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS);
      });
      try {
        return await Promise.race([pool.query('SELECT 1').then(() => true), timeout]);
      } catch {
        return false;
      } finally {
        clearTimeout(timer);
      }
    },
    // A view (waitingForDatabase) does not own the pool: whoever created it closes it.
    close: () => (owner ? pool.end() : Promise.resolve()),
  };
}

/** Creates the one pool of the process over a `postgres://` URL (real Postgres or the embedded socket). */
export function createDb(
  connectionString: string,
  log: Logger,
  opts: { max?: number; connectionTimeoutMs?: number; canCopy?: boolean } = {},
): Db {
  const pool = new pg.Pool({
    connectionString,
    max: opts.max ?? 20,
    connectionTimeoutMillis: opts.connectionTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its server (Postgres restarted) must not crash the process; the pool replaces it.
  pool.on('error', (err) => log.warn({ err: err.message }, 'idle database connection lost'));
  return poolDb(pool, log, null, true, opts.canCopy ?? true);
}

/**
 * The same pool, seen by the API: a statement unanswered after `timeoutMs` (config `API_QUERY_TIMEOUT_MS`; a hung
 * or overloaded server that accepted the connection) fails with "Query read timeout", which counts as unavailable
 * (503), and its connection is destroyed rather than reused. Jobs keep the unbounded view: a long batch statement
 * is not a hang.
 */
export function withQueryTimeout(db: Db, log: Logger, timeoutMs: number): Db {
  return poolDb(db.pool, log, null, false, db.canCopy, timeoutMs);
}

/** How long background work (jobs) waits for an unreachable database before failing (RELIABILITY P2). */
export const JOB_DATABASE_WAIT_MS = 120_000;

/**
 * The same pool, seen by background work: while the database is unreachable (refused, starting up, shutting
 * down), taking a connection waits and tries again (backing off to `retryMs`) for up to `maxWaitMs`, instead of
 * failing at once. A job then spends no attempts on an outage: only a statement already sent when the server
 * went away fails (its outcome is unknown, and the job's retry, idempotent, settles it); the next attempt waits
 * here until the server is back. The API keeps the plain pool, so it answers 503 at once.
 */
export function waitingForDatabase(
  db: Db,
  log: Logger,
  opts: { maxWaitMs?: number; retryMs?: number } = {},
): Db {
  const maxWaitMs = opts.maxWaitMs ?? JOB_DATABASE_WAIT_MS;
  const retryMs = opts.retryMs ?? 1_000;
  let waiting = 0;
  const acquire: Acquire = async () => {
    const deadline = Date.now() + maxWaitMs;
    let counted = false;
    try {
      for (let delay = 100; ; delay = Math.min(delay * 2, retryMs)) {
        try {
          return await db.pool.connect();
        } catch (err) {
          if (!isDatabaseUnavailable(err) || Date.now() + delay > deadline) throw err;
          if (!counted) {
            counted = true;
            // One line per outage, not one per waiting caller.
            if (waiting++ === 0)
              log.warn({ err: (err as Error).message, maxWaitMs }, 'database unreachable; work waits for it');
          }
          await new Promise((r) => setTimeout(r, delay));
        }
      }
    } finally {
      if (counted && --waiting === 0) log.info('no work is waiting for the database any more');
    }
  };
  return poolDb(db.pool, log, acquire, false, db.canCopy);
}
