import { Type } from '@sinclair/typebox';
import { listStaleTargets } from '../../db/index.ts';
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
      const stale = db ? await listStaleTargets(app.deps.db, 2, 50).catch(() => null) : null;
      const body = {
        // Stale targets degrade the status but are not an outage: the service itself still answers (200).
        status: db && queue.ok && !stale?.length ? ('ok' as const) : ('degraded' as const),
        db: db ? ('up' as const) : ('down' as const),
        queue: queue.ok ? ('up' as const) : ('down' as const),
        queueMode: app.deps.queue.mode,
        staleTargets: stale ? stale.length : null,
        stale: (stale ?? [])
          .slice(0, 20)
          .map((t) => ({ targetId: t.id, url: t.url, ageSeconds: t.ageSeconds, lastError: t.lastError })),
      };
      return reply.code(db && queue.ok ? 200 : 503).send(body);
    },
  );
}
