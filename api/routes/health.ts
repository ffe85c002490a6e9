import { Type } from '@sinclair/typebox';
import { countDeadLetters, listStaleTargets } from '../../db/index.ts';
import type { App } from '../app.ts';

const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  db: Type.Union([Type.Literal('up'), Type.Literal('down')]),
  queue: Type.Union([Type.Literal('up'), Type.Literal('down')]),
  queueMode: Type.String(),
  staleTargets: Type.Union([Type.Integer(), Type.Null()], {
    description:
      'Enabled targets with no successful crawl for twice their interval (null when the db is down)',
  }),
  deadLetters: Type.Union(
    [
      Type.Object({
        open: Type.Integer({ description: 'Dead letters not yet retried' }),
        last24h: Type.Integer({ description: 'Jobs that failed for good in the last 24 hours' }),
        lastFailedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
      }),
      Type.Null(),
    ],
    { description: 'Jobs that failed for good (see /api/dead-letters); null when the db is down' },
  ),
  stale: Type.Array(
    Type.Object({
      targetId: Type.Integer(),
      url: Type.String(),
      ageSeconds: Type.Integer(),
      lastError: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
});

export async function healthRoutes(app: App) {
  app.get(
    '/health',
    {
      schema: {
        summary: 'Database and queue status (503 when either is down) and target freshness',
        response: { 200: Health, 503: Health },
      },
    },
    async (_req, reply) => {
      const [db, queue] = await Promise.all([app.deps.db.ping(), app.deps.queue.health()]);
      const [stale, dead] = db
        ? await Promise.all([
            listStaleTargets(app.deps.db, 2, 50).catch(() => null),
            countDeadLetters(app.deps.db).catch(() => null),
          ])
        : [null, null];
      const body = {
        // Stale targets and fresh dead letters degrade the status but are not an outage: it still answers 200.
        status: db && queue.ok && !stale?.length && !dead?.last24h ? ('ok' as const) : ('degraded' as const),
        db: db ? ('up' as const) : ('down' as const),
        queue: queue.ok ? ('up' as const) : ('down' as const),
        queueMode: app.deps.queue.mode,
        staleTargets: stale ? stale.length : null,
        deadLetters: dead
          ? { open: dead.open, last24h: dead.last24h, lastFailedAt: dead.lastFailedAt?.toISOString() ?? null }
          : null,
        stale: (stale ?? [])
          .slice(0, 20)
          .map((t) => ({ targetId: t.id, url: t.url, ageSeconds: t.ageSeconds, lastError: t.lastError })),
      };
      return reply.code(db && queue.ok ? 200 : 503).send(body);
    },
  );
}
