/**
 * Pages and their sessions over the one browser connection: live listing, prefix
 * resolution, lazy flat attach (kept until the tab closes) with console, network and page
 * events turned into protocol events, kept in a history and fanned out to listeners.
 */
import type { Protocol } from 'devtools-protocol';
import type { BrowserConnection, RawEvent } from '../cdp/connection.js';
import { CdpdError } from '../protocol/errors.js';
import { MIN_PREFIX } from '../protocol/ids.js';
import { AUTO_ATTACH, TabSession } from './tab.js';
import { isUserPage, TargetList, type PageInfo } from './targetlist.js';
import type { PageEvent } from './events.js';
import { HISTORY_SIZE, TabHistory } from './history.js';
import { Page } from './page.js';
import { Leases } from './leases.js';
import { Routes } from './routes.js';
import type { Abort } from '../runtime/abort.js';

/** Called with every page event of every attached tab, and with target events. */
export type PageEventListener = (targetId: string, ev: PageEvent) => void;

/** The tabs of one browser connection. */
export class Tabs {
  private readonly browser: BrowserConnection;
  private readonly sessions = new Map<string, TabSession>();
  private readonly attaching = new Map<string, Promise<TabSession>>();
  private readonly bySession = new Map<string, TabSession>();
  /** Out-of-process iframe sessions → the tab they belong to. */
  private readonly byChild = new Map<string, TabSession>();
  private readonly pageListeners = new Set<PageEventListener>();
  private readonly targets: TargetList;
  private readonly historySize: number;
  private seq = 0;
  /** When true, every new page is attached as it opens (a `watch --all` is running). */
  private autoAttach = false;
  /** The request routing rules of this browser connection. */
  readonly routes: Routes;
  /** Who holds which tab (cdp claim). */
  readonly leases = new Leases();

  constructor(browser: BrowserConnection, historySize = HISTORY_SIZE) {
    this.browser = browser;
    this.historySize = historySize;
    this.routes = new Routes(browser);
    this.targets = new TargetList(browser, (targetId) => {
      const l = this.leases.get(targetId);
      return l ? { attached: this.sessions.has(targetId), leasedBy: l.holder } : { attached: this.sessions.has(targetId) };
    });
    browser.onEvent((e) => this.dispatch(e));
  }

  /** Subscribes to target lifecycle; call once after connecting. */
  async init(): Promise<void> {
    await this.browser.send('Target.setDiscoverTargets', { discover: true });
  }

  /** The open pages, live from Chrome, with their display prefixes. */
  list(): Promise<PageInfo[]> {
    return this.targets.list();
  }

  /** Resolves once Chrome has said the target is gone, or after `timeoutMs`. */
  gone(targetId: string, timeoutMs: number): Promise<void> {
    return this.targets.gone(targetId, timeoutMs);
  }

  /** The page a prefix names, or an error that lists the candidates. */
  resolve(prefix: string): Promise<PageInfo> {
    return this.targets.resolve(prefix);
  }

  /**
   * The hot path of a page command: the tab a prefix names, when discovery knows exactly
   * one and it is attached already, as a handle, with no round trip and no await.
   * Undefined otherwise: then `resolve` and `page` do it the long way.
   */
  attachedPage(prefix: string, signal: Abort, timeoutMs?: number): Page | undefined {
    const hit = this.targets.lookup(prefix);
    const a = hit && this.sessions.get(hit.targetId);
    return a ? new Page(this.browser, a, signal, timeoutMs) : undefined;
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

  /** Whether every page is attached as it opens, as a `watch --all` needs. */
  attachNewPages(on: boolean): void {
    this.autoAttach = on;
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

  private attach(targetId: string): Promise<TabSession> {
    const have = this.sessions.get(targetId);
    if (have) return Promise.resolve(have);
    let pending = this.attaching.get(targetId);
    if (!pending) {
      pending = (async () => {
        const { sessionId } = await this.browser.send('Target.attachToTarget', { targetId, flatten: true });
        const history = new TabHistory(() => ++this.seq, this.historySize);
        const a = new TabSession(this.browser, targetId, sessionId, history, (ev) => this.emit(targetId, ev));
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

  private forget(a: TabSession, why: string): void {
    this.sessions.delete(a.targetId);
    this.bySession.delete(a.sessionId);
    a.end(new CdpdError('TARGET_CLOSED', `The tab ${a.targetId.slice(0, MIN_PREFIX)} was ${why} while the command ran.`), this.byChild);
  }

  private emit(targetId: string, ev: PageEvent): void {
    for (const l of this.pageListeners) l(targetId, ev);
  }

  /** Route rules follow a tab into its out-of-process iframes. */
  private frameRoutes(a: TabSession, e: RawEvent): void {
    if (e.method === 'Target.attachedToTarget') {
      const p = e.params as Protocol.Target.AttachedToTargetEvent;
      if (p.targetInfo.type === 'iframe') this.routes.frameAttached(a, p.sessionId);
      // Held at its start by AUTO_ATTACH: commands run in order, so after its domains are on.
      if (p.waitingForDebugger) this.browser.send('Runtime.runIfWaitingForDebugger', undefined, p.sessionId).catch(() => {});
    } else if (e.method === 'Target.detachedFromTarget') {
      this.routes.frameDetached(a, (e.params as Protocol.Target.DetachedFromTargetEvent).sessionId);
    } else if (e.method === 'Fetch.requestPaused' && e.sessionId !== a.sessionId) {
      this.routes.framePaused(a, e);
    }
  }

  private dispatch(e: RawEvent): void {
    if (e.sessionId) {
      const a = this.bySession.get(e.sessionId);
      if (!a) {
        const owner = this.byChild.get(e.sessionId);
        if (!owner) return;
        owner.trackFrames(e, this.byChild);
        this.frameRoutes(owner, e);
        owner.childEvent(e);
        return;
      }
      a.trackFrames(e, this.byChild);
      this.frameRoutes(a, e);
      a.ownEvent(e);
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
        const t = this.targets.seen((e.params as Protocol.Target.TargetCreatedEvent).targetInfo);
        if (!isUserPage(t)) return;
        const action = e.method === 'Target.targetCreated' ? 'created' : 'changed';
        this.emit(t.targetId, { event: 'target', data: { action, targetId: t.targetId, url: t.url, title: t.title, timestamp: Date.now() } });
        if (action === 'created' && (this.autoAttach || this.routes.coversAll())) this.attach(t.targetId).catch(() => {});
        return;
      }
      case 'Target.targetDestroyed': {
        const { targetId } = e.params as Protocol.Target.TargetDestroyedEvent;
        this.targets.destroyed(targetId);
        const a = this.sessions.get(targetId);
        if (a) this.forget(a, 'closed');
        this.emit(targetId, { event: 'target', data: { action: 'destroyed', targetId, timestamp: Date.now() } });
        return;
      }
      default:
    }
  }
}
