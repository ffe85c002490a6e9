import type { RenderableAlert, RenderOptions } from './render-slack.ts';

/**
 * The JSON body of a generic webhook, in the Standard Webhooks shape `{ type, timestamp, data }`. Pure. The
 * body is rendered once per message, so every retry carries the same bytes under the same `webhook-id`.
 */
export interface WebhookPayload {
  type: 'alert.created' | 'alert.digest' | 'channel.test';
  timestamp: string;
  data: Record<string, unknown>;
}

function alertData(a: RenderableAlert, o: RenderOptions) {
  return {
    id: a.id,
    rule: a.ruleName,
    title: a.title,
    body: a.body,
    severity: a.severity,
    subject: a.subject,
    createdAt: new Date(a.createdAt).toISOString(),
    reportUrl: `${o.publicUrl}/alerts/${a.id}`,
    evidenceUrl: typeof a.payload.url === 'string' ? a.payload.url : null,
    event: a.payload,
  };
}

export function renderWebhookAlert(a: RenderableAlert, o: RenderOptions): WebhookPayload {
  return { type: 'alert.created', timestamp: new Date(a.createdAt).toISOString(), data: alertData(a, o) };
}

export function renderWebhookDigest(
  alerts: RenderableAlert[],
  period: { start: Date; end: Date },
  o: RenderOptions,
): WebhookPayload {
  return {
    type: 'alert.digest',
    timestamp: period.end.toISOString(),
    data: {
      periodStart: period.start.toISOString(),
      periodEnd: period.end.toISOString(),
      count: alerts.length,
      alerts: alerts.map((a) => alertData(a, o)),
    },
  };
}
