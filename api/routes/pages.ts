/**
 * The web report: HTML pages, their scripts and styles, and the uPlot bundle, served by the API process.
 * Pages are empty shells rendered in the browser from the JSON API. Everything this plugin answers carries a
 * strict CSP and `nosniff`; the hook is encapsulated here, so JSON routes are untouched.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { listCompetitors } from '../../db/index.ts';
import type { App } from '../app.ts';
import { type PageName, renderShell } from '../views/shell.ts';

export const REPORT_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));
const UPLOT_DIR = dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'));
const UPLOT_FILES = new Set(['/uPlot.iife.min.js', '/uPlot.min.css']);

/** ISO week, e.g. 2026-W07. */
const WEEK = '^[0-9]{4}-W(0[1-9]|[1-4][0-9]|5[0-3])$';

const shells = new Map<string, string>();
function shell(page: PageName, signedIn = false): string {
  const key = `${page}:${signedIn}`;
  let html = shells.get(key);
  if (!html) {
    html = renderShell(page, { signedIn });
    shells.set(key, html);
  }
  return html;
}

/** A browser session (opened at /login) can be ended from every page. */
const signedIn = (req: FastifyRequest) => req.principal?.kind === 'session';

export async function pageRoutes(app: App) {
  const { db } = app.deps;

  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('content-security-policy', REPORT_CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    return payload;
  });

  await app.register(fastifyStatic, {
    root: PUBLIC_DIR,
    prefix: '/assets/',
    index: false,
    list: false,
    dotfiles: 'deny',
    decorateReply: false,
    cacheControl: true,
    maxAge: 60_000,
  });
  // Served straight from node_modules: no copy to keep in sync, no CDN.
  await app.register(fastifyStatic, {
    root: UPLOT_DIR,
    prefix: '/assets/vendor/uplot/',
    index: false,
    list: false,
    decorateReply: false,
    allowedPath: (pathName) => UPLOT_FILES.has(pathName),
    maxAge: 3_600_000,
  });

  const hide = { hide: true } as const;
  const html = (page: PageName) => async (req: FastifyRequest, reply: FastifyReply) =>
    reply.type('text/html; charset=utf-8').send(shell(page, signedIn(req)));

  app.get('/', { schema: hide }, html('overview'));
  app.get(
    '/trends/:term',
    { schema: { ...hide, params: Type.Object({ term: Type.String({ minLength: 1, maxLength: 200 }) }) } },
    html('trend'),
  );
  app.get(
    '/report/weekly',
    {
      schema: { ...hide, querystring: Type.Object({ week: Type.Optional(Type.String({ pattern: WEEK })) }) },
    },
    html('weekly'),
  );
  app.get(
    '/competitors/:key',
    { schema: { ...hide, params: Type.Object({ key: Type.String({ minLength: 1, maxLength: 200 }) }) } },
    async (req, reply) => {
      const key = req.params.key.toLowerCase();
      const known = (await listCompetitors(db)).some((c) => c.key === key || c.name.toLowerCase() === key);
      reply.type('text/html; charset=utf-8');
      if (!known) reply.code(404);
      return shell(known ? 'competitor' : 'not-found', signedIn(req));
    },
  );
}
