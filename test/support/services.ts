/**
 * Which real services this machine offers tests. A suite that needs one and finds it missing says so loudly,
 * and under CI (CI=true) a missing service is a failure, never a silent skip.
 */
import { existsSync } from 'node:fs';
import { Socket } from 'node:net';

export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function reachable(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = new Socket();
    s.setTimeout(1000);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
    s.connect(Number(u.port || (u.protocol.startsWith('redis') ? 6379 : 5432)), u.hostname);
  });
}

/**
 * Returns true when the service is there. When it is not: warns loudly, and throws under CI so the run fails.
 */
export async function requireService(
  name: 'postgres' | 'redis' | 'chromium',
  suite: string,
): Promise<boolean> {
  const ok =
    name === 'postgres'
      ? await reachable(PG_URL)
      : name === 'redis'
        ? await reachable(REDIS_URL)
        : existsSync(CHROMIUM_PATH);
  if (ok) return true;
  const message = `SKIPPING ${suite}: ${name} is not available on this machine`;
  if (process.env.CI === 'true')
    throw new Error(`${message} — under CI this is a failure (.ci/run should have started it)`);
  console.warn(`\n${'!'.repeat(80)}\n${message}\n${'!'.repeat(80)}\n`);
  return false;
}
