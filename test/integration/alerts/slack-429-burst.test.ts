// RELIABILITY.md W1: 100 alerts to one Slack webhook answering 429 on every 5th call, through the real jobs
// against the fake Slack (FSl), time-compressed by config (20/s, Retry-After × 0.05).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listDeliveries } from '../../../db/index.ts';
import { everyNth, type FakeSlack, startFakeSlack } from '../../support/fake-slack.ts';
import { count, waitFor } from '../../support/pipeline.ts';
import { addChannel, addPriceRule, isolate, type Rig, raisePriceDrops, startRig } from './rig.ts';

let slack: FakeSlack;
let rig: Rig;

/** 20 messages/s and Retry-After × 0.05: the W1 run takes seconds, with the limiter honouring the config. */
const INTERVAL_MS = 50;
const RETRY_AFTER_SCALE = 0.05;

beforeAll(async () => {
  slack = await startFakeSlack();
  rig = await startRig(
    {
      URL_ALLOWLIST: `127.0.0.1:${slack.port}`,
      DELIVERY_SLACK_INTERVAL_MS: String(INTERVAL_MS),
      DELIVERY_RETRY_AFTER_SCALE: String(RETRY_AFTER_SCALE),
      DELIVERY_RETRY_SCHEDULE_MS: '100,200,400',
      DELIVERY_TIMEOUT_MS: '2000',
    },
    'postgres',
  );
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
const alertIdOf = (json: unknown) => {
  const text = (json as { text: string }).text;
  return /alerts\/(\d+)\)$/.exec(text)?.[1];
};

describe('W1: 100 alerts through a Slack answering 429 (Retry-After: 3) on every 5th call', () => {
  it('delivers 100 of 100, none twice, never faster than the configured rate, nothing before Retry-After', async () => {
    slack.script(everyNth(5, { status: 429, body: 'rate_limited', retryAfter: 3 }));
    const ch = await addChannel(rig.db, 'slack', { url: slack.url });
    await addPriceRule(rig.db, [ch.id]);
    await raisePriceDrops(
      rig,
      Array.from({ length: 100 }, (_, i) => `w1-product-${i}`),
    );
    await waitFor(async () => okRequests().length >= 100, '100 deliveries', 25_000);
    // The last attempt is recorded just after Slack answers: wait for the records, not a fixed pause.
    await waitFor(
      async () =>
        (await count(rig.db, 'delivery_messages', "status = 'delivered' AND channel_id = $1", [ch.id])) ===
        100,
      '100 messages recorded as delivered',
      10_000,
    );

    const delivered = okRequests().map((r) => alertIdOf(r.json));
    expect(delivered).toHaveLength(100);
    expect(new Set(delivered).size).toBe(100);
    expect(slack.requests.filter((r) => r.status === 400)).toHaveLength(0);
    const limited = slack.requests.filter((r) => r.status === 429).length;
    expect(limited).toBeGreaterThanOrEqual(20);

    const gaps: number[] = [];
    for (let i = 1; i < slack.requests.length; i++) {
      const gap = slack.requests[i].at - slack.requests[i - 1].at;
      gaps.push(gap);
      if (slack.requests[i - 1].status === 429)
        expect(gap).toBeGreaterThanOrEqual(3000 * RETRY_AFTER_SCALE - 5);
    }
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(INTERVAL_MS - 5);
    expect(
      await count(rig.db, 'delivery_messages', "status = 'delivered' AND channel_id = $1", [ch.id]),
    ).toBe(100);
    const attempts = await listDeliveries(rig.db, { channelId: ch.id, limit: 1000 });
    expect(attempts.filter((a) => a.status === 'sent')).toHaveLength(100);
    expect(attempts.filter((a) => a.httpStatus === 429).every((a) => a.error?.includes('rate_limited'))).toBe(
      true,
    );
  });
});
