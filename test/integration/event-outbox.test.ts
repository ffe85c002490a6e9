/**
 * Alert evaluation as an outbox (migration 0012): events are stored unevaluated, evaluate-alerts marks them, and
 * the periodic sweep in check-freshness queues again the ones whose evaluation request was lost between their
 * commit and the enqueue (a crash, Redis failing). On real Postgres and PGlite, with the real in-process queue and
 * worker running the real jobs. Time past the grace period is simulated by moving the events' `created_at` back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, type EventInput, insertEvents } from '../../db/index.ts';
import {
  DEAD_LETTER_ALERT_JOB,
  deadLetterJob,
  type Enqueue,
  EVALUATION_GRACE_MS,
  type JobName,
  type JobQueue,
  jobDefinition,
  type RunningWorker,
  runJob,
  sweepUnevaluatedEvents,
} from '../../jobs/index.ts';
import { createPgliteTestDb, createPostgresTestDb, type TestDb, testLog } from '../support/db.ts';
import { count, inProcessQueue, startTestWorker, waitFor } from '../support/pipeline.ts';
import { addPriceRule } from './alerts/rig.ts';

describe.each([
  ['postgres', createPostgresTestDb],
  ['pglite', createPgliteTestDb],
] as const)('event evaluation outbox on %s', (_name, createTestDb) => {
  let tdb: TestDb;
  let db: Db;
  let queue: JobQueue;
  let worker: RunningWorker;
  let ruleId: number;
  let seq = 0;
  let jobSeq = 0;

  const run = (name: JobName, data: unknown) =>
    runJob(jobDefinition(name)!, data, worker.services, {
      jobId: `outbox-test-${++jobSeq}`,
      attempt: 1,
      scheduledAt: Date.now(),
    });

  /** Price drops of 20 % (the rule's), stored the way a crawl stores them, and no evaluation request. */
  const storeEvents = (subjects: string[], extra: EventInput[] = []) =>
    insertEvents(db, [
      ...subjects.map((subject) => ({
        type: 'price_changed' as const,
        dedupKey: `outbox:${++seq}:${subject}`,
        occurredAt: new Date(),
        subject,
        payload: { pct: -20, old: '100', new: '80', currency: 'EUR', url: `https://shop.test/${subject}` },
      })),
      ...extra,
    ]);

  /** The events as stored longer ago than the grace period. */
  const age = (ids: number[]) =>
    db.query(
      'test.age_events',
      "UPDATE events SET created_at = created_at - $2 * interval '1 millisecond' WHERE id = ANY($1)",
      [ids, EVALUATION_GRACE_MS + 5_000],
    );

  const unevaluated = (ids: number[]) => count(db, 'events', 'id = ANY($1) AND evaluated_at IS NULL', [ids]);
  const alertsOf = (subject: string) =>
    count(db, 'alerts', 'rule_id = $1 AND subject = $2', [ruleId, subject]);

  beforeAll(async () => {
    tdb = await createTestDb();
    db = tdb.db;
    queue = inProcessQueue();
    worker = await startTestWorker(db, queue, []);
    ruleId = (await addPriceRule(db, [])).id;
  }, 60_000);
  afterAll(async () => {
    await queue?.close(2000);
    await worker?.close();
    await tdb?.close();
  });

  it('events committed without their evaluation request are evaluated by the sweep: one alert, all marked', async () => {
    // The crash: two drops of one product and an event no rule matches are committed, and nothing is enqueued.
    const ids = await storeEvents(
      ['lost-1', 'lost-1'],
      [
        {
          type: 'launched',
          dedupKey: `outbox:${++seq}:launch`,
          occurredAt: new Date(),
          subject: 'lost-launch',
          payload: { price: '10', currency: 'EUR' },
        },
      ],
    );
    expect(ids).toHaveLength(3);
    await age(ids);
    expect(await unevaluated(ids)).toBe(3);

    const result = await run('check-freshness', {});
    expect(result).toEqual({ stale: 0, swept: 3, scheduled: 0 });
    await waitFor(async () => (await unevaluated(ids)) === 0, 'swept events evaluated');
    // The two drops are one alert (the rule's cool-down); the launch matches no rule and is marked all the same.
    expect(await alertsOf('lost-1')).toBe(1);

    // Evaluated now: the next sweep leaves them, and nothing more is raised.
    expect(await run('check-freshness', {})).toEqual({ stale: 0, swept: 0, scheduled: 0 });
    expect(await alertsOf('lost-1')).toBe(1);
  });

  it('events evaluated on the normal path are marked and never swept', async () => {
    const ids = await storeEvents(['normal-1', 'normal-2']);
    await run('evaluate-alerts', { eventIds: ids });
    expect(await unevaluated(ids)).toBe(0);
    expect(await alertsOf('normal-1')).toBe(1);
    expect(await alertsOf('normal-2')).toBe(1);
    await age(ids);
    expect(await run('check-freshness', {})).toEqual({ stale: 0, swept: 0, scheduled: 0 });
  });

  it('events within the grace period are not swept; past it they are, once per batch however many sweep', async () => {
    const ids = await storeEvents(['recent-1']);
    expect(await run('check-freshness', {})).toEqual({ stale: 0, swept: 0, scheduled: 0 });
    expect(await unevaluated(ids)).toBe(1);
    expect(await alertsOf('recent-1')).toBe(0);

    // Two workers sweeping at the same moment ask for the same job, by its smallest event id.
    await age(ids);
    const queued: string[] = [];
    const enqueue: Enqueue = (name, data, o) => {
      queued.push(`${name} ${o?.jobId}`);
      return worker.services.enqueue(name, data, o);
    };
    const sweep = () => sweepUnevaluatedEvents({ db, log: testLog, enqueue });
    expect(await Promise.all([sweep(), sweep()])).toEqual([1, 1]);
    expect(queued).toEqual([
      `evaluate-alerts alerts:sweep:${ids[0]}`,
      `evaluate-alerts alerts:sweep:${ids[0]}`,
    ]);
    await waitFor(async () => (await unevaluated(ids)) === 0, 'swept event evaluated');
    expect(await alertsOf('recent-1')).toBe(1);
  });

  it('an evaluation dead-lettered gives its events up (no sweep loop); a dead letter of its own alert raises none', async () => {
    const ids = await storeEvents(['given-up-1', 'given-up-2']);
    const queued: string[] = [];
    const enqueue: Enqueue = async (name, _data, o) => {
      queued.push(`${name} ${o?.jobId}`);
    };
    const deadLetter = (jobId: string, data: unknown) =>
      deadLetterJob(
        { db, log: testLog, enqueue },
        {
          queue: 'analyze',
          jobName: 'evaluate-alerts',
          jobId,
          data,
          attempts: 3,
          stalls: 0,
          reason: 'attempts_exhausted',
          lastError: 'boom',
          enqueuedAt: new Date(),
          failedAt: new Date(),
        },
      );
    // An ordinary evaluation failing for good: its events are marked, its dead letter's event is evaluated.
    const plain = await deadLetter(`outbox-dead-${++seq}`, { eventIds: ids });
    expect(await unevaluated(ids)).toBe(0);
    expect(queued).toEqual([`evaluate-alerts ${DEAD_LETTER_ALERT_JOB}${plain.eventId}`]);
    // The evaluation of that dead letter's own alert failing too: recorded, marked, and no further alert.
    const own = await deadLetter(`${DEAD_LETTER_ALERT_JOB}${plain.eventId}`, { eventIds: [plain.eventId] });
    expect(queued).toHaveLength(1);
    expect(await unevaluated([plain.eventId, own.eventId])).toBe(0);
    await age([...ids, plain.eventId, own.eventId]);
    expect(await run('check-freshness', {})).toEqual({ stale: 0, swept: 0, scheduled: 0 });
  });
});
