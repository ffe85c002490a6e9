// Issue #7 "done means": in the demo market, alerts come out in Slack format and are visible at GET /api/deliveries
// with the local fake Slack. Wired as main.ts wires `DEMO_SLACK=1 npm start` (the demo's fake Slack, the default
// rules, seedDemoSlackChannel, the real worker and buildApp), with the demo's clock moved so prices change.
// main() itself starts a process (signals, exit) and is covered by the npm-start e2e test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../../api/index.ts';
import { checkUrl } from '../../../crawlers/index.ts';
import { type FakeSlack, slackPayloadError, startFakeSlack } from '../../../demo/fake-slack.ts';
import { type RunningWorker, seedDemoSlackChannel, startWorker } from '../../../jobs/index.ts';
import { createPgliteTestDb, type TestDb, testLog } from '../../support/db.ts';
import {
  demoAllowList,
  inProcessQueue,
  type MovableDemo,
  startMovableDemo,
  testConfig,
  waitFor,
} from '../../support/pipeline.ts';
import { crawlRound, seedStaticShops } from '../pipeline-scenario.ts';

let tdb: TestDb;
let demo: MovableDemo;
let slack: FakeSlack;
let worker: RunningWorker;
let app: App;
const queue = inProcessQueue();

beforeAll(async () => {
  [tdb, demo, slack] = await Promise.all([
    createPgliteTestDb(),
    startMovableDemo(),
    startFakeSlack({ port: 0 }),
  ]);
  const config = testConfig([...demoAllowList(demo.market), new URL(slack.url).host], {
    DELIVERY_SLACK_INTERVAL_MS: '50',
  });
  worker = await startWorker(config, tdb.db, queue, testLog);
  app = await buildApp({
    config,
    db: tdb.db,
    queue,
    log: testLog,
    checkUrl: async (url) => {
      await checkUrl(url, config.net);
    },
  });
});
afterAll(async () => {
  await app?.close();
  await queue.close(2000);
  await worker?.close();
  await tdb?.close();
  await slack?.close();
  await demo?.market.close();
});

interface Attempt {
  channelKind: string;
  channelName: string;
  kind: string;
  status: string;
  message: { text: string; blocks: { type: string; text?: { text: string } }[] } | null;
}

describe('the demo with its fake Slack', () => {
  it('price drops in the demo market reach the fake Slack as Block Kit, shown at GET /api/deliveries', async () => {
    const targetIds = await seedStaticShops(tdb.db, queue, demo.market.manifest());
    const channelId = await seedDemoSlackChannel(tdb.db, slack.url);
    await crawlRound(tdb.db, queue, targetIds, 'day0');
    demo.advanceDays(2);
    await new Promise((r) => setTimeout(r, 1100)); // a new 1-second window
    await crawlRound(tdb.db, queue, targetIds, 'day2');

    const sent = async (): Promise<Attempt[]> =>
      (await app.inject(`/api/deliveries?channel_id=${channelId}&status=sent`)).json().items;
    await waitFor(async () => (await sent()).length > 0, 'a Slack alert delivered', 30_000);
    const attempts = await sent();
    for (const a of attempts) {
      expect(a).toMatchObject({
        channelKind: 'slack',
        channelName: 'Demo Slack (local fake)',
        kind: 'alert',
      });
      expect(a.message?.blocks[0].type).toBe('header');
      expect(a.message?.text.length).toBeGreaterThan(0);
      expect(slackPayloadError(a.message)).toBeNull();
    }
    expect(attempts.some((a) => /cut .* by \d/.test(a.message?.text ?? ''))).toBe(true);
    // What the API shows is what the fake Slack received, and Slack accepted it.
    const bodies = slack.requests.filter((r) => r.status === 200).map((r) => r.json);
    for (const a of attempts) expect(bodies).toContainEqual(a.message);
    expect((await app.inject(`/api/deliveries?channel_id=${channelId}`)).body).not.toContain(slack.url);
  });
});
