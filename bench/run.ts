/**
 * `npm run bench [-- --quick | --full] [--only a,b] [--set name=N ...] [--cpu-prof DIR] [--no-write]`
 *
 * Runs the performance benchmarks on this machine against 127.0.0.1 only (the demo market, local Postgres,
 * local Redis). Machines are shared and noisy, so every figure that has a goal is a RATIO against a baseline
 * measured in the same run. Writes `bench/results/latest.json` and `latest.md` (date, git sha, load average);
 * with `--only`, the other benchmarks' previous entries are kept, each with its own date and sha.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiLatency } from './api-latency.ts';
import { browserRss } from './browser-rss.ts';
import { crawlPipeline } from './crawl-pipeline.ts';
import { loadRun } from './load-run.ts';
import { mentionIngest } from './mention-ingest.ts';
import type { Benchmark, BenchOptions, BenchResult } from './support.ts';
import { trendsAtScale } from './trends-at-scale.ts';

// The load run first: its peak RSS is then not inflated by the 1M-mention replay of the trends benchmark.
const BENCHMARKS: Benchmark[] = [
  loadRun,
  crawlPipeline,
  browserRss,
  mentionIngest,
  trendsAtScale,
  apiLatency,
];
const here = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(here, 'results');

interface Entry extends BenchResult {
  name: string;
  goal: string;
  date: string;
  gitSha: string;
  mode: 'quick' | 'normal' | 'full';
  seconds: number;
  loadAverage: { start: number[]; end: number[] };
  error?: string;
}

interface ResultsFile {
  date: string;
  gitSha: string;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string };
  loadAverage: { start: number[]; end: number[] };
  benchmarks: Record<string, Entry>;
}

function parseArgs(argv: string[]) {
  const sizes: Record<string, number> = {};
  let only: string[] | null = null;
  let quick = false;
  let full = false;
  let cpuProfDir: string | null = null;
  let write = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') quick = true;
    else if (a === '--full') full = true;
    else if (a === '--only') only = argv[++i].split(',');
    else if (a === '--no-write') write = false;
    else if (a === '--cpu-prof') cpuProfDir = resolve(argv[++i] ?? 'bench/results/profiles');
    else if (a === '--set') {
      const [k, v] = (argv[++i] ?? '').split('=');
      if (!k || !Number.isFinite(Number(v))) throw new Error(`--set wants name=number, got ${argv[i]}`);
      sizes[k] = Number(v);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (quick && full) throw new Error('--quick and --full exclude each other');
  const names = BENCHMARKS.map((b) => b.name);
  for (const o of only ?? [])
    if (!names.includes(o)) throw new Error(`unknown benchmark ${o} (${names.join(', ')})`);
  return { sizes, only, quick, full, cpuProfDir, write };
}

function gitSha(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: here }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: here })
      .toString()
      .trim();
    return dirty ? `${sha}+dirty` : sha;
  } catch {
    return 'unknown';
  }
}

const load = () => loadavg().map((x) => Math.round(x * 100) / 100);

function markdown(file: ResultsFile): string {
  const lines = [
    '# Benchmarks (`npm run bench`)',
    '',
    `Last run ${file.date} at \`${file.gitSha}\` on ${file.machine.cpus} × ${file.machine.cpuModel}, Node ${file.machine.node}; load average ${file.loadAverage.start.join(' / ')} at start, ${file.loadAverage.end.join(' / ')} at end.`,
    'The machine is shared: absolute rates are noisy, the ratios against a baseline from the same run are the figures to read. Full figures: `latest.json`.',
    '',
  ];
  for (const e of Object.values(file.benchmarks)) {
    const verdict = e.error
      ? 'ERROR'
      : e.goalMet === null
        ? 'measured'
        : e.goalMet
          ? 'goal met'
          : 'goal NOT met';
    lines.push(
      `## ${e.name} — ${verdict}`,
      '',
      `*${e.goal}* (${e.mode}, ${e.date}, \`${e.gitSha}\`, load ${e.loadAverage.start[0]}→${e.loadAverage.end[0]}, ${Math.round(e.seconds)} s)`,
      '',
    );
    if (e.error) lines.push(`- error: ${e.error}`);
    for (const s of e.summary) lines.push(`- ${s}`);
    for (const n of e.notes ?? []) lines.push(`- note: ${n}`);
    lines.push('');
  }
  return lines.join('\n');
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const mode = args.quick ? 'quick' : args.full ? 'full' : 'normal';
  const opts: BenchOptions = {
    quick: args.quick,
    full: args.full,
    sizes: args.sizes,
    cpuProfDir: args.cpuProfDir,
    log: (line) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`),
  };
  const sha = gitSha();
  const startLoad = load();
  const entries: Record<string, Entry> = {};
  let failed = false;
  for (const b of BENCHMARKS) {
    if (args.only && !args.only.includes(b.name)) continue;
    opts.log(`── ${b.name}: ${b.goal}`);
    const entryLoad = load();
    const started = performance.now();
    let result: BenchResult;
    let error: string | undefined;
    try {
      result = await b.run(opts);
    } catch (err) {
      failed = true;
      error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      console.error(error);
      result = { figures: {}, goalMet: null, summary: [] };
    }
    entries[b.name] = {
      name: b.name,
      goal: b.goal,
      date: new Date().toISOString(),
      gitSha: sha,
      mode,
      seconds: Math.round((performance.now() - started) / 1000),
      loadAverage: { start: entryLoad, end: load() },
      ...result,
      ...(error ? { error: error.split('\n')[0] } : {}),
    };
    for (const s of result.summary) opts.log(`   ${s}`);
  }
  const previous: ResultsFile | null =
    args.only && existsSync(join(RESULTS, 'latest.json'))
      ? (JSON.parse(readFileSync(join(RESULTS, 'latest.json'), 'utf8')) as ResultsFile)
      : null;
  const file: ResultsFile = {
    date: new Date().toISOString(),
    gitSha: sha,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGb: Math.round(totalmem() / 1e9),
      node: process.version,
    },
    loadAverage: { start: startLoad, end: load() },
    benchmarks: Object.fromEntries(
      BENCHMARKS.map((b) => b.name)
        .map((n) => [n, entries[n] ?? previous?.benchmarks[n]] as const)
        .filter((e): e is readonly [string, Entry] => e[1] !== undefined),
    ),
  };
  if (args.write) {
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(join(RESULTS, 'latest.json'), `${JSON.stringify(file, null, 2)}\n`);
    writeFileSync(join(RESULTS, 'latest.md'), markdown(file));
    opts.log(`wrote ${join(RESULTS, 'latest.json')} and latest.md`);
  }
  // Benchmarks may leave sockets (crawlee, ioredis) behind; the run is over.
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(2);
});
