/**
 * `/api/keys` (admin): create a key (its secret is shown once, then only a digest is kept), list keys, revoke
 * one. `/login` and `/logout`: a read-only browser session for the web report, held in an HttpOnly,
 * SameSite=Strict cookie whose token is stored hashed.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import {
  API_KEY_ROLES,
  type ApiKey,
  countActiveAdminKeys,
  deleteApiSession,
  getApiKey,
  insertApiKey,
  insertApiSession,
  listApiKeys,
  revokeApiKey,
} from '../../db/index.ts';
import type { App } from '../app.ts';
import {
  generateApiKey,
  generateSessionToken,
  KEY_PREFIX,
  readCookie,
  SESSION_COOKIE,
  sessionDigest,
  verifyApiKey,
} from '../auth.ts';
import { decodeCursor, nextCursor } from '../cursor.ts';
import { ApiError, badRequest, notFound } from '../errors.ts';
import {
  ErrorBody,
  errorResponses,
  IdParams,
  Limit,
  NullableTimestamp,
  Page,
  Timestamp,
} from '../schemas.ts';

const Role = Type.Union(API_KEY_ROLES.map((r) => Type.Literal(r)));

const KeyBody = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  role: Role,
  hint: Type.String({ description: 'The public start of the key, to tell keys apart; not a secret' }),
  status: Type.Union([Type.Literal('active'), Type.Literal('revoked'), Type.Literal('expired')]),
  createdAt: Timestamp,
  expiresAt: NullableTimestamp,
  revokedAt: NullableTimestamp,
  lastUsedAt: NullableTimestamp,
});
const CreatedKey = Type.Intersect([
  KeyBody,
  Type.Object({ key: Type.String({ description: 'Shown once: the key itself. Only a digest is stored.' }) }),
]);

function view(k: ApiKey, now = Date.now()) {
  const status = k.revokedAt
    ? ('revoked' as const)
    : k.expiresAt && new Date(k.expiresAt).getTime() <= now
      ? ('expired' as const)
      : ('active' as const);
  return {
    id: k.id,
    name: k.name,
    role: k.role,
    hint: `${KEY_PREFIX}${k.lookup}…`,
    status,
    createdAt: k.createdAt,
    expiresAt: k.expiresAt,
    revokedAt: k.revokedAt,
    lastUsedAt: k.lastUsedAt,
  };
}

const adminOnly = { 401: ErrorBody, 403: ErrorBody };

export async function apiKeyRoutes(app: App) {
  const { db } = app.deps;

  app.post(
    '/keys',
    {
      schema: {
        summary: 'Create an API key (admin). The key is in this response only; store it now.',
        tags: ['keys'],
        body: Type.Object(
          {
            role: Role,
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: CreatedKey, ...adminOnly, ...errorResponses },
      },
    },
    async (req, reply) => {
      let expiresAt: Date | null = null;
      if (req.body.expiresAt !== undefined) {
        expiresAt = new Date(req.body.expiresAt);
        if (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= Date.now()) {
          throw badRequest('VALIDATION_FAILED', 'body/expiresAt must be a date-time in the future');
        }
      }
      // Bootstrap: a first key that cannot manage keys would lock everyone out of key management.
      if (req.principal?.kind === 'local' && req.body.role !== 'admin') {
        throw badRequest('FIRST_KEY_MUST_BE_ADMIN', 'body/role: the first key must be an admin key');
      }
      const { key, lookup, salt, digest } = generateApiKey();
      const row = await insertApiKey(db, {
        name: req.body.name ?? `${req.body.role} key`,
        role: req.body.role,
        lookup,
        salt,
        digest,
        expiresAt,
      });
      req.log.info({ keyId: row.id, role: row.role }, 'API key created');
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({ ...view(row), key });
    },
  );

  app.get(
    '/keys',
    {
      schema: {
        summary: 'List API keys (admin); never their secrets',
        tags: ['keys'],
        querystring: Type.Object({ limit: Limit, cursor: Type.Optional(Type.String({ maxLength: 200 })) }),
        response: { 200: Page(KeyBody), ...adminOnly, ...errorResponses },
      },
    },
    async (req) => {
      const after = decodeCursor<{ id: number }>(req.query.cursor, ['id']);
      const items = await listApiKeys(db, { afterId: after?.id, limit: req.query.limit });
      return {
        items: items.map((k) => view(k)),
        nextCursor: nextCursor(items, req.query.limit, (last) => ({ id: last.id })),
      };
    },
  );

  app.delete(
    '/keys/:id',
    {
      schema: {
        summary: 'Revoke an API key (admin); its browser sessions end too',
        tags: ['keys'],
        params: IdParams,
        response: { 204: Type.Null(), 409: ErrorBody, ...adminOnly, ...errorResponses },
      },
    },
    async (req, reply) => {
      const id = req.params.id;
      const target = await getApiKey(db, id);
      if (!target) throw notFound('key', id);
      const lastAdmin =
        target.role === 'admin' &&
        view(target).status === 'active' &&
        (await countActiveAdminKeys(db, { except: id })) === 0;
      if (lastAdmin) {
        throw new ApiError(
          409,
          'LAST_ADMIN_KEY',
          `key ${id} is the last active admin key: create another admin key before revoking it`,
        );
      }
      await revokeApiKey(db, id);
      req.log.info({ keyId: id }, 'API key revoked');
      return reply.code(204).send(null);
    },
  );
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Only a path on this origin: `/x`, never `//host` or `/\host`. */
function safeNext(next: string | undefined): string {
  return next && /^\/(?![/\\])[^\s]*$/.test(next) && next.length <= 500 ? next : '/';
}

const LOGIN_CSP =
  "default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

function loginPage(next: string, error?: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Sign in · Market Radar</title>
    <link rel="stylesheet" href="/assets/css/app.css">
  </head>
  <body>
    <main class="login">
      <h1>Market Radar</h1>
      <p>Paste an API key to read the report in this browser. The session only reads; it ends when the key is revoked.</p>
      ${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
      <form method="post" action="/login">
        <label>API key <input name="key" type="password" autocomplete="off" required></label>
        <input type="hidden" name="next" value="${escapeHtml(next)}">
        <button type="submit">Sign in</button>
      </form>
    </main>
  </body>
</html>
`;
}

function sendPage(reply: FastifyReply, code: number, html: string) {
  return reply
    .code(code)
    .header('content-security-policy', LOGIN_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(html);
}

export async function sessionRoutes(app: App) {
  const { db, config } = app.deps;
  const secure = config.publicUrl.startsWith('https:') ? '; Secure' : '';

  // The login form posts urlencoded; only here (encapsulated), so the JSON API never accepts it.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 4096 },
    (_req, body, done) => {
      const form = new URLSearchParams(body as string);
      done(null, { key: form.get('key') ?? undefined, next: form.get('next') ?? undefined });
    },
  );

  app.get(
    '/login',
    {
      schema: {
        hide: true,
        querystring: Type.Object({ next: Type.Optional(Type.String({ maxLength: 500 })) }),
      },
    },
    async (req, reply) => sendPage(reply, 200, loginPage(safeNext(req.query.next))),
  );

  app.post(
    '/login',
    {
      schema: {
        summary: 'Open a read-only browser session with an API key (sets an HttpOnly cookie)',
        tags: ['keys'],
        body: Type.Object(
          {
            key: Type.String({ minLength: 1, maxLength: 200 }),
            next: Type.Optional(Type.String({ maxLength: 500 })),
          },
          { additionalProperties: false },
        ),
        response: { 303: Type.Null(), 401: ErrorBody, 400: ErrorBody },
      },
    },
    async (req, reply) => {
      const next = safeNext(req.body.next);
      const form = /x-www-form-urlencoded/.test(req.headers['content-type'] ?? '');
      let keyId: number;
      try {
        keyId = (await verifyApiKey(db, req.body.key.trim())).id;
      } catch (err) {
        if (!(err instanceof ApiError) || !form) throw err;
        return sendPage(reply, 401, loginPage(next, 'That key is not valid, revoked or expired.'));
      }
      const { token, digest } = generateSessionToken();
      const ttl = config.auth.sessionTtlSeconds;
      await insertApiSession(db, { keyId, digest, expiresAt: new Date(Date.now() + ttl * 1000) });
      reply.header(
        'set-cookie',
        `${SESSION_COOKIE}=${token}; Path=/; Max-Age=${ttl}; HttpOnly; SameSite=Strict${secure}`,
      );
      reply.header('cache-control', 'no-store');
      return reply.redirect(next, 303);
    },
  );

  app.get('/logout', { schema: { hide: true } }, async (req, reply) => {
    const token = readCookie(req, SESSION_COOKIE);
    if (token) await deleteApiSession(db, sessionDigest(token));
    reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict${secure}`);
    return reply.redirect('/login', 303);
  });
}
