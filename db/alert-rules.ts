import type { AlertRule } from './alerts.ts';
import { EVENT_COLUMNS, EVENT_JOINS, type StoredEvent } from './events.ts';
import type { Db } from './pool.ts';

const RULE_COLUMNS = `id, name, event_type AS "eventType", params, scope, channel_ids AS "channelIds", mode, digest,
  cooldown_seconds AS "cooldownSeconds", enabled, created_at AS "createdAt"`;

export type StoredAlertRule = AlertRule & { createdAt: Date };

export async function getAlertRule(db: Db, id: number): Promise<StoredAlertRule | null> {
  const { rows } = await db.query<StoredAlertRule>(
    'alert_rules.get',
    `SELECT ${RULE_COLUMNS} FROM alert_rules WHERE id = $1`,
    [id],
  );
  return rows[0] ?? null;
}

export async function getAlertRules(db: Db, ids: number[]): Promise<StoredAlertRule[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<StoredAlertRule>(
    'alert_rules.get_many',
    `SELECT ${RULE_COLUMNS} FROM alert_rules WHERE id = ANY($1::bigint[]) ORDER BY id`,
    [ids],
  );
  return rows;
}

/**
 * What alert evaluation starts from, in one round trip: the events (as `getEvents`, ascending ids) and the enabled
 * rules for their types (as `listAlertRules({ eventTypes, enabled: true })`, ascending ids). Read in one statement,
 * so both come from one snapshot; a rule created after it applies to later events.
 */
export async function getEventsWithRules(
  db: Db,
  eventIds: number[],
): Promise<{ events: StoredEvent[]; rules: AlertRule[] }> {
  if (eventIds.length === 0) return { events: [], rules: [] };
  // The rules ride on the first event's row, as JSON; channel ids as text, as pg returns a bigint[] column.
  const { rows } = await db.query<StoredEvent & { rules: AlertRule[] | null }>(
    'alert_rules.events_with_rules',
    `WITH ev AS MATERIALIZED (SELECT ${EVENT_COLUMNS} FROM events e ${EVENT_JOINS} WHERE e.id = ANY($1::bigint[]))
     SELECT ev.*, CASE WHEN ev.id = (SELECT min(id) FROM ev) THEN (
       SELECT COALESCE(json_agg(r ORDER BY r.id), '[]'::json) FROM (
         SELECT id, name, event_type AS "eventType", params, scope, channel_ids::text[] AS "channelIds", mode,
           digest, cooldown_seconds AS "cooldownSeconds", enabled
         FROM alert_rules WHERE enabled AND event_type IN (SELECT type FROM ev)) r) END AS rules
     FROM ev ORDER BY ev.id`,
    [eventIds],
  );
  const rules = rows[0]?.rules ?? [];
  const events = rows.map(({ rules: _, ...e }) => e as StoredEvent);
  return { events, rules };
}

export async function listAlertRulesPage(
  db: Db,
  f: { afterId?: number; limit: number; eventType?: string },
): Promise<StoredAlertRule[]> {
  const { rows } = await db.query<StoredAlertRule>(
    'alert_rules.page',
    `SELECT ${RULE_COLUMNS} FROM alert_rules WHERE id > $1 AND ($2::text IS NULL OR event_type = $2)
     ORDER BY id LIMIT $3`,
    [f.afterId ?? 0, f.eventType ?? null, f.limit],
  );
  return rows;
}

/** Enabled digest-mode rules: what the digest tick looks at. */
export async function listDigestRules(db: Db): Promise<StoredAlertRule[]> {
  const { rows } = await db.query<StoredAlertRule>(
    'alert_rules.digest',
    `SELECT ${RULE_COLUMNS} FROM alert_rules WHERE enabled AND mode = 'digest' ORDER BY id`,
  );
  return rows;
}

export type AlertRulePatch = Partial<
  Pick<
    AlertRule,
    'name' | 'params' | 'scope' | 'channelIds' | 'mode' | 'digest' | 'cooldownSeconds' | 'enabled'
  >
>;

/** Changes a rule; null when it does not exist. `digest: null` clears the digest schedule. */
export async function updateAlertRule(
  db: Db,
  id: number,
  p: AlertRulePatch,
): Promise<StoredAlertRule | null> {
  const { rows } = await db.query<StoredAlertRule>(
    'alert_rules.update',
    `UPDATE alert_rules SET
       name = COALESCE($2, name), params = COALESCE($3::jsonb, params), scope = COALESCE($4::jsonb, scope),
       channel_ids = COALESCE($5::bigint[], channel_ids), mode = COALESCE($6, mode),
       digest = CASE WHEN $7::boolean THEN $8::jsonb ELSE digest END,
       cooldown_seconds = COALESCE($9, cooldown_seconds), enabled = COALESCE($10, enabled)
     WHERE id = $1 RETURNING ${RULE_COLUMNS}`,
    [
      id,
      p.name ?? null,
      p.params ? JSON.stringify(p.params) : null,
      p.scope ? JSON.stringify(p.scope) : null,
      p.channelIds ?? null,
      p.mode ?? null,
      p.digest !== undefined,
      p.digest ? JSON.stringify(p.digest) : null,
      p.cooldownSeconds ?? null,
      p.enabled ?? null,
    ],
  );
  return rows[0] ?? null;
}

export async function deleteAlertRule(db: Db, id: number): Promise<boolean> {
  const res = await db.query('alert_rules.delete', 'DELETE FROM alert_rules WHERE id = $1', [id]);
  return (res.rowCount ?? 0) > 0;
}

/** Removes a deleted channel from every rule that routed to it. */
export async function unrouteChannel(db: Db, channelId: number): Promise<void> {
  await db.query(
    'alert_rules.unroute',
    'UPDATE alert_rules SET channel_ids = array_remove(channel_ids, $1::bigint) WHERE $1 = ANY(channel_ids)',
    [channelId],
  );
}

/**
 * The cool-down: true when the rule already alerted on this subject for an event that occurred within
 * `cooldownSeconds` of `occurredAt` (either side, so events evaluated out of order behave the same).
 */
export async function alertedWithinCooldown(
  db: Db,
  ruleId: number,
  subject: string,
  occurredAt: Date,
  cooldownSeconds: number,
): Promise<boolean> {
  const { rows } = await db.query(
    'alerts.within_cooldown',
    `SELECT 1 FROM alerts a JOIN events e ON e.id = a.event_id
     WHERE a.rule_id = $1 AND a.subject = $2
       AND e.occurred_at > $3::timestamptz - make_interval(secs => $4)
       AND e.occurred_at < $3::timestamptz + make_interval(secs => $4)
     LIMIT 1`,
    [ruleId, subject, occurredAt, cooldownSeconds],
  );
  return rows.length > 0;
}

/** Serialises alert creation for one rule inside a transaction, so the cool-down check cannot race. */
export async function lockAlertRule(tx: Db, ruleId: number): Promise<void> {
  await tx.query('alert_rules.lock', 'SELECT pg_advisory_xact_lock(72620531, $1::int)', [ruleId]);
}

/** Routes every rule that routes nowhere to this channel. */
export async function routeUnroutedRules(db: Db, channelId: number): Promise<number> {
  const res = await db.query(
    'alert_rules.route_unrouted',
    'UPDATE alert_rules SET channel_ids = array_append(channel_ids, $1::bigint) WHERE cardinality(channel_ids) = 0',
    [channelId],
  );
  return res.rowCount ?? 0;
}
