import { Type } from '@sinclair/typebox';
import type { DigestSchedule } from '../analyzers/index.ts';
import { digestPeriod, digestPeriodMs } from '../analyzers/index.ts';
import {
  channelsWithDueMessages,
  type Db,
  existingMessageIds,
  getChannel,
  insertDigest,
  listDigestRules,
} from '../db/index.ts';
import { digestBody } from './delivery/create-messages.ts';
import { scheduleDrain } from './delivery/drain-channel.ts';
import { defineJob, QUEUES } from './types.ts';

export const DIGEST_JOB = 'send-digests';

/** How far back a digest catches up on alerts a gap (worker outage, channel disabled) kept from earlier digests. */
export const DIGEST_CATCH_UP_MS = 30 * 86_400_000;

const digestMessageId = (channelId: number, end: Date) => `msg_digest_${channelId}_${end.getTime()}`;

/** The period ends before `end` (newest first) within DIGEST_CATCH_UP_MS: hourly ends are an hour apart in any zone. */
function earlierEnds(schedule: DigestSchedule, end: Date): Date[] {
  const ends: Date[] = [];
  const floor = end.getTime() - DIGEST_CATCH_UP_MS;
  let t = end;
  for (;;) {
    t =
      schedule.every === 'hourly'
        ? new Date(t.getTime() - 3_600_000)
        : digestPeriod(schedule, new Date(t.getTime() - 1)).end;
    if (t.getTime() < floor) return ends;
    ends.push(t);
  }
}

/**
 * Where a digest starts looking for alerts: two periods back normally (a tick running late still finds them), and
 * back to the channel's last digest of this schedule when that is older, so alerts held up by a gap of any length
 * up to DIGEST_CATCH_UP_MS go out with the next digest. A channel without an earlier digest gets the two periods, so
 * a new channel is not flooded with old alerts (a rule newly routed to a channel with digests brings its alerts since
 * that channel's last digest). Alerts already sent to the channel are never repeated.
 */
async function digestSince(db: Db, channelId: number, schedules: DigestSchedule[], end: Date): Promise<Date> {
  let since = end.getTime() - Math.max(...schedules.map((s) => 2 * digestPeriodMs(s)));
  for (const schedule of schedules) {
    const ends = earlierEnds(schedule, end);
    const stored = new Set(
      await existingMessageIds(
        db,
        ends.map((e) => digestMessageId(channelId, e)),
      ),
    );
    const last = ends.find((e) => stored.has(digestMessageId(channelId, e)));
    if (last) since = Math.min(since, last.getTime());
  }
  return new Date(since);
}

/**
 * The digest tick: for every channel, one message collecting the alerts of the digest-mode rules routed to it
 * whose period has ended (rules sharing a send time share the message). Idempotent: the message id is
 * (channel, period end) and an alert is in at most one digest per channel. Also re-drives channels with
 * messages left due by a crash or restart. Runs on a recurring schedule (`Scheduler.every`); `at` (ms)
 * evaluates as of that instant.
 */
export const sendDigests = defineJob({
  name: DIGEST_JOB,
  queue: QUEUES.deliver,
  schema: Type.Object({ at: Type.Optional(Type.Integer({ minimum: 0 })) }, { additionalProperties: false }),
  async process({ at }, ctx) {
    const now = new Date(at ?? Date.now());
    const groups = new Map<
      string,
      { channelId: number; ruleIds: number[]; start: Date; end: Date; schedules: DigestSchedule[] }
    >();
    for (const rule of await listDigestRules(ctx.db)) {
      if (!rule.digest) continue;
      const schedule = rule.digest as unknown as DigestSchedule;
      const period = digestPeriod(schedule, now);
      for (const channelId of rule.channelIds) {
        const key = `${channelId}@${period.end.getTime()}`;
        const g = groups.get(key) ?? { channelId, ruleIds: [], ...period, schedules: [] };
        g.ruleIds.push(rule.id);
        g.schedules.push(schedule);
        groups.set(key, g);
      }
    }
    let digests = 0;
    for (const g of groups.values()) {
      const ch = await getChannel(ctx.db, g.channelId);
      if (!ch || ch.status === 'disabled') continue;
      const created = await insertDigest(ctx.db, {
        messageId: digestMessageId(ch.id, g.end),
        channelId: ch.id,
        ruleIds: g.ruleIds,
        since: await digestSince(ctx.db, ch.id, g.schedules, g.end),
        before: g.end,
        render: (alerts) => digestBody(ch.kind, alerts, { start: g.start, end: g.end }, ctx.config.publicUrl),
      });
      if (created) {
        digests++;
        ctx.log.info({ channelId: ch.id, alerts: created.alerts }, 'digest stored');
        await scheduleDrain(ctx, ch.id);
      }
    }
    for (const channelId of await channelsWithDueMessages(ctx.db, now)) await scheduleDrain(ctx, channelId);
    return { digests };
  },
});
