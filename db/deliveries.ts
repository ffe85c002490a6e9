import { insertEvents } from './events.ts';
import type { Db } from './pool.ts';

export type MessageKind = 'alert' | 'digest' | 'test';
export type MessageStatus = 'pending' | 'sending' | 'delivered' | 'dead';
export type AttemptStatus = 'sending' | 'sent' | 'failed' | 'dead';

export interface NewMessage {
  messageId: string;
  channelId: number;
  kind: MessageKind;
  alertId: number | null;
  /** Rendered once (Slack blocks or webhook payload): every attempt sends these exact bytes. */
  body: Record<string, unknown>;
}

export interface DeliveryMessage extends NewMessage {
  id: number;
  status: MessageStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  createdAt: Date;
}

const MESSAGE_COLUMNS = `id, message_id AS "messageId", channel_id AS "channelId", kind, alert_id AS "alertId", body,
  status, attempts, next_attempt_at AS "nextAttemptAt", last_error AS "lastError", created_at AS "createdAt"`;

/** Stores messages; one per (alert, channel) and per message id, whatever the retries. Returns the new ids. */
export async function insertMessages(db: Db, messages: NewMessage[]): Promise<string[]> {
  if (messages.length === 0) return [];
  const { rows } = await db.query<{ messageId: string }>(
    'delivery_messages.insert',
    `INSERT INTO delivery_messages (message_id, channel_id, kind, alert_id, body)
     SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::jsonb[])
     ON CONFLICT DO NOTHING RETURNING message_id AS "messageId"`,
    [
      messages.map((m) => m.messageId),
      messages.map((m) => m.channelId),
      messages.map((m) => m.kind),
      messages.map((m) => m.alertId),
      messages.map((m) => JSON.stringify(m.body)),
    ],
  );
  return rows.map((r) => r.messageId);
}

/** The channel's oldest message that is due now (`sending` ones were interrupted by a crash: due too). */
export async function nextDueMessage(db: Db, channelId: number, now: Date): Promise<DeliveryMessage | null> {
  const { rows } = await db.query<DeliveryMessage>(
    'delivery_messages.next_due',
    `SELECT ${MESSAGE_COLUMNS} FROM delivery_messages
     WHERE channel_id = $1 AND status IN ('pending', 'sending') AND next_attempt_at <= $2
     ORDER BY next_attempt_at, id LIMIT 1`,
    [channelId, now],
  );
  return rows[0] ?? null;
}

/** When the channel's next message falls due, or null when nothing waits. */
export async function nextDueTime(db: Db, channelId: number): Promise<Date | null> {
  const { rows } = await db.query<{ at: Date | null }>(
    'delivery_messages.next_due_time',
    `SELECT min(next_attempt_at) AS at FROM delivery_messages WHERE channel_id = $1 AND status IN ('pending', 'sending')`,
    [channelId],
  );
  return rows[0]?.at ?? null;
}

/** Active channels with a message due before `before`: what a sweep re-drives after a crash or restart. */
export async function channelsWithDueMessages(db: Db, before: Date): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>(
    'delivery_messages.due_channels',
    `SELECT DISTINCT m.channel_id AS id FROM delivery_messages m JOIN channels c ON c.id = m.channel_id
     WHERE m.status IN ('pending', 'sending') AND m.next_attempt_at <= $1 AND c.status = 'active'
       AND (c.lease_until IS NULL OR c.lease_until < clock_timestamp())`,
    [before],
  );
  return rows.map((r) => r.id);
}

/**
 * Records an attempt as `sending` and commits before the request leaves. An earlier attempt still `sending`
 * was cut short by a crash after (or before) its request: it is closed as failed with that explanation, and
 * this attempt re-sends under the same message id. Returns the new attempt's number.
 */
export async function beginAttempt(db: Db, m: DeliveryMessage): Promise<number> {
  return db.withTransaction(async (tx) => {
    await tx.query(
      'deliveries.close_interrupted',
      `UPDATE deliveries SET status = 'failed', finished_at = now(),
         error = 'interrupted: the sender stopped before recording the outcome; sent again with the same id'
       WHERE message_id = $1 AND status = 'sending'`,
      [m.messageId],
    );
    const { rows } = await tx.query<{ attempts: number }>(
      'delivery_messages.begin',
      `UPDATE delivery_messages SET status = 'sending', attempts = attempts + 1 WHERE message_id = $1
       RETURNING attempts`,
      [m.messageId],
    );
    const attempt = rows[0].attempts;
    await tx.query(
      'deliveries.begin',
      `INSERT INTO deliveries (alert_id, channel_id, message_id, attempt, status) VALUES ($1, $2, $3, $4, 'sending')`,
      [m.alertId, m.channelId, m.messageId, attempt],
    );
    return attempt;
  });
}

export interface AttemptOutcome {
  status: Exclude<AttemptStatus, 'sending'>;
  httpStatus: number | null;
  error: string | null;
  durationMs: number;
  /** What becomes of the message: delivered, dead, or pending again at `nextAttemptAt`. */
  message: { status: Exclude<MessageStatus, 'sending'>; nextAttemptAt?: Date };
}

/** Records how an attempt ended, and the message's next state, in one transaction. */
export async function finishAttempt(
  db: Db,
  messageId: string,
  attempt: number,
  o: AttemptOutcome,
): Promise<void> {
  await db.withTransaction(async (tx) => {
    await tx.query(
      'deliveries.finish',
      `UPDATE deliveries SET status = $3, http_status = $4, error = $5, duration_ms = $6, finished_at = now()
       WHERE message_id = $1 AND attempt = $2`,
      [messageId, attempt, o.status, o.httpStatus, o.error, o.durationMs],
    );
    await tx.query(
      'delivery_messages.finish',
      `UPDATE delivery_messages SET status = $2, last_error = $3,
         next_attempt_at = COALESCE($4, next_attempt_at),
         delivered_at = CASE WHEN $2 = 'delivered' THEN now() ELSE delivered_at END
       WHERE message_id = $1`,
      [messageId, o.message.status, o.error, o.message.nextAttemptAt ?? null],
    );
  });
}

/**
 * The operator's notice of a message that used up its retry schedule (RELIABILITY W4): a `job_dead_lettered` event
 * with subject `channel:<id>`, so the operator rule for dead letters (one alert per subject and cool-down) raises
 * it through the rules' channels and it shows in GET /api/alerts. Idempotent per message. Carries no URL or secret.
 */
export async function recordDeadDelivery(
  db: Db,
  d: {
    messageId: string;
    channelId: number;
    channelName: string;
    channelKind: string;
    alertId: number | null;
    attempts: number;
    error: string;
  },
): Promise<number> {
  const [id] = await insertEvents(db, [
    {
      type: 'job_dead_lettered',
      dedupKey: `delivery_dead:${d.messageId}`,
      occurredAt: new Date(),
      subject: `channel:${d.channelId}`,
      payload: {
        jobName: 'deliver-alert',
        queue: 'deliver',
        reason: 'attempts_exhausted',
        attempts: d.attempts,
        lastError: d.error.slice(0, 300),
        channelId: d.channelId,
        channelName: d.channelName,
        channelKind: d.channelKind,
        messageId: d.messageId,
        alertId: d.alertId,
      },
    },
  ]);
  return id;
}

export interface DeliveryAttempt {
  id: number;
  messageId: string;
  kind: MessageKind;
  channelId: number;
  channelName: string;
  channelKind: string;
  alertId: number | null;
  attempt: number;
  status: AttemptStatus;
  httpStatus: number | null;
  error: string | null;
  durationMs: number | null;
  createdAt: Date;
  finishedAt: Date | null;
  /**
   * What was sent: the message's body as rendered once for every attempt (Slack Block Kit, or the webhook's JSON).
   * Holds no URL or secret (signatures are headers, made at send time). Null when not asked for.
   */
  message: Record<string, unknown> | null;
}

/** Every attempt, newest first, by keyset on id; `withMessage`: with the body that was sent. */
export async function listDeliveries(
  db: Db,
  f: {
    channelId?: number;
    alertId?: number;
    messageId?: string;
    status?: AttemptStatus;
    beforeId?: number;
    limit: number;
    withMessage?: boolean;
  },
): Promise<DeliveryAttempt[]> {
  const { rows } = await db.query<DeliveryAttempt>(
    'deliveries.list',
    `SELECT d.id, d.message_id AS "messageId", m.kind, d.channel_id AS "channelId", c.name AS "channelName",
       c.kind AS "channelKind", d.alert_id AS "alertId", d.attempt, d.status, d.http_status AS "httpStatus", d.error,
       d.duration_ms AS "durationMs", d.created_at AS "createdAt", d.finished_at AS "finishedAt",
       CASE WHEN $7::boolean THEN m.body END AS message
     FROM deliveries d JOIN channels c ON c.id = d.channel_id
     LEFT JOIN delivery_messages m ON m.message_id = d.message_id
     WHERE ($1::bigint IS NULL OR d.channel_id = $1) AND ($2::bigint IS NULL OR d.alert_id = $2)
       AND ($3::text IS NULL OR d.message_id = $3) AND ($4::text IS NULL OR d.status = $4)
       AND ($5::bigint IS NULL OR d.id < $5)
     ORDER BY d.id DESC LIMIT $6`,
    [
      f.channelId ?? null,
      f.alertId ?? null,
      f.messageId ?? null,
      f.status ?? null,
      f.beforeId ?? null,
      f.limit,
      f.withMessage ?? false,
    ],
  );
  return rows;
}

export interface DigestAlert {
  id: number;
  ruleId: number;
  ruleName: string;
  subject: string;
  title: string;
  body: string;
  severity: string;
  payload: Record<string, unknown>;
  createdAt: Date;
}

/** Which of these message ids are stored (by the unique index on message_id). */
export async function existingMessageIds(db: Db, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<{ messageId: string }>(
    'delivery_messages.existing',
    'SELECT message_id AS "messageId" FROM delivery_messages WHERE message_id = ANY($1::text[])',
    [ids],
  );
  return rows.map((r) => r.messageId);
}

/**
 * Stores one digest message for a channel with the alerts it carries, atomically: the alerts are those of the
 * given digest rules, created in [since, before), not yet sent to this channel (in a digest or on their own). Does nothing (returns
 * null) when the message exists or no alert waits. `render` builds the body from the chosen alerts.
 */
export async function insertDigest(
  db: Db,
  d: {
    messageId: string;
    channelId: number;
    ruleIds: number[];
    since: Date;
    before: Date;
    render(alerts: DigestAlert[]): Record<string, unknown>;
  },
): Promise<{ messageId: string; alerts: number } | null> {
  return db.withTransaction(async (tx) => {
    const { rows: exists } = await tx.query(
      'delivery_messages.exists',
      'SELECT 1 FROM delivery_messages WHERE message_id = $1',
      [d.messageId],
    );
    if (exists.length) return null;
    const { rows: alerts } = await tx.query<DigestAlert>(
      'alerts.undigested',
      `SELECT a.id, a.rule_id AS "ruleId", r.name AS "ruleName", a.subject, a.title, a.body, a.severity, a.payload,
         a.created_at AS "createdAt"
       FROM alerts a JOIN alert_rules r ON r.id = a.rule_id
       WHERE a.rule_id = ANY($2::bigint[]) AND a.created_at >= $3 AND a.created_at < $4
         AND NOT EXISTS (SELECT 1 FROM digest_items i WHERE i.channel_id = $1 AND i.alert_id = a.id)
         AND NOT EXISTS (SELECT 1 FROM delivery_messages m WHERE m.alert_id = a.id AND m.channel_id = $1)
       ORDER BY a.created_at, a.id
       FOR UPDATE OF a`,
      [d.channelId, d.ruleIds, d.since, d.before],
    );
    if (alerts.length === 0) return null;
    await tx.query(
      'delivery_messages.insert_digest',
      `INSERT INTO delivery_messages (message_id, channel_id, kind, body) VALUES ($1, $2, 'digest', $3)`,
      [d.messageId, d.channelId, JSON.stringify(d.render(alerts))],
    );
    await tx.query(
      'digest_items.insert',
      `INSERT INTO digest_items (channel_id, alert_id, message_id) SELECT $1, unnest($2::bigint[]), $3
       ON CONFLICT DO NOTHING`,
      [d.channelId, alerts.map((a) => a.id), d.messageId],
    );
    return { messageId: d.messageId, alerts: alerts.length };
  });
}

/** A stored alert as messages render it, with its rule's routing. */
export interface AlertForDelivery {
  id: number;
  ruleId: number;
  ruleName: string;
  mode: 'immediate' | 'digest';
  channelIds: number[];
  title: string;
  body: string;
  severity: string;
  subject: string;
  createdAt: Date;
  payload: Record<string, unknown>;
}

export async function alertsForDelivery(db: Db, ids: number[]): Promise<AlertForDelivery[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<AlertForDelivery>(
    'alerts.for_delivery',
    `SELECT a.id, a.rule_id AS "ruleId", r.name AS "ruleName", r.mode, r.channel_ids AS "channelIds", a.title,
       a.body, a.severity, a.subject, a.created_at AS "createdAt", a.payload
     FROM alerts a JOIN alert_rules r ON r.id = a.rule_id WHERE a.id = ANY($1::bigint[]) ORDER BY a.id`,
    [ids],
  );
  return rows;
}

/** Alerts raised by these events: a retried evaluation re-queues their messages (unique per alert and channel). */
export async function alertIdsOfEvents(db: Db, eventIds: number[]): Promise<number[]> {
  if (eventIds.length === 0) return [];
  const { rows } = await db.query<{ id: number }>(
    'alerts.of_events',
    'SELECT id FROM alerts WHERE event_id = ANY($1::bigint[]) ORDER BY id',
    [eventIds],
  );
  return rows.map((r) => r.id);
}
