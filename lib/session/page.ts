/**
 * A request's handle on an attached tab: typed CDP calls on its session that end when the
 * tab closes or the asking client goes away, event waits, and page functions called with
 * JSON arguments.
 */
import type { Protocol } from 'devtools-protocol';
import type { BrowserConnection, EventName, EventParams, Method, ParamsOf, RawEvent, ResultOf } from '../cdp/connection.js';
import { CdpdError } from '../protocol/errors.js';
import type { Dialog, TabSession } from './tab.js';
import type { TabHistory } from './history.js';
import type { RefTable } from './refs.js';
import type { SnapMemory } from './snapdiff.js';
import type { PageEvent } from './events.js';
import type { PageScript } from './script.js';
import type { Abort } from '../runtime/abort.js';
import { shortId } from '../protocol/ids.js';

/** One request's handle on an attached tab. */
export class Page {
  readonly targetId: string;
  readonly sessionId: string;
  private readonly browser: BrowserConnection;
  private readonly attached: TabSession;
  /** The element refs snapshots issued for this tab. */
  get refs(): RefTable {
    return this.attached.refs;
  }

  /** The tab's last snapshots, for `snap --diff`. */
  get snaps(): SnapMemory {
    return this.attached.snaps;
  }

  /** The tab's console and network history. */
  get history(): TabHistory {
    return this.attached.history;
  }

  /** The session of an out-of-process iframe, by its frame id. */
  oopifSession(frameId: string): string | undefined {
    return this.attached.oopifSession(frameId);
  }

  /** The out-of-process iframes: [frame id, session id]. */
  oopifs(): Array<[string, string]> {
    return this.attached.oopifs();
  }

  /** The session an iframe's session is under (the tab's, or another iframe's). */
  parentSession(sessionId: string): string | undefined {
    return this.attached.parentSession(sessionId);
  }

  /** The main-world execution context of a frame in a session, when known. */
  mainContext(sessionId: string, frameId: string): number | undefined {
    return this.attached.mainContext(sessionId, frameId);
  }

  /** How long the tab's network has had no request in flight (0 while one is). */
  networkQuietFor(now = Date.now()): number {
    return this.attached.networkQuietFor(now);
  }
  private readonly signal: Abort;
  private readonly timeoutMs: number | undefined;

  constructor(browser: BrowserConnection, attached: TabSession, signal: Abort, timeoutMs?: number) {
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

  /** Sends a typed CDP command on one of this tab's sessions (its own, or an iframe's). */
  sendOn<M extends Method>(sessionId: string, method: M, params?: ParamsOf<M>, timeoutMs?: number): Promise<ResultOf<M>> {
    return this.guard(this.browser.send(method, params, sessionId, timeoutMs ?? this.timeoutMs));
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
      const stop = this.attached.listen(listener);
      off = () => {
        clearTimeout(timer);
        stop();
      };
    });
    return this.guard(p).finally(() => off());
  }

  /** Calls `fn` with every CDP event of this tab's session until the returned function is called. */
  listen(fn: (e: RawEvent) => void): () => void {
    return this.attached.listen(fn);
  }

  /** Calls `fn` with every event of this tab as `watch` gives it, until the returned function is called. */
  onEvent(fn: (e: PageEvent) => void): () => void {
    return this.attached.onEvent(fn);
  }

  /** The dialog open on this tab, if any. */
  get dialog(): Dialog | undefined {
    return this.attached.dialog;
  }

  /**
   * Rejects when the tab closes, the client goes away, or a JavaScript dialog blocks the
   * page, whichever comes first. `dialogs: 'allow'` is for the calls that answer one.
   */
  guard<T>(work: Promise<T>, dialogs: 'fail' | 'allow' = 'fail'): Promise<T> {
    const closed = this.attached.closed;
    const fired = closed.aborted ? closed : this.signal.aborted ? this.signal : undefined;
    const blocked = dialogs === 'fail' ? this.dialogError() : undefined;
    if (fired || blocked) {
      work.catch(() => {});
      return Promise.reject(fired ? fired.reason : blocked);
    }
    return new Promise<T>((resolve, reject) => {
      const onDialog = () => reject(this.dialogError());
      const offClosed = closed.onAbort(reject);
      const offSignal = this.signal.onAbort(reject);
      const offDialog = dialogs === 'fail' ? this.attached.onDialog(onDialog) : undefined;
      const done = () => {
        offClosed();
        offSignal();
        offDialog?.();
      };
      work.then((v) => { done(); resolve(v); }, (e) => { done(); reject(e); });
    });
  }

  /** Answers the open dialog. */
  answerDialog(accept: boolean, promptText?: string): Promise<unknown> {
    const params = promptText === undefined ? { accept } : { accept, promptText };
    return this.guard(this.browser.send('Page.handleJavaScriptDialog', params, this.sessionId, this.timeoutMs), 'allow');
  }

  private dialogError(): CdpdError | undefined {
    const d = this.attached.dialog;
    if (!d) return undefined;
    const prefix = shortId(this.targetId);
    return new CdpdError('DIALOG_OPEN',
      `A JavaScript ${d.type} dialog is open on tab ${prefix}: ${JSON.stringify(d.message)}. It blocks the page until answered: ` +
      `cdp dialog ${prefix} accept${d.type === 'prompt' ? ' [text]' : ''}, or cdp dialog ${prefix} dismiss.`,
      { dialog: d });
  }

  /**
   * Runs `fn` in the page with JSON-encoded arguments (never interpolated as code), awaits
   * a returned promise, and returns its value.
   */
  async call<A extends unknown[], T>(fn: PageScript<A, T>, ...args: A): Promise<T> {
    const expression = `(${fn})(...${JSON.stringify(args)})`;
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
