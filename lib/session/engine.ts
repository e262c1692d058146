/**
 * The one bootstrap of a browser engine, for the daemon and for --no-daemon alike: the
 * browser's WebSocket URL (launching a managed Chromium, resolving http://, probing
 * ws://), the connection, the browser's version, and the tabs subscribed to discovery.
 * A failure after connecting closes what it opened.
 */
import { BrowserConnection, redactUrl, resolveHttpEndpoint } from '../cdp/connection.js';
import { tcpProbe, type Endpoint } from '../cdp/discover.js';
import { launchManaged, type ManagedBrowser } from '../cdp/launch.js';
import { CdpdError } from '../protocol/errors.js';
import { ensurePrivateDir } from '../runtime/files.js';
import { headersFromEnv } from '../runtime/headers.js';
import { managedProfileDir, runtimeDir, type PlatformEnv } from '../runtime/paths.js';
import { settings } from '../runtime/settings.js';
import { Tabs } from './tabs.js';

/** How to open an engine. */
export interface EngineOptions {
  endpoint: Endpoint;
  platform: PlatformEnv;
  /** A managed launch already under way (the daemon's entry starts it before its modules load). */
  launching?: Promise<ManagedBrowser> | undefined;
  /** Leave a browser it launches running when this process ends (--no-daemon: the next run adopts it). */
  detachedLaunch?: boolean;
  log?: (line: string) => void;
  /** Called once when Chrome holds the connection for "Allow remote debugging?". */
  onPending?: () => void;
}

/** An open engine. */
export interface OpenEngine {
  browser: BrowserConnection;
  tabs: Tabs;
  wsUrl: string;
  product: string;
  managed: ManagedBrowser | undefined;
  /** Closes the connection, and a browser it launched. */
  close(): Promise<void>;
}

async function browserUrl(o: EngineOptions, headers: Record<string, string>): Promise<{ wsUrl: string; managed?: ManagedBrowser }> {
  const { endpoint, platform } = o;
  if (endpoint.kind === 'managed') {
    o.log?.(`launching managed ${endpoint.headed ? 'headed' : 'headless'} browser`);
    const dir = runtimeDir(platform);
    ensurePrivateDir(dir);
    const managed = await (o.launching ?? launchManaged(platform, managedProfileDir(dir, endpoint.headed), endpoint.headed, settings.launchTimeoutMs(), o.detachedLaunch === true));
    return { wsUrl: managed.wsUrl, managed };
  }
  if (endpoint.kind === 'http') return { wsUrl: await resolveHttpEndpoint(endpoint.url, 5000, headers) };
  const u = new URL(endpoint.url);
  const port = Number(u.port || (u.protocol === 'wss:' ? 443 : 80));
  if (!(await tcpProbe(u.hostname.replace(/^\[|\]$/g, ''), port, 2000))) {
    throw new CdpdError('BROWSER_UNREACHABLE',
      `Nothing answers at ${redactUrl(endpoint.url)} (from ${endpoint.source}). Is the browser running with remote debugging on? ` +
      'Enable it at chrome://inspect/#remote-debugging, or unset CDP_* to let cdpd launch its own.');
  }
  return { wsUrl: endpoint.url };
}

/** Opens the engine `o.endpoint` names. */
export async function openEngine(o: EngineOptions): Promise<OpenEngine> {
  const headers = o.endpoint.kind === 'managed' ? {} : headersFromEnv(o.platform.env);
  const { wsUrl, managed } = await browserUrl(o, headers);
  o.log?.(`connecting to ${redactUrl(wsUrl)}`);
  let browser: BrowserConnection;
  try {
    browser = await BrowserConnection.connect({ wsUrl, headers, connectTimeoutMs: settings.consentTimeoutMs(), ...(o.onPending ? { onPending: o.onPending } : {}) });
  } catch (err) {
    if (!o.detachedLaunch) await managed?.close();
    throw err;
  }
  const close = async () => {
    await browser.close().catch(() => {});
    if (!o.detachedLaunch) await managed?.close();
  };
  const abandon = async (err: unknown): Promise<never> => {
    await close();
    throw err;
  };
  const tabs = new Tabs(browser, settings.historySize());
  const version = await browser.send('Browser.getVersion').catch(abandon);
  await tabs.init().catch(abandon);
  return { browser, tabs, wsUrl, product: version.product, managed, close };
}
