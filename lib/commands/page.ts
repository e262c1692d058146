/**
 * A request's handle on an attached tab: typed CDP calls on its session that end when the
 * tab closes or the asking client goes away, event waits, and page functions called with
 * JSON arguments.
 */
import type { Protocol } from 'devtools-protocol';
import type { BrowserConnection, EventName, EventParams, Method, ParamsOf, RawEvent, ResultOf } from '../cdp/connection.js';
import { CdpdError } from '../protocol/errors.js';
import type { Attached } from './tabs.js';

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
