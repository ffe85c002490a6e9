import { Type } from '@sinclair/typebox';
import { type EventInput, insertEvents, listStaleTargets } from '../db/index.ts';
import { defineJob, QUEUES } from './types.ts';

/** How often the freshness check runs. */
export const FRESHNESS_EVERY_MS = 60_000;
/** A target is stale when its last success is older than this many intervals. */
export const STALE_AFTER_INTERVALS = 2;

/**
 * The freshness monitor: every target whose last successful crawl is older than twice its interval raises one
 * `target_stale` event per stale episode (keyed by its last success), which the default operator rule alerts on.
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
    return { stale: stale.length };
  },
});
