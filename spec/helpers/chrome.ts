/**
 * A real headless Chromium for specs, started with --remote-debugging-port=0 as a stand-in
 * for the user's live browser. Missing Chromium fails loudly: never skip to green.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The Chromium binary the specs use. */
export function chromePath(): string {
  const candidates = [process.env.CHROME_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  for (const c of candidates) {
    if (c && spawnSync('test', ['-x', c]).status === 0) return c;
  }
  throw new Error('Chromium is required for these specs and was not found. Install it: apt-get install -y chromium (or set CHROME_PATH).');
}

/** Quiet flags for a closed network. */
export const CHROME_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--no-default-browser-check',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic',
];

/** A running Chromium. */
export interface Chrome {
  portFile: string;
  port: number;
  wsUrl: string;
  profile: string;
  proc: ChildProcess;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts a Chromium (a fresh profile on port 0 unless told) and waits for its DevToolsActivePort. */
export async function startChrome(opts: { profile?: string; port?: number } = {}): Promise<Chrome> {
  const profile = opts.profile ?? mkdtempSync(join(tmpdir(), 'cdpd-chrome-'));
  const portFile = join(profile, 'DevToolsActivePort');
  rmSync(portFile, { force: true });
  const proc = spawn(chromePath(), [...CHROME_FLAGS, `--remote-debugging-port=${opts.port ?? 0}`, `--user-data-dir=${profile}`, 'about:blank'], {
    stdio: 'ignore',
  });
  const deadline = Date.now() + 20_000;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const chrome = (port: number, path: string): Chrome => ({
    portFile, port, wsUrl: `ws://127.0.0.1:${port}${path}`, profile, proc,
    async kill(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill(signal);
        await exited;
      }
      removeProfile(profile);
    },
  });
  for (;;) {
    try {
      if (opts.port) {
        // A fixed port: Chromium writes no DevToolsActivePort then; ask it directly.
        const res = await fetch(`http://127.0.0.1:${opts.port}/json/version`);
        const { webSocketDebuggerUrl } = (await res.json()) as { webSocketDebuggerUrl: string };
        return chrome(opts.port, new URL(webSocketDebuggerUrl).pathname);
      }
      const [port, path] = readFileSync(portFile, 'utf8').trim().split(/\r?\n/);
      if (port && path) return chrome(Number(port), path);
    } catch {
      // not yet up
    }
    if (proc.exitCode !== null) throw new Error(`Chromium exited with code ${proc.exitCode} before it was ready`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error('Chromium did not open its debugging port within 20 s');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Removes a profile dir; Chromium's helpers may still write as they die, so never throws. */
function removeProfile(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  } catch {
    // a temp dir left behind is harmless
  }
}

let shared: Promise<Chrome> | undefined;

/** One Chromium shared by the spec files of this run; killed when the process exits. */
export function sharedChrome(): Promise<Chrome> {
  if (!shared) {
    shared = startChrome();
    shared.then((c) => {
      // The shared browser must not keep the test process alive once the suites are done.
      c.proc.unref();
      process.once('exit', () => {
        c.proc.kill('SIGKILL');
        removeProfile(c.profile);
      });
    }, () => {});
  }
  return shared;
}
