/** One pino logger per process, created by the entry point and passed down. */
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

/** Keys whose value is a URL: a webhook URL carries its token in the path and query, so only the origin is kept. */
const URL_KEYS = new Set(['url', 'webhookUrl']);

/**
 * Secrets never reach logs, at the top level or one level down: webhook URLs (their token is in the path; the origin
 * is kept, so "which host" stays readable), signing secrets, API keys, and request credentials.
 */
const REDACT_PATHS = [
  ...['url', 'webhookUrl', 'secret', 'secrets', 'apiKey', 'token'].flatMap((k) => [k, `*.${k}`]),
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  // API keys and browser session tokens (api/auth.ts).
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers.cookie',
];

function censor(value: unknown, path: string[]): string {
  if (URL_KEYS.has(path[path.length - 1]) && typeof value === 'string') {
    try {
      const { origin } = new URL(value);
      if (origin !== 'null') return `${origin}/[redacted]`;
    } catch {
      // not an absolute URL: fall through
    }
  }
  return '[redacted]';
}

/** `destination`: where lines go (stdout by default; tests pass a memory stream to grep what was logged). */
export function createLogger(level: string, name = 'market-radar', destination?: DestinationStream): Logger {
  const options: import('pino').LoggerOptions = {
    name,
    level,
    redact: { paths: REDACT_PATHS, censor },
  };
  return destination ? pino(options, destination) : pino(options);
}
