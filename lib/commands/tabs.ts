/**
 * Pages and their sessions over the one browser connection: live listing, prefix
 * resolution, lazy flat attach (kept until the tab closes) with console, network and page
 * events turned into protocol events, kept in a history and fanned out to listeners.
 */
import type { Protocol } from 'devtools-protocol';
import type { BrowserConnection, RawEvent } from '../cdp/connection.js';
import { CdpdError } from '../protocol/errors.js';
import { EventTranslator, type EventSink, type PageEvent } from './events.js';
import { HISTORY_SIZE, TabHistory } from './history.js';
import { normalizeName } from './outline.js';
import { Page } from './page.js';
import { RefTable } from './refs.js';
import { Leases } from './leases.js';
import { Routes } from './routes.js';
import { SnapMemory } from './snapdiff.js';
import { Abort } from '../runtime/abort.js';

type TargetInfo = Protocol.Target.TargetInfo;

/** A page as `list` shows it. */
export interface PageInfo {
  targetId: string;
  /** The shortest unique prefix, at least 8 characters. */
  prefix: string;
  title: string;
  url: string;
  attached: boolean;
  /** Who holds the tab's lease (cdp claim), if anyone. */
  leasedBy?: string;
}

/** Minimum prefix length `list` shows. */
export const MIN_PREFIX = 8;
/** Longer than any target id. */
const MAX_PREFIX = 64;

/** Shortest length ≥ MIN_PREFIX at which every id's prefix is unique (case-insensitive). */
export function prefixLength(ids: string[]): number {
  const lower = ids.map((i) => i.toLowerCase());
  const longest = Math.max(MIN_PREFIX, ...lower.map((i) => i.length));
  for (let n = MIN_PREFIX; n <= longest; n++) {
    if (new Set(lower.map((i) => i.slice(0, n))).size === lower.length) return n;
  }
  return longest;
}

/** True for targets `list` shows: pages that are not chrome:// internals. */
export function isUserPage(t: TargetInfo): boolean {
  return t.type === 'page' && !t.url.startsWith('chrome://') && !t.url.startsWith('devtools://');
}

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
  /** Requests in flight (for `wait --idle`), and when the network last changed. */
  inflight: Set<string>;
  networkChangedAt: number;
}

/** Resource types that stay open for good and never count against network idle. */
const LONG_LIVED = new Set(['EventSource', 'WebSocket']);

/** Auto-attach to out-of-process iframes only, with their events flowing at once. */
const AUTO_ATTACH = { autoAttach: true, waitForDebuggerOnStart: false, flatten: true, filter: [{ type: 'iframe' }, { exclude: true }] };

/** Called with every page event of every attached tab, and with target events. */
export type PageEventListener = (targetId: string, ev: PageEvent) => void;

/** The tabs of one browser connection. */
export class Tabs {
  private readonly browser: BrowserConnection;
  private readonly sessions = new Map<string, Attached>();
  private readonly attaching = new Map<string, Promise<Attached>>();
  private readonly bySession = new Map<string, Attached>();
  /** Out-of-process iframe sessions → the tab they belong to. */
  private readonly byChild = new Map<string, Attached>();
  private readonly pageListeners = new Set<PageEventListener>();
  /** Targets as Chrome's discovery events describe them: resolves prefixes without a round trip. */
  private readonly known = new Map<string, TargetInfo>();
  private readonly goneWaiters = new Map<string, Array<() => void>>();
  private readonly historySize: number;
  private seq = 0;
  /** When true, every new page is attached as it opens (a `watch --all` is running). */
  autoAttach = false;
  /** The request routing rules of this browser connection. */
  readonly routes: Routes;
  /** Who holds which tab (cdp claim). */
  readonly leases = new Leases();

  constructor(browser: BrowserConnection, historySize = HISTORY_SIZE) {
    this.browser = browser;
    this.historySize = historySize;
    this.routes = new Routes(browser);
    browser.onEvent((e) => this.dispatch(e));
  }

  /** Subscribes to target lifecycle; call once after connecting. */
  async init(): Promise<void> {
    await this.browser.send('Target.setDiscoverTargets', { discover: true });
  }

  /**
   * The open pages, live from Chrome, with their display prefixes. Not from the discovery
   * events: Chrome sends none when a page's title changes.
   */
  async list(): Promise<PageInfo[]> {
    const { targetInfos } = await this.browser.send('Target.getTargets');
    const pages = targetInfos.filter(isUserPage);
    const n = prefixLength(pages.map((p) => p.targetId));
    return pages.map((p) => ({
      targetId: p.targetId,
      prefix: p.targetId.slice(0, n),
      title: normalizeName(p.title),
      url: p.url,
      attached: this.sessions.has(p.targetId),
      ...this.leaseOf(p.targetId),
    }));
  }

  private leaseOf(targetId: string): { leasedBy?: string } {
    const l = this.leases.get(targetId);
    return l ? { leasedBy: l.holder } : {};
  }

  /** Resolves once Chrome has said the target is gone, or after `timeoutMs`. */
  gone(targetId: string, timeoutMs: number): Promise<void> {
    if (!this.known.has(targetId)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const waiters = this.goneWaiters.get(targetId) ?? [];
      waiters.push(done);
      this.goneWaiters.set(targetId, waiters);
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  /** The page a prefix names, or an error that lists the candidates. */
  async resolve(prefix: string): Promise<PageInfo> {
    if (typeof prefix !== 'string' || prefix.length === 0) {
      throw new CdpdError('USAGE', 'target ID required. Run "cdp list" first.');
    }
    // No target id is this long: refuse without echoing (or searching with) a huge string.
    if (prefix.length > MAX_PREFIX) {
      throw new CdpdError('TARGET_NOT_FOUND', `No target matching a ${prefix.length}-character prefix: target ids have 32. Run "cdp list".`);
    }
    // The hot path: one match among the targets discovery told us about. Anything else
    // (none, several) asks Chrome, so a stale view never decides a miss.
    // A full id (what the library passes) is one Map lookup; a prefix, one pass without copies.
    let hit = this.known.get(prefix) ?? this.known.get(prefix.toUpperCase());
    if (!hit || !isUserPage(hit)) {
      hit = undefined;
      const lower = prefix.toLowerCase();
      for (const t of this.known.values()) {
        if (!isUserPage(t) || !t.targetId.toLowerCase().startsWith(lower)) continue;
        if (hit) {
          hit = undefined;
          break;
        }
        hit = t;
      }
    }
    if (hit) {
      return { targetId: hit.targetId, prefix: hit.targetId.slice(0, MIN_PREFIX), title: hit.title, url: hit.url, attached: this.sessions.has(hit.targetId) };
    }
    const pages = await this.list();
    const p = prefix.toLowerCase();
    const exact = pages.find((x) => x.targetId.toLowerCase() === p);
    if (exact) return exact;
    const matches = pages.filter((x) => x.targetId.toLowerCase().startsWith(p));
    if (matches.length === 1) return matches[0]!;
    const table = (list: PageInfo[]) => list.map((x) => `  ${x.prefix}  ${x.title.slice(0, 54)}  ${x.url}`).join('\n');
    const candidates = (matches.length ? matches : pages).map(({ targetId, prefix: pre, title, url }) => ({ targetId, prefix: pre, title, url }));
    if (matches.length === 0) {
      const hint = pages.length ? `Open pages:\n${table(pages)}` : 'No pages are open: run "cdp open <url>".';
      throw new CdpdError('TARGET_NOT_FOUND', `No target matching prefix "${prefix}". ${hint}`, { candidates });
    }
    throw new CdpdError('TARGET_AMBIGUOUS',
      `Ambiguous prefix "${prefix}" — matches ${matches.length} targets. Use more characters:\n${table(matches)}`, { candidates });
  }

  /** The ids of the tabs cdpd holds a session to. */
  attachedIds(): string[] {
    return [...this.sessions.keys()];
  }

  /** A request-scoped handle on a tab, attaching on first use. */
  async page(targetId: string, signal: Abort, timeoutMs?: number): Promise<Page> {
    const a = await this.attach(targetId);
    return new Page(this.browser, a, signal, timeoutMs);
  }

  /** The history of a tab, attaching first (which takes in what Chrome replays). */
  async history(targetId: string): Promise<TabHistory> {
    return (await this.attach(targetId)).history;
  }

  /** Listens to page events of every attached tab; returns the unsubscribe. */
  onPageEvent(fn: PageEventListener): () => void {
    this.pageListeners.add(fn);
    return () => this.pageListeners.delete(fn);
  }

  /** Attaches to every open page (for `watch --all`). */
  async attachAll(): Promise<string[]> {
    const pages = await this.list();
    await Promise.all(pages.map((p) => this.attach(p.targetId).catch(() => undefined)));
    return pages.map((p) => p.targetId);
  }

  /** Dismisses every dialog cdp knows is open: one left behind blocks its tab for good. */
  async dismissDialogs(): Promise<void> {
    await Promise.all([...this.sessions.values()].filter((a) => a.dialog).map((a) =>
      this.browser.send('Page.handleJavaScriptDialog', { accept: false }, a.sessionId, 2000).catch(() => {})));
  }

  /** Drops the session to one tab; the tab stays open. */
  async detach(targetId: string): Promise<boolean> {
    const a = this.sessions.get(targetId);
    if (!a) return false;
    this.forget(a, 'detached by "cdp stop"');
    await this.browser.send('Target.detachFromTarget', { sessionId: a.sessionId }).catch(() => {});
    return true;
  }

  private attach(targetId: string): Promise<Attached> {
    const have = this.sessions.get(targetId);
    if (have) return Promise.resolve(have);
    let pending = this.attaching.get(targetId);
    if (!pending) {
      pending = (async () => {
        const { sessionId } = await this.browser.send('Target.attachToTarget', { targetId, flatten: true });
        const a: Attached = {
          targetId, sessionId, closed: new Abort(), listeners: new Set(),
          translator: new EventTranslator(), history: new TabHistory(() => ++this.seq, this.historySize), sink: (ev) => {
            a.history.record(ev);
            for (const fn of a.eventListeners) fn(ev);
            this.emit(targetId, ev);
          },
          eventListeners: new Set(),
          dialog: undefined, dialogListeners: new Set(), refs: new RefTable(), snaps: new SnapMemory(),
          frames: new Map(), parents: new Map(), contexts: new Map(), inflight: new Set(), networkChangedAt: Date.now(),
        };
        this.sessions.set(targetId, a);
        this.bySession.set(sessionId, a);
        // Events flow from here on; Runtime.enable replays what the page logged before.
        try {
          await Promise.all([
            this.browser.send('Runtime.enable', undefined, sessionId),
            this.browser.send('Network.enable', {}, sessionId),
            this.browser.send('Page.enable', undefined, sessionId),
            this.browser.send('Target.setAutoAttach', AUTO_ATTACH, sessionId),
          ]);
          await this.routes.attached(a);
          // A tab another tool auto-attached with waitForDebuggerOnStart sits paused until
          // someone says go; answering nothing meanwhile. Say it (a no-op for a running tab).
          this.browser.send('Runtime.runIfWaitingForDebugger', undefined, sessionId).catch(() => {});
        } catch (err) {
          this.forget(a, 'unresponsive');
          this.browser.send('Target.detachFromTarget', { sessionId }).catch(() => {});
          if (err instanceof CdpdError && err.code === 'TIMEOUT') {
            throw new CdpdError('TIMEOUT', `The tab ${targetId.slice(0, MIN_PREFIX)} does not answer: its page is busy, or blocked by a ` +
              'JavaScript dialog opened before cdp attached (answer it in the browser, or close the tab). ' +
              `(${err.message})`);
          }
          throw err;
        }
        return a;
      })().finally(() => this.attaching.delete(targetId));
      this.attaching.set(targetId, pending);
    }
    return pending;
  }

  private forget(a: Attached, why: string): void {
    this.sessions.delete(a.targetId);
    this.bySession.delete(a.sessionId);
    for (const child of a.parents.keys()) this.byChild.delete(child);
    a.closed.abort(new CdpdError('TARGET_CLOSED', `The tab ${a.targetId.slice(0, MIN_PREFIX)} was ${why} while the command ran.`));
  }

  /** Bookkeeping shared by a tab's session and its iframes' sessions: child sessions, contexts, requests. */
  private frameEvent(a: Attached, e: RawEvent): void {
    const sessionId = e.sessionId!;
    switch (e.method) {
      case 'Target.attachedToTarget': {
        const p = e.params as Protocol.Target.AttachedToTargetEvent;
        if (p.targetInfo.type !== 'iframe') return;
        a.frames.set(p.targetInfo.targetId, p.sessionId);
        a.parents.set(p.sessionId, sessionId);
        this.byChild.set(p.sessionId, a);
        // Contexts for --frame and nested out-of-process frames of its own.
        this.browser.send('Runtime.enable', undefined, p.sessionId).catch(() => {});
        this.browser.send('Target.setAutoAttach', AUTO_ATTACH, p.sessionId).catch(() => {});
        return;
      }
      case 'Target.detachedFromTarget': {
        const p = e.params as Protocol.Target.DetachedFromTargetEvent;
        for (const [frameId, s] of a.frames) if (s === p.sessionId) a.frames.delete(frameId);
        a.parents.delete(p.sessionId);
        this.byChild.delete(p.sessionId);
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
      case 'Network.requestWillBeSent': {
        const p = e.params as Protocol.Network.RequestWillBeSentEvent;
        if (LONG_LIVED.has(p.type ?? '') || p.request.url.startsWith('data:')) return;
        a.inflight.add(p.requestId);
        a.networkChangedAt = Date.now();
        return;
      }
      case 'Network.loadingFinished':
      case 'Network.loadingFailed': {
        const { requestId } = e.params as Protocol.Network.LoadingFinishedEvent;
        if (a.inflight.delete(requestId)) a.networkChangedAt = Date.now();
        return;
      }
      default:
    }
  }

  private emit(targetId: string, ev: PageEvent): void {
    for (const l of this.pageListeners) l(targetId, ev);
  }

  private dispatch(e: RawEvent): void {
    if (e.sessionId) {
      const a = this.bySession.get(e.sessionId);
      if (!a) {
        const owner = this.byChild.get(e.sessionId);
        if (owner) this.frameEvent(owner, e);
        return;
      }
      this.frameEvent(a, e);
      for (const l of a.listeners) l(e);
      if (e.method === 'Page.javascriptDialogOpening') {
        const p = e.params as Protocol.Page.JavascriptDialogOpeningEvent;
        a.dialog = { type: p.type, message: p.message, defaultPrompt: p.defaultPrompt ?? '' };
        for (const l of a.dialogListeners) l();
      } else if (e.method === 'Page.javascriptDialogClosed') {
        a.dialog = undefined;
      }
      a.translator.translate(e, a.sink);
      return;
    }
    switch (e.method) {
      case 'Target.detachedFromTarget': {
        const a = this.bySession.get((e.params as Protocol.Target.DetachedFromTargetEvent).sessionId);
        if (a) this.forget(a, 'closed');
        return;
      }
      case 'Target.targetCreated':
      case 'Target.targetInfoChanged': {
        const { targetInfo } = e.params as Protocol.Target.TargetCreatedEvent;
        const t = { ...targetInfo, title: normalizeName(targetInfo.title) };
        this.known.set(t.targetId, t);
        if (!isUserPage(t)) return;
        const action = e.method === 'Target.targetCreated' ? 'created' : 'changed';
        this.emit(t.targetId, { event: 'target', data: { action, targetId: t.targetId, url: t.url, title: t.title, timestamp: Date.now() } });
        if (action === 'created' && (this.autoAttach || this.routes.coversAll())) this.attach(t.targetId).catch(() => {});
        return;
      }
      case 'Target.targetDestroyed': {
        const { targetId } = e.params as Protocol.Target.TargetDestroyedEvent;
        this.known.delete(targetId);
        for (const done of this.goneWaiters.get(targetId) ?? []) done();
        this.goneWaiters.delete(targetId);
        const a = this.sessions.get(targetId);
        if (a) this.forget(a, 'closed');
        this.emit(targetId, { event: 'target', data: { action: 'destroyed', targetId, timestamp: Date.now() } });
        return;
      }
      default:
    }
  }
}
