/**
 * Runs one command by name: finds it, checks its params against its shape (the one
 * check: `run` trusts them), resolves and attaches its target, calls `run`. The daemon
 * and --no-daemon mode both go through here.
 */
import type { BrowserConnection } from '../cdp/connection.js';
import { CdpdError } from '../protocol/errors.js';
import type { Caller } from '../session/leases.js';
import { withReceipt } from './outcome.js';
import { findCommand, shapeOf } from './registry.js';
import { takeSnapshot, type SnapParams } from './snapshot.js';
import type { Page } from '../session/page.js';
import type { Tabs } from '../session/tabs.js';
import type { CommandContext, DaemonControl, Envelope, PageContext, StreamControl } from './types.js';
import { boolean, checkShape, number, string, type Field } from '../protocol/schema.js';
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

/** The envelope's fields, checked for every command (`snap` only for actions). */
let fields: { target: Field<string, false>; timeout: Field<number, true>; lease: Field<string, true>; snap: Field<boolean, true> } | undefined;
/** Made on the first request, not when the CLI loads this module. */
const envelopeFields = () => (fields ??= {
  target: string({ missing: 'target ID required. Run "cdp list" first.' }),
  timeout: number({ min: 1 }).opt(),
  lease: string().opt(),
  snap: boolean().opt(),
});
/** Which envelope params a command takes: `target` when it has one, `snap` when it is an action. */
const BASE = new Set(['timeout', 'lease']);
const WITH_TARGET = new Set([...BASE, 'target']);
const ACTION = new Set([...WITH_TARGET, 'snap']);

/** Runs `cmd` with wire params; rejects with a CdpdError. */
export async function dispatch(
  engine: Engine, cmd: string, raw: Record<string, unknown>, signal: Abort, stream?: StreamControl, conn: ConnIdentity = DIRECT,
): Promise<unknown> {
  const def = findCommand(cmd);
  if (!def || def.cliOnly) throw new CdpdError('UNKNOWN_COMMAND', `Unknown command: ${cmd}. Run "cdp --help" for the list.`);
  const envelope = def.action ? ACTION : def.target === 'none' ? BASE : WITH_TARGET;
  const params: Envelope & Record<string, unknown> = checkShape(shapeOf(def), raw, undefined, envelope);
  const f = envelopeFields();
  if (def.target === 'required' || (def.target === 'optional' && params.target !== undefined)) params.target = f.target.check(params.target, 'target');
  if (params.timeout !== undefined) params.timeout = f.timeout.check(params.timeout, 'timeout');
  if (params.lease !== undefined) params.lease = f.lease.check(params.lease, 'lease');
  if (params.snap !== undefined) params.snap = f.snap.check(params.snap, 'snap');
  const caller: Caller = { conn: conn.id, lease: params.lease, onClose: conn.onClose };
  if (def.target !== 'required') {
    const ctx: CommandContext = { browser: engine.browser, tabs: engine.tabs, signal, daemon: engine.daemon, stream, caller };
    return def.run(ctx, params);
  }
  const target = params.target!;
  let page = engine.tabs.attachedPage(target, signal, params.timeout);
  if (page) {
    if (!def.reads) engine.tabs.leases.check(page.targetId, caller, def.name);
  } else {
    const info = await engine.tabs.resolve(target);
    if (!def.reads) engine.tabs.leases.check(info.targetId, caller, def.name);
    page = await engine.tabs.page(info.targetId, signal, params.timeout);
  }
  const ctx: PageContext = { browser: engine.browser, tabs: engine.tabs, signal, daemon: engine.daemon, stream, caller, page };
  if (!def.action) return def.run(ctx, params);
  const snap = params.snap === true ? (p: Page) => afterSnap(p, caller.lease) : undefined;
  return withReceipt(page, snap, () => def.run(ctx, params));
}

/** An action's --snap: the diff against the tab's last snapshot's options (-i when it has none). */
function afterSnap(page: Page, reader: string | undefined): Promise<unknown> {
  const last = (page.snaps.lastOptions(reader) ?? { interactive: true }) as SnapParams;
  return takeSnapshot(page, { ...last, diff: true, maxChars: undefined }, reader);
}
