import { Type } from '@sinclair/typebox';
import {
  deleteTarget,
  getTarget,
  listCrawlRuns,
  listTargets,
  TARGET_KINDS,
  updateTarget,
  upsertTarget,
} from '../../db/index.ts';
import { scheduleTargets } from '../../jobs/index.ts';
import type { App } from '../app.ts';
import { decodeCursor, nextCursor } from '../cursor.ts';
import { ApiError, notFound } from '../errors.ts';
import {
  ErrorBody,
  errorResponses,
  IdParams,
  Limit,
  NullableTimestamp,
  Page,
  Timestamp,
} from '../schemas.ts';

const Kind = Type.Union(TARGET_KINDS.map((k) => Type.Literal(k)));
const Options = Type.Object(
  {
    needsJs: Type.Optional(Type.Boolean()),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
    locale: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$' })),
    selectors: Type.Optional(
      Type.Object(
        {
          price: Type.Optional(Type.String({ maxLength: 500 })),
          listPrice: Type.Optional(Type.String({ maxLength: 500 })),
          name: Type.Optional(Type.String({ maxLength: 500 })),
          availability: Type.Optional(Type.String({ maxLength: 500 })),
        },
        { additionalProperties: false },
      ),
    ),
    query: Type.Optional(Type.String({ maxLength: 500 })),
    network: Type.Optional(
      Type.Union(['bluesky', 'reddit', 'hackernews', 'mastodon', 'youtube'].map((n) => Type.Literal(n))),
    ),
    robots: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const Url = Type.String({ minLength: 1, maxLength: 2048 });
const Interval = Type.Integer({ minimum: 1, maximum: 30 * 86_400 });

const TargetBody = Type.Object({
  id: Type.Integer(),
  competitorId: Type.Union([Type.Integer(), Type.Null()]),
  kind: Kind,
  url: Type.String(),
  label: Type.Union([Type.String(), Type.Null()]),
  options: Options,
  intervalSeconds: Type.Integer(),
  enabled: Type.Boolean(),
  discoveredFrom: Type.Union([Type.Integer(), Type.Null()]),
  lastRunAt: NullableTimestamp,
  lastSuccessAt: NullableTimestamp,
  lastOutcome: Type.Union([Type.String(), Type.Null()]),
  consecutiveFailures: Type.Integer(),
  createdAt: Timestamp,
});

const CrawlRunBody = Type.Object({
  id: Type.Integer(),
  windowStart: Timestamp,
  startedAt: Timestamp,
  finishedAt: NullableTimestamp,
  attempts: Type.Integer(),
  worker: Type.Union([Type.String(), Type.Null()]),
  outcome: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  httpStatus: Type.Union([Type.Integer(), Type.Null()]),
  url: Type.Union([Type.String(), Type.Null()]),
  items: Type.Integer(),
});

export async function targetRoutes(app: App) {
  const { db, queue } = app.deps;
  app.get(
    '/targets',
    {
      schema: {
        summary: 'List targets',
        tags: ['targets'],
        querystring: Type.Object({
          kind: Type.Optional(Kind),
          competitor_id: Type.Optional(Type.Integer({ minimum: 1 })),
          enabled: Type.Optional(Type.Boolean()),
          limit: Limit,
          cursor: Type.Optional(Type.String({ maxLength: 200 })),
        }),
        response: { 200: Page(TargetBody), ...errorResponses },
      },
    },
    async (req) => {
      const q = req.query;
      const after = decodeCursor<{ id: number }>(q.cursor, ['id']);
      const items = await listTargets(db, {
        kind: q.kind,
        competitorId: q.competitor_id,
        enabled: q.enabled,
        afterId: after?.id,
        limit: q.limit,
      });
      return { items, nextCursor: nextCursor(items, q.limit, (last) => ({ id: last.id })) };
    },
  );

  app.get(
    '/targets/:id',
    {
      schema: {
        summary: 'One target',
        tags: ['targets'],
        params: IdParams,
        response: { 200: TargetBody, ...errorResponses },
      },
    },
    async (req) => {
      const t = await getTarget(db, req.params.id);
      if (!t) throw notFound('target', req.params.id);
      return t;
    },
  );

  app.post(
    '/targets',
    {
      schema: {
        summary: 'Add a target (its URL must be public: private and metadata addresses are refused)',
        tags: ['targets'],
        body: Type.Object(
          {
            kind: Kind,
            url: Url,
            label: Type.Optional(Type.String({ maxLength: 200 })),
            competitorId: Type.Optional(Type.Integer({ minimum: 1 })),
            options: Type.Optional(Options),
            intervalSeconds: Type.Optional(Interval),
            enabled: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 201: TargetBody, 409: ErrorBody, ...errorResponses },
      },
    },
    async (req, reply) => {
      await app.deps.checkUrl(req.body.url);
      const { target, created, schedulePending } = await upsertTarget(db, req.body);
      if (!created) {
        // Often a client retrying a creation whose answer was lost (the database went down as it answered): the
        // schedule may never have been written.
        if (schedulePending) await scheduleTargets(db, queue.scheduler, [target]);
        throw new ApiError(
          409,
          'TARGET_EXISTS',
          `a ${target.kind} target for this url exists (id ${target.id})`,
        );
      }
      await scheduleTargets(db, queue.scheduler, [target]);
      return reply.code(201).send(target);
    },
  );

  app.patch(
    '/targets/:id',
    {
      schema: {
        summary: 'Change a target',
        tags: ['targets'],
        params: IdParams,
        body: Type.Object(
          {
            url: Type.Optional(Url),
            label: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
            options: Type.Optional(Options),
            intervalSeconds: Type.Optional(Interval),
            enabled: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: TargetBody, ...errorResponses },
      },
    },
    async (req) => {
      if (req.body.url) await app.deps.checkUrl(req.body.url);
      const t = await updateTarget(db, req.params.id, req.body);
      if (!t) throw notFound('target', req.params.id);
      await scheduleTargets(db, queue.scheduler, [t]);
      return t;
    },
  );

  app.delete(
    '/targets/:id',
    {
      schema: {
        summary: 'Remove a target and its schedule',
        tags: ['targets'],
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      if (!(await deleteTarget(db, req.params.id))) throw notFound('target', req.params.id);
      await queue.scheduler.remove(req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/targets/:id/crawl',
    {
      schema: {
        summary: 'Crawl a target now',
        tags: ['targets'],
        params: IdParams,
        response: { 202: Type.Object({ queued: Type.Boolean() }), ...errorResponses },
      },
    },
    async (req, reply) => {
      const t = await getTarget(db, req.params.id);
      if (!t) throw notFound('target', req.params.id);
      await queue.enqueue('crawl-target', { targetId: t.id });
      return reply.code(202).send({ queued: true });
    },
  );

  app.get(
    '/targets/:id/runs',
    {
      schema: {
        summary: 'Crawl runs of a target, newest first, with their outcome and reason',
        tags: ['targets'],
        params: IdParams,
        querystring: Type.Object({ limit: Limit, cursor: Type.Optional(Type.String({ maxLength: 200 })) }),
        response: { 200: Page(CrawlRunBody), ...errorResponses },
      },
    },
    async (req) => {
      const t = await getTarget(db, req.params.id);
      if (!t) throw notFound('target', req.params.id);
      const before = decodeCursor<{ id: number }>(req.query.cursor, ['id']);
      const items = await listCrawlRuns(db, t.id, { beforeId: before?.id, limit: req.query.limit });
      return {
        items,
        nextCursor: nextCursor(items, req.query.limit, (last) => ({ id: last.id })),
      };
    },
  );
}
