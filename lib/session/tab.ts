/**
 * One attached tab: its session and what its events keep (iframe sessions, execution
 * contexts, the open dialog, the translated events' history), its element refs and
 * snapshot memory. Tabs feeds it the CDP events of its sessions; everyone else reads it
 * through its methods, and hears it through `listen`, `onEvent` and `onDialog`.
 */
import type { Protocol } from 'devtools-protocol';
import type { BrowserConnection, RawEvent } from '../cdp/connection.js';
import { EventTranslator, type PageEvent } from './events.js';
import type { TabHistory } from './history.js';
import { RefTable } from './refs.js';
import { SnapMemory } from './snapdiff.js';
import { Abort } from '../runtime/abort.js';

/**
 * Auto-attach to out-of-process iframes only, each held at its start until its domains are
 * enabled (the tab lets it run then: Tabs.frameRoutes), so none of its events is missed.
 */
export const AUTO_ATTACH = { autoAttach: true, waitForDebuggerOnStart: true, flatten: true, filter: [{ type: 'iframe' }, { exclude: true }] };

/** A JavaScript dialog open on a tab. */
export interface Dialog { type: string; message: string; defaultPrompt: string }

/** A tab cdpd holds a session to. */
export class TabSession {
  readonly targetId: string;
  readonly sessionId: string;
  /** Aborted when the tab closes or cdp lets it go; calls on it fail with the reason. */
  readonly closed = new Abort();
  /** The tab's console and network history. */
  readonly history: TabHistory;
  /** The element refs `snap` handed out for this tab. */
  readonly refs = new RefTable();
  /** The tab's last snapshots, for `snap --diff`. */
  readonly snaps = new SnapMemory();
  private readonly browser: BrowserConnection;
  private readonly translator = new EventTranslator();
  private readonly rawListeners = new Set<(e: RawEvent) => void>();
  private readonly eventListeners = new Set<(ev: PageEvent) => void>();
  private readonly dialogListeners = new Set<() => void>();
  private openDialog: Dialog | undefined;
  /** Out-of-process iframes: frame id → the session Chrome auto-attached for it. */
  private readonly frames = new Map<string, string>();
  /** Each child session's parent session. */
  private readonly parents = new Map<string, string>();
  /** Main-world execution contexts: `${sessionId}|${frameId}` → context id. */
  private readonly contexts = new Map<string, number>();
  /** Where each translated event goes besides the history and this tab's listeners. */
  private readonly emit: (ev: PageEvent) => void;

  constructor(browser: BrowserConnection, targetId: string, sessionId: string, history: TabHistory, emit: (ev: PageEvent) => void) {
    this.browser = browser;
    this.targetId = targetId;
    this.sessionId = sessionId;
    this.history = history;
    this.emit = emit;
  }

  /** The JavaScript dialog open on the tab, if any; it blocks the page until answered. */
  get dialog(): Dialog | undefined {
    return this.openDialog;
  }

  /** The session of an out-of-process iframe, by its frame id. */
  oopifSession(frameId: string): string | undefined {
    return this.frames.get(frameId);
  }

  /** The out-of-process iframes: [frame id, session id]. */
  oopifs(): Array<[string, string]> {
    return [...this.frames];
  }

  /** The session an iframe's session is under (the tab's, or another iframe's). */
  parentSession(sessionId: string): string | undefined {
    return this.parents.get(sessionId);
  }

  /** The sessions of the tab's out-of-process iframes. */
  childSessions(): string[] {
    return [...this.parents.keys()];
  }

  /** The main-world execution context of a frame in a session, when known. */
  mainContext(sessionId: string, frameId: string): number | undefined {
    return this.contexts.get(`${sessionId}|${frameId}`);
  }

  /** How long the tab's network has had no request in flight (0 while one is). */
  networkQuietFor(now = Date.now()): number {
    return this.translator.networkQuietFor(now);
  }

  /** Marks a request a route rule handled, so its records say so. */
  markRouted(requestId: string, label: string): void {
    this.translator.markRouted(requestId, label);
  }

  /** Calls `fn` with every CDP event of the tab's own session until the returned function is called. */
  listen(fn: (e: RawEvent) => void): () => void {
    this.rawListeners.add(fn);
    return () => this.rawListeners.delete(fn);
  }

  /** Calls `fn` with every event of the tab as `watch` gives it, until the returned function is called. */
  onEvent(fn: (ev: PageEvent) => void): () => void {
    this.eventListeners.add(fn);
    return () => this.eventListeners.delete(fn);
  }

  /** Calls `fn` when a dialog opens, until the returned function is called. */
  onDialog(fn: () => void): () => void {
    this.dialogListeners.add(fn);
    return () => this.dialogListeners.delete(fn);
  }

  /** Takes in a CDP event of the tab's own session (after `trackFrames`). */
  ownEvent(e: RawEvent): void {
    for (const l of this.rawListeners) l(e);
    if (e.method === 'Page.javascriptDialogOpening') {
      const p = e.params as Protocol.Page.JavascriptDialogOpeningEvent;
      this.openDialog = { type: p.type, message: p.message, defaultPrompt: p.defaultPrompt ?? '' };
      for (const l of this.dialogListeners) l();
    } else if (e.method === 'Page.javascriptDialogClosed') {
      this.openDialog = undefined;
    }
    this.translator.translate(e, this.sink);
  }

  /**
   * Takes in a CDP event of one of its out-of-process iframes' sessions (after
   * `trackFrames`): their requests,
   * console and errors are the tab's too (their Page domain is not enabled: navigation
   * and load are the tab's main frame's).
   */
  childEvent(e: RawEvent): void {
    this.translator.translate(e, this.sink);
  }

  /** Ends the session: calls on it fail with `reason`; its iframe sessions leave `byChild`. */
  end(reason: Error, byChild: Map<string, TabSession>): void {
    for (const child of this.parents.keys()) byChild.delete(child);
    this.closed.abort(reason);
  }

  private readonly sink = (ev: PageEvent): void => {
    this.history.record(ev);
    for (const fn of this.eventListeners) fn(ev);
    this.emit(ev);
  };

  /**
   * The first look at every event of the tab's sessions and its iframes': which child
   * sessions and execution contexts there are. A new iframe session gets its domains
   * enabled here, before anyone else is told of it.
   */
  trackFrames(e: RawEvent, byChild: Map<string, TabSession>): void {
    const sessionId = e.sessionId!;
    switch (e.method) {
      case 'Target.attachedToTarget': {
        const p = e.params as Protocol.Target.AttachedToTargetEvent;
        if (p.targetInfo.type !== 'iframe') return;
        this.frames.set(p.targetInfo.targetId, p.sessionId);
        this.parents.set(p.sessionId, sessionId);
        byChild.set(p.sessionId, this);
        // Contexts for --frame and nested out-of-process frames of its own.
        this.browser.send('Runtime.enable', undefined, p.sessionId).catch(() => {});
        // Its requests, for `requests`, `watch`, receipts and `wait --idle`.
        this.browser.send('Network.enable', {}, p.sessionId).catch(() => {});
        this.browser.send('Target.setAutoAttach', AUTO_ATTACH, p.sessionId).catch(() => {});
        return;
      }
      case 'Target.detachedFromTarget': {
        const p = e.params as Protocol.Target.DetachedFromTargetEvent;
        for (const [frameId, s] of this.frames) if (s === p.sessionId) this.frames.delete(frameId);
        this.parents.delete(p.sessionId);
        byChild.delete(p.sessionId);
        return;
      }
      case 'Runtime.executionContextCreated': {
        const { context } = e.params as Protocol.Runtime.ExecutionContextCreatedEvent;
        const aux = context.auxData as { frameId?: string; isDefault?: boolean } | undefined;
        if (aux?.isDefault && aux.frameId) this.contexts.set(`${sessionId}|${aux.frameId}`, context.id);
        return;
      }
      case 'Runtime.executionContextDestroyed': {
        const { executionContextId } = e.params as Protocol.Runtime.ExecutionContextDestroyedEvent;
        for (const [k, id] of this.contexts) if (id === executionContextId && k.startsWith(`${sessionId}|`)) this.contexts.delete(k);
        return;
      }
      case 'Runtime.executionContextsCleared':
        for (const k of this.contexts.keys()) if (k.startsWith(`${sessionId}|`)) this.contexts.delete(k);
        return;
      default:
    }
  }
}
