import type { Db } from './pool.ts';

export interface AlertRule {
  id: number;
  name: string;
  eventType: string;
  params: Record<string, unknown>;
  scope: Record<string, unknown>;
  channelIds: number[];
  mode: 'immediate' | 'digest';
  digest: Record<string, unknown> | null;
  cooldownSeconds: number;
  enabled: boolean;
}

export type NewAlertRule = Omit<AlertRule, 'id' | 'digest' | 'channelIds' | 'mode' | 'enabled'> &
  Partial<Pick<AlertRule, 'digest' | 'channelIds' | 'mode' | 'enabled'>>;

const RULE_COLUMNS = `id, name, event_type AS "eventType", params, scope, channel_ids AS "channelIds", mode, digest,
  cooldown_seconds AS "cooldownSeconds", enabled`;

export async function listAlertRules(
  db: Db,
  f: { eventTypes?: string[]; enabled?: boolean } = {},
): Promise<AlertRule[]> {
  const { rows } = await db.query<AlertRule>(
    'alert_rules.list',
    `SELECT ${RULE_COLUMNS} FROM alert_rules
     WHERE ($1::text[] IS NULL OR event_type = ANY($1)) AND ($2::boolean IS NULL OR enabled = $2) ORDER BY id`,
    [f.eventTypes ?? null, f.enabled ?? null],
  );
  return rows;
}

export async function insertAlertRule(db: Db, r: NewAlertRule): Promise<AlertRule> {
  const { rows } = await db.query<AlertRule>(
    'alert_rules.insert',
    `INSERT INTO alert_rules (name, event_type, params, scope, channel_ids, mode, digest, cooldown_seconds, enabled)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${RULE_COLUMNS}`,
    [
      r.name,
      r.eventType,
      JSON.stringify(r.params),
      JSON.stringify(r.scope),
      r.channelIds ?? [],
      r.mode ?? 'immediate',
      r.digest ? JSON.stringify(r.digest) : null,
      r.cooldownSeconds,
      r.enabled ?? true,
    ],
  );
  return rows[0];
}

export interface AlertInput {
  ruleId: number;
  eventId: number;
  subject: string;
  windowStart: Date;
  title: string;
  body: string;
  severity: string;
  payload: Record<string, unknown>;
}

export interface Alert extends AlertInput {
  id: number;
  createdAt: Date;
  ackedAt: Date | null;
  ruleName: string;
  eventType: string;
}

/** Inserts alerts; one per (rule, subject, window) whatever the retries. Returns only the new ones. */
export async function insertAlerts(db: Db, alerts: AlertInput[]): Promise<number[]> {
  if (alerts.length === 0) return [];
  const { rows } = await db.query<{ id: number }>(
    'alerts.insert',
    `INSERT INTO alerts (rule_id, event_id, subject, window_start, title, body, severity, payload)
     SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::timestamptz[], $5::text[], $6::text[],
       $7::text[], $8::jsonb[])
     ON CONFLICT (rule_id, subject, window_start) DO NOTHING
     RETURNING id`,
    [
      alerts.map((a) => a.ruleId),
      alerts.map((a) => a.eventId),
      alerts.map((a) => a.subject),
      alerts.map((a) => a.windowStart),
      alerts.map((a) => a.title),
      alerts.map((a) => a.body),
      alerts.map((a) => a.severity),
      alerts.map((a) => JSON.stringify(a.payload)),
    ],
  );
  return rows.map((r) => r.id);
}

export async function listAlerts(
  db: Db,
  f: { type?: string; ruleId?: number; acked?: boolean; since?: Date; beforeId?: number; limit: number },
): Promise<Alert[]> {
  const { rows } = await db.query<Alert>(
    'alerts.list',
    `SELECT a.id, a.rule_id AS "ruleId", a.event_id AS "eventId", a.subject, a.window_start AS "windowStart", a.title,
       a.body, a.severity, a.payload, a.created_at AS "createdAt", a.acked_at AS "ackedAt", r.name AS "ruleName",
       r.event_type AS "eventType"
     FROM alerts a JOIN alert_rules r ON r.id = a.rule_id
     WHERE ($1::text IS NULL OR r.event_type = $1) AND ($2::bigint IS NULL OR a.rule_id = $2)
       AND ($3::boolean IS NULL OR (a.acked_at IS NOT NULL) = $3) AND ($4::timestamptz IS NULL OR a.created_at >= $4)
       AND ($5::bigint IS NULL OR a.id < $5)
     ORDER BY a.id DESC LIMIT $6`,
    [f.type ?? null, f.ruleId ?? null, f.acked ?? null, f.since ?? null, f.beforeId ?? null, f.limit],
  );
  return rows;
}

export async function ackAlert(db: Db, id: number): Promise<boolean> {
  const res = await db.query(
    'alerts.ack',
    'UPDATE alerts SET acked_at = COALESCE(acked_at, now()) WHERE id = $1',
    [id],
  );
  return (res.rowCount ?? 0) > 0;
}
