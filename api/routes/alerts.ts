import { Type } from '@sinclair/typebox';
import { ackAlert, listAlerts } from '../../db/index.ts';
import type { App } from '../app.ts';
import { decodeCursor, nextCursor } from '../cursor.ts';
import { notFound } from '../errors.ts';
import { errorResponses, IdParams, Limit, NullableTimestamp, Page, Timestamp } from '../schemas.ts';

const AlertBody = Type.Object({
  id: Type.Integer(),
  ruleId: Type.Integer(),
  ruleName: Type.String(),
  eventType: Type.String(),
  eventId: Type.Integer(),
  subject: Type.String(),
  windowStart: Timestamp,
  title: Type.String(),
  body: Type.String(),
  severity: Type.String(),
  payload: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Timestamp,
  ackedAt: NullableTimestamp,
});

export async function alertRoutes(app: App) {
  const { db } = app.deps;
  app.get(
    '/alerts',
    {
      schema: {
        summary: 'Alerts, newest first',
        tags: ['alerts'],
        querystring: Type.Object({
          type: Type.Optional(Type.String({ maxLength: 50 })),
          rule_id: Type.Optional(Type.Integer({ minimum: 1 })),
          acked: Type.Optional(Type.Boolean()),
          since: Type.Optional(Timestamp),
          limit: Limit,
          cursor: Type.Optional(Type.String({ maxLength: 200 })),
        }),
        response: { 200: Page(AlertBody), ...errorResponses },
      },
    },
    async (req) => {
      const q = req.query;
      const before = decodeCursor<{ id: number }>(q.cursor, ['id']);
      const items = await listAlerts(db, {
        type: q.type,
        ruleId: q.rule_id,
        acked: q.acked,
        since: q.since ? new Date(q.since) : undefined,
        beforeId: before?.id,
        limit: q.limit,
      });
      return { items, nextCursor: nextCursor(items, q.limit, (last) => ({ id: last.id })) };
    },
  );

  app.post(
    '/alerts/:id/ack',
    {
      schema: {
        summary: 'Acknowledge an alert',
        tags: ['alerts'],
        params: IdParams,
        response: { 200: Type.Object({ acked: Type.Boolean() }), ...errorResponses },
      },
    },
    async (req) => {
      if (!(await ackAlert(db, req.params.id))) throw notFound('alert', req.params.id);
      return { acked: true };
    },
  );
}
