import { Type } from '@sinclair/typebox';
import { listDeliveries } from '../../db/index.ts';
import type { App } from '../app.ts';
import { decodeCursor, nextCursor } from '../cursor.ts';
import { errorResponses, Limit, NullableTimestamp, Page, Timestamp } from '../schemas.ts';

const Status = Type.Union(['sending', 'sent', 'failed', 'dead'].map((s) => Type.Literal(s)));

const DeliveryBody = Type.Object({
  id: Type.Integer(),
  messageId: Type.String({ description: 'Stable across retries (the webhook-id header of signed webhooks)' }),
  kind: Type.Union([Type.String(), Type.Null()]),
  channelId: Type.Integer(),
  channelName: Type.String(),
  channelKind: Type.String(),
  alertId: Type.Union([Type.Integer(), Type.Null()]),
  attempt: Type.Integer(),
  status: Type.String(),
  httpStatus: Type.Union([Type.Integer(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  durationMs: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Timestamp,
  finishedAt: NullableTimestamp,
  message: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], {
    description:
      'What was sent, the same on every attempt: Slack Block Kit (`text` fallback and `blocks`) or the signed ' +
      'webhook JSON. No URL or secret. Null with include_message=false',
  }),
});

export async function deliveryRoutes(app: App) {
  const { db } = app.deps;
  app.get(
    '/deliveries',
    {
      schema: {
        summary:
          'Every delivery attempt, newest first, with its status, the receiver’s error and the message sent',
        tags: ['alerts'],
        querystring: Type.Object({
          channel_id: Type.Optional(Type.Integer({ minimum: 1 })),
          alert_id: Type.Optional(Type.Integer({ minimum: 1 })),
          message_id: Type.Optional(Type.String({ maxLength: 200 })),
          status: Type.Optional(Status),
          include_message: Type.Boolean({
            default: true,
            description: 'false: attempts without the message body',
          }),
          limit: Limit,
          cursor: Type.Optional(Type.String({ maxLength: 200 })),
        }),
        response: { 200: Page(DeliveryBody), ...errorResponses },
      },
    },
    async (req) => {
      const q = req.query;
      const before = decodeCursor<{ id: number }>(q.cursor, ['id']);
      const items = await listDeliveries(db, {
        channelId: q.channel_id,
        alertId: q.alert_id,
        messageId: q.message_id,
        status: q.status as 'sending' | 'sent' | 'failed' | 'dead' | undefined,
        beforeId: before?.id,
        limit: q.limit,
        withMessage: q.include_message,
      });
      return { items, nextCursor: nextCursor(items, q.limit, (last) => ({ id: last.id })) };
    },
  );
}
