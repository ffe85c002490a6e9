// RELIABILITY.md W2 (permanent errors, 5xx retried), W3 (oversized alert),
// S6 (Slack text escaped), digests and the cool-down, through the real jobs against the fake Slack (FSl).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getChannel, insertAlertRule, updateChannel } from '../../../db/index.ts';
import { type FakeSlack, firstN, SLACK_PERMANENT, startFakeSlack } from '../../support/fake-slack.ts';
import { count, waitFor } from '../../support/pipeline.ts';
import { addChannel, addPriceRule, isolate, type Rig, raisePriceDrops, startRig } from './rig.ts';

let slack: FakeSlack;
let rig: Rig;

/** 20 messages/s and Retry-After × 0.05: the W1 run takes seconds, with the limiter honouring the config. */
const INTERVAL_MS = 50;
const RETRY_AFTER_SCALE = 0.05;

beforeAll(async () => {
  slack = await startFakeSlack();
  rig = await startRig({
    URL_ALLOWLIST: `127.0.0.1:${slack.port}`,
    DELIVERY_SLACK_INTERVAL_MS: String(INTERVAL_MS),
    DELIVERY_RETRY_AFTER_SCALE: String(RETRY_AFTER_SCALE),
    DELIVERY_RETRY_SCHEDULE_MS: '100,200,400',
    DELIVERY_TIMEOUT_MS: '2000',
  });
});
afterAll(async () => {
  await rig?.close();
  await slack?.close();
});
afterEach(async () => {
  await isolate(rig);
  slack.script(null);
  slack.requests.length = 0;
});

const okRequests = () => slack.requests.filter((r) => r.status === 200);

describe('W2: Slack permanent errors disable the channel; 500 is retried', () => {
  for (const answer of SLACK_PERMANENT) {
    it(`${answer.status} ${answer.body}: one attempt, channel disabled with Slack's error`, async () => {
      slack.script(() => answer);
      const ch = await addChannel(rig.db, 'slack', { url: slack.url });
      await addPriceRule(rig.db, [ch.id]);
      await raisePriceDrops(rig, [`w2-${answer.body}-a`, `w2-${answer.body}-b`]);
      await waitFor(async () => (await getChannel(rig.db, ch.id))?.status === 'disabled', 'channel disabled');
      await new Promise((r) => setTimeout(r, 300));
      expect(slack.requests).toHaveLength(1);
      const after = await getChannel(rig.db, ch.id);
      expect(after?.lastError).toContain(answer.body);
      expect(after?.lastError).not.toContain('fakeslacktoken');
      // Held, not lost: re-enabled after the fix, both alerts go out.
      slack.script(null);
      await updateChannel(rig.db, ch.id, { status: 'active' });
      await rig.queue.enqueue('deliver-alert', { channelId: ch.id });
      await waitFor(async () => okRequests().length === 2, 'held alerts sent after re-enabling');
    });
  }

  it('500 rollup_error is retried with backoff, then delivered', async () => {
    slack.script(firstN(2, { status: 500, body: 'rollup_error' }));
    const ch = await addChannel(rig.db, 'slack', { url: slack.url });
    await addPriceRule(rig.db, [ch.id]);
    await raisePriceDrops(rig, ['w2-rollup']);
    await waitFor(async () => okRequests().length === 1, 'delivery after two 500s');
    expect(slack.requests.map((r) => r.status)).toEqual([500, 500, 200]);
    expect(slack.requests[1].at - slack.requests[0].at).toBeGreaterThanOrEqual(100 * 0.8 - 5);
    expect(slack.requests[2].at - slack.requests[1].at).toBeGreaterThanOrEqual(200 * 0.8 - 5);
    expect((await getChannel(rig.db, ch.id))?.status).toBe('active');
  });
});

describe('W3 and S6: oversized and hostile alerts', () => {
  it('a 60,000-character alert fits Slack limits, is truncated with a dashboard link, and is escaped', async () => {
    const ch = await addChannel(rig.db, 'slack', { url: slack.url });
    await addPriceRule(rig.db, [ch.id]);
    const hostile = `<!channel> <https://evil.example|click> & ${'x'.repeat(60_000)}`;
    await raisePriceDrops(rig, [hostile]);
    await waitFor(async () => slack.requests.length === 1, 'one request');
    const [req] = slack.requests;
    expect(req.status).toBe(200);
    const msg = req.json as { text: string; blocks: { type: string; text?: { text: string } }[] };
    expect(msg.text.length).toBeLessThanOrEqual(40_000);
    expect(msg.blocks.length).toBeLessThanOrEqual(50);
    for (const b of msg.blocks)
      if (b.type === 'section' && b.text) expect(b.text.text.length).toBeLessThanOrEqual(3000);
    expect(req.body).toContain('see dashboard');
    expect(req.body).not.toContain('<!channel>');
    expect(req.body).toContain('&lt;!channel&gt;');
    expect(req.body).not.toContain('<https://evil.example|click>');
  });
});

describe('digests and the cool-down', () => {
  it('collects a day of digest-mode alerts into one message per channel, once', async () => {
    const ch = await addChannel(rig.db, 'slack', { url: slack.url });
    const rule = await insertAlertRule(rig.db, {
      name: 'Daily price digest',
      eventType: 'price_changed',
      params: { minPct: 10, direction: 'down' },
      scope: {},
      cooldownSeconds: 60,
      channelIds: [ch.id],
      mode: 'digest',
      digest: { every: 'daily', at: '09:00', timeZone: 'Europe/Berlin' },
    });
    const subjects = Array.from({ length: 12 }, (_, i) => `digest-product-${i}`);
    await raisePriceDrops(rig, subjects);
    await waitFor(async () => (await count(rig.db, 'alerts', 'rule_id = $1', [rule.id])) === 12, '12 alerts');
    // Spread the alerts over the Berlin day that ends at 09:00 local (08:00 UTC in winter).
    await rig.db.query(
      'test.spread',
      `UPDATE alerts SET created_at = timestamptz '2026-01-14 08:00:00+00' + (id % 12) * interval '1 hour'
       WHERE rule_id = $1`,
      [rule.id],
    );
    expect(slack.requests).toHaveLength(0); // digest mode: nothing immediate
    const at = Date.parse('2026-01-15T08:30:00Z');
    await rig.queue.enqueue('send-digests', { at });
    await waitFor(async () => slack.requests.length === 1, 'one digest');
    const digest = slack.requests[0];
    expect(digest.status).toBe(200);
    for (const s of subjects) expect(digest.body).toContain(s);
    expect(digest.body).toContain('digest: 12 alerts');
    await rig.queue.enqueue('send-digests', { at: at + 60_000 });
    await new Promise((r) => setTimeout(r, 500));
    expect(slack.requests).toHaveLength(1);
  });

  it('a price flapping within the cool-down is one alert, even across window boundaries', async () => {
    const ch = await addChannel(rig.db, 'slack', { url: slack.url });
    const rule = await addPriceRule(rig.db, [ch.id], { cooldownSeconds: 3600 });
    const base = Date.parse('2026-02-01T10:50:00Z'); // the hour bucket ends at 11:00
    for (let i = 0; i < 5; i++)
      await raisePriceDrops(rig, ['flappy'], { at: new Date(base + i * 10 * 60_000), wait: true });
    expect(await count(rig.db, 'alerts', 'rule_id = $1', [rule.id])).toBe(1);
    await waitFor(async () => slack.requests.length === 1, 'one message');
    await raisePriceDrops(rig, ['flappy'], { at: new Date(base + 3 * 3600_000), wait: true });
    await waitFor(
      async () => (await count(rig.db, 'alerts', 'rule_id = $1', [rule.id])) === 2,
      'after cool-down',
    );
  });
});
