/**
 * Memory of this test process and of the browser processes it started (its descendants whose command matches),
 * from one `ps` listing: a soak's "RSS stays flat" has to count Chromium, which lives outside Node's heap.
 * Resident sizes of several processes overlap (shared libraries and memory are counted in each), so the sum is
 * an upper bound that is only compared with itself over time.
 */
import { execFileSync } from 'node:child_process';

export interface TreeMemory {
  /** RSS of this process, bytes. */
  selfRss: number;
  /** Sum of the RSS of our descendant processes matching the pattern, bytes. */
  childrenRss: number;
  /** Their pids (to check later that none survived). */
  childrenPids: number[];
}

/** One sample; `pattern` picks the descendants to count (Chromium by default). */
export function sampleTreeMemory(pattern: RegExp = /chrom/i): TreeMemory {
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
  const children = rows.filter((r) => r.pid !== process.pid && pattern.test(r.args) && ours(r.pid));
  return {
    selfRss: process.memoryUsage().rss,
    childrenRss: children.reduce((sum, r) => sum + r.rssKb * 1024, 0),
    childrenPids: children.map((r) => r.pid),
  };
}

/** True while a process with this pid exists (a zombie or an orphan re-parented to init counts). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
