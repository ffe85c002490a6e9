/**
 * `npm run lint` boundary check: which top-level folder may import which, through front doors only, and no
 * import cycles. Exits 1 with one line per violation.
 *
 *   crawlers, analyzers → nothing of ours (analyzers may not reach crawlers either)
 *   db                  → logger (types) only
 *   jobs                → crawlers, analyzers, db, config, logger
 *   api                 → db, jobs, config, logger, and the crawlers/analyzers front doors (URL checks, forecasts)
 * Another folder's code is reached only through its `index.ts`. The Postgres drivers (`pg`, PGlite) are db/'s
 * alone among the layers: the rest reach the database through db/'s functions.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const LAYERS = ['crawlers', 'analyzers', 'db', 'jobs', 'api'] as const;
type Layer = (typeof LAYERS)[number];
const ALLOWED: Record<Layer, string[]> = {
  crawlers: [],
  analyzers: [],
  db: ['logger.ts'],
  jobs: ['crawlers', 'analyzers', 'db', 'config.ts', 'logger.ts'],
  api: ['db', 'jobs', 'crawlers', 'analyzers', 'config.ts', 'logger.ts'],
};

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'node_modules' && name !== 'public') walk(p, out);
    } else if (/\.ts$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Packages only db/ may import (of the layers; tests and benches talk to Postgres directly where they must). */
const DB_DRIVERS = /^(pg|pg-[a-z-]+|@electric-sql\/[a-z-]+)$/;
const PACKAGE_IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s+['"]([^.'"][^'"]*)['"]|import\(\s*['"]([^.'"][^'"]*)['"]\s*\)/g;

const IMPORT =
  /(?:^|\n)\s*(import|export)\s(type\s)?[^'";]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

interface Dep {
  path: string;
  /** `import type`: erased at run time, so it cannot form a load-order cycle. */
  typeOnly: boolean;
}

function importsOf(file: string): Dep[] {
  const src = readFileSync(file, 'utf8');
  const out: Dep[] = [];
  for (const m of src.matchAll(IMPORT))
    out.push({ path: resolve(dirname(file), m[3] ?? m[4]), typeOnly: Boolean(m[2]) });
  return out;
}

const violations: string[] = [];
const graph = new Map<string, string[]>();
for (const layer of LAYERS) {
  for (const file of walk(join(root, layer))) {
    const deps = importsOf(file);
    graph.set(
      file,
      deps.filter((d) => !d.typeOnly).map((d) => d.path),
    );
    if (layer !== 'db') {
      for (const m of readFileSync(file, 'utf8').matchAll(PACKAGE_IMPORT)) {
        const pkg = m[1] ?? m[2];
        if (DB_DRIVERS.test(pkg))
          violations.push(`${relative(root, file)}: only db/ imports the database driver (${pkg})`);
      }
    }
    for (const { path: dep } of deps) {
      const rel = relative(root, dep);
      const top = rel.split('/')[0];
      if (top === layer) continue;
      const from = relative(root, file);
      if (!ALLOWED[layer].includes(top)) {
        violations.push(`${from}: ${layer}/ must not import ${rel}`);
      } else if ((LAYERS as readonly string[]).includes(top) && rel !== `${top}/index.ts`) {
        violations.push(`${from}: import ${top}/ through its front door (${top}/index.ts), not ${rel}`);
      }
    }
  }
}

// Run-time import cycles among our own modules.
const state = new Map<string, 'visiting' | 'done'>();
function visit(file: string, stack: string[]): void {
  if (state.get(file) === 'done') return;
  if (state.get(file) === 'visiting') {
    const cycle = stack
      .slice(stack.indexOf(file))
      .concat(file)
      .map((f) => relative(root, f));
    violations.push(`import cycle: ${cycle.join(' → ')}`);
    return;
  }
  state.set(file, 'visiting');
  for (const dep of graph.get(file) ?? []) if (graph.has(dep)) visit(dep, [...stack, file]);
  state.set(file, 'done');
}
for (const file of graph.keys()) visit(file, []);

if (violations.length) {
  console.error([...new Set(violations)].join('\n'));
  process.exit(1);
}
console.log(`boundaries ok: ${graph.size} files in ${LAYERS.join(', ')}`);
