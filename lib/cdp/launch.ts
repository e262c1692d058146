/**
 * The managed browser: a Chromium that cdpd launches with its own profile under the
 * runtime dir and closes when its daemon exits, however the daemon exits: a watchdog
 * process holds a pipe from the daemon, and when that pipe closes (the daemon ended, even
 * by SIGKILL) it ends the browser.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CdpdError } from '../protocol/errors.js';
import type { PlatformEnv } from '../runtime/paths.js';
import { hasExited, waitForExit } from '../runtime/process.js';
import { parsePortFile, tcpProbe } from './discover.js';
import { findChrome } from './find-chrome.js';

export { findChrome };

/** The flags of a managed launch. */
export function launchArgs(profile: string, headed: boolean, isRoot: boolean): string[] {
  const args = [
    `--user-data-dir=${profile}`,
    '--remote-debugging-port=0',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-default-apps',
  ];
  if (!headed) args.push('--headless', '--disable-gpu', '--hide-scrollbars', '--mute-audio');
  if (isRoot) args.push('--no-sandbox');
  args.push('about:blank');
  return args;
}

/** A browser cdpd launched. */
export interface ManagedBrowser {
  wsUrl: string;
  /** The browser's pid, when known (a launch, or an adopted browser's profile lock). */
  pid: number | undefined;
  /** The child, when this process launched it (not when an orphan was adopted). */
  child: ChildProcess | undefined;
  /** Ends the browser and waits for it to exit (SIGKILL after 3 s). */
  close(): Promise<void>;
}

/** How long a browser gets to exit on SIGTERM before SIGKILL. */
const GRACE_MS = 3000;

/**
 * The watchdog: `sh` blocked on a read of a pipe only this process writes to. The read
 * ends when the pipe closes, which the kernel does when this process ends for any reason;
 * then it sends the browser SIGTERM, and SIGKILL if it is still there after the grace.
 * It runs in its own process group, so a signal to the daemon's group spares it.
 */
const WATCHDOG = 'read -r _; kill -TERM "$1" 2>/dev/null || exit 0; i=0; ' +
  'while kill -0 "$1" 2>/dev/null; do i=$((i+1)); if [ "$i" -ge 30 ]; then kill -KILL "$1" 2>/dev/null; exit 0; fi; sleep 0.1; done';

/** Starts a watchdog for `pid`; returns how to stand it down (before closing the browser ourselves). */
function watchdog(pid: number): () => void {
  if (process.platform === 'win32') return () => {};
  const dog = spawn('/bin/sh', ['-c', WATCHDOG, 'cdpd-watchdog', String(pid)], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  dog.once('error', () => {});
  dog.unref();
  (dog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return () => {
    dog.kill('SIGKILL');
  };
}

/** The pid in a Chromium profile's SingletonLock (a symlink to `<host>-<pid>`), if it runs. */
function lockPid(profile: string): number | undefined {
  try {
    const pid = Number(/-(\d+)$/.exec(readlinkSync(join(profile, 'SingletonLock')))?.[1]);
    return Number.isSafeInteger(pid) && pid > 0 && !hasExited(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** SIGTERM, a grace, SIGKILL: for a browser that is not our child. */
async function endProcess(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  if (!(await waitForExit(pid, GRACE_MS, 25))) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
    await waitForExit(pid, 1000, 25);
  }
}

/**
 * Starts Chromium on a managed profile for a daemon about to start to take over
 * (`launchManaged`'s `launched`): the CLI starts it, so it boots while the daemon's node
 * starts. Its own process group; its stderr to `stderrFd` (the daemon's log). Undefined
 * when there is nothing to start: a browser already runs on the profile (the daemon adopts
 * it), or none is installed (the daemon says so).
 */
export function spawnBrowser(p: PlatformEnv, profile: string, headed: boolean, stderrFd: number): number | undefined {
  if (lockPid(profile) !== undefined) return undefined;
  let bin: string;
  try {
    bin = findChrome(p);
  } catch {
    return undefined;
  }
  mkdirSync(profile, { recursive: true, mode: 0o700 });
  rmSync(join(profile, 'DevToolsActivePort'), { force: true });
  const child = spawn(bin, launchArgs(profile, headed, process.getuid?.() === 0), { stdio: ['ignore', 'ignore', stderrFd], detached: true });
  child.once('error', () => {});
  child.unref();
  return child.pid;
}

/**
 * Launches Chromium with `profile`, or adopts the one still running there (a daemon that
 * was killed leaves its browser behind; reusing it beats failing on the profile lock), or
 * takes over the one the CLI started for it (`launched`, its pid).
 */
export async function launchManaged(
  p: PlatformEnv, profile: string, headed: boolean, timeoutMs: number, detached = false, launched?: number,
): Promise<ManagedBrowser> {
  const portFile = join(profile, 'DevToolsActivePort');
  if (launched !== undefined && !hasExited(launched)) return takeOver(launched, portFile, timeoutMs);
  const adopted = await livePortFile(portFile);
  if (adopted) {
    // A browser a killed daemon left behind (or another cdp's --no-daemon run): ours now,
    // so it closes with this daemon and is watched like one we launched.
    const pid = lockPid(profile);
    const standDown = pid !== undefined && !detached ? watchdog(pid) : () => {};
    return {
      wsUrl: adopted, pid, child: undefined,
      close: async () => {
        standDown();
        if (pid !== undefined) await endProcess(pid);
      },
    };
  }

  const bin = findChrome(p);
  mkdirSync(profile, { recursive: true, mode: 0o700 });
  rmSync(portFile, { force: true });
  const isRoot = process.getuid?.() === 0;
  // Detached (for --no-daemon) it outlives this process; its stderr cannot follow it.
  const child = spawn(bin, launchArgs(profile, headed, isRoot), { stdio: ['ignore', 'ignore', detached ? 'ignore' : 'pipe'], detached });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < 8192) stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.once('error', () => {});
  // Watched from the start: a daemon killed while the browser boots leaves nothing either.
  const standDown = detached || child.pid === undefined ? () => {} : watchdog(child.pid);

  const opened = await portOpened(portFile, timeoutMs, () => Promise.race([exited, sleep(10).then(() => undefined)]));
  if ('exited' in opened) {
    standDown();
    throw new CdpdError('BROWSER_UNREACHABLE', `${bin} exited (code ${opened.exited}) before it was ready: ${lastLines(stderr)}`);
  }
  if ('late' in opened) {
    standDown();
    child.kill('SIGKILL');
    throw new CdpdError('TIMEOUT', `${bin} did not open its debugging port within ${timeoutMs} ms (raise with CDP_LAUNCH_TIMEOUT)`);
  }
  child.stderr?.removeAllListeners('data').resume();
  // Detached (--no-daemon), it is meant to outlive us: the next run adopts it.
  if (detached) child.unref();
  return {
    wsUrl: opened.url,
    pid: child.pid,
    child,
    close: async () => {
      standDown();
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const gone = await Promise.race([exited.then(() => true), sleep(GRACE_MS).then(() => false)]);
      if (!gone) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** Waits for the browser the CLI started to open its port, watched from the start. */
async function takeOver(pid: number, portFile: string, timeoutMs: number): Promise<ManagedBrowser> {
  const standDown = watchdog(pid);
  const opened = await portOpened(portFile, timeoutMs, async () => (hasExited(pid) ? null : sleep(10).then(() => undefined)));
  if ('exited' in opened) {
    standDown();
    throw new CdpdError('BROWSER_UNREACHABLE', 'The browser exited before it was ready (its output is in this log, above)');
  }
  if ('late' in opened) {
    standDown();
    await endProcess(pid);
    throw new CdpdError('TIMEOUT', `The browser did not open its debugging port within ${timeoutMs} ms (raise with CDP_LAUNCH_TIMEOUT)`);
  }
  return {
    wsUrl: opened.url, pid, child: undefined,
    close: async () => {
      standDown();
      await endProcess(pid);
    },
  };
}

/**
 * Polls a starting browser's DevToolsActivePort until its port answers, the browser exits
 * (`exitedOrWait` gives its exit code, or undefined after a short wait), or `timeoutMs`
 * passes. Polled often: every ms here is a ms of `cdp open` on a cold start.
 */
async function portOpened(portFile: string, timeoutMs: number, exitedOrWait: () => Promise<number | null | undefined>):
  Promise<{ url: string } | { exited: number | null } | { late: true }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const url = await livePortFile(portFile);
    if (url) return { url };
    const code = await exitedOrWait();
    if (code !== undefined) return { exited: code };
    if (Date.now() > deadline) return { late: true };
  }
}

async function livePortFile(file: string): Promise<string | undefined> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  let parsed: { port: number; path: string };
  try {
    parsed = parsePortFile(text, file);
  } catch {
    return undefined; // half-written; try again
  }
  if (!(await tcpProbe('127.0.0.1', parsed.port, 300))) return undefined;
  return `ws://127.0.0.1:${parsed.port}${parsed.path}`;
}

function lastLines(text: string): string {
  const lines = text.trim().split('\n').filter((l) => !/dbus|Fontconfig/i.test(l));
  return lines.slice(-3).join(' | ') || '(no output)';
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
