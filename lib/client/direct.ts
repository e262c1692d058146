/**
 * --no-daemon: one command over a direct browser connection in this process, for
 * sandboxes that forbid even a loopback listen. A browser it launches is left running
 * (detached), and the next command adopts it through its profile.
 */
import { findEndpoint } from '../cdp/discover.js';
import { dispatch } from '../commands/dispatch.js';
import { openEngine } from '../session/engine.js';
import { currentPlatform } from '../runtime/paths.js';
import type { Session } from './client.js';
import type { StartOptions } from './start.js';
import { CdpdError } from '../protocol/errors.js';
import { Abort } from '../runtime/abort.js';

/** Opens a direct session to the browser `opts` finds. */
export async function openDirect(opts: StartOptions = {}): Promise<Session> {
  const platform = opts.platform ?? currentPlatform();
  const endpoint = await findEndpoint(opts, platform);
  const { browser, tabs, close } = await openEngine({
    endpoint, platform, detachedLaunch: true,
    onPending: () => opts.onNotice?.('waiting for Chrome to allow remote debugging: click Allow'),
  });
  const controller = new Abort();
  return {
    call: (cmd, params = {}) => dispatch({ browser, tabs, daemon: undefined }, cmd, params, controller),
    close: async () => {
      controller.abort(new CdpdError('CANCELLED', 'The session closed.'));
      await close();
    },
  };
}
