/**
 * One daemon per browser endpoint: connects to the browser once (launching a managed one
 * when asked), serves clients over the authenticated WebSocket, writes the discovery file
 * last (so a file on disk means "ready"), and shuts down on idle, on `cdp stop`, or when
 * the browser goes away, removing what it wrote.
 */
import { randomBytes } from 'node:crypto';
import { endpointId, type Endpoint } from '../cdp/discover.js';
import type { ManagedBrowser } from '../cdp/launch.js';
import { ruleInfo } from '../commands/routing.js';
import { dispatch, type ConnIdentity, type Engine } from '../commands/dispatch.js';
import { openEngine } from '../session/engine.js';
import { CdpdError } from '../protocol/errors.js';
import { VERSION } from '../protocol/version.js';
import { CLOSE, LOG_MARKERS, PROTOCOL_VERSION, type BrowserInfo, type DiscoveryFile } from '../protocol/wire.js';
import { ensurePrivateDir, readPrivate, removeQuietly, writePrivateAtomic } from '../runtime/files.js';
import { currentPlatform, daemonFiles, endpointKey, runtimeDir } from '../runtime/paths.js';
import { DaemonServer, type ClientConnection } from './server.js';
import { Subscriptions } from './watch.js';

/** Daemon settings, from the environment the first client gave it. */
export interface DaemonOptions {
  endpoint: Endpoint;
  idleTimeoutMs: number;
  log: (line: string) => void;
  /** A managed launch already under way (the entry starts it before loading the daemon's modules). */
  launching?: Promise<ManagedBrowser>;
}

/** A running daemon. */
export interface Daemon {
  port: number;
  /** Resolves with the reason once the daemon has shut down and cleaned up. */
  closed: Promise<string>;
  shutdown(reason: string): Promise<void>;
}

/** Starts the daemon; rejects with a CdpdError saying why it could not. */
export async function startDaemon(opts: DaemonOptions): Promise<Daemon> {
  const { endpoint, log } = opts;
  const platform = currentPlatform();
  const dir = runtimeDir(platform);
  ensurePrivateDir(dir);
  const files = daemonFiles(dir, endpointKey(endpointId(endpoint)));
  const startedAt = new Date().toISOString();

  const opened = await openEngine({
    endpoint, platform, launching: opts.launching, log,
    onPending: () => log(`${LOG_MARKERS.consent}: Chrome is holding the connection until "Allow remote debugging?" is answered`),
  });
  const { browser, tabs, managed, wsUrl } = opened;
  // From here a failure closes what was opened: the connection, and a browser we launched.
  let abandoned = false;
  const abandon = async (err: unknown): Promise<never> => {
    abandoned = true;
    await opened.close();
    throw err;
  };
  const subscriptions = new Subscriptions(tabs);
  const browserInfo: BrowserInfo = { endpoint: wsUrl, product: opened.product, managed: Boolean(managed) };
  if (endpoint.kind === 'managed') browserInfo.headless = !endpoint.headed;
  if (managed?.pid !== undefined) browserInfo.pid = managed.pid;

  const token = randomBytes(32).toString('hex');
  let idleTimer: NodeJS.Timeout | undefined;
  let shuttingDown: Promise<void> | undefined;
  let resolveClosed!: (reason: string) => void;
  const closed = new Promise<string>((r) => (resolveClosed = r));

  const armIdle = (clients: number) => {
    clearTimeout(idleTimer);
    if (clients === 0) idleTimer = setTimeout(() => void shutdown(`idle for ${opts.idleTimeoutMs} ms`), opts.idleTimeoutMs);
  };

  const engine: Engine = {
    browser,
    tabs,
    daemon: {
      status: () => ({
        pid: process.pid, version: VERSION, protocol: PROTOCOL_VERSION, port: server.port, startedAt,
        browser: browserInfo, clients: server.clientCount, watchers: subscriptions.count, idleTimeoutMs: opts.idleTimeoutMs,
        refused: { ...server.refused }, routes: tabs.routes.list().map(ruleInfo),
      }),
      shutdown: (reason) => void shutdown(reason),
    },
  };
  const server = new DaemonServer(token, {
    welcome: () => ({ type: 'welcome', protocol: PROTOCOL_VERSION, version: VERSION, pid: process.pid, browser: browserInfo }),
    handle: (req, signal, conn) => dispatch(engine, req.cmd, req.params ?? {}, signal, subscriptions.control(conn, req.id), identityOf(conn)),
    clientsChanged: (n) => armIdle(n),
  });

  const shutdown = (reason: string, browserGone = false): Promise<void> => {
    shuttingDown ??= (async () => {
      log(`shutting down: ${reason}`);
      clearTimeout(idleTimer);
      removeOwnDiscovery(files.discovery);
      // With the browser gone, what is in flight fails at once: let those answers out first.
      await (browserGone ? server.close(CLOSE.BROWSER_GONE, 'the browser connection closed', 1000) : server.close()).catch(() => {});
      await tabs.dismissDialogs();
      await browser.close();
      await managed?.close();
      resolveClosed(reason);
    })();
    return shuttingDown;
  };
  browser.onClose(() => {
    if (!abandoned) void shutdown('the browser connection closed', true);
  });

  const port = await server.listen().catch((err: Error) => abandon(new CdpdError('DAEMON_START_FAILED',
    `Cannot listen on 127.0.0.1: ${err.message}. If a sandbox forbids it, run with --no-daemon.`)));
  const discovery: DiscoveryFile = { protocol: PROTOCOL_VERSION, version: VERSION, pid: process.pid, port, token, browser: browserInfo, startedAt };
  try {
    writePrivateAtomic(files.discovery, JSON.stringify(discovery));
  } catch (err) {
    await server.close().catch(() => {});
    await abandon(err);
  }
  log(`ready: pid ${process.pid}, listening on 127.0.0.1:${port}, browser ${opened.product}${managed ? ' (managed)' : ''}`);
  armIdle(0);
  return { port, closed, shutdown };
}

/** Removes the discovery file only if it is still ours (a successor may have replaced it). */
const identities = new WeakMap<ClientConnection, ConnIdentity>();

/** Who a connection is to leases: made once per connection, not per request. */
function identityOf(conn: ClientConnection): ConnIdentity {
  let id = identities.get(conn);
  if (!id) identities.set(conn, id = { id: String(conn.id), onClose: (fn) => conn.onClose(fn) });
  return id;
}

function removeOwnDiscovery(path: string): void {
  try {
    const text = readPrivate(path);
    if (text && (JSON.parse(text) as DiscoveryFile).pid === process.pid) removeQuietly(path);
  } catch {
    // unreadable: leave it
  }
}
