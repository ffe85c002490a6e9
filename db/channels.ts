import type { Db } from './pool.ts';

export const CHANNEL_KINDS = ['slack', 'webhook', 'log'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];
/** `disabled`: a permanent error or a person stopped it; `failing`: retries exhausted. Neither is sent to. */
export type ChannelStatus = 'active' | 'disabled' | 'failing';

/** A Standard Webhooks signing secret (`whsec_` + base64); an old one keeps signing until it expires. */
export interface ChannelSecret {
  secret: string;
  expiresAt: string | null;
}

/** Where and how to send. Holds secrets: never returned by the API, never logged. */
export interface ChannelConfig {
  url?: string;
  secrets?: ChannelSecret[];
}

export interface Channel {
  id: number;
  kind: ChannelKind;
  name: string;
  config: ChannelConfig;
  status: ChannelStatus;
  lastError: string | null;
  lastErrorAt: Date | null;
  nextSendAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = `id, kind, name, config, status, last_error AS "lastError", last_error_at AS "lastErrorAt",
  next_send_at AS "nextSendAt", created_at AS "createdAt", updated_at AS "updatedAt"`;

export async function insertChannel(
  db: Db,
  c: { kind: ChannelKind; name: string; config: ChannelConfig },
): Promise<Channel> {
  const { rows } = await db.query<Channel>(
    'channels.insert',
    `INSERT INTO channels (kind, name, config) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
    [c.kind, c.name, JSON.stringify(c.config)],
  );
  return rows[0];
}

export async function getChannel(db: Db, id: number): Promise<Channel | null> {
  const { rows } = await db.query<Channel>('channels.get', `SELECT ${COLUMNS} FROM channels WHERE id = $1`, [
    id,
  ]);
  return rows[0] ?? null;
}

/** The ids among `ids` that name a channel. */
export async function existingChannelIds(db: Db, ids: number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<{ id: number }>(
    'channels.existing',
    'SELECT id FROM channels WHERE id = ANY($1::bigint[])',
    [ids],
  );
  return rows.map((r) => r.id);
}

export async function listChannels(db: Db, f: { afterId?: number; limit: number }): Promise<Channel[]> {
  const { rows } = await db.query<Channel>(
    'channels.list',
    `SELECT ${COLUMNS} FROM channels WHERE id > $1 ORDER BY id LIMIT $2`,
    [f.afterId ?? 0, f.limit],
  );
  return rows;
}

/**
 * Changes a channel. Setting `status` to `active` clears the error; setting a status with `error` records it.
 * Returns null when the channel does not exist.
 */
export async function updateChannel(
  db: Db,
  id: number,
  patch: { name?: string; config?: ChannelConfig; status?: ChannelStatus; error?: string | null },
): Promise<Channel | null> {
  const { rows } = await db.query<Channel>(
    'channels.update',
    `UPDATE channels SET
       name = COALESCE($2, name),
       config = COALESCE($3::jsonb, config),
       status = COALESCE($4, status),
       last_error = CASE WHEN $4 = 'active' THEN NULL WHEN $5::text IS NOT NULL THEN $5 ELSE last_error END,
       last_error_at = CASE WHEN $4 = 'active' THEN NULL WHEN $5::text IS NOT NULL THEN now() ELSE last_error_at END,
       next_send_at = CASE WHEN $4 = 'active' THEN NULL ELSE next_send_at END,
       updated_at = now()
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [
      id,
      patch.name ?? null,
      patch.config ? JSON.stringify(patch.config) : null,
      patch.status ?? null,
      patch.error ?? null,
    ],
  );
  return rows[0] ?? null;
}

/** Stops sending to a channel (only if it is still active), with the receiver's error for people to read. */
export async function markChannel(
  db: Db,
  id: number,
  status: 'disabled' | 'failing',
  error: string,
): Promise<void> {
  await db.query(
    'channels.mark',
    `UPDATE channels SET status = $2, last_error = $3, last_error_at = now(), updated_at = now()
     WHERE id = $1 AND status = 'active'`,
    [id, status, error],
  );
}

export async function deleteChannel(db: Db, id: number): Promise<boolean> {
  const res = await db.query('channels.delete', 'DELETE FROM channels WHERE id = $1', [id]);
  return (res.rowCount ?? 0) > 0;
}

/**
 * Takes the channel's sender lease if it is free or expired. One holder at a time means one request in flight
 * per channel across every worker, which is what makes the rate limit and Retry-After hold. Returns the lease
 * expiry of whoever holds it (`acquired` says whether that is us).
 */
export async function acquireChannelLease(
  db: Db,
  id: number,
  owner: string,
  ms: number,
): Promise<{ acquired: boolean; leaseUntil: Date | null }> {
  const { rows } = await db.query<{ owner: string | null; until: Date | null }>(
    'channels.lease_acquire',
    `WITH taken AS (
       UPDATE channels SET lease_owner = $2, lease_until = clock_timestamp() + make_interval(secs => $3::float8 / 1000)
       WHERE id = $1 AND (lease_until IS NULL OR lease_until < clock_timestamp() OR lease_owner = $2)
       RETURNING lease_owner, lease_until)
     SELECT lease_owner AS owner, lease_until AS until FROM taken
     UNION ALL SELECT lease_owner, lease_until FROM channels WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM taken)`,
    [id, owner, ms],
  );
  const row = rows[0];
  if (!row) return { acquired: false, leaseUntil: null };
  return { acquired: row.owner === owner, leaseUntil: row.until };
}

/** Extends our lease; false when it was lost (expired and taken over), so the caller must stop sending. */
export async function renewChannelLease(db: Db, id: number, owner: string, ms: number): Promise<boolean> {
  const res = await db.query(
    'channels.lease_renew',
    `UPDATE channels SET lease_until = clock_timestamp() + make_interval(secs => $3::float8 / 1000)
     WHERE id = $1 AND lease_owner = $2`,
    [id, owner, ms],
  );
  return (res.rowCount ?? 0) > 0;
}

export async function releaseChannelLease(db: Db, id: number, owner: string): Promise<void> {
  await db.query(
    'channels.lease_release',
    'UPDATE channels SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2',
    [id, owner],
  );
}

/** No request goes to the channel before `at` (rate limit, Retry-After). */
export async function setChannelNextSendAt(db: Db, id: number, at: Date): Promise<void> {
  await db.query('channels.next_send', 'UPDATE channels SET next_send_at = $2 WHERE id = $1', [id, at]);
}

/** Points a channel at a new URL and re-activates it (the demo's fake Slack may move between runs). */
export async function repointChannel(db: Db, id: number, url: string): Promise<void> {
  await db.query(
    'channels.repoint',
    `UPDATE channels SET config = jsonb_set(config, '{url}', to_jsonb($2::text)), status = 'active',
       last_error = NULL, last_error_at = NULL, updated_at = now() WHERE id = $1`,
    [id, url],
  );
}
