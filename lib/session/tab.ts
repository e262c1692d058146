/**
 * One attached tab's session state, and the bookkeeping its events drive: iframe
 * sessions and execution contexts.
 */
import type { Protocol } from 'devtools-protocol';
import type { BrowserConnection, RawEvent } from '../cdp/connection.js';
import type { EventSink, EventTranslator, PageEvent } from './events.js';
import type { TabHistory } from './history.js';
import type { RefTable } from './refs.js';
import type { SnapMemory } from './snapdiff.js';
import type { Abort } from '../runtime/abort.js';

/** A tab cdpd holds a session to. */
export interface Attached {
  targetId: string;
  sessionId: string;
  closed: Abort;
  listeners: Set<(e: RawEvent) => void>;
  translator: EventTranslator;
  history: TabHistory;
  /** Takes the tab's translated events into its history and out to listeners. */
  sink: EventSink;
  /** Called with each translated event of the tab (an action's receipt listens here). */
  eventListeners: Set<(ev: PageEvent) => void>;
  /** The JavaScript dialog open on the tab, if any; it blocks the page until answered. */
  dialog: { type: string; message: string; defaultPrompt: string } | undefined;
  /** Called when a dialog opens, so calls waiting on the blocked page fail at once. */
  dialogListeners: Set<() => void>;
  /** The element refs `snap` handed out for this tab. */
  refs: RefTable;
  /** The tab's last snapshots, for `snap --diff`. */
  snaps: SnapMemory;
  /** Out-of-process iframes: frame id → the session Chrome auto-attached for it. */
  frames: Map<string, string>;
  /** Each child session's parent session. */
  parents: Map<string, string>;
  /** Main-world execution contexts: `${sessionId}|${frameId}` → context id. */
  contexts: Map<string, number>;
}

/**
 * Auto-attach to out-of-process iframes only, each held at its start until its domains are
 * enabled (the tab lets it run then: Tabs.frameRoutes), so none of its events is missed.
 */
export const AUTO_ATTACH = { autoAttach: true, waitForDebuggerOnStart: true, flatten: true, filter: [{ type: 'iframe' }, { exclude: true }] };

/** Bookkeeping shared by a tab's session and its iframes' sessions: child sessions and contexts. */
export function frameEvent(a: Attached, e: RawEvent, browser: BrowserConnection, byChild: Map<string, Attached>): void {
  const sessionId = e.sessionId!;
  switch (e.method) {
    case 'Target.attachedToTarget': {
      const p = e.params as Protocol.Target.AttachedToTargetEvent;
      if (p.targetInfo.type !== 'iframe') return;
      a.frames.set(p.targetInfo.targetId, p.sessionId);
      a.parents.set(p.sessionId, sessionId);
      byChild.set(p.sessionId, a);
      // Contexts for --frame and nested out-of-process frames of its own.
      browser.send('Runtime.enable', undefined, p.sessionId).catch(() => {});
      // Its requests, for `requests`, `watch`, receipts and `wait --idle`.
      browser.send('Network.enable', {}, p.sessionId).catch(() => {});
      browser.send('Target.setAutoAttach', AUTO_ATTACH, p.sessionId).catch(() => {});
      return;
    }
    case 'Target.detachedFromTarget': {
      const p = e.params as Protocol.Target.DetachedFromTargetEvent;
      for (const [frameId, s] of a.frames) if (s === p.sessionId) a.frames.delete(frameId);
      a.parents.delete(p.sessionId);
      byChild.delete(p.sessionId);
      return;
    }
    case 'Runtime.executionContextCreated': {
      const { context } = e.params as Protocol.Runtime.ExecutionContextCreatedEvent;
      const aux = context.auxData as { frameId?: string; isDefault?: boolean } | undefined;
      if (aux?.isDefault && aux.frameId) a.contexts.set(`${sessionId}|${aux.frameId}`, context.id);
      return;
    }
    case 'Runtime.executionContextDestroyed': {
      const { executionContextId } = e.params as Protocol.Runtime.ExecutionContextDestroyedEvent;
      for (const [k, id] of a.contexts) if (id === executionContextId && k.startsWith(`${sessionId}|`)) a.contexts.delete(k);
      return;
    }
    case 'Runtime.executionContextsCleared':
      for (const k of a.contexts.keys()) if (k.startsWith(`${sessionId}|`)) a.contexts.delete(k);
      return;
    default:
  }
}
