/**
 * Whether a process has ended, for processes that are not our children: the daemon a
 * `cdp stop` asked to exit, the browser a daemon adopted.
 */
import { readFileSync } from 'node:fs';

/**
 * True once `pid` has exited. An exited process whose parent has not reaped it yet (a
 * zombie: what a detached daemon is until init gets to it) still answers signal 0, so on
 * Linux its state in /proc decides.
 */
export function hasExited(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  if (process.platform !== 'linux') return false;
  try {
    // "pid (comm) S ...": the state follows the last ')' (comm may hold one).
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'Z' || state === 'X';
  } catch {
    return true;
  }
}

/** Resolves true once `pid` has exited, or false after `timeoutMs`. */
export async function waitForExit(pid: number, timeoutMs: number, pollMs = 10): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!hasExited(pid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  return true;
}
