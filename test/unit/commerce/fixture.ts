import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/commerce');

/** Reads a saved page from test/fixtures/commerce. */
export function fixture(name: string): string {
  return readFileSync(join(dir, name), 'utf8');
}
