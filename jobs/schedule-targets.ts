import { type Db, listUnscheduledTargets, markSchedulesSynced, type Target } from '../db/index.ts';
import type { JobContext, Scheduler } from './types.ts';

/**
 * Writes targets' schedules to the job queue (a disabled target's is removed), then records them as written. Every
 * writer of a schedule goes through here: the API, a worker starting, the seed, a catalog's fan-out and the sweep.
 */
export async function scheduleTargets(
  db: Db,
  scheduler: Scheduler,
  targets: readonly Target[],
): Promise<void> {
  for (const t of targets) await scheduler.upsert(t);
  await markSchedulesSynced(db, targets);
}

/**
 * A target left unscheduled this long after it was stored or changed lost its schedule write (a crash, or the
 * database going down as it answered the API, between the commit and the queue write): the sweep writes it.
 */
export const SCHEDULE_GRACE_MS = 30_000;
const SCHEDULE_SWEEP_BATCH = 1_000;

/** Writes the schedules of targets left unscheduled past the grace period, in bounded batches. Returns how many. */
export async function sweepUnscheduledTargets(
  ctx: Pick<JobContext, 'db' | 'scheduler' | 'log'>,
): Promise<number> {
  const targets = await listUnscheduledTargets(ctx.db, {
    graceMs: SCHEDULE_GRACE_MS,
    limit: SCHEDULE_SWEEP_BATCH,
  });
  await scheduleTargets(ctx.db, ctx.scheduler, targets);
  if (targets.length)
    ctx.log.warn(
      { targets: targets.length, firstTargetId: targets[0].id },
      'targets without a schedule scheduled again',
    );
  return targets.length;
}
