/**
 * API keys, browser sessions, roles and rate limits, as one plugin registered before every route.
 *
 * Each request goes through three steps:
 * 1. `onRequest` (app level): who is asking. A key (`Authorization: Bearer mr_…` or `x-api-key`), a session
 *    cookie minted by `/login` (read-only), or, in bootstrap, nobody at all (see `bootstrapOpen`).
 * 2. `onRequest` (route level, @fastify/rate-limit): one budget per key, or per client address without one.
 *    The address is the socket's unless TRUST_PROXY says otherwise, so a spoofed X-Forwarded-For changes nothing.
 * 3. `preParsing`: 401 for a missing, wrong, revoked or expired key; 403 for a role too low. Bodies are parsed
 *    only after this, so a caller without a key cannot make the server parse one.
 *
 * Roles: viewer reads (GET/HEAD); editor may also change things; admin may also manage keys (`/api/keys`) and dead letters.
 * `/health`, `/docs`, `/assets/*`, `/login` and `/logout` are open.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import rateLimit from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import {
  type ApiKey,
  type ApiKeyRole,
  anyApiKeyExists,
  findApiKeyCredential,
  findApiSessionKey,
  touchApiKey,
} from '../db/index.ts';
import type { App } from './app.ts';
import { ApiError } from './errors.ts';

/** Every key starts with this, so a leaked key is easy to recognise (and to grep for). */
export const KEY_PREFIX = 'mr_';
/** `mr_` + 12 hex (public lookup) + `_` + 43 base64url (32 random bytes). */
const KEY_PATTERN = /^mr_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
export const SESSION_COOKIE = 'market_radar_session';

const RANK: Record<ApiKeyRole, number> = { viewer: 0, editor: 1, admin: 2 };

/** Who is asking. `local`: nobody, allowed in bootstrap; `open`: AUTH=off. */
export interface Principal {
  kind: 'key' | 'session' | 'local' | 'open';
  keyId: number | null;
  role: ApiKeyRole;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    authFailure: ApiError | null;
  }
}

/** For the OpenAPI document: how a client authenticates. */
export const SECURITY_SCHEMES = {
  bearerKey: {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key (`mr_…`) as `Authorization: Bearer mr_…`. Roles: viewer < editor < admin.',
  },
  headerKey: {
    type: 'apiKey',
    in: 'header',
    name: 'x-api-key',
    description: 'The same API key, in x-api-key.',
  },
  session: {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description: 'Read-only browser session opened at /login with a key.',
  },
} as const;
export const SECURITY: Record<string, string[]>[] = [{ bearerKey: [] }, { headerKey: [] }, { session: [] }];

const sha256 = (...parts: (Buffer | string)[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** The stored digest of a key: sha256(salt ‖ key). Keys carry 256 random bits, so a fast hash is enough. */
export function keyDigest(salt: Buffer, key: string): Buffer {
  return sha256(salt, key);
}

/** A new key and what to store of it (never the key itself). */
export function generateApiKey(): { key: string; lookup: string; salt: Buffer; digest: Buffer } {
  const lookup = randomBytes(6).toString('hex');
  const key = `${KEY_PREFIX}${lookup}_${randomBytes(32).toString('base64url')}`;
  const salt = randomBytes(16);
  return { key, lookup, salt, digest: keyDigest(salt, key) };
}

/** A new browser session token and its stored digest. */
export function generateSessionToken(): { token: string; digest: Buffer } {
  const token = randomBytes(32).toString('base64url');
  return { token, digest: sessionDigest(token) };
}

export const sessionDigest = (token: string): Buffer => sha256('session:', token);

const unauthorized = (code: string, message: string) => new ApiError(401, code, message);
const DUMMY_SALT = randomBytes(16);
const DUMMY_DIGEST = randomBytes(32);

/**
 * Checks a presented key. Returns the key, or throws a 401 ApiError: API_KEY_INVALID (malformed or unknown),
 * API_KEY_REVOKED, API_KEY_EXPIRED. The digest comparison is constant-time, and an unknown lookup costs the same
 * hash as a known one.
 */
export async function verifyApiKey(
  db: App['deps']['db'],
  presented: string,
  now = new Date(),
): Promise<ApiKey> {
  const m = KEY_PATTERN.exec(presented);
  if (!m) throw unauthorized('API_KEY_INVALID', 'the API key is not valid');
  const row = await findApiKeyCredential(db, m[1]);
  const digest = keyDigest(row?.salt ?? DUMMY_SALT, presented);
  const expected = row?.digest ?? DUMMY_DIGEST;
  if (!row || expected.length !== digest.length || !timingSafeEqual(digest, expected)) {
    throw unauthorized('API_KEY_INVALID', 'the API key is not valid');
  }
  if (row.revokedAt) throw unauthorized('API_KEY_REVOKED', 'the API key has been revoked');
  if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) {
    throw unauthorized('API_KEY_EXPIRED', 'the API key has expired');
  }
  const { salt: _salt, digest: _digest, ...key } = row;
  return key;
}

/** Counters kept for at most this many keys and addresses; beyond it, the oldest windows are forgotten. */
const MAX_WINDOWS = 100_000;

/**
 * Fixed windows per key or address, in memory (one process). Replaces @fastify/rate-limit's LocalStore, which
 * hands every caller the same mutable counter: requests in flight together all read the latest count, so a
 * burst of 8 against a limit of 5 was answered with eight 429s instead of five 200s and three 429s.
 */
export class WindowStore {
  private readonly windows = new Map<string, { count: number; startMs: number }>();

  incr(
    key: string,
    cb: (err: Error | null, res?: { current: number; ttl: number }) => void,
    timeWindow = 60_000,
  ) {
    const now = Date.now();
    let w = this.windows.get(key);
    if (!w || w.startMs + timeWindow <= now) {
      // Re-inserted, so the map stays ordered by window start: expired windows are always at the front.
      this.windows.delete(key);
      w = { count: 0, startMs: now };
      this.windows.set(key, w);
      if (this.windows.size > MAX_WINDOWS) this.sweep(now, timeWindow);
    }
    w.count++;
    cb(null, { current: w.count, ttl: w.startMs + timeWindow - now });
  }

  child(): WindowStore {
    return new WindowStore();
  }

  private sweep(now: number, timeWindow: number) {
    for (const [key, w] of this.windows) {
      if (w.startMs + timeWindow > now && this.windows.size <= MAX_WINDOWS) break;
      this.windows.delete(key);
    }
  }
}

/** Reads one cookie from the Cookie header (no dependency needed for one name). */
export function readCookie(req: FastifyRequest, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

const LOOPBACK_NAMES = new Set(['localhost', '::1', '[::1]']);

/** True for 127.0.0.0/8, ::1, ::ffff:127.x and `localhost`. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (LOOPBACK_NAMES.has(h) || h.endsWith('.localhost')) return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

function hostnameOf(hostHeader: string | undefined): string {
  if (!hostHeader) return '';
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  return hostHeader.replace(/:\d+$/, '');
}

/**
 * A request from this machine, asked for by name: the socket peer is loopback (never a forwarded address), the
 * Host header names loopback (a DNS-rebinding page sends its own name), and no proxy forwarded it.
 */
function isLocalRequest(req: FastifyRequest): boolean {
  const h = req.headers;
  return (
    isLoopback(req.socket.remoteAddress ?? '') &&
    isLoopback(hostnameOf(h.host)) &&
    h['x-forwarded-for'] === undefined &&
    h.forwarded === undefined &&
    h['x-real-ip'] === undefined
  );
}

type Area = 'open' | 'protected' | 'unrouted';

function areaOf(route: string | undefined): Area {
  if (route === undefined) return 'unrouted';
  if (
    route === '/health' ||
    route === '/login' ||
    route === '/logout' ||
    route === '/docs' ||
    route.startsWith('/docs/') ||
    route.startsWith('/assets/')
  )
    return 'open';
  return 'protected';
}

/** The least role a request needs: admin for key management, editor for any change, viewer to read. */
function requiredRole(req: FastifyRequest): ApiKeyRole {
  const route = req.routeOptions.url ?? '';
  if (route === '/api/keys' || route.startsWith('/api/keys/')) return 'admin';
  // Job payloads and errors are operators' business, and a retry re-runs work.
  if (route === '/api/dead-letters' || route.startsWith('/api/dead-letters/')) return 'admin';
  return req.method === 'GET' || req.method === 'HEAD' ? 'viewer' : 'editor';
}

function presentedKey(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const m = /^Bearer[ ]+(\S+)[ ]*$/i.exec(auth);
    if (!m) throw unauthorized('API_KEY_INVALID', 'headers/authorization must be "Bearer mr_…"');
    return m[1];
  }
  const header = req.headers['x-api-key'];
  if (header === undefined) return undefined;
  if (typeof header !== 'string')
    throw unauthorized('API_KEY_INVALID', 'headers/x-api-key must be sent once');
  return header.trim();
}

/** Wants a page rather than JSON: a person's browser, sent to the login form instead of a bare 401. */
function wantsHtml(req: FastifyRequest): boolean {
  return (
    req.method === 'GET' &&
    !(req.routeOptions.url ?? '').startsWith('/api/') &&
    /text\/html/.test(req.headers.accept ?? '')
  );
}

export const authPlugin = fp(
  async (app: App) => {
    const { config, db, log } = app.deps;
    const { mode } = config.auth;
    const loopbackHost = isLoopback(config.host);
    let keysExist = false;

    if (mode === 'off' && !loopbackHost) {
      log.warn(
        { host: config.host },
        'AUTH=off on a non-loopback host: anyone who can reach it may change everything',
      );
    }

    /** Latches once a key exists: from then on, never open again (revoking every key does not reopen it). */
    async function anyKey(): Promise<boolean> {
      if (!keysExist) keysExist = await anyApiKeyExists(db);
      return keysExist;
    }

    /**
     * No key needed: in `auto` on a loopback host before the first key exists, for requests from this machine
     * (the newcomer's `npm start`). Otherwise (any host, `auto` or `required`), only creating that first key from
     * this machine, and only when no proxy is trusted (a proxy on this machine would make everyone local).
     */
    async function bootstrapOpen(req: FastifyRequest): Promise<boolean> {
      if (!isLocalRequest(req) || (await anyKey())) return false;
      if (mode === 'auto' && loopbackHost) return true;
      return (
        config.auth.trustProxy === false && req.method === 'POST' && req.routeOptions.url === '/api/keys'
      );
    }

    app.decorateRequest('principal', null);
    app.decorateRequest('authFailure', null);

    // Open routes say so in the OpenAPI document.
    app.addHook('onRoute', (route) => {
      if (areaOf(route.url) === 'open' && route.schema) route.schema = { ...route.schema, security: [] };
    });

    app.addHook('onRequest', async (req) => {
      if (mode === 'off') {
        req.principal = { kind: 'open', keyId: null, role: 'admin' };
        return;
      }
      // Unknown routes answer 404 without a database lookup; open ones need nobody.
      if (areaOf(req.routeOptions.url) !== 'protected') return;
      try {
        const presented = presentedKey(req);
        if (presented !== undefined) {
          const key = await verifyApiKey(db, presented);
          req.principal = { kind: 'key', keyId: key.id, role: key.role };
          return;
        }
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        req.authFailure = err;
        return;
      }
      const token = readCookie(req, SESSION_COOKIE);
      if (token) {
        const key = await findApiSessionKey(db, sessionDigest(token));
        // A session only reads, whatever the role of the key that opened it.
        if (key) {
          req.principal = { kind: 'session', keyId: key.id, role: 'viewer' };
          return;
        }
      }
      if (await bootstrapOpen(req)) req.principal = { kind: 'local', keyId: null, role: 'admin' };
    });

    if (config.auth.rateLimitPerMinute > 0) {
      await app.register(rateLimit, {
        global: true,
        store: WindowStore,
        max: config.auth.rateLimitPerMinute,
        timeWindow: 60_000,
        keyGenerator: (req) => (req.principal?.keyId != null ? `key:${req.principal.keyId}` : `ip:${req.ip}`),
        errorResponseBuilder: (_req, ctx) =>
          new ApiError(
            429,
            'RATE_LIMITED',
            `too many requests: at most ${ctx.max} a minute for this key or address; retry in ${ctx.after}`,
          ),
      });
    }

    app.addHook('preParsing', async (req: FastifyRequest, reply: FastifyReply) => {
      if (mode === 'off' || areaOf(req.routeOptions.url) !== 'protected') return;
      if (req.authFailure) {
        reply.header('www-authenticate', 'Bearer realm="market-radar", error="invalid_token"');
        throw req.authFailure;
      }
      const who = req.principal;
      if (!who) {
        if (wantsHtml(req)) {
          reply.redirect(`/login?next=${encodeURIComponent(req.url)}`, 303);
          return;
        }
        reply.header('www-authenticate', 'Bearer realm="market-radar"');
        throw unauthorized(
          'AUTH_REQUIRED',
          'an API key is required: send "Authorization: Bearer mr_…" or "x-api-key: mr_…"',
        );
      }
      const need = requiredRole(req);
      if (RANK[who.role] < RANK[need]) {
        throw new ApiError(
          403,
          'FORBIDDEN',
          `${who.kind === 'session' ? 'a browser session' : `a ${who.role} key`} cannot ${req.method} ${req.routeOptions.url}: it needs ${need}`,
        );
      }
      if (who.kind === 'key' && who.keyId !== null) await touchApiKey(db, who.keyId);
    });
  },
  { name: 'market-radar-auth' },
);
