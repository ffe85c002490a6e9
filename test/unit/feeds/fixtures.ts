import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FeedContext, type FeedResult, parseFeed } from '../../../crawlers/feeds/index.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/feeds');

/** Raw bytes of a fixture under test/fixtures/feeds. */
export function fixture(name: string): Buffer {
  return readFileSync(join(dir, name));
}

/** Parses and asserts success, so tests can read fields without narrowing each time. */
export function parseOk(body: Buffer | string, ctx?: FeedContext): Extract<FeedResult, { ok: true }> {
  const result = parseFeed(body, ctx);
  if (!result.ok) throw new Error(`expected a feed, got error: ${result.error}`);
  return result;
}
