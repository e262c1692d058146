/**
 * Finding the browser, first match wins: --browser-url/CDP_URL, CDP_PORT_FILE,
 * DevToolsActivePort in the known profile folders (newest first, stale ones skipped),
 * CDP_PORT, and else a managed Chromium that the daemon launches.
 */
import { readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { CdpdError } from '../protocol/errors.js';
import type { PlatformEnv } from '../runtime/paths.js';

/** A browser endpoint as the client found it; the daemon turns it into a connection. */
export type Endpoint =
  | { kind: 'ws'; url: string; source: string }
  | { kind: 'http'; url: string; source: string }
  | { kind: 'managed'; headed: boolean; source: 'launch' };

/** What a user may say about which browser to use. */
export interface FindOptions {
  browserUrl?: string | undefined;
  noLaunch?: boolean | undefined;
  headed?: boolean | undefined;
}

/** The identity of an endpoint: one daemon serves each. */
export function endpointId(e: Endpoint): string {
  return e.kind === 'managed' ? (e.headed ? 'managed:headed' : 'managed') : e.url;
}

const MAC_DIRS = [
  'Google/Chrome', 'Google/Chrome Beta', 'Google/Chrome Canary', 'Google/Chrome for Testing',
  'Chromium', 'BraveSoftware/Brave-Browser', 'Microsoft Edge', 'Microsoft Edge Beta', 'Vivaldi',
  'net.imput.helium',
];
const LINUX_DIRS = [
  'google-chrome', 'google-chrome-beta', 'google-chrome-unstable', 'google-chrome-for-testing',
  'chromium', 'BraveSoftware/Brave-Browser', 'microsoft-edge', 'microsoft-edge-beta', 'vivaldi',
  'vivaldi-snapshot', 'net.imput.helium',
];
const FLATPAK_APPS: Array<[string, string]> = [
  ['org.chromium.Chromium', 'chromium'],
  ['com.google.Chrome', 'google-chrome'],
  ['com.google.ChromeDev', 'google-chrome-unstable'],
  ['com.brave.Browser', 'BraveSoftware/Brave-Browser'],
  ['com.microsoft.Edge', 'microsoft-edge'],
  ['com.vivaldi.Vivaldi', 'vivaldi'],
  ['net.imput.helium', 'net.imput.helium'],
];
const WINDOWS_DIRS = [
  'Google/Chrome', 'Google/Chrome Beta', 'Google/Chrome SxS', 'Google/Chrome for Testing',
  'Chromium', 'BraveSoftware/Brave-Browser', 'Microsoft/Edge', 'Microsoft/Edge Beta', 'Vivaldi',
  'imput/Helium',
];

/** Every DevToolsActivePort path cdpd looks at on this platform, in preference order. */
export function portFileCandidates(p: PlatformEnv): string[] {
  const roots: string[] = [];
  if (p.platform === 'darwin') {
    for (const d of MAC_DIRS) roots.push(join(p.home, 'Library', 'Application Support', d));
  } else if (p.platform === 'win32') {
    const local = p.env.LOCALAPPDATA || join(p.home, 'AppData', 'Local');
    for (const d of WINDOWS_DIRS) roots.push(join(local, d, 'User Data'));
  } else {
    const config = p.env.XDG_CONFIG_HOME || join(p.home, '.config');
    for (const d of LINUX_DIRS) roots.push(join(config, d));
    for (const [app, d] of FLATPAK_APPS) roots.push(join(p.home, '.var', 'app', app, 'config', d));
  }
  return roots.flatMap((r) => [join(r, 'DevToolsActivePort'), join(r, 'Default', 'DevToolsActivePort')]);
}

/** Reads a DevToolsActivePort file (line 1 port, line 2 path; CRLF tolerated). */
export function parsePortFile(text: string, path: string): { port: number; path: string } {
  const [portLine = '', pathLine = ''] = text.trim().split(/\r?\n/).map((l) => l.trim());
  const port = Number(portLine);
  if (!/^\d+$/.test(portLine) || port < 1 || port > 65535 || !pathLine.startsWith('/devtools/browser/')) {
    throw new CdpdError('BROWSER_UNREACHABLE', `Invalid DevToolsActivePort file: ${path}`);
  }
  return { port, path: pathLine };
}

/** The ws URL a DevToolsActivePort file points at. */
export function portFileUrl(file: string, host: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CdpdError('BROWSER_UNREACHABLE', `Cannot read DevToolsActivePort file ${file}: ${(err as Error).message}`);
  }
  const { port, path } = parsePortFile(text, file);
  return `ws://${hostForUrl(host)}:${port}${path}`;
}

function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** True when something accepts TCP connections at host:port within `ms`. */
export function tcpProbe(host: string, port: number, ms = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(ms, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/**
 * Finds the browser endpoint to use, by DESIGN.md's list. `served` says a live daemon
 * already serves an endpoint (by its endpointId): that daemon watches its browser and
 * exits when it goes, so the endpoint needs no TCP probe.
 */
export async function findEndpoint(
  opts: FindOptions, p: PlatformEnv, probe: typeof tcpProbe = tcpProbe, served: (id: string) => boolean = () => false,
): Promise<Endpoint> {
  const explicit = opts.browserUrl || p.env.CDP_URL;
  if (explicit) return explicitEndpoint(explicit, opts.browserUrl ? '--browser-url' : 'CDP_URL');

  const host = p.env.CDP_HOST || '127.0.0.1';
  if (p.env.CDP_PORT_FILE) {
    return { kind: 'ws', url: portFileUrl(p.env.CDP_PORT_FILE, host), source: `CDP_PORT_FILE ${p.env.CDP_PORT_FILE}` };
  }

  const found = portFileCandidates(p)
    .map((file) => ({ file, mtime: mtimeOf(file) }))
    .filter((c): c is { file: string; mtime: number } => c.mtime !== undefined)
    .sort((a, b) => b.mtime - a.mtime);
  for (const { file } of found) {
    let url: string;
    try {
      url = portFileUrl(file, host);
    } catch {
      continue;
    }
    if (served(url) || await probe(host, Number(new URL(url).port))) return { kind: 'ws', url, source: file };
  }

  if (p.env.CDP_PORT) {
    const port = Number(p.env.CDP_PORT);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new CdpdError('USAGE', `CDP_PORT must be a port number, got: ${p.env.CDP_PORT}`);
    }
    const url = `http://${hostForUrl(host)}:${port}`;
    if (served(url) || await probe(host, port)) return { kind: 'http', url, source: 'CDP_PORT' };
  }

  if (opts.noLaunch) {
    throw new CdpdError('BROWSER_NOT_FOUND',
      'No browser found, and --no-launch forbids launching one. Enable remote debugging at ' +
      'chrome://inspect/#remote-debugging, or start Chrome with --remote-debugging-port=9222 and set CDP_PORT=9222.');
  }
  return { kind: 'managed', headed: Boolean(opts.headed), source: 'launch' };
}

function explicitEndpoint(raw: string, source: string): Endpoint {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CdpdError('USAGE', `${source} must be a ws:// or http:// URL, got: ${raw}`);
  }
  if (url.protocol === 'ws:' || url.protocol === 'wss:') return { kind: 'ws', url: url.href, source };
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    return { kind: 'http', url: url.origin, source };
  }
  throw new CdpdError('USAGE', `${source} must be a ws:// or http:// URL, got: ${raw}`);
}

/** The file's mtime, or undefined when there is none (without an exception: ~40 paths are looked at on every command). */
function mtimeOf(file: string): number | undefined {
  try {
    return statSync(file, { throwIfNoEntry: false })?.mtimeMs;
  } catch {
    return undefined;
  }
}
