/**
 * Memory of this test process and of the browser processes it started (its descendants whose command matches),
 * from one `ps` listing: a soak's "RSS stays flat" has to count Chromium, which lives outside Node's heap.
 * Resident sizes of several processes overlap (shared libraries and memory are counted in each), so the sum is
 * an upper bound that is only compared with itself over time.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface TreeMemory {
  /** RSS of this process, bytes. */
  selfRss: number;
  /** Sum of the RSS of our descendant processes matching the pattern, bytes. */
  childrenRss: number;
  /** Their pids. */
  childrenPids: number[];
  /** Their identities (pid and start time), to check later that none survived: pids are reused. */
  children: ProcessId[];
}

/** A process, told apart from a later one given the same pid by its start time (ticks since boot). */
export interface ProcessId {
  pid: number;
  start: string | null;
}

/** Field 22 of /proc/<pid>/stat (start time), or null when the process is gone or /proc is not there. */
function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** A process listed by `ps`. */
export interface ProcessRow {
  pid: number;
  ppid: number;
  rssKb: number;
  args: string;
}

/**
 * Our descendant processes (children, grandchildren, …) whose command matches `pattern`, from one `ps` listing, so
 * other suites' processes on a shared machine do not count.
 */
export function descendantsMatching(pattern: RegExp): ProcessRow[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,rss=,args='], { encoding: 'utf8', maxBuffer: 8 << 20 })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), rssKb: Number(m[3]), args: m[4] }));
  const parent = new Map(rows.map((r) => [r.pid, r.ppid]));
  const ours = (pid: number): boolean => {
    for (
      let p = parent.get(pid), hops = 0;
      p !== undefined && p > 1 && hops < 50;
      p = parent.get(p), hops++
    ) {
      if (p === process.pid) return true;
    }
    return false;
  };
  return rows.filter((r) => r.pid !== process.pid && pattern.test(r.args) && ours(r.pid));
}

/** One sample; `pattern` picks the descendants to count (Chromium by default). */
export function sampleTreeMemory(pattern: RegExp = /chrom/i): TreeMemory {
  const children = descendantsMatching(pattern);
  return {
    selfRss: process.memoryUsage().rss,
    childrenRss: children.reduce((sum, r) => sum + r.rssKb * 1024, 0),
    childrenPids: children.map((r) => r.pid),
    children: children.map((r) => ({ pid: r.pid, start: startTimeOf(r.pid) })),
  };
}

/**
 * True while this very process exists (a zombie, or an orphan re-parented to init, counts): same pid and same start
 * time, so a pid reused by an unrelated process later is not mistaken for a survivor.
 */
export function processAlive(p: ProcessId): boolean {
  try {
    process.kill(p.pid, 0);
  } catch {
    return false;
  }
  return p.start === null || startTimeOf(p.pid) === p.start;
}
