/** One pino logger per process, created by the entry point and passed down. */
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

/** `destination`: where lines go (stdout by default; tests pass a memory stream to grep what was logged). */
export function createLogger(level: string, name = 'market-radar', destination?: DestinationStream): Logger {
  const options: import('pino').LoggerOptions = {
    name,
    level,
    redact: {
      // Secrets never reach logs: webhook URLs carry their token in the path.
      paths: [
        '*.url',
        '*.webhookUrl',
        '*.secret',
        '*.apiKey',
        'req.headers.authorization',
        'req.headers["x-api-key"]',
        // API keys and browser session tokens (api/auth.ts).
        'req.headers.cookie',
        'headers.authorization',
        'headers["x-api-key"]',
        'headers.cookie',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
