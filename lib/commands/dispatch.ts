/**
 * Runs one command by name: finds it, resolves and attaches its target, calls `run`.
 * The daemon and --no-daemon mode both go through here.
 */
import type { BrowserConnection } from '../cdp/connection.js';
import { CdpdError } from '../protocol/errors.js';
import { timeoutParam } from './args.js';
import type { Caller } from '../session/leases.js';
import { withReceipt } from './outcome.js';
import { findCommand } from './registry.js';
import { takeSnapshot, type SnapParams } from './snapshot.js';
import type { Page } from '../session/page.js';
import type { Tabs } from '../session/tabs.js';
import type { DaemonControl, StreamControl } from './types.js';
import type { Abort } from '../runtime/abort.js';

/** The connection a command came on. */
export interface ConnIdentity { id: string; onClose(fn: () => void): void }

/** The one caller of a --no-daemon run. */
const DIRECT: ConnIdentity = { id: 'direct', onClose: () => {} };

/** What every command runs against. */
export interface Engine {
  browser: BrowserConnection;
  tabs: Tabs;
  daemon: DaemonControl | undefined;
}

/** Runs `cmd` with wire params; rejects with a CdpdError. */
export async function dispatch(
  engine: Engine, cmd: string, params: Record<string, unknown>, signal: Abort, stream?: StreamControl, conn: ConnIdentity = DIRECT,
): Promise<unknown> {
  const def = findCommand(cmd);
  if (!def || def.cliOnly) throw new CdpdError('UNKNOWN_COMMAND', `Unknown command: ${cmd}. Run "cdp --help" for the list.`);
  if (params.lease !== undefined && (typeof params.lease !== 'string' || !params.lease)) throw new CdpdError('USAGE', 'lease must be a name');
  const caller: Caller = { conn: conn.id, lease: params.lease as string | undefined, onClose: conn.onClose };
  let page: Page | undefined;
  if (def.target === 'required') {
    const target = params.target;
    if (typeof target !== 'string' || !target) throw new CdpdError('USAGE', 'target ID required. Run "cdp list" first.');
    page = engine.tabs.attachedPage(target, signal, timeoutParam(params));
    if (page) {
      if (!def.reads) engine.tabs.leases.check(page.targetId, caller, def.name);
    } else {
      const info = await engine.tabs.resolve(target);
      if (!def.reads) engine.tabs.leases.check(info.targetId, caller, def.name);
      page = await engine.tabs.page(info.targetId, signal, timeoutParam(params));
    }
  }
  const ctx = { browser: engine.browser, tabs: engine.tabs, page: page as Page, signal, daemon: engine.daemon, stream, caller };
  if (!def.action || !page) return def.run(ctx, params);
  const snap = params.snap === true ? (p: Page) => afterSnap(p, caller.lease) : undefined;
  return withReceipt(page, snap, () => def.run(ctx, params));
}

/** An action's --snap: the diff against the tab's last snapshot's options (-i when it has none). */
function afterSnap(page: Page, reader: string | undefined): Promise<unknown> {
  const last = (page.snaps.lastOptions(reader) ?? { interactive: true }) as SnapParams;
  return takeSnapshot(page, { ...last, diff: true, maxChars: undefined }, reader);
}
