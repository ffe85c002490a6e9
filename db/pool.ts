import pg from 'pg';
import type { Logger } from '../logger.ts';

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
  /** True when the database answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
  readonly pool: pg.Pool;
}

const RETRYABLE = new Set(['40001', '40P01']);

class ClientDb implements Db {
  constructor(
    private readonly client: pg.PoolClient,
    private readonly log: Logger,
    readonly pool: pg.Pool,
  ) {}
  async query<R extends object>(name: string, sql: string, params?: unknown[]) {
    return timed<R>(this.log, name, () => this.client.query(sql, params));
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

/** Creates the one pool of the process over a `postgres://` URL (real Postgres or the embedded socket). */
export function createDb(
  connectionString: string,
  log: Logger,
  opts: { max?: number; connectionTimeoutMs?: number } = {},
): Db {
  const pool = new pg.Pool({
    connectionString,
    max: opts.max ?? 20,
    connectionTimeoutMillis: opts.connectionTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its server (Postgres restarted) must not crash the process; the pool replaces it.
  pool.on('error', (err) => log.warn({ err: err.message }, 'idle database connection lost'));
  return {
    pool,
    query<R extends object>(name: string, sql: string, params?: unknown[]) {
      return timed<R>(log, name, () => pool.query(sql, params));
    },
    async withTransaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const result = await fn(new ClientDb(client, log, pool));
          await client.query('COMMIT');
          client.release();
          return result;
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          client.release();
          const code = (err as { code?: string }).code;
          if (code && RETRYABLE.has(code) && attempt < 4) continue;
          throw err;
        }
      }
    },
    async ping() {
      try {
        await pool.query('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },
    close: () => pool.end(),
  };
}
