/**
 * Chromium processes started by this test process (descendants of our pid), so other suites' browsers on a
 * shared machine do not count. `pgrep -f chromium` alone would see them.
 */
import { execFileSync } from 'node:child_process';

function descendantsMatching(pattern: RegExp): string[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] }));
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
  return rows
    .filter((r) => pattern.test(r.args) && ours(r.pid))
    .map((r) => `${r.pid} ${r.args.slice(0, 80)}`);
}

/** Our Chromium processes now (pid and command), to remember while the browser runs. */
export function ourChromiumProcesses(): string[] {
  return descendantsMatching(/chrom/i);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Which of `seen` (from `ourChromiumProcesses`) are still alive, or any new descendant, after waiting up to
 * `graceMs` for them to exit. Checking remembered pids catches orphans re-parented to init as well.
 */
export async function survivingChromium(seen: string[], graceMs = 5000): Promise<string[]> {
  const pids = seen.map((s) => Number(s.split(' ')[0]));
  const deadline = Date.now() + graceMs;
  for (;;) {
    const left = [...seen.filter((_, i) => alive(pids[i])), ...ourChromiumProcesses()];
    if (left.length === 0 || Date.now() > deadline) return [...new Set(left)];
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every chromium process on the machine (`pgrep -f chromium`), for the log. */
export function allChromiumProcesses(): string[] {
  try {
    return execFileSync('pgrep', ['-f', 'chromium'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}
