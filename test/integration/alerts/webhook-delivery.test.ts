// RELIABILITY.md W4 (receiver down then up; dead letter), W5 (redirect not followed, 410 disables, slow),
// W6 (signatures verified by the standardwebhooks reference library, rotation) and S2 (SSRF at send time),
// through the real jobs against a receiver on 127.0.0.1.
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getChannel, insertAlertRule, listAlerts, listDeliveries, updateChannel } from '../../../db/index.ts';
import { DEAD_LETTER_ALERT_RULE, generateWebhookSecret, signingSecrets } from '../../../jobs/index.ts';
import { type Canary, startCanary } from '../../support/canary.ts';
import { waitFor } from '../../support/pipeline.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver.ts';
import { addChannel, addPriceRule, isolate, type Rig, raisePriceDrops, startRig } from './rig.ts';

const SCHEDULE = [150, 300, 600];
const JITTER = 0.2;
const secret = generateWebhookSecret();
let wr: WebhookReceiver;
let canary: Canary;
let rig: Rig;

beforeAll(async () => {
  wr = await startWebhookReceiver([secret]);
  canary = await startCanary('127.0.0.1');
  rig = await startRig({
    URL_ALLOWLIST: `127.0.0.1:${wr.port}`,
    DELIVERY_RETRY_SCHEDULE_MS: SCHEDULE.join(','),
    DELIVERY_JITTER: String(JITTER),
    DELIVERY_TIMEOUT_MS: '1000',
  });
});
afterAll(async () => {
  await rig?.close();
  await wr?.close();
  await canary?.close();
});
afterEach(async () => {
  await isolate(rig);
  wr.respond(null);
  wr.received.length = 0;
  wr.secrets = [secret];
});

async function webhookChannel(secrets = [{ secret, expiresAt: null as string | null }]) {
  const ch = await addChannel(rig.db, 'webhook', { url: wr.url, secrets });
  await addPriceRule(rig.db, [ch.id]);
  return ch;
}

describe('W4: receiver down, then back', () => {
  it('delivers after recovery with the same webhook-id, fresh timestamps and signatures, on the schedule', async () => {
    const ch = await webhookChannel();
    // Down (refusing connections) for the first three attempts, up for the fourth and last.
    await wr.down();
    const downAt = Date.now();
    await raisePriceDrops(rig, ['w4-recover']);
    await waitFor(
      async () =>
        (await listDeliveries(rig.db, { channelId: ch.id, limit: 10 })).filter((a) => a.status === 'failed')
          .length >= 3,
      'three failed attempts',
    );
    await wr.up();
    await waitFor(async () => wr.received.some((r) => r.status === 204), 'delivery after recovery', 10_000);
    // The attempt row turns 'sent' just after the receiver answers: wait for the record, not only the hit.
    await waitFor(
      async () => (await listDeliveries(rig.db, { channelId: ch.id, limit: 10 }))[0]?.status === 'sent',
      'the attempt recorded as sent',
      10_000,
    );
    const attempts = (await listDeliveries(rig.db, { channelId: ch.id, limit: 10 })).reverse();
    expect(attempts.map((a) => a.status)).toEqual(['failed', 'failed', 'failed', 'sent']);
    expect(new Set(attempts.map((a) => a.messageId)).size).toBe(1);
    expect(attempts[0].error).toMatch(/connect/);
    const got = wr.received.find((r) => r.status === 204)!;
    expect(got.id).toBe(attempts[0].messageId);
    expect(got.verified).toEqual([true]);
    // Attempt spacing follows the schedule with jitter (never earlier than base × (1 − jitter)).
    const times = attempts.map((a) => new Date(a.createdAt).getTime());
    for (let i = 1; i < times.length; i++)
      expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(SCHEDULE[i - 1] * (1 - JITTER) - 20);
    expect(times[0]).toBeGreaterThanOrEqual(downAt - 1000);
  });

  it('after the last scheduled attempt: a dead-letter row, the endpoint failing, nothing more sent', async () => {
    const ch = await webhookChannel();
    wr.respond(() => ({ status: 500, body: 'boom' }));
    await raisePriceDrops(rig, ['w4-dead']);
    await waitFor(
      async () => (await getChannel(rig.db, ch.id))?.status === 'failing',
      'endpoint failing',
      10_000,
    );
    const attempts = await listDeliveries(rig.db, { channelId: ch.id, limit: 10 });
    expect(attempts).toHaveLength(SCHEDULE.length + 1);
    expect(attempts[0].status).toBe('dead');
    expect(attempts[0].error).toContain('gave up after 4 attempts');
    expect(new Set(wr.received.map((r) => r.id)).size).toBe(1);
    // A fresh timestamp (the second it was sent) and signature on every attempt, all genuine.
    for (const r of wr.received)
      expect(Math.abs(Number(r.timestamp) - Math.floor(r.at / 1000))).toBeLessThanOrEqual(1);
    expect(wr.received.every((r) => r.verified[0])).toBe(true);
    expect((await getChannel(rig.db, ch.id))?.lastError).toContain('HTTP 500: boom');
  });

  it('the operator is notified of a dead message: an alert through the dead-letter rule, sent to its channel', async () => {
    const ch = await webhookChannel();
    const ops = await addChannel(rig.db, 'log', {}, 'operators');
    const opsRule = await insertAlertRule(rig.db, { ...DEAD_LETTER_ALERT_RULE, channelIds: [ops.id] });
    wr.respond(() => ({ status: 500, body: 'boom' }));
    await raisePriceDrops(rig, ['w4-notify-a', 'w4-notify-b']);
    const opsAlerts = () => listAlerts(rig.db, { ruleId: opsRule.id, limit: 10 });
    await waitFor(async () => (await opsAlerts()).length === 1, 'the operator alert', 15_000);
    const [alert] = await opsAlerts();
    expect(alert).toMatchObject({
      subject: `channel:${ch.id}`,
      eventType: 'job_dead_lettered',
      severity: 'warning',
    });
    expect(alert.title).toBe('Delivery failed for good: webhook channel');
    expect(alert.body).toContain('gave up after 4 attempts: HTTP 500: boom');
    expect(alert.payload).toMatchObject({ channelId: ch.id, channelKind: 'webhook', attempts: 4 });
    // Nothing that locates or opens the endpoint: no URL, no secret.
    const text = JSON.stringify(alert);
    expect(text).not.toContain(wr.url);
    expect(text).not.toContain(secret);
    // Delivered through the operators' channel.
    await waitFor(
      async () =>
        (await listDeliveries(rig.db, { channelId: ops.id, limit: 10 })).some(
          (d) => d.alertId === alert.id && d.status === 'sent',
        ),
      'the operator alert delivered',
    );
    // Both messages died (after the channel turned failing, the second waits): one event per dead message, one
    // alert per channel and cool-down.
    const { rows } = await rig.db.query<{ n: number }>(
      'test.dead_events',
      `SELECT count(*)::int AS n FROM events WHERE type = 'job_dead_lettered' AND subject = $1`,
      [`channel:${ch.id}`],
    );
    expect(rows[0].n).toBeGreaterThanOrEqual(1);
    expect(await opsAlerts()).toHaveLength(1);
  });
});

describe('W5: redirects, 410 and slow receivers', () => {
  it('does not follow a 302 to the canary (0 hits), counts it as a failure and retries', async () => {
    const ch = await webhookChannel();
    wr.respond((n) => (n === 1 ? { status: 302, headers: { location: `${canary.url}/` } } : undefined));
    await raisePriceDrops(rig, ['w5-redirect']);
    await waitFor(async () => wr.received.length === 2, 'retry after the redirect');
    await waitFor(
      async () => (await listDeliveries(rig.db, { channelId: ch.id, limit: 10 }))[0]?.status === 'sent',
      'the retry recorded as sent',
      10_000,
    );
    const attempts = (await listDeliveries(rig.db, { channelId: ch.id, limit: 10 })).reverse();
    expect(attempts[0].error).toBe('HTTP 302 (redirect not followed)');
    expect(attempts[1].status).toBe('sent');
    expect(canary.hits).toBe(0);
  });

  it('410 disables the endpoint at once', async () => {
    const ch = await webhookChannel();
    wr.respond(() => ({ status: 410, body: 'gone' }));
    await raisePriceDrops(rig, ['w5-gone']);
    await waitFor(async () => (await getChannel(rig.db, ch.id))?.status === 'disabled', 'disabled');
    await new Promise((r) => setTimeout(r, 400));
    expect(wr.received).toHaveLength(1);
  });

  it('a receiver slower than the timeout is a failure that is retried', async () => {
    const ch = await webhookChannel();
    wr.respond((n) => (n === 1 ? { status: 204, delayMs: 3000 } : undefined));
    await raisePriceDrops(rig, ['w5-slow']);
    await waitFor(async () => wr.received.length === 2, 'retry after the timeout', 10_000);
    await waitFor(
      async () => (await listDeliveries(rig.db, { channelId: ch.id, limit: 10 }))[0]?.status === 'sent',
      'the retry recorded as sent',
      10_000,
    );
    const attempts = (await listDeliveries(rig.db, { channelId: ch.id, limit: 10 })).reverse();
    expect(attempts[0].error).toMatch(/timeout/);
    expect(attempts[1].status).toBe('sent');
  });
});

describe('W6: signatures', () => {
  it('every genuine message verifies with the reference library; tampering and replays are rejected', async () => {
    await webhookChannel();
    await raisePriceDrops(
      rig,
      Array.from({ length: 10 }, (_, i) => `w6-${i}`),
    );
    await waitFor(async () => wr.received.length === 10, '10 messages');
    expect(wr.received.every((r) => r.verified[0])).toBe(true);
    const one = wr.received[0];
    const headers = {
      'webhook-id': one.id,
      'webhook-timestamp': one.timestamp,
      'webhook-signature': one.signature,
    };
    const wh = new Webhook(secret);
    const tampered = one.body.replace(/"body":"/, '"body":"!');
    expect(() => wh.verify(tampered, headers)).toThrow();
    const stale = String(Math.floor(Date.now() / 1000) - 600);
    expect(() => wh.verify(one.body, { ...headers, 'webhook-timestamp': stale })).toThrow();
    // A receiver built to the spec de-duplicates on webhook-id: every id arrived exactly once here.
    expect(new Set(wr.received.map((r) => r.id)).size).toBe(10);
  });

  it('during a rotation both signatures are sent and each secret verifies on its own', async () => {
    const next = generateWebhookSecret();
    const overlapEnds = new Date(Date.now() + 3_600_000).toISOString();
    await webhookChannel([
      { secret: next, expiresAt: null },
      { secret, expiresAt: overlapEnds },
    ]);
    wr.secrets = [secret, next];
    await raisePriceDrops(rig, ['w6-rotation']);
    await waitFor(async () => wr.received.length === 1, 'one message');
    expect(wr.received[0].signature.split(' ')).toHaveLength(2);
    expect(wr.received[0].verified).toEqual([true, true]);
    expect(
      signingSecrets([{ secret, expiresAt: new Date(Date.now() - 1).toISOString() }], Date.now()),
    ).toEqual([]);
  });
});

describe('S2: SSRF at send time', () => {
  it('a channel URL edited in the database to a private address is refused on the socket path (canary 0 hits)', async () => {
    const ch = await webhookChannel();
    await updateChannel(rig.db, ch.id, {
      config: { url: `${canary.url}/hook`, secrets: [{ secret, expiresAt: null }] },
    });
    await raisePriceDrops(rig, ['s2-edited']);
    await waitFor(async () => (await getChannel(rig.db, ch.id))?.status === 'disabled', 'channel disabled');
    const [attempt] = await listDeliveries(rig.db, { channelId: ch.id, limit: 1 });
    expect(attempt.error).toMatch(/url_not_allowed/);
    expect(attempt.error).not.toContain('/hook');
    expect(canary.hits).toBe(0);
  });
});
