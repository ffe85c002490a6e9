/**
 * `buildApp(deps)`: the Fastify application, never listening. `api/server.ts` listens; tests `inject`.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyError, type FastifyInstance, LogController } from 'fastify';
import type { Config } from '../config.ts';
import { type Db, isDatabaseUnavailable, withQueryTimeout } from '../db/index.ts';
import type { JobQueue } from '../jobs/index.ts';
import type { Logger } from '../logger.ts';
import { authPlugin, SECURITY, SECURITY_SCHEMES } from './auth.ts';
import { ApiError } from './errors.ts';
import { inputGuard } from './input-guard.ts';
import { alertRoutes } from './routes/alerts.ts';
import { apiKeyRoutes, sessionRoutes } from './routes/api-keys.ts';
import { channelRoutes } from './routes/channels.ts';
import { deadLetterRoutes } from './routes/dead-letters.ts';
import { deliveryRoutes } from './routes/deliveries.ts';
import { healthRoutes } from './routes/health.ts';
import { marketRoutes } from './routes/market.ts';
import { pageRoutes } from './routes/pages.ts';
import { fxRoutes, priceRoutes } from './routes/prices.ts';
import { ruleRoutes } from './routes/rules.ts';
import { targetRoutes } from './routes/targets.ts';
import { voicesRoutes } from './routes/voices.ts';

export interface AppDeps {
  config: Config;
  db: Db;
  queue: Pick<JobQueue, 'enqueue' | 'scheduler' | 'health' | 'mode'>;
  log: Logger;
  /** Throws UrlNotAllowedError for a URL the crawler must never fetch (SSRF guard at registration). */
  checkUrl(url: string): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
  }
}

export type App = FastifyInstance<
  import('node:http').Server,
  import('node:http').IncomingMessage,
  import('node:http').ServerResponse,
  import('fastify').FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** Postgres/Redis unavailability shows as 503, never as a hang or a 500. */
function isUnavailable(err: unknown): boolean {
  return (err as { code?: string }).code === 'QUEUE_UNAVAILABLE' || isDatabaseUnavailable(err);
}

export async function buildApp(deps: AppDeps): Promise<App> {
  const app = Fastify({
    loggerInstance: deps.log,
    // Per-request lines would drown the log; errors are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    // Off unless TRUST_PROXY says which proxies to believe: X-Forwarded-For is otherwise ignored.
    trustProxy: deps.config.auth.trustProxy,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true, allErrors: false },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  // A hung database fails the request (503) after a bounded wait instead of holding it forever.
  app.decorate('deps', { ...deps, db: withQueryTimeout(deps.db, deps.log, deps.config.apiQueryTimeoutMs) });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof ApiError)
      return reply.code(err.statusCode).send({ error: err.code, message: err.message });
    const code = (err as { code?: string }).code;
    if (code === 'URL_NOT_ALLOWED') {
      return reply.code(400).send({ error: 'URL_NOT_ALLOWED', message: `body/url: ${err.message}` });
    }
    if (code === 'dns') {
      return reply.code(400).send({ error: 'URL_NOT_RESOLVABLE', message: `body/url: ${err.message}` });
    }
    if (err.validation) {
      // Ajv's "must NOT have additional properties" does not say which one; the message should.
      const extra = (err.validation[0]?.params as { additionalProperty?: unknown } | undefined)
        ?.additionalProperty;
      const message = typeof extra === 'string' ? `${err.message}: '${extra.slice(0, 100)}'` : err.message;
      return reply.code(400).send({ error: 'VALIDATION_FAILED', message });
    }
    // Postgres data exceptions (class 22: out of range, malformed, NUL) are the caller's input, not our fault.
    if (typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code)) {
      return reply
        .code(400)
        .send({ error: 'INVALID_VALUE', message: `a request value was refused: ${err.message}` });
    }
    if (isUnavailable(err)) {
      req.log.warn({ code, err: err.message }, 'backing service unavailable: answered 503');
      return reply
        .code(503)
        .send({ error: 'SERVICE_UNAVAILABLE', message: 'a backing service is unavailable; retry later' });
    }
    if (err.statusCode && err.statusCode < 500) {
      return reply.code(err.statusCode).send({ error: err.code ?? 'BAD_REQUEST', message: err.message });
    }
    req.log.error({ err }, 'request failed');
    return reply.code(500).send({ error: 'INTERNAL', message: 'internal error' });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` }),
  );

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Market Radar API',
        version: '0.1.0',
        description: 'Competitor prices, launches, promotions, mentions, trends and alerts.',
      },
      components: { securitySchemes: SECURITY_SCHEMES },
      security: SECURITY,
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  // Before every route: keys, roles and rate limits apply to the routes registered after them.
  await app.register(authPlugin);
  await app.register(inputGuard);

  await app.register(healthRoutes);
  await app.register(targetRoutes, { prefix: '/api' });
  await app.register(priceRoutes, { prefix: '/api' });
  await app.register(fxRoutes, { prefix: '/api' });
  await app.register(alertRoutes, { prefix: '/api' });
  await app.register(ruleRoutes, { prefix: '/api' });
  await app.register(channelRoutes, { prefix: '/api' });
  await app.register(deliveryRoutes, { prefix: '/api' });
  await app.register(deadLetterRoutes, { prefix: '/api' });
  await app.register(marketRoutes, { prefix: '/api' });
  await app.register(voicesRoutes, { prefix: '/api' });
  await app.register(apiKeyRoutes, { prefix: '/api' });
  await app.register(sessionRoutes);
  await app.register(pageRoutes);
  return app as unknown as App;
}
