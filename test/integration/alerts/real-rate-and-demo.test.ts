// RELIABILITY.md W1 at the real rate (1 message per second per Slack webhook, production config), through the
// demo wiring: the fake Slack of `DEMO_SLACK=1`, the default rules routed to it by `seedDemoSlackChannel`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertAlertRule, listDeliveries } from '../../../db/index.ts';
import { type FakeSlack, startFakeSlack } from '../../../demo/fake-slack.ts';
import { DEFAULT_ALERT_RULES, seedDemoSlackChannel } from '../../../jobs/index.ts';
import { waitFor } from '../../support/pipeline.ts';
import { type Rig, raisePriceDrops, startRig } from './rig.ts';

let slack: FakeSlack;
let rig: Rig;
beforeAll(async () => {
  slack = await startFakeSlack({ port: 0 });
  rig = await startRig({ URL_ALLOWLIST: `127.0.0.1:${slack.port}` }); // default delivery settings: 1/s
});
afterAll(async () => {
  await rig?.close();
  await slack?.close();
});

describe('demo Slack at the real rate', () => {
  it('routes the default rules to the fake Slack and never sends faster than 1 per second', async () => {
    for (const r of DEFAULT_ALERT_RULES) await insertAlertRule(rig.db, r);
    const channelId = await seedDemoSlackChannel(rig.db, slack.url);
    expect(await seedDemoSlackChannel(rig.db, slack.url)).toBe(channelId); // idempotent
    await raisePriceDrops(rig, ['real-1', 'real-2', 'real-3', 'real-4']);
    await waitFor(async () => slack.requests.length === 4, 'four messages', 15_000);
    for (let i = 1; i < 4; i++)
      expect(slack.requests[i].at - slack.requests[i - 1].at).toBeGreaterThanOrEqual(1000);
    expect(slack.requests.every((r) => r.status === 200)).toBe(true);
    // Each attempt is recorded as sent just after Slack answers: wait for the last record.
    await waitFor(
      async () => (await listDeliveries(rig.db, { channelId, limit: 10 })).every((d) => d.status === 'sent'),
      'four attempts recorded as sent',
      10_000,
    );
    const shown = await listDeliveries(rig.db, { channelId, limit: 10 });
    expect(shown.map((d) => [d.channelKind, d.status])).toEqual(Array(4).fill(['slack', 'sent']));
  });
});
