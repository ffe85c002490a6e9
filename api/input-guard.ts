/**
 * Text Postgres cannot store never reaches it: a NUL character (`\u0000`, refused by Postgres in text and jsonb)
 * or a lone UTF-16 surrogate (silently replaced on the way) in the body, query string or path parameters is a
 * 400 naming the field, before schema validation and before any handler. So is a number no column can hold.
 */
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { App } from './app.ts';
import { badRequest } from './errors.ts';

const MAX_DEPTH = 32;

/**
 * The path (`body/options/query`) of the first string holding a NUL or a lone surrogate, or of a number Postgres
 * cannot take, with why; or null.
 */
export function findUnstorableText(
  value: unknown,
  path: string,
  depth = 0,
): { path: string; why: string } | null {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return { path, why: 'must not contain NUL characters (\\u0000)' };
    if (!value.isWellFormed()) return { path, why: 'must be well-formed Unicode (no lone surrogates)' };
    return null;
  }
  if (typeof value === 'number') {
    // Ajv lets Infinity ("1e309") and 1e23 through as integers; Postgres then refuses them (a 500 otherwise).
    if (!Number.isFinite(value)) return { path, why: 'must be a finite number' };
    if (Number.isInteger(value) && !Number.isSafeInteger(value))
      return { path, why: 'must be an integer between -(2^53 - 1) and 2^53 - 1' };
    return null;
  }
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return null;
  for (const [k, v] of Object.entries(value)) {
    const inKey = findUnstorableText(k, path, depth + 1);
    if (inKey) return { path, why: `has a property name that ${inKey.why}` };
    const found = findUnstorableText(v, `${path}/${k}`, depth + 1);
    if (found) return found;
  }
  return null;
}

export const inputGuard = fp(
  async (app: App) => {
    const check = async (req: FastifyRequest) => {
      const found =
        findUnstorableText(req.params, 'params') ??
        findUnstorableText(req.query, 'querystring') ??
        findUnstorableText(req.body, 'body');
      if (found) throw badRequest('VALIDATION_FAILED', `${found.path} ${found.why}`);
    };
    // Before validation, so NUL is named as such; after it too, because coercion turns "1e309" into Infinity.
    app.addHook('preValidation', check);
    app.addHook('preHandler', check);
  },
  { name: 'market-radar-input-guard' },
);
