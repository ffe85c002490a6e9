import {
  type RenderableAlert,
  renderSlackAlert,
  renderSlackDigest,
  renderWebhookAlert,
  renderWebhookDigest,
} from '../../analyzers/index.ts';
import type { AlertForDelivery, Channel, NewMessage } from '../../db/index.ts';

/** The body a channel of this kind gets for one alert. */
export function alertBody(
  kind: Channel['kind'],
  a: RenderableAlert,
  publicUrl: string,
): Record<string, unknown> {
  const o = { publicUrl };
  if (kind === 'slack') return { ...renderSlackAlert(a, o) };
  return { ...renderWebhookAlert(a, o) };
}

/** The body a channel of this kind gets for a digest. */
export function digestBody(
  kind: Channel['kind'],
  alerts: RenderableAlert[],
  period: { start: Date; end: Date },
  publicUrl: string,
): Record<string, unknown> {
  const o = { publicUrl };
  if (kind === 'slack') return { ...renderSlackDigest(alerts, period, o) };
  return { ...renderWebhookDigest(alerts, period, o) };
}

/**
 * One message per (immediate-mode alert, routed channel that is not disabled). Message ids are derived from
 * the alert and channel, so a re-run of the evaluating job produces the same ids (and the unique key absorbs
 * them).
 */
export function alertMessages(
  alerts: AlertForDelivery[],
  channels: Map<number, Channel>,
  publicUrl: string,
): NewMessage[] {
  const out: NewMessage[] = [];
  for (const a of alerts) {
    if (a.mode !== 'immediate') continue;
    for (const channelId of a.channelIds) {
      const ch = channels.get(channelId);
      if (!ch || ch.status === 'disabled') continue;
      out.push({
        messageId: `msg_${a.id}_${ch.id}`,
        channelId: ch.id,
        kind: 'alert',
        alertId: a.id,
        body: alertBody(ch.kind, a, publicUrl),
      });
    }
  }
  return out;
}

/** A test message for `POST /api/channels/:id/test`. */
export function testMessage(ch: Channel, publicUrl: string, now = new Date()): NewMessage {
  const a: RenderableAlert = {
    id: 0,
    ruleName: 'Channel test',
    title: `Market Radar test message for "${ch.name}"`,
    body: 'If you can read this, alerts routed to this channel will arrive here.',
    severity: 'info',
    subject: 'test',
    createdAt: now,
    payload: { eventType: 'test' },
  };
  const body =
    ch.kind === 'slack'
      ? { ...renderSlackAlert(a, { publicUrl }) }
      : { type: 'channel.test', timestamp: now.toISOString(), data: { channel: ch.name } };
  return {
    messageId: `msg_test_${ch.id}_${now.getTime()}`,
    channelId: ch.id,
    kind: 'test',
    alertId: null,
    body,
  };
}
