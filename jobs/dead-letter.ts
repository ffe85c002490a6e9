/**
 * Dead letters (RELIABILITY Q2): what both runners do with a job that failed for good. The job is copied to the
 * `dead_letters` table with its payload, attempts and last error, and its `job_dead_lettered` event is evaluated
 * like any other, so the operator rule raises an alert (one per job name and cool-down window) through the
 * rules' channels. Idempotent: workers recording the same failed job store one row and raise one event.
 */
import { type DeadLetterInput, markEventsEvaluated, recordDeadLetter } from '../db/index.ts';
import type { JobServices } from './types.ts';

/** Job id prefix of the alert evaluation a dead letter enqueues. */
export const DEAD_LETTER_ALERT_JOB = 'alerts:dead-letter:';

/**
 * Records a job that failed for good and queues the evaluation of its event. Throws when the database or the
 * queue is unavailable: the caller keeps the failed job and tries again later (recording twice is harmless).
 */
export async function deadLetterJob(
  s: Pick<JobServices, 'db' | 'log' | 'enqueue'>,
  d: DeadLetterInput,
): Promise<{ id: number; eventId: number; created: boolean }> {
  const recorded = await recordDeadLetter(s.db, d);
  if (recorded.created) {
    s.log.error(
      {
        deadLetterId: recorded.id,
        queue: d.queue,
        job: d.jobName,
        jobId: d.jobId,
        attempts: d.attempts,
        stalls: d.stalls,
        reason: d.reason,
        err: d.lastError.slice(0, 500),
      },
      'job dead-lettered',
    );
  }
  // An evaluation that failed for good gives its events up (the dead letter keeps them, and a replay evaluates
  // them again): otherwise the sweep of unevaluated events would queue them again every minute, forever.
  if (d.jobName === 'evaluate-alerts') await markEventsEvaluated(s.db, eventIdsOf(d.data));
  // The evaluation of a dead letter's own alert failing for good is recorded, but raises no further alert:
  // otherwise a broken alert pipeline would dead-letter its own alerts forever.
  if (d.jobName === 'evaluate-alerts' && d.jobId.startsWith(DEAD_LETTER_ALERT_JOB)) {
    await markEventsEvaluated(s.db, [recorded.eventId]);
    return recorded;
  }
  await s.enqueue(
    'evaluate-alerts',
    { eventIds: [recorded.eventId] },
    { jobId: `${DEAD_LETTER_ALERT_JOB}${recorded.eventId}` },
  );
  return recorded;
}

/** The event ids of an evaluate-alerts payload; none from a payload that is not one (it failed validation). */
function eventIdsOf(data: unknown): number[] {
  const ids = (data as { eventIds?: unknown } | null)?.eventIds;
  return Array.isArray(ids) ? ids.filter((x): x is number => Number.isSafeInteger(x) && x > 0) : [];
}

/**
 * The operator rule for dead letters: one alert per job name and hour. Migration 0010 adds it to installations
 * that already have rules; new installations get it with the default rules.
 */
export const DEAD_LETTER_ALERT_RULE = {
  name: 'Job dead-lettered (failed for good or stalled)',
  eventType: 'job_dead_lettered',
  params: {},
  scope: {},
  cooldownSeconds: 3600,
};
