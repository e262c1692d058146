/**
 * Connect or start: read the discovery file, check the pid, connect and authenticate; else
 * take the start lock (single flight), spawn the daemon detached with stderr to its log,
 * and wait for its discovery file or its exit, whose reason is read back from the log.
 */
import { closeSync, openSync, readdirSync, readFileSync, statSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { endpointId, findEndpoint, tcpProbe, type Endpoint, type FindOptions } from '../cdp/discover.js';
import { CdpdError, type ErrorCode, ERROR_CODES } from '../protocol/errors.js';
import { VERSION } from '../protocol/version.js';
import { LOG_MARKERS, PROTOCOL_VERSION, type DiscoveryFile } from '../protocol/wire.js';
import { ensurePrivateDir, pidAlive, readPrivate, removeQuietly } from '../runtime/files.js';
import { mark } from '../runtime/trace.js';
import { currentPlatform, daemonFiles, endpointKey, managedProfileDir, runtimeDir, type PlatformEnv } from '../runtime/paths.js';
import { hasExited } from '../runtime/process.js';
import { settings } from '../runtime/settings.js';
import type { Client } from './client.js';

/** What connect-or-start hands back: a daemon connection (authenticated, or pipelining its auth). */
export interface DaemonSession {
  call(cmd: string, params?: Record<string, unknown>): Promise<unknown>;
  close(): Promise<void>;
}

/** Opens and authenticates a connection to the daemon a discovery file describes. */
export type Opener<S extends DaemonSession> = (daemon: DiscoveryFile) => Promise<S>;

/** The full client (ws), loaded only when asked for: the one-shot CLI brings its own. */
export const openClient: Opener<Client> = async (d) => (await import('./client.js')).Client.open(d.port, d.token);


/** How to find (or start) the daemon. */
export interface StartOptions extends FindOptions {
  /** Progress notes for a person (e.g. the consent wait); the CLI prints them on stderr. */
  onNotice?: (message: string) => void;
  platform?: PlatformEnv;
}

type Files = ReturnType<typeof daemonFiles>;

/** Where a daemon for these options lives, without touching it. */
export async function locate(opts: StartOptions): Promise<{ endpoint: Endpoint; files: Files; dir: string }> {
  const platform = opts.platform ?? currentPlatform();
  const dir = runtimeDir(platform);
  const served = (id: string) => {
    const info = safeDiscovery(daemonFiles(dir, endpointKey(id)).discovery);
    return info !== undefined && pidAlive(info.pid);
  };
  const endpoint = await findEndpoint(opts, platform, tcpProbe, served);
  mark('browser endpoint found');
  return { endpoint, files: daemonFiles(dir, endpointKey(endpointId(endpoint))), dir };
}

/** Reads a trusted discovery file, or undefined when there is none. */
export function readDiscovery(path: string): DiscoveryFile | undefined {
  const text = readPrivate(path);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as DiscoveryFile;
  } catch {
    return undefined; // torn or foreign: treat as absent
  }
}

/** Connects to the live daemon at `files`, or returns undefined (cleaning up a dead one). */
export async function connectExisting<S extends DaemonSession = Client>(
  files: Files, open: Opener<S> = openClient as unknown as Opener<S>,
): Promise<S | undefined> {
  const info = readDiscovery(files.discovery);
  if (!info) return undefined;
  if (!pidAlive(info.pid)) {
    removeQuietly(files.discovery);
    return undefined;
  }
  // A daemon of another version (its discovery file says which): stop it and start our own.
  const ours = info.protocol === PROTOCOL_VERSION && info.version === VERSION;
  let client: S;
  try {
    client = await open(info);
  } catch (err) {
    if (!pidAlive(info.pid)) removeQuietly(files.discovery);
    if ((err as CdpdError).details?.errno === 'ECONNREFUSED') return undefined;
    throw err;
  }
  if (!ours) {
    await client.call('stop').catch(() => {});
    await client.close();
    await waitFor(() => !pidAlive(info.pid), 5000);
    return undefined;
  }
  return client;
}

/** Connects to the daemon for `opts`, starting one when none runs. */
export async function connectOrStart<S extends DaemonSession = Client>(
  opts: StartOptions = {}, open: Opener<S> = openClient as unknown as Opener<S>,
): Promise<S> {
  const { endpoint, files, dir } = await locate(opts);
  ensurePrivateDir(dir);
  for (let attempt = 0; attempt < 5; attempt++) {
    const existing = await connectExisting(files, open);
    if (existing) return existing;
    if (takeLock(files.lock)) {
      try {
        const raced = await connectExisting(files, open);
        if (raced) return raced;
        await spawnDaemon(endpoint, files, opts);
      } finally {
        removeQuietly(files.lock);
      }
    } else {
      await waitForOther(files, opts);
    }
  }
  throw new CdpdError('DAEMON_START_FAILED', `The daemon did not come up; see its log: ${files.log}`);
}

function takeLock(lock: string): boolean {
  try {
    const fd = openSync(lock, 'wx', 0o600);
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  // A lock whose holder died, or that is older than any start could take, is stale.
  try {
    const holder = Number(readFileSync(lock, 'utf8'));
    const age = Date.now() - statSync(lock).mtimeMs;
    if ((holder && !pidAlive(holder)) || age > 150_000) {
      removeQuietly(lock);
      return takeLock(lock);
    }
  } catch {
    // vanished meanwhile; the caller's loop tries again
  }
  return false;
}

/** Milliseconds to wait for a daemon to come up, not counting a consent wait. */
const startTimeout = settings.startTimeoutMs;
const consentTimeout = settings.consentTimeoutMs;

async function spawnDaemon(endpoint: Endpoint, files: Files, opts: StartOptions): Promise<void> {
  // Loaded here, not at the top: child_process costs start-up that a warm one-shot never needs.
  const { spawn } = await import('node:child_process');
  const entry = fileURLToPath(new URL('./daemon.mjs', import.meta.url));
  const logFd = openSync(files.log, 'w', 0o600);
  // A browser to launch starts here, while the daemon's node boots; the daemon takes it over.
  let browserPid: number | undefined;
  if (endpoint.kind === 'managed') {
    const { spawnBrowser } = await import('../cdp/launch.js');
    const platform = currentPlatform();
    browserPid = spawnBrowser(platform, managedProfileDir(runtimeDir(platform), endpoint.headed), endpoint.headed, logFd);
    mark('browser spawned');
  }
  const child = spawn(process.execPath, [entry, JSON.stringify(endpoint)], {
    detached: true,
    stdio: ['ignore', 'ignore', logFd],
    env: browserPid === undefined ? process.env : { ...process.env, CDPD_BROWSER_PID: String(browserPid) },
    windowsHide: true,
  });
  closeSync(logFd);
  mark('daemon spawned');
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  child.once('error', () => (exited = -1));
  try {
    await watchStart(files, opts, () => exited !== undefined, child.pid);
  } catch (err) {
    // A daemon that failed closed a browser it took over; one that died first could not.
    if (browserPid !== undefined && !hasExited(browserPid)) {
      try {
        process.kill(browserPid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    throw err;
  } finally {
    child.unref();
  }
}

async function waitForOther(files: Files, opts: StartOptions): Promise<void> {
  // Another client holds the start lock: wait until its daemon is ready or the lock goes.
  const lockGone = () => {
    try {
      statSync(files.lock);
      return false;
    } catch {
      return true;
    }
  };
  await watchStart(files, opts, lockGone, undefined);
}

async function watchStart(files: Files, opts: StartOptions, gaveUp: () => boolean, pid: number | undefined): Promise<void> {
  const started = Date.now();
  let consent = false;
  for (;;) {
    const info = safeDiscovery(files.discovery);
    if (info && (pid === undefined || info.pid === pid)) {
      mark('daemon ready');
      return;
    }
    const log = readLog(files.log);
    if (pid !== undefined && gaveUp()) throw startFailure(log, files.log);
    if (pid === undefined && gaveUp()) return;
    if (!consent && log.includes(LOG_MARKERS.consent)) {
      consent = true;
      opts.onNotice?.('waiting for Chrome to allow remote debugging: click Allow');
    }
    const limit = consent ? consentTimeout() + 10_000 : startTimeout();
    if (Date.now() - started > limit) {
      throw new CdpdError('DAEMON_START_FAILED',
        `The daemon was not ready after ${Math.round(limit / 1000)} s (raise with CDP_START_TIMEOUT); its log: ${files.log}`);
    }
    // Polled often: every ms here is a ms of the first command's answer.
    await sleep(10);
  }
}

function safeDiscovery(path: string): DiscoveryFile | undefined {
  try {
    return readDiscovery(path);
  } catch {
    return undefined;
  }
}

function readLog(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function startFailure(log: string, logPath: string): CdpdError {
  const fatal = log.split('\n').find((l) => l.startsWith(LOG_MARKERS.fatal));
  if (fatal) {
    const m = /^cdpd: fatal ([A-Z_]+): (.*)$/.exec(fatal);
    if (m && m[1]! in ERROR_CODES) return new CdpdError(m[1] as ErrorCode, m[2]!);
  }
  const tail = log.trim().split('\n').slice(-5).join('\n');
  return new CdpdError('DAEMON_START_FAILED', `The daemon exited during start-up. Its log (${logPath}) ends:\n${tail || '(empty)'}`);
}

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await sleep(20);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Every live daemon in the runtime dir, connected (dead ones are cleaned up). */
export async function connectAll(platform: PlatformEnv = currentPlatform()): Promise<Client[]> {
  const dir = runtimeDir(platform);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const clients: Client[] = [];
  for (const name of names) {
    const m = /^daemon-([0-9a-f]+)\.json$/.exec(name);
    if (!m) continue;
    const client = await connectExisting(daemonFiles(dir, m[1]!)).catch(() => undefined);
    if (client) clients.push(client);
  }
  return clients;
}
export { runtimeDir } from '../runtime/paths.js';
