/**
 * Pages and their sessions over the one browser connection: live listing, prefix
 * resolution, lazy flat attach (kept until the tab closes), and a per-request `Page`
 * handle whose calls end when the tab closes or the asking client goes away.
 */
import type { Protocol } from 'devtools-protocol';
import type { BrowserConnection, EventName, EventParams, Method, ParamsOf, RawEvent, ResultOf } from '../cdp/connection.js';
import { CdpdError } from '../protocol/errors.js';

type TargetInfo = Protocol.Target.TargetInfo;

/** A page as `list` shows it. */
export interface PageInfo {
  targetId: string;
  /** The shortest unique prefix, at least 8 characters. */
  prefix: string;
  title: string;
  url: string;
  attached: boolean;
}

/** Minimum prefix length `list` shows. */
export const MIN_PREFIX = 8;

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

interface Attached {
  targetId: string;
  sessionId: string;
  closed: AbortController;
  listeners: Set<(e: RawEvent) => void>;
}

/** The tabs of one browser connection. */
export class Tabs {
  private readonly browser: BrowserConnection;
  private readonly sessions = new Map<string, Attached>();
  private readonly attaching = new Map<string, Promise<Attached>>();
  private readonly bySession = new Map<string, Attached>();

  constructor(browser: BrowserConnection) {
    this.browser = browser;
    browser.onEvent((e) => this.dispatch(e));
  }

  /** Subscribes to target lifecycle; call once after connecting. */
  async init(): Promise<void> {
    await this.browser.send('Target.setDiscoverTargets', { discover: true });
  }

  /** The open pages, live from Chrome, with their display prefixes. */
  async list(): Promise<PageInfo[]> {
    const { targetInfos } = await this.browser.send('Target.getTargets');
    const pages = targetInfos.filter(isUserPage);
    const n = prefixLength(pages.map((p) => p.targetId));
    return pages.map((p) => ({
      targetId: p.targetId,
      prefix: p.targetId.slice(0, n),
      title: p.title,
      url: p.url,
      attached: this.sessions.has(p.targetId),
    }));
  }

  /** The page a prefix names, or an error that lists the candidates. */
  async resolve(prefix: string): Promise<PageInfo> {
    if (typeof prefix !== 'string' || prefix.length === 0) {
      throw new CdpdError('USAGE', 'target ID required. Run "cdp list" first.');
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
  async page(targetId: string, signal: AbortSignal, timeoutMs?: number): Promise<Page> {
    const a = await this.attach(targetId);
    return new Page(this.browser, a, signal, timeoutMs);
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
      pending = this.browser.send('Target.attachToTarget', { targetId, flatten: true }).then(({ sessionId }) => {
        const a: Attached = { targetId, sessionId, closed: new AbortController(), listeners: new Set() };
        this.sessions.set(targetId, a);
        this.bySession.set(sessionId, a);
        return a;
      }).finally(() => this.attaching.delete(targetId));
      this.attaching.set(targetId, pending);
    }
    return pending;
  }

  private forget(a: Attached, why: string): void {
    this.sessions.delete(a.targetId);
    this.bySession.delete(a.sessionId);
    a.closed.abort(new CdpdError('TARGET_CLOSED', `The tab ${a.targetId.slice(0, MIN_PREFIX)} was ${why} while the command ran.`));
  }

  private dispatch(e: RawEvent): void {
    if (e.sessionId) {
      const a = this.bySession.get(e.sessionId);
      if (a) for (const l of a.listeners) l(e);
      return;
    }
    if (e.method === 'Target.detachedFromTarget') {
      const { sessionId } = e.params as Protocol.Target.DetachedFromTargetEvent;
      const a = this.bySession.get(sessionId);
      if (a) this.forget(a, 'closed');
    } else if (e.method === 'Target.targetDestroyed') {
      const { targetId } = e.params as Protocol.Target.TargetDestroyedEvent;
      const a = this.sessions.get(targetId);
      if (a) this.forget(a, 'closed');
    }
  }
}

/** One request's handle on an attached tab. */
export class Page {
  readonly targetId: string;
  readonly sessionId: string;
  private readonly browser: BrowserConnection;
  private readonly attached: Attached;
  private readonly signal: AbortSignal;
  private readonly timeoutMs: number | undefined;

  constructor(browser: BrowserConnection, attached: Attached, signal: AbortSignal, timeoutMs?: number) {
    this.browser = browser;
    this.attached = attached;
    this.signal = signal;
    this.timeoutMs = timeoutMs;
    this.targetId = attached.targetId;
    this.sessionId = attached.sessionId;
  }

  /** Sends a typed CDP command on this tab's session. */
  send<M extends Method>(method: M, params?: ParamsOf<M>, timeoutMs?: number): Promise<ResultOf<M>> {
    return this.guard(this.browser.send(method, params, this.sessionId, timeoutMs ?? this.timeoutMs));
  }

  /** Sends any CDP command on this tab's session. */
  sendRaw(method: string, params: object | undefined): Promise<unknown> {
    return this.guard(this.browser.sendRaw(method, params, this.sessionId, this.timeoutMs));
  }

  /** Resolves with the params of the next `event` on this tab that passes `filter`. */
  waitFor<E extends EventName>(event: E, timeoutMs: number, what: string, filter?: (p: EventParams<E>) => boolean): Promise<EventParams<E>> {
    let off = () => {};
    const p = new Promise<EventParams<E>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new CdpdError('TIMEOUT', what)), timeoutMs);
      const listener = (e: RawEvent) => {
        if (e.method !== event || (filter && !filter(e.params as EventParams<E>))) return;
        clearTimeout(timer);
        resolve(e.params as EventParams<E>);
      };
      this.attached.listeners.add(listener);
      off = () => {
        clearTimeout(timer);
        this.attached.listeners.delete(listener);
      };
    });
    return this.guard(p).finally(() => off());
  }

  /** Rejects when the tab closes or the client goes away, whichever comes first. */
  guard<T>(work: Promise<T>): Promise<T> {
    const signals = [this.attached.closed.signal, this.signal];
    const fired = signals.find((s) => s.aborted);
    if (fired) {
      work.catch(() => {});
      return Promise.reject(fired.reason);
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = (ev: Event) => reject((ev.target as AbortSignal).reason);
      for (const s of signals) s.addEventListener('abort', onAbort, { once: true });
      const done = () => {
        for (const s of signals) s.removeEventListener('abort', onAbort);
      };
      work.then((v) => { done(); resolve(v); }, (e) => { done(); reject(e); });
    });
  }

  /**
   * Runs `fn` in the page with JSON-encoded arguments (never interpolated as code), awaits
   * a returned promise, and returns its value.
   */
  async call<A extends unknown[], T>(fn: (...args: A) => T | Promise<T>, ...args: A): Promise<T> {
    const expression = `(${fn.toString()})(...${JSON.stringify(args)})`;
    const r = await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true, userGesture: true });
    if (r.exceptionDetails) throw jsException(r.exceptionDetails);
    return r.result.value as T;
  }
}

/** The real message of a JS exception: `ReferenceError: foo is not defined`, not "Uncaught". */
export function jsException(d: Protocol.Runtime.ExceptionDetails): CdpdError {
  const ex = d.exception;
  let message: string;
  if (ex?.type === 'object' && ex.description) message = ex.description.split('\n')[0]!;
  else if (ex && 'value' in ex) message = `Uncaught ${typeof ex.value === 'string' ? ex.value : JSON.stringify(ex.value)}`;
  else if (ex?.description) message = `Uncaught ${ex.description}`;
  else message = d.text;
  return new CdpdError('JS_EXCEPTION', message, {
    stack: ex?.description, line: d.lineNumber + 1, column: d.columnNumber + 1,
  });
}
