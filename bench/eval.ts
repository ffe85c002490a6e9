/**
 * `npm run eval -- <corpus> [--data DIR] [--out FILE]`
 *
 * Measures our extractors and analyzers against a corpus laid out like `../shared/corpora/<corpus>`.
 * Each corpus has one module in `bench/eval/<corpus>.ts` exporting `evaluate(opts)`; it calls the same
 * functions the crawlers and jobs use, returns a JSON summary, and writes one JSON line per case to
 * `--out` when given. A missing corpus directory is a clean skip, not a failure.
 */
import { createWriteStream, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface EvalOptions {
  dataDir: string;
  /** Writes one JSON object per line; a no-op when --out was not given. */
  emit: (row: unknown) => void;
}
export type Evaluate = (opts: EvalOptions) => Promise<Record<string, unknown>>;

const CORPORA = ['prices', 'structured-products', 'feeds', 'articles', 'sentiment', 'trends'] as const;
const here = dirname(fileURLToPath(import.meta.url));

function parseArgs(argv: string[]) {
  const [corpus, ...rest] = argv;
  let data: string | undefined;
  let out: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--data') data = rest[++i];
    else if (rest[i] === '--out') out = rest[++i];
    else throw new Error(`unknown argument: ${rest[i]}`);
  }
  return { corpus, data, out };
}

async function main() {
  const { corpus, data, out } = parseArgs(process.argv.slice(2));
  if (!corpus || !(CORPORA as readonly string[]).includes(corpus)) {
    console.error(`usage: npm run eval -- <${CORPORA.join('|')}> [--data DIR] [--out FILE]`);
    process.exit(2);
  }
  const dataDir = resolve(data ?? resolve(here, '../../shared/corpora', corpus));
  if (!existsSync(dataDir)) {
    console.log(JSON.stringify({ corpus, skipped: true, reason: `no corpus at ${dataDir}` }));
    return;
  }
  const stream = out ? createWriteStream(out) : null;
  const emit = (row: unknown) => {
    stream?.write(`${JSON.stringify(row)}\n`);
  };
  const mod = (await import(`./eval/${corpus}.ts`)) as { evaluate: Evaluate };
  const summary = await mod.evaluate({ dataDir, emit });
  if (stream) await new Promise<void>((ok) => stream.end(ok));
  console.log(JSON.stringify({ corpus, ...summary }, null, 2));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
