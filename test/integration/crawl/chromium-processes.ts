/**
 * Chromium processes started by this test process (descendants of our pid), so other suites' browsers on a
 * shared machine do not count. `pgrep -f chromium` alone would see them.
 */
import { execFileSync } from 'node:child_process';
import { descendantsMatching } from '../../support/process-memory.ts';

/** Our Chromium processes now (pid and command), to remember while the browser runs. */
export function ourChromiumProcesses(): string[] {
  return descendantsMatching(/chrom/i).map((r) => `${r.pid} ${r.args.slice(0, 80)}`);
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
