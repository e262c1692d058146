/**
 * --no-daemon: one command over a direct browser connection in this process, for
 * sandboxes that forbid even a loopback listen. A browser it launches is left running
 * (detached), and the next command adopts it through its profile.
 */
import { BrowserConnection, resolveHttpEndpoint } from '../cdp/connection.js';
import { headersFromEnv } from '../runtime/headers.js';
import { findEndpoint } from '../cdp/discover.js';
import { launchManaged } from '../cdp/launch.js';
import { dispatch } from '../commands/dispatch.js';
import { Tabs } from '../session/tabs.js';
import { ensurePrivateDir } from '../runtime/files.js';
import { currentPlatform, envNumber, managedProfileDir, runtimeDir } from '../runtime/paths.js';
import type { Session } from './client.js';
import type { StartOptions } from './start.js';
import { CdpdError } from '../protocol/errors.js';
import { Abort } from '../runtime/abort.js';

/** Opens a direct session to the browser `opts` finds. */
export async function openDirect(opts: StartOptions = {}): Promise<Session> {
  const platform = opts.platform ?? currentPlatform();
  const endpoint = await findEndpoint(opts, platform);
  let wsUrl: string;
  const headers = endpoint.kind === 'managed' ? {} : headersFromEnv(platform.env);
  if (endpoint.kind === 'managed') {
    const dir = runtimeDir(platform);
    ensurePrivateDir(dir);
    wsUrl = (await launchManaged(platform, managedProfileDir(dir, endpoint.headed), endpoint.headed, envNumber('CDP_LAUNCH_TIMEOUT', 30_000), true)).wsUrl;
  } else {
    wsUrl = endpoint.kind === 'http' ? await resolveHttpEndpoint(endpoint.url, 5000, headers) : endpoint.url;
  }
  const browser = await BrowserConnection.connect({
    wsUrl, headers,
    connectTimeoutMs: envNumber('CDP_CONSENT_TIMEOUT', 120_000),
    onPending: () => opts.onNotice?.('waiting for Chrome to allow remote debugging: click Allow'),
  });
  const tabs = new Tabs(browser);
  const controller = new Abort();
  return {
    call: (cmd, params = {}) => dispatch({ browser, tabs, daemon: undefined }, cmd, params, controller),
    close: async () => {
      controller.abort(new CdpdError('CANCELLED', 'The session closed.'));
      await browser.close();
    },
  };
}
