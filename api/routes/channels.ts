import { Type } from '@sinclair/typebox';
import {
  CHANNEL_KINDS,
  type Channel,
  type ChannelConfig,
  deleteChannel,
  getChannel,
  insertChannel,
  insertMessages,
  listChannels,
  unrouteChannel,
  updateChannel,
} from '../../db/index.ts';
import { generateWebhookSecret, isWebhookSecret, testMessage, urlHint } from '../../jobs/index.ts';
import type { App } from '../app.ts';
import { decodeCursor, nextCursor } from '../cursor.ts';
import { ApiError, badRequest, notFound } from '../errors.ts';
import { errorResponses, IdParams, Limit, NullableTimestamp, Page, Timestamp } from '../schemas.ts';

const Kind = Type.Union(CHANNEL_KINDS.map((k) => Type.Literal(k)));
const Url = Type.String({ minLength: 1, maxLength: 2048 });
const Secret = Type.String({ minLength: 10, maxLength: 200 });

/** What people see of a channel: never the URL (Slack's carries its token) nor a secret, only hints. */
const ChannelBody = Type.Object({
  id: Type.Integer(),
  kind: Kind,
  name: Type.String(),
  status: Type.String(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  lastErrorAt: NullableTimestamp,
  urlHint: Type.Union([Type.String(), Type.Null()]),
  /** Webhooks: how many secrets sign right now (2 during a rotation). */
  signingSecrets: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
const CreatedChannel = Type.Intersect([
  ChannelBody,
  Type.Object({
    secret: Type.Optional(Type.String({ description: 'Shown once: the generated signing secret' })),
  }),
]);

function view(c: Channel) {
  const now = Date.now();
  return {
    id: c.id,
    kind: c.kind,
    name: c.name,
    status: c.status,
    lastError: c.lastError,
    lastErrorAt: c.lastErrorAt,
    urlHint: urlHint(c.config.url),
    signingSecrets: (c.config.secrets ?? []).filter((s) => !s.expiresAt || Date.parse(s.expiresAt) > now)
      .length,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

export async function channelRoutes(app: App) {
  const { db, queue } = app.deps;

  /** Refuses private, metadata and malformed URLs (S1) with a 400 naming the field; DNS failures too. */
  async function checkChannelUrl(url: string) {
    try {
      await app.deps.checkUrl(url);
    } catch (err) {
      const e = err as { code?: string; message?: string };
      if (e.code === 'URL_NOT_ALLOWED') throw badRequest('URL_NOT_ALLOWED', `body/url: ${e.message}`);
      if (e.code === 'dns') throw badRequest('URL_NOT_RESOLVABLE', `body/url: ${e.message}`);
      throw err;
    }
  }

  app.get(
    '/channels',
    {
      schema: {
        summary: 'Alert channels (Slack incoming webhooks, signed webhooks, the log)',
        tags: ['alerts'],
        querystring: Type.Object({ limit: Limit, cursor: Type.Optional(Type.String({ maxLength: 200 })) }),
        response: { 200: Page(ChannelBody), ...errorResponses },
      },
    },
    async (req) => {
      const after = decodeCursor<{ id: number }>(req.query.cursor, ['id']);
      const items = (await listChannels(db, { afterId: after?.id, limit: req.query.limit })).map(view);
      return {
        items,
        nextCursor: nextCursor(items, req.query.limit, (last) => ({ id: last.id })),
      };
    },
  );

  app.get(
    '/channels/:id',
    {
      schema: {
        summary: 'One channel, with its status and the last error a receiver gave',
        tags: ['alerts'],
        params: IdParams,
        response: { 200: ChannelBody, ...errorResponses },
      },
    },
    async (req) => {
      const c = await getChannel(db, req.params.id);
      if (!c) throw notFound('channel', req.params.id);
      return view(c);
    },
  );

  app.post(
    '/channels',
    {
      schema: {
        summary:
          'Add a channel. Slack: an incoming-webhook URL. Webhook: a URL, signed per Standard Webhooks with a ' +
          '`whsec_` secret (generated and shown once unless given). URLs to private addresses are refused.',
        tags: ['alerts'],
        body: Type.Object(
          {
            kind: Kind,
            name: Type.String({ minLength: 1, maxLength: 200 }),
            url: Type.Optional(Url),
            secret: Type.Optional(Secret),
          },
          { additionalProperties: false },
        ),
        response: { 201: CreatedChannel, ...errorResponses },
      },
    },
    async (req, reply) => {
      const b = req.body;
      if (b.kind === 'log') {
        if (b.url || b.secret)
          throw badRequest('VALIDATION_FAILED', 'body/url: a log channel takes no url or secret');
      } else {
        if (!b.url) throw badRequest('VALIDATION_FAILED', `body/url is required for a ${b.kind} channel`);
        await checkChannelUrl(b.url);
      }
      if (b.secret && b.kind !== 'webhook')
        throw badRequest('VALIDATION_FAILED', 'body/secret applies to webhook channels only');
      if (b.secret && !isWebhookSecret(b.secret))
        throw badRequest(
          'VALIDATION_FAILED',
          'body/secret must be whsec_ followed by 24 to 64 bytes of base64',
        );
      const generated = b.kind === 'webhook' && !b.secret ? generateWebhookSecret() : undefined;
      const config: ChannelConfig = b.url ? { url: b.url } : {};
      if (b.kind === 'webhook') config.secrets = [{ secret: (b.secret ?? generated)!, expiresAt: null }];
      const c = await insertChannel(db, { kind: b.kind, name: b.name, config });
      return reply.code(201).send(generated ? { ...view(c), secret: generated } : view(c));
    },
  );

  app.patch(
    '/channels/:id',
    {
      schema: {
        summary: 'Rename, re-point, disable or re-enable a channel (re-enabling sends what was held)',
        tags: ['alerts'],
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            url: Type.Optional(Url),
            status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: ChannelBody, ...errorResponses },
      },
    },
    async (req) => {
      const c = await getChannel(db, req.params.id);
      if (!c) throw notFound('channel', req.params.id);
      if (req.body.url) {
        if (c.kind === 'log') throw badRequest('VALIDATION_FAILED', 'body/url: a log channel takes no url');
        await checkChannelUrl(req.body.url);
      }
      const updated = await updateChannel(db, c.id, {
        name: req.body.name,
        config: req.body.url ? { ...c.config, url: req.body.url } : undefined,
        status: req.body.status,
        error: req.body.status === 'disabled' ? 'disabled by a person' : undefined,
      });
      if (!updated) throw notFound('channel', req.params.id);
      if (updated.status === 'active') await queue.enqueue('deliver-alert', { channelId: c.id });
      return view(updated);
    },
  );

  app.post(
    '/channels/:id/rotate-secret',
    {
      schema: {
        summary: 'New signing secret (shown once); the old one keeps signing beside it during the overlap',
        tags: ['alerts'],
        params: IdParams,
        response: {
          200: Type.Object({ secret: Type.String(), oldSecretExpiresAt: Timestamp }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const c = await getChannel(db, req.params.id);
      if (!c) throw notFound('channel', req.params.id);
      if (c.kind !== 'webhook') throw new ApiError(400, 'NOT_A_WEBHOOK', `channel ${c.id} is not a webhook`);
      const now = Date.now();
      const expiresAt = new Date(now + app.deps.config.delivery.secretOverlapMs).toISOString();
      const live = (c.config.secrets ?? []).filter((s) => !s.expiresAt || Date.parse(s.expiresAt) > now);
      const secret = generateWebhookSecret();
      const secrets = [
        { secret, expiresAt: null },
        ...live.map((s) => ({ secret: s.secret, expiresAt: s.expiresAt ?? expiresAt })),
      ];
      await updateChannel(db, c.id, { config: { ...c.config, secrets } });
      return { secret, oldSecretExpiresAt: expiresAt };
    },
  );

  app.post(
    '/channels/:id/test',
    {
      schema: {
        summary: 'Send a test message; follow it in GET /api/deliveries?message_id=…',
        tags: ['alerts'],
        params: IdParams,
        response: { 202: Type.Object({ messageId: Type.String() }), ...errorResponses },
      },
    },
    async (req, reply) => {
      const c = await getChannel(db, req.params.id);
      if (!c) throw notFound('channel', req.params.id);
      const m = testMessage(c, app.deps.config.publicUrl);
      await insertMessages(db, [m]);
      await queue.enqueue('deliver-alert', { channelId: c.id });
      return reply.code(202).send({ messageId: m.messageId });
    },
  );

  app.delete(
    '/channels/:id',
    {
      schema: {
        summary: 'Remove a channel (and route no rule to it any more)',
        tags: ['alerts'],
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await unrouteChannel(db, req.params.id);
      if (!(await deleteChannel(db, req.params.id))) throw notFound('channel', req.params.id);
      return reply.code(204).send(null);
    },
  );
}
