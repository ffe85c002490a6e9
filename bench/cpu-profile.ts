/**
 * In-process V8 CPU profiling (node:inspector) around one phase of a benchmark, summarised by where the
 * self time went: our folders (`jobs`, `db`, `crawlers/…`) or the package under `node_modules`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Where a frame's code lives: `pkg:<name>`, `ours:<folder>`, `node:<module>`, or `(idle|gc|program)`. */
function bucketOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 14).split('/');
    return `pkg:${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  if (url.startsWith('node:')) return url;
  const m = /\/(crawlers|jobs|db|analyzers|api|demo|bench|test)\/(?:([^/]+)\/)?/.exec(url);
  if (m) return m[1] === 'crawlers' || m[1] === 'analyzers' ? `ours:${m[1]}/${m[2] ?? ''}` : `ours:${m[1]}`;
  return url.startsWith('file:') ? 'ours:other' : '(other)';
}

export interface ProfileSummary {
  file: string | null;
  totalMs: number;
  /** Share of sampled time per bucket, biggest first, and its milliseconds. */
  buckets: { bucket: string; pct: number; ms: number }[];
  /** Every bucket's milliseconds (for comparing two profiles). */
  msByBucket: Record<string, number>;
  /** Heaviest functions by self time. */
  functions: { fn: string; where: string; pct: number }[];
}

/** Profiles `fn`; writes the raw `.cpuprofile` to `dir` when given (open it in Chrome DevTools). */
export async function profile<T>(
  name: string,
  dir: string | null,
  fn: () => Promise<T>,
): Promise<{ result: T; summary: ProfileSummary }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 1000 });
  await session.post('Profiler.start');
  let result: T;
  let prof: Profile;
  try {
    result = await fn();
  } finally {
    prof = ((await session.post('Profiler.stop')) as { profile: Profile }).profile;
    session.disconnect();
  }
  let file: string | null = null;
  if (dir) {
    mkdirSync(dir, { recursive: true });
    file = join(dir, `${name}-${Date.now()}.cpuprofile`);
    writeFileSync(file, JSON.stringify(prof));
  }
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < prof.samples.length; i++)
    self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i] ?? 0));
  const total = [...self.values()].reduce((a, b) => a + b, 0) || 1;
  const buckets = new Map<string, number>();
  const fns = new Map<string, { where: string; t: number }>();
  for (const [id, t] of self) {
    const n = byId.get(id)!;
    const b = bucketOf(n.callFrame.url, n.callFrame.functionName);
    buckets.set(b, (buckets.get(b) ?? 0) + t);
    const key = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
    fns.set(key, { where: b, t: (fns.get(key)?.t ?? 0) + t });
  }
  const pct = (t: number) => Math.round((1000 * t) / total) / 10;
  return {
    result,
    summary: {
      file,
      totalMs: Math.round(total / 1000),
      buckets: [...buckets]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 14)
        .map(([bucket, t]) => ({ bucket, pct: pct(t), ms: Math.round(t / 1000) })),
      msByBucket: Object.fromEntries([...buckets].map(([b, t]) => [b, Math.round(t / 100) / 10])),
      functions: [...fns]
        .sort((a, b) => b[1].t - a[1].t)
        .slice(0, 12)
        .map(([fn, v]) => ({ fn, where: v.where, pct: pct(v.t) })),
    },
  };
}
