import { Type } from '@sinclair/typebox';
import { type AlertDraft, matchAlertRule } from '../analyzers/index.ts';
import {
  alertedWithinCooldown,
  alertIdsOfEvents,
  alertsForDelivery,
  type Channel,
  getChannel,
  getEventsWithRules,
  insertAlerts,
  insertMessages,
  lockAlertRule,
  markEventsEvaluated,
} from '../db/index.ts';
import { alertMessages } from './delivery/create-messages.ts';
import { scheduleDrain } from './delivery/drain-channel.ts';
import { defineJob, QUEUES } from './types.ts';

/**
 * Matches stored events against the enabled alert rules, stores the alerts, and queues their messages to the
 * rules' channels (immediate mode; digest-mode alerts wait for the digest tick). Idempotent: the unique
 * (rule, subject, window) key absorbs re-deliveries and retried analyzers, and the cool-down (no second alert
 * for a rule and subject whose events are closer than the rule's cool-down) is checked under a per-rule lock,
 * so a flapping price within the cool-down is one alert. Messages are unique per (alert, channel).
 *
 * Last, the events are marked evaluated (those matching no rule too): until then the periodic sweep
 * (check-freshness) queues them again, so an evaluation request lost after the events' commit, or an evaluation
 * failing anywhere up to its drains being scheduled, is retried rather than lost. Marked after the messages and
 * drains, not with the alerts: a crash in between costs one more evaluation (a no-op, by the keys above), never
 * the messages of an alert already stored.
 */
export const evaluateAlerts = defineJob({
  name: 'evaluate-alerts',
  queue: QUEUES.analyze,
  schema: Type.Object(
    { eventIds: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 10_000 }) },
    { additionalProperties: false },
  ),
  async process({ eventIds }, ctx) {
    // The events and the enabled rules for their types, in one round trip (one per batch of crawled pages).
    const { events, rules } = await getEventsWithRules(ctx.db, eventIds);
    if (events.length === 0) return { alerts: 0 };
    const evaluated = events.map((e) => e.id);
    const drafts: { draft: AlertDraft; occurredAt: Date; cooldownSeconds: number }[] = [];
    for (const e of events) {
      for (const r of rules) {
        const d = matchAlertRule(r, e);
        if (d)
          drafts.push({ draft: d, occurredAt: new Date(e.occurredAt), cooldownSeconds: r.cooldownSeconds });
      }
    }
    if (drafts.length === 0) {
      await markEventsEvaluated(ctx.db, evaluated);
      return { alerts: 0 };
    }
    drafts.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
    const created = await ctx.db.withTransaction(async (tx) => {
      for (const ruleId of [...new Set(drafts.map((d) => d.draft.ruleId))].sort((a, b) => a - b))
        await lockAlertRule(tx, ruleId);
      const ids: number[] = [];
      for (const { draft, occurredAt, cooldownSeconds } of drafts) {
        if (
          cooldownSeconds > 0 &&
          (await alertedWithinCooldown(tx, draft.ruleId, draft.subject, occurredAt, cooldownSeconds))
        )
          continue;
        ids.push(...(await insertAlerts(tx, [draft])));
      }
      return ids;
    });
    if (created.length) ctx.log.info({ alerts: created.length }, 'alerts created');

    // Every alert of these events, not only the new ones: a retry after a crash between storing the alerts and
    // their messages still queues them (messages are unique per alert and channel).
    const alerts = await alertsForDelivery(ctx.db, await alertIdsOfEvents(ctx.db, eventIds));
    const channels = new Map<number, Channel>();
    for (const id of new Set(alerts.flatMap((a) => (a.mode === 'immediate' ? a.channelIds : [])))) {
      const ch = await getChannel(ctx.db, id);
      if (ch) channels.set(id, ch);
    }
    const messages = alertMessages(alerts, channels, ctx.config.publicUrl);
    await insertMessages(ctx.db, messages);
    for (const channelId of new Set(messages.map((m) => m.channelId))) await scheduleDrain(ctx, channelId);
    await markEventsEvaluated(ctx.db, evaluated);
    return { alerts: created.length, messages: messages.length };
  },
});
