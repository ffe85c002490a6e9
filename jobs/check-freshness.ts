import { Type } from '@sinclair/typebox';
import { type EventInput, insertEvents, listStaleTargets, listUnevaluatedEvents } from '../db/index.ts';
import { sweepUnscheduledTargets } from './schedule-targets.ts';
import { defineJob, type JobContext, QUEUES } from './types.ts';

/** How often the freshness check runs. */
export const FRESHNESS_EVERY_MS = 60_000;
/** A target is stale when its last success is older than this many intervals. */
export const STALE_AFTER_INTERVALS = 2;

/**
 * An event still unevaluated this long after it was stored lost its evaluation request (a crash or a Redis failure
 * between the commit and the enqueue) or its evaluation failed for good: the sweep queues it again. Longer than
 * the normal path takes, so that path is not doubled.
 */
export const EVALUATION_GRACE_MS = 30_000;
/** Events per evaluation job the sweep queues (the job takes up to 10,000), and jobs per sweep at most. */
export const EVALUATION_SWEEP_BATCH = 1_000;
const EVALUATION_SWEEP_JOBS = 10;

/**
 * Queues evaluate-alerts for the events left unevaluated past the grace period, oldest first, in bounded batches.
 * Each job's id is its smallest event id, so workers sweeping at once queue it once, and a batch still waiting
 * its turn (a backlog) is not queued again by the next sweep. Returns how many events were queued.
 */
export async function sweepUnevaluatedEvents(
  ctx: Pick<JobContext, 'db' | 'enqueue' | 'log'>,
): Promise<number> {
  const ids = await listUnevaluatedEvents(ctx.db, {
    graceMs: EVALUATION_GRACE_MS,
    limit: EVALUATION_SWEEP_BATCH * EVALUATION_SWEEP_JOBS,
  });
  for (let i = 0; i < ids.length; i += EVALUATION_SWEEP_BATCH) {
    const eventIds = ids.slice(i, i + EVALUATION_SWEEP_BATCH);
    await ctx.enqueue('evaluate-alerts', { eventIds }, { jobId: `alerts:sweep:${eventIds[0]}` });
  }
  if (ids.length)
    ctx.log.warn({ events: ids.length, firstEventId: ids[0] }, 'unevaluated events queued again');
  return ids.length;
}

/**
 * The freshness monitor: every target whose last successful crawl is older than twice its interval raises one
 * `target_stale` event per stale episode (keyed by its last success), which the default operator rule alerts on.
 * It also sweeps for events whose alert evaluation was lost (`sweepUnevaluatedEvents`) and for targets whose
 * schedule was lost (`sweepUnscheduledTargets`).
 */
export const checkFreshness = defineJob({
  name: 'check-freshness',
  queue: QUEUES.analyze,
  schema: Type.Object({}, { additionalProperties: false }),
  async process(_data, ctx) {
    const stale = await listStaleTargets(ctx.db, STALE_AFTER_INTERVALS);
    const events: EventInput[] = stale.map((t) => ({
      type: 'target_stale',
      dedupKey: `target_stale:${t.id}:${t.lastSuccessAt ? new Date(t.lastSuccessAt).toISOString() : 'never'}`,
      occurredAt: new Date(),
      competitorId: t.competitorId,
      targetId: t.id,
      subject: `target:${t.id}`,
      payload: {
        url: t.url,
        label: t.label,
        kind: t.kind,
        intervalSeconds: t.intervalSeconds,
        lastSuccessAt: t.lastSuccessAt,
        ageSeconds: t.ageSeconds,
        lastError: t.lastError,
      },
    }));
    const eventIds = await insertEvents(ctx.db, events);
    if (eventIds.length) {
      await ctx.enqueue(
        'evaluate-alerts',
        { eventIds },
        { jobId: `alerts:stale:${eventIds.join(',').slice(0, 200)}` },
      );
    }
    const swept = await sweepUnevaluatedEvents(ctx);
    const scheduled = await sweepUnscheduledTargets(ctx);
    return { stale: stale.length, swept, scheduled };
  },
});
