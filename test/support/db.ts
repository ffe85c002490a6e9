/**
 * A database per test file: on real Postgres, a fresh database cloned from a migrated template (fast, isolated);
 * on PGlite, a fresh in-memory instance behind the same socket server the app uses.
 */
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import {
  createDb,
  type Db,
  EMBEDDED_POOL,
  migrate,
  readMigrations,
  startEmbeddedPostgres,
} from '../../db/index.ts';
import { createLogger } from '../../logger.ts';
import { PG_URL } from './services.ts';

export const testLog = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');

export interface TestDb {
  db: Db;
  url: string;
  close(): Promise<void>;
}

function adminUrl(database: string): string {
  const u = new URL(PG_URL);
  u.pathname = `/${database}`;
  return u.toString();
}

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** The template's name changes whenever a migration does, so a stale template is never used. */
function templateName(): string {
  const hash = createHash('sha1');
  for (const m of readMigrations()) hash.update(`${m.version}:${m.sql}`);
  return `mr_template_${hash.digest('hex').slice(0, 12)}`;
}

async function ensureTemplate(): Promise<string> {
  const name = templateName();
  await withAdmin(async (c) => {
    await c.query('SELECT pg_advisory_lock(7262053002)');
    try {
      const { rowCount } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (!rowCount) {
        await c.query(`CREATE DATABASE ${name}`);
        const db = createDb(adminUrl(name), testLog, { max: 1 });
        try {
          await migrate(db, testLog);
        } finally {
          await db.close();
        }
      }
    } finally {
      await c.query('SELECT pg_advisory_unlock(7262053002)');
    }
  });
  return name;
}

/** A fresh, migrated, empty database on the machine's real Postgres. */
export async function createPostgresTestDb(): Promise<TestDb> {
  const template = await ensureTemplate();
  const name = `mr_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  const url = adminUrl(name);
  const db = createDb(url, testLog, { max: 12 });
  return {
    db,
    url,
    async close() {
      await db.close();
      await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/** An empty, unmigrated database on the real Postgres (for migration tests). */
export async function createEmptyPostgresDb(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `mr_empty_${randomBytes(6).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${name}`));
  return {
    url: adminUrl(name),
    drop: () =>
      withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** A fresh, migrated PGlite database served over the pglite socket, as in the embedded mode. */
export async function createPgliteTestDb(): Promise<TestDb> {
  const embedded = await startEmbeddedPostgres('memory://');
  const db = createDb(embedded.url, testLog, EMBEDDED_POOL);
  await migrate(db, testLog);
  return {
    db,
    url: embedded.url,
    async close() {
      await db.close();
      await embedded.close();
    },
  };
}
