/**
 * The delivery rig: a real database, the real in-process queue and worker running the real jobs, and helpers
 * that store channels, rules and events the way the pipeline does. Every delay comes from config.
 */
import { loadConfig } from '../../../config.ts';
import {
  type ChannelConfig,
  type ChannelKind,
  type Db,
  insertAlertRule,
  insertChannel,
  insertEvents,
} from '../../../db/index.ts';
import {
  createInProcessQueue,
  type JobName,
  type JobQueue,
  jobDefinition,
  type RunningWorker,
  runJob,
  startWorker,
} from '../../../jobs/index.ts';
import { createPgliteTestDb, createPostgresTestDb, type TestDb, testLog } from '../../support/db.ts';

export interface Rig {
  db: Db;
  queue: JobQueue;
  /** Runs a job to completion in this call, through the same path the worker uses. */
  run(name: JobName, data: unknown): Promise<unknown>;
  close(): Promise<void>;
}

export async function startRig(
  env: Record<string, string>,
  on: 'pglite' | 'postgres' = 'pglite',
): Promise<Rig> {
  const tdb: TestDb = on === 'postgres' ? await createPostgresTestDb() : await createPgliteTestDb();
  const config = loadConfig({ DEMO: '0', PUBLIC_URL: 'https://radar.example.com', ...env });
  const queue = createInProcessQueue({ log: testLog, concurrency: { deliver: 2, analyze: 2 } });
  const worker: RunningWorker = await startWorker(config, tdb.db, queue, testLog);
  return {
    db: tdb.db,
    queue,
    run: (name, data) =>
      runJob(jobDefinition(name)!, data, worker.services, {
        jobId: `test-${++seq}`,
        attempt: 1,
        scheduledAt: Date.now(),
      }),
    async close() {
      await queue.close(2000);
      await worker.close();
      await tdb.close();
    },
  };
}

export async function addChannel(db: Db, kind: ChannelKind, config: ChannelConfig, name = `${kind} channel`) {
  return insertChannel(db, { kind, name, config });
}

export async function addPriceRule(
  db: Db,
  channelIds: number[],
  extra: Partial<Parameters<typeof insertAlertRule>[1]> = {},
) {
  return insertAlertRule(db, {
    name: 'Price drop ≥ 10%',
    eventType: 'price_changed',
    params: { minPct: 10, direction: 'down' },
    scope: {},
    cooldownSeconds: 3600,
    channelIds,
    ...extra,
  });
}

let seq = 0;

/** Stores price-drop events (one per subject) and asks the real evaluate-alerts job to process them. */
export async function raisePriceDrops(
  rig: Rig,
  subjects: string[],
  o: { pct?: number; at?: Date; title?: string; wait?: boolean } = {},
): Promise<number[]> {
  const ids = await insertEvents(
    rig.db,
    subjects.map((subject) => ({
      type: 'price_changed' as const,
      dedupKey: `test:${++seq}:${subject}`,
      occurredAt: o.at ?? new Date(),
      subject,
      payload: {
        pct: o.pct ?? -20,
        old: '100',
        new: '80',
        currency: 'EUR',
        url: `https://shop.test/p/${subject}`,
      },
    })),
  );
  for (let i = 0; i < ids.length; i += 500) {
    const data = { eventIds: ids.slice(i, i + 500) };
    if (o.wait) await rig.run('evaluate-alerts', data);
    else await rig.queue.enqueue('evaluate-alerts', data);
  }
  return ids;
}

/** Turns off every rule and channel so the next test sees only what it creates. */
export async function isolate(rig: Rig): Promise<void> {
  await rig.db.query('test.isolate_rules', 'UPDATE alert_rules SET enabled = false');
  await rig.db.query('test.isolate_channels', "UPDATE channels SET status = 'disabled'");
}
