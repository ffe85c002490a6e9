import type { Db } from './pool.ts';

export const API_KEY_ROLES = ['viewer', 'editor', 'admin'] as const;
/** viewer < editor < admin. */
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

/** What may be shown of a key: never its secret (which is not stored), nor its salt or digest. */
export interface ApiKey {
  id: number;
  name: string;
  role: ApiKeyRole;
  /** The public part of the key, which finds its row. */
  lookup: string;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

/** A key with what checking a presented key needs. */
export interface ApiKeyCredential extends ApiKey {
  salt: Buffer;
  digest: Buffer;
}

const COLUMNS = `id, name, role, lookup, created_at AS "createdAt", expires_at AS "expiresAt",
  revoked_at AS "revokedAt", last_used_at AS "lastUsedAt"`;
const KEY_COLUMNS = `k.id, k.name, k.role, k.lookup, k.created_at AS "createdAt", k.expires_at AS "expiresAt",
  k.revoked_at AS "revokedAt", k.last_used_at AS "lastUsedAt"`;

export async function insertApiKey(
  db: Db,
  k: { name: string; role: ApiKeyRole; lookup: string; salt: Buffer; digest: Buffer; expiresAt: Date | null },
): Promise<ApiKey> {
  const { rows } = await db.query<ApiKey>(
    'api_keys.insert',
    `INSERT INTO api_keys (name, role, lookup, salt, digest, expires_at) VALUES ($1, $2, $3, $4, $5, $6)
     RETURNING ${COLUMNS}`,
    [k.name, k.role, k.lookup, k.salt, k.digest, k.expiresAt],
  );
  return rows[0];
}

export async function listApiKeys(db: Db, opts: { afterId?: number; limit: number }): Promise<ApiKey[]> {
  const { rows } = await db.query<ApiKey>(
    'api_keys.list',
    `SELECT ${COLUMNS} FROM api_keys WHERE id > $1 ORDER BY id LIMIT $2`,
    [opts.afterId ?? 0, opts.limit],
  );
  return rows;
}

export async function getApiKey(db: Db, id: number): Promise<ApiKey | null> {
  const { rows } = await db.query<ApiKey>('api_keys.get', `SELECT ${COLUMNS} FROM api_keys WHERE id = $1`, [
    id,
  ]);
  return rows[0] ?? null;
}

/** Admin keys neither revoked nor expired, other than `except`. */
export async function countActiveAdminKeys(db: Db, opts: { except?: number } = {}): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'api_keys.count_active_admins',
    `SELECT count(*)::int AS n FROM api_keys
     WHERE role = 'admin' AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now()) AND id <> $1`,
    [opts.except ?? 0],
  );
  return rows[0]?.n ?? 0;
}

/** The key whose public part is `lookup`, with its salt and digest, or null. */
export async function findApiKeyCredential(db: Db, lookup: string): Promise<ApiKeyCredential | null> {
  const { rows } = await db.query<ApiKeyCredential>(
    'api_keys.find_credential',
    `SELECT ${COLUMNS}, salt, digest FROM api_keys WHERE lookup = $1`,
    [lookup],
  );
  return rows[0] ?? null;
}

/** True once any key (even a revoked one) exists: from then on the API is never open without a key. */
export async function anyApiKeyExists(db: Db): Promise<boolean> {
  const { rows } = await db.query<{ exists: boolean }>(
    'api_keys.any',
    'SELECT EXISTS (SELECT 1 FROM api_keys) AS "exists"',
  );
  return rows[0]?.exists === true;
}

/**
 * Revokes a key (idempotent: the first revocation time is kept) and ends its browser sessions. Returns the key,
 * or null when there is none with this id.
 */
export async function revokeApiKey(db: Db, id: number): Promise<ApiKey | null> {
  return db.withTransaction(async (tx) => {
    const { rows } = await tx.query<ApiKey>(
      'api_keys.revoke',
      `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING ${COLUMNS}`,
      [id],
    );
    if (rows[0])
      await tx.query('api_sessions.delete_for_key', 'DELETE FROM api_sessions WHERE key_id = $1', [id]);
    return rows[0] ?? null;
  });
}

/** Records a use, at most once a minute per key, so a busy key does not write on every request. */
export async function touchApiKey(db: Db, id: number): Promise<void> {
  await db.query(
    'api_keys.touch',
    `UPDATE api_keys SET last_used_at = now()
     WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '60 seconds')`,
    [id],
  );
}

/** A session for the key `keyId`; also drops sessions that have expired. */
export async function insertApiSession(
  db: Db,
  s: { keyId: number; digest: Buffer; expiresAt: Date },
): Promise<void> {
  await db.query('api_sessions.purge', 'DELETE FROM api_sessions WHERE expires_at < now()');
  await db.query(
    'api_sessions.insert',
    'INSERT INTO api_sessions (key_id, digest, expires_at) VALUES ($1, $2, $3)',
    [s.keyId, s.digest, s.expiresAt],
  );
}

/** The key behind a live session (not expired, key neither revoked nor expired), or null. */
export async function findApiSessionKey(db: Db, digest: Buffer): Promise<ApiKey | null> {
  const { rows } = await db.query<ApiKey>(
    'api_sessions.find',
    `SELECT ${KEY_COLUMNS} FROM api_sessions s JOIN api_keys k ON k.id = s.key_id
     WHERE s.digest = $1 AND s.expires_at > now() AND k.revoked_at IS NULL
       AND (k.expires_at IS NULL OR k.expires_at > now())`,
    [digest],
  );
  return rows[0] ?? null;
}

export async function deleteApiSession(db: Db, digest: Buffer): Promise<void> {
  await db.query('api_sessions.delete', 'DELETE FROM api_sessions WHERE digest = $1', [digest]);
}
