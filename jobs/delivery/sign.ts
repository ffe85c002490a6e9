import { createHmac, randomBytes } from 'node:crypto';
import type { ChannelSecret } from '../../db/index.ts';

const PREFIX = 'whsec_';

/** A fresh Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return PREFIX + randomBytes(32).toString('base64');
}

/** True when `s` is a `whsec_` secret whose base64 key is 24–64 bytes, as the spec recommends. */
export function isWebhookSecret(s: string): boolean {
  if (!s.startsWith(PREFIX)) return false;
  const b64 = s.slice(PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return false;
  const n = Buffer.from(b64, 'base64').length;
  return n >= 24 && n <= 64;
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` under one secret (Standard Webhooks, symmetric). */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
  const mac = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/** The secrets that sign now: the current one, plus old ones still inside their rotation overlap. */
export function signingSecrets(secrets: ChannelSecret[], now: number): string[] {
  return secrets.filter((s) => s.expiresAt === null || Date.parse(s.expiresAt) > now).map((s) => s.secret);
}

/**
 * The three Standard Webhooks headers. One signature per signing secret, space-separated, so receivers on
 * either side of a rotation verify.
 */
export function webhookHeaders(
  secrets: string[],
  id: string,
  timestampSeconds: number,
  body: string,
): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': secrets.map((s) => signWebhook(s, id, timestampSeconds, body)).join(' '),
  };
}
