import { Type } from '@sinclair/typebox';
import { ALERT_EVENT_TYPES, type DigestSchedule, validateRule } from '../../analyzers/index.ts';
import {
  deleteAlertRule,
  existingChannelIds,
  getAlertRule,
  insertAlertRule,
  listAlertRulesPage,
  type StoredAlertRule,
  updateAlertRule,
} from '../../db/index.ts';
import type { App } from '../app.ts';
import { decodeCursor, nextCursor } from '../cursor.ts';
import { badRequest, notFound } from '../errors.ts';
import { errorResponses, IdParams, Limit, Page, Timestamp } from '../schemas.ts';

const EventType = Type.Union(ALERT_EVENT_TYPES.map((t) => Type.Literal(t)));
const Mode = Type.Union([Type.Literal('immediate'), Type.Literal('digest')]);
const Digest = Type.Object(
  {
    every: Type.Union([Type.Literal('hourly'), Type.Literal('daily'), Type.Literal('weekly')]),
    at: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'Local time HH:MM' }),
    timeZone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA zone, e.g. Europe/Berlin' }),
    weekday: Type.Optional(Type.Integer({ minimum: 1, maximum: 7, description: '1 = Monday (weekly)' })),
  },
  { additionalProperties: false },
);
const Params = Type.Record(Type.String({ maxLength: 50 }), Type.Unknown(), { maxProperties: 10 });
const Scope = Type.Record(Type.String({ maxLength: 50 }), Type.Unknown(), { maxProperties: 10 });
const ChannelIds = Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 20, uniqueItems: true });
const Cooldown = Type.Integer({ minimum: 0, maximum: 30 * 86_400 });
const Name = Type.String({ minLength: 1, maxLength: 200 });

const RuleBody = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  eventType: Type.String(),
  params: Type.Record(Type.String(), Type.Unknown()),
  scope: Type.Record(Type.String(), Type.Unknown()),
  channelIds: Type.Array(Type.Integer()),
  mode: Mode,
  digest: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  cooldownSeconds: Type.Integer(),
  enabled: Type.Boolean(),
  createdAt: Timestamp,
});

/** Alert rules. No user templates: messages are built from fixed layouts, so there is nothing to inject (S7). */
export async function ruleRoutes(app: App) {
  const { db } = app.deps;

  async function check(r: {
    eventType: string;
    params?: Record<string, unknown>;
    scope?: Record<string, unknown>;
    mode?: string;
    digest?: DigestSchedule | null;
    channelIds?: number[];
  }) {
    const problem = validateRule(r);
    if (problem) throw badRequest('VALIDATION_FAILED', problem);
    if (r.channelIds?.length) {
      const found = new Set(await existingChannelIds(db, r.channelIds));
      const missing = r.channelIds.find((id) => !found.has(id));
      if (missing !== undefined)
        throw badRequest('CHANNEL_NOT_FOUND', `body/channelIds: channel ${missing} does not exist`);
    }
  }

  app.get(
    '/rules',
    {
      schema: {
        summary: 'Alert rules',
        tags: ['alerts'],
        querystring: Type.Object({
          event_type: Type.Optional(EventType),
          limit: Limit,
          cursor: Type.Optional(Type.String({ maxLength: 200 })),
        }),
        response: { 200: Page(RuleBody), ...errorResponses },
      },
    },
    async (req) => {
      const after = decodeCursor<{ id: number }>(req.query.cursor, ['id']);
      const items = await listAlertRulesPage(db, {
        afterId: after?.id,
        limit: req.query.limit,
        eventType: req.query.event_type,
      });
      return {
        items,
        nextCursor: nextCursor(items, req.query.limit, (last) => ({ id: last.id })),
      };
    },
  );

  app.get(
    '/rules/:id',
    {
      schema: {
        summary: 'One alert rule',
        tags: ['alerts'],
        params: IdParams,
        response: { 200: RuleBody, ...errorResponses },
      },
    },
    async (req) => {
      const r = await getAlertRule(db, req.params.id);
      if (!r) throw notFound('rule', req.params.id);
      return r;
    },
  );

  app.post(
    '/rules',
    {
      schema: {
        summary:
          'Add a rule: an event type with its thresholds (params), an optional scope (competitors, categories, ' +
          'subjects; entities for sentiment shifts, terms for trends), channels, and immediate or digest delivery',
        tags: ['alerts'],
        body: Type.Object(
          {
            name: Name,
            eventType: EventType,
            params: Type.Optional(Params),
            scope: Type.Optional(Scope),
            channelIds: Type.Optional(ChannelIds),
            mode: Type.Optional(Mode),
            digest: Type.Optional(Digest),
            cooldownSeconds: Type.Optional(Cooldown),
            enabled: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 201: RuleBody, ...errorResponses },
      },
    },
    async (req, reply) => {
      const b = req.body;
      await check(b);
      const created = await insertAlertRule(db, {
        name: b.name,
        eventType: b.eventType,
        params: b.params ?? {},
        scope: b.scope ?? {},
        channelIds: b.channelIds ?? [],
        mode: b.mode ?? 'immediate',
        digest: (b.digest as Record<string, unknown> | undefined) ?? null,
        cooldownSeconds: b.cooldownSeconds ?? 3600,
        enabled: b.enabled ?? true,
      });
      return reply.code(201).send((await getAlertRule(db, created.id)) as StoredAlertRule);
    },
  );

  app.patch(
    '/rules/:id',
    {
      schema: {
        summary: 'Change a rule',
        tags: ['alerts'],
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(Name),
            params: Type.Optional(Params),
            scope: Type.Optional(Scope),
            channelIds: Type.Optional(ChannelIds),
            mode: Type.Optional(Mode),
            digest: Type.Optional(Type.Union([Digest, Type.Null()])),
            cooldownSeconds: Type.Optional(Cooldown),
            enabled: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: RuleBody, ...errorResponses },
      },
    },
    async (req) => {
      const r = await getAlertRule(db, req.params.id);
      if (!r) throw notFound('rule', req.params.id);
      const b = req.body;
      const digest = b.digest === undefined ? (r.digest as DigestSchedule | null) : b.digest;
      await check({
        eventType: r.eventType,
        params: b.params ?? r.params,
        scope: b.scope ?? r.scope,
        mode: b.mode ?? r.mode,
        digest,
        channelIds: b.channelIds,
      });
      const updated = await updateAlertRule(db, r.id, {
        ...b,
        digest: b.digest === undefined ? undefined : (b.digest as Record<string, unknown> | null),
      });
      if (!updated) throw notFound('rule', req.params.id);
      return updated;
    },
  );

  app.delete(
    '/rules/:id',
    {
      schema: {
        summary: 'Remove a rule (its alerts go with it)',
        tags: ['alerts'],
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      if (!(await deleteAlertRule(db, req.params.id))) throw notFound('rule', req.params.id);
      return reply.code(204).send(null);
    },
  );
}
