/**
 * `tsx scripts/build-sentiment-vader-lexicon.ts`
 *
 * Copies the VADER lexicon (Hutto & Gilbert 2014; token, mean valence on −4..+4) out of the
 * `vader-sentiment` dev dependency into `analyzers/sentiment/vader-lexicon.json`, because analyzers may
 * not import dev dependencies at run time. Only the mean valence is kept (the raters' spread and raw
 * ratings are dropped). The licence notices live beside it in `vader-lexicon.LICENSE.txt`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const source = resolve(dirname(require.resolve('vader-sentiment/package.json')), 'vader_lexicon.txt');
const out = resolve(here, '../analyzers/sentiment/vader-lexicon.json');

const lexicon: Record<string, number> = {};
for (const line of readFileSync(source, 'utf8').split('\n')) {
  const [token, mean] = line.split('\t');
  const v = Number(mean);
  if (!token || token.includes(' ') || !Number.isFinite(v) || v === 0) continue;
  lexicon[token] = v;
}
writeFileSync(out, `${JSON.stringify(lexicon)}\n`);
console.log(`${Object.keys(lexicon).length} entries → ${out}`);
