/**
 * Where cdpd keeps its state: the runtime dir and the names of the files in it.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** What path decisions depend on, injectable for specs. */
export interface PlatformEnv {
  platform: NodeJS.Platform;
  home: string;
  env: Record<string, string | undefined>;
}

/** The platform env of this process. */
export function currentPlatform(): PlatformEnv {
  return { platform: process.platform, home: homedir(), env: process.env };
}

/**
 * The runtime dir: `$CDP_RUNTIME_DIR`, else `$XDG_RUNTIME_DIR/cdp`, else `~/.cache/cdp`
 * (`%LOCALAPPDATA%\cdp` on Windows).
 */
export function runtimeDir(p: PlatformEnv = currentPlatform()): string {
  const { env } = p;
  if (env.CDP_RUNTIME_DIR) return env.CDP_RUNTIME_DIR;
  if (p.platform === 'win32') return join(env.LOCALAPPDATA || join(p.home, 'AppData', 'Local'), 'cdp');
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'cdp');
  return join(p.home, '.cache', 'cdp');
}

/**
 * A short stable key for a browser endpoint: names its daemon's files. FNV-1a (48 bits):
 * a name, not a secret, and computed without loading node:crypto on the one-shot path.
 */
export function endpointKey(endpoint: string): string {
  let h = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(endpoint, 'utf8')) h = BigInt.asUintN(64, (h ^ BigInt(byte)) * 0x100000001b3n);
  return (h & 0xffffffffffffn).toString(16).padStart(12, '0');
}

/** The files of the daemon for one endpoint key. */
export function daemonFiles(dir: string, key: string) {
  return {
    discovery: join(dir, `daemon-${key}.json`),
    log: join(dir, `daemon-${key}.log`),
    lock: join(dir, `daemon-${key}.lock`),
  };
}

/** The profile dir of a managed browser. */
export function managedProfileDir(dir: string, headed: boolean): string {
  return join(dir, headed ? 'profile-headed' : 'profile');
}

/** A positive number from the environment (a timeout in ms, a size), or the fallback. */
export function envNumber(name: string, fallback: number, env: Record<string, string | undefined> = process.env): number {
  const n = Number(env[name]);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}
