/**
 * Runs the real CLI (dist/cli.js) as a subprocess with every state path in a temp dir,
 * and stops every daemon a spec started.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as assert from 'uvu/assert';

/** The built CLI. */
export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** What a CLI run printed and how it exited. */
export interface RunResult { stdout: string; stderr: string; code: number | null }

/** Options of one run. */
export interface RunOptions {
  env?: Record<string, string | undefined>; cwd?: string; input?: string; timeoutMs?: number;
  /** Another build's dist/cli.js. */
  cli?: string;
}

/** A CLI process left running. */
export interface Running {
  child: import('node:child_process').ChildProcess;
  lines: string[];
  stderr: string;
  exited: Promise<number | null>;
}

/** An isolated world: its own runtime dir and home, and the env that points at them. */
export class Sandbox {
  readonly root: string;
  readonly runtime: string;
  readonly home: string;
  env: Record<string, string | undefined>;

  constructor(env: Record<string, string | undefined> = {}) {
    this.root = mkdtempSync(join(tmpdir(), 'cdpd-spec-'));
    this.runtime = join(this.root, 'run');
    this.home = join(this.root, 'home');
    const base: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (k.startsWith('CDP_') || k === 'NODE_EXTRA_CA_CERTS' || k === 'XDG_RUNTIME_DIR' || k === 'XDG_CONFIG_HOME' || k === 'NODE_OPTIONS' || k === 'CHROME_PATH') continue;
      base[k] = v;
    }
    this.env = { ...base, HOME: this.home, CDP_RUNTIME_DIR: this.runtime, ...env };
  }

  /** Runs `cdp <args>`. */
  run(args: string[], opts: RunOptions = {}): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [opts.cli ?? CLI, ...args], {
        env: clean({ ...this.env, ...opts.env }),
        cwd: opts.cwd ?? this.root,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`cdp ${args.join(' ')} did not finish within ${opts.timeoutMs ?? 60_000} ms; stderr: ${stderr}`));
      }, opts.timeoutMs ?? 60_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ stdout, stderr, code });
      });
      child.stdin.end(opts.input ?? '');
    });
  }

  /** Starts `cdp <args>` and leaves it running (watch); its stdout is collected by line. */
  spawn(args: string[], opts: RunOptions = {}): Running {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: clean({ ...this.env, ...opts.env }),
      cwd: opts.cwd ?? this.root,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const run: Running = {
      child, lines: [], stderr: '',
      exited: new Promise((resolve) => child.on('close', (code) => resolve(code))),
    };
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      const parts = (partial + d).split('\n');
      partial = parts.pop()!;
      run.lines.push(...parts);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (run.stderr += d));
    return run;
  }

  /** Daemon pids named by discovery files right now. */
  daemonPids(): number[] {
    let names: string[] = [];
    try {
      names = readdirSync(this.runtime);
    } catch {
      return [];
    }
    return names.filter((n) => /^daemon-.*\.json$/.test(n)).flatMap((n) => {
      try {
        return [JSON.parse(readFileSync(join(this.runtime, n), 'utf8')).pid as number];
      } catch {
        return [];
      }
    });
  }

  /** Stops every daemon of this sandbox and removes its files. */
  async cleanup(): Promise<void> {
    for (const pid of this.daemonPids()) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // gone
      }
    }
    const deadline = Date.now() + 5000;
    while (this.daemonPids().some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const pid of this.daemonPids()) if (alive(pid)) process.kill(pid, 'SIGKILL');
    try {
      rmSync(this.root, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    } catch {
      // a managed browser's helpers may still write as they die; a temp dir left behind is harmless
    }
  }
}

/** True when the process exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function clean(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/** Resolves when `cond` holds, or rejects after `ms`. */
export async function until(cond: () => boolean | Promise<boolean>, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Pids of processes whose command line contains `needle` and whose env has `envPair`. */
export function processesWith(needle: string, envPair?: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (!cmd.includes(needle)) continue;
      if (envPair && !readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(envPair)) continue;
      out.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Live daemon processes of a sandbox. */
export function daemonProcesses(sb: Sandbox): number[] {
  return processesWith('dist/daemon.mjs', `CDP_RUNTIME_DIR=${sb.runtime}`);
}

/** A run that must succeed: nothing on stderr, exit 0. Its stdout. */
export function ok(r: RunResult, what: string): string {
  assert.is(r.stderr, '', `${what}: stderr`);
  assert.is(r.code, 0, `${what}: exit code (stdout ${r.stdout})`);
  return r.stdout;
}

/** Opens `url` in a new tab through `sb`'s daemon; the tab's prefix. */
export async function openTab(sb: Sandbox, url: string): Promise<string> {
  const out = ok(await sb.run(['open', url]), `open ${url}`);
  return /^Opened new tab: ([0-9A-F]+)/.exec(out)![1]!;
}
