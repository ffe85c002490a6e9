// Issue #7: "secrets and webhook URLs never appear in logs". Every log line of a webhook and Slack delivery run —
// retries, a 429, a permanent error that disables a channel, a message that dies, at debug level — is captured from
// the process logger (logger.ts, the one main.ts creates) and searched for the URLs' tokens and the signing secret.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config.ts';
import { getChannel, insertEvents, listDeliveries } from '../../../db/index.ts';
import {
  createInProcessQueue,
  generateWebhookSecret,
  type JobQueue,
  type RunningWorker,
  startWorker,
} from '../../../jobs/index.ts';
import { createLogger } from '../../../logger.ts';
import { createPostgresTestDb, type TestDb } from '../../support/db.ts';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.ts';
import { waitFor } from '../../support/pipeline.ts';
import { requireService } from '../../support/services.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver.ts';
import { addChannel, addPriceRule } from './rig.ts';

const ready = await requireService('postgres', 'no secrets in logs');

const lines: string[] = [];
const log = createLogger(
  'debug',
  'no-secrets-test',
  new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  }),
);
const secret = generateWebhookSecret();
let tdb: TestDb;
let slack: FakeSlack;
let wr: WebhookReceiver;
let dead: WebhookReceiver;
let queue: JobQueue;
let worker: RunningWorker;

describe.skipIf(!ready)('no secret or webhook URL in the logs', () => {
  beforeAll(async () => {
    [tdb, slack, wr, dead] = await Promise.all([
      createPostgresTestDb(),
      startFakeSlack({ port: 0 }),
      startWebhookReceiver([secret]),
      startWebhookReceiver([secret]),
    ]);
    const config = loadConfig({
      DEMO: '0',
      PUBLIC_URL: 'https://radar.example.com',
      URL_ALLOWLIST: `127.0.0.1:${slack.port},127.0.0.1:${wr.port},127.0.0.1:${dead.port}`,
      DELIVERY_SLACK_INTERVAL_MS: '20',
      DELIVERY_RETRY_AFTER_SCALE: '0.05',
      DELIVERY_RETRY_SCHEDULE_MS: '50,100',
      DELIVERY_TIMEOUT_MS: '2000',
    });
    queue = createInProcessQueue({ log, concurrency: { deliver: 2, analyze: 2 } });
    worker = await startWorker(config, tdb.db, queue, log);
  });
  afterAll(async () => {
    await queue?.close(2000);
    await worker?.close();
    await tdb?.close();
    await slack?.close();
    await wr?.close();
    await dead?.close();
  });

  it('a delivery run with retries, a 429, a disabled channel and a dead message logs no token or secret', async () => {
    const db = tdb.db;
    // Tokens in the path and in the query, as Slack and many webhook providers put them.
    const slackUrl = slack.url;
    const archivedSlackUrl = slack.url.replace('fakeslacktoken', 'archivedslacktoken');
    const hookUrl = `${wr.url}/T0PATHTOKEN?token=QUERYTOKEN123`;
    const deadHookUrl = `${dead.url}/DEADPATHTOKEN?token=DEADQUERYTOKEN`;
    slack.script(({ n, path }) =>
      path.includes('archivedslacktoken')
        ? { status: 410, body: 'channel_is_archived' }
        : n === 1
          ? { status: 500, body: 'rollup_error' }
          : n === 2
            ? { status: 429, body: 'rate_limited', retryAfter: 1 }
            : undefined,
    );
    // The good endpoint answers 503 once, then 204; the dead one always 500.
    wr.respond((n) => (n === 1 ? { status: 503, body: 'busy' } : undefined));
    dead.respond(() => ({ status: 500, body: 'boom' }));

    const channels = await Promise.all([
      addChannel(db, 'slack', { url: slackUrl }, 'slack ok'),
      addChannel(db, 'slack', { url: archivedSlackUrl }, 'slack archived'),
      addChannel(db, 'webhook', { url: hookUrl, secrets: [{ secret, expiresAt: null }] }, 'hook ok'),
      addChannel(db, 'webhook', { url: deadHookUrl, secrets: [{ secret, expiresAt: null }] }, 'hook dead'),
    ]);
    const [okSlack, archived, okHook, deadHook] = channels;
    await addPriceRule(
      db,
      channels.map((c) => c.id),
    );
    // The startup line main.ts wrote with DEMO_SLACK=1 (the URL at the top level), and other careless shapes.
    log.info({ url: slackUrl }, 'local fake Slack started (DEMO_SLACK=1)');
    log.warn({ channel: { url: hookUrl, secret } }, 'a channel');
    log.error({ webhookUrl: deadHookUrl, secrets: [secret] }, 'a webhook');

    const ids = await insertEvents(db, [
      {
        type: 'price_changed',
        dedupKey: 'logs:1',
        occurredAt: new Date(),
        subject: 'logs-product',
        payload: { pct: -20, old: '10', new: '8', currency: 'EUR' },
      },
    ]);
    await queue.enqueue('evaluate-alerts', { eventIds: ids });

    await waitFor(
      async () => (await listDeliveries(db, { channelId: okSlack.id, limit: 10 }))[0]?.status === 'sent',
      'Slack delivered after a 500 and a 429',
      15_000,
    );
    await waitFor(
      async () => (await getChannel(db, archived.id))?.status === 'disabled',
      'archived Slack disabled',
    );
    await waitFor(
      async () => (await listDeliveries(db, { channelId: okHook.id, limit: 10 }))[0]?.status === 'sent',
      'webhook delivered',
    );
    await waitFor(
      async () => (await getChannel(db, deadHook.id))?.status === 'failing',
      'dead endpoint failing',
    );

    const text = lines.join('');
    // The run was logged (so the search below is not vacuous): deliveries, errors, the startup line's origin.
    expect(text).toContain('channel disabled after a permanent error');
    expect(text).toContain('delivery dead-lettered; channel failing');
    expect(lines.length).toBeGreaterThan(20);
    for (const s of [
      'fakeslacktoken',
      'archivedslacktoken',
      'T0FAKE/B0FAKE',
      'T0PATHTOKEN',
      'QUERYTOKEN123',
      'DEADPATHTOKEN',
      'DEADQUERYTOKEN',
      '/hooks/market-radar',
      secret,
      secret.slice('whsec_'.length, 'whsec_'.length + 20),
    ])
      expect(text, s).not.toContain(s);
    // A URL keeps its origin, so which host a line is about stays readable.
    expect(text).toContain(`http://127.0.0.1:${slack.port}/[redacted]`);
  });
});
