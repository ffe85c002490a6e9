import { Type } from '@sinclair/typebox';
import type { DigestSchedule } from '../analyzers/index.ts';
import { digestPeriod, digestPeriodMs } from '../analyzers/index.ts';
import { channelsWithDueMessages, getChannel, insertDigest, listDigestRules } from '../db/index.ts';
import { digestBody } from './delivery/create-messages.ts';
import { scheduleDrain } from './delivery/drain-channel.ts';
import { defineJob, QUEUES } from './types.ts';

export const DIGEST_JOB = 'send-digests';

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
      { channelId: number; ruleIds: number[]; start: Date; end: Date; lookbackMs: number }
    >();
    for (const rule of await listDigestRules(ctx.db)) {
      if (!rule.digest) continue;
      const schedule = rule.digest as unknown as DigestSchedule;
      const period = digestPeriod(schedule, now);
      for (const channelId of rule.channelIds) {
        const key = `${channelId}@${period.end.getTime()}`;
        const g = groups.get(key) ?? { channelId, ruleIds: [], ...period, lookbackMs: 0 };
        g.ruleIds.push(rule.id);
        g.lookbackMs = Math.max(g.lookbackMs, 2 * digestPeriodMs(schedule));
        groups.set(key, g);
      }
    }
    let digests = 0;
    for (const g of groups.values()) {
      const ch = await getChannel(ctx.db, g.channelId);
      if (!ch || ch.status === 'disabled') continue;
      const created = await insertDigest(ctx.db, {
        messageId: `msg_digest_${ch.id}_${g.end.getTime()}`,
        channelId: ch.id,
        ruleIds: g.ruleIds,
        since: new Date(g.end.getTime() - g.lookbackMs),
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
