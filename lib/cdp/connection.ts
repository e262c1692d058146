/**
 * The one browser-level CDP connection (chrome-remote-interface), with typed `send()`
 * from devtools-protocol's ProtocolMapping, per-call timeouts that name their knob, errors
 * with stable codes, and writes batched per tick.
 */
import CDP from 'chrome-remote-interface';
import type { ProtocolMapping } from 'devtools-protocol/types/protocol-mapping.js';
import type { Duplex } from 'node:stream';
import { browserGone, CdpdError } from '../protocol/errors.js';
import { tickBatcher } from '../runtime/batch.js';

type Commands = ProtocolMapping.Commands;

/**
 * Commands in flight on the connection at most; more wait their turn. Chrome answers one
 * session's commands in order anyway, and chrome-remote-interface walks every pending
 * command on each answer, so a deep queue there costs the daemon more than it gains.
 */
const WINDOW = 64;
type Events = ProtocolMapping.Events;

/** A CDP method name. */
export type Method = keyof Commands;
/** The params of a CDP method. */
export type ParamsOf<M extends Method> = Commands[M]['paramsType'] extends [] ? Record<string, never> | undefined
  : Commands[M]['paramsType'][0];
/** The result of a CDP method. */
export type ResultOf<M extends Method> = Commands[M]['returnType'];
/** A CDP event name. */
export type EventName = keyof Events;
/** The params of a CDP event. */
export type EventParams<E extends EventName> = Events[E] extends [infer P] ? P : undefined;

/** A raw CDP event as it arrives, with the session it belongs to. */
export interface RawEvent { method: string; params: unknown; sessionId?: string }

/** Default per-command timeout (ms); CDP_TIMEOUT or --timeout raises it. */
export const DEFAULT_TIMEOUT_MS = 15_000;

/** Options of a browser connection. */
export interface ConnectOptions {
  /** The browser-level ws URL. */
  wsUrl: string;
  /** Called once when the WebSocket upgrade has not been answered within `pendingAfterMs`. */
  onPending?: () => void;
  pendingAfterMs?: number;
  /** Give up waiting for the upgrade after this long (ms). */
  connectTimeoutMs: number;
}

/** A live browser connection. */
export class BrowserConnection {
  readonly wsUrl: string;
  /** Per-command timeout in ms. */
  timeoutMs = DEFAULT_TIMEOUT_MS;
  private readonly client: CDP.Client;
  private readonly batch: () => void;
  /** Commands sent and not yet answered, and those waiting for a place in the window. */
  private inflight = 0;
  private readonly waiting: Array<{ start: () => void; fail: () => void }> = [];
  private readonly eventListeners = new Set<(e: RawEvent) => void>();
  private readonly closeListeners = new Set<() => void>();
  private closedByUs = false;
  private closed = false;

  private constructor(wsUrl: string, client: CDP.Client) {
    this.wsUrl = wsUrl;
    this.client = client;
    // chrome-remote-interface keeps its socket private; batching is skipped if it moves.
    this.batch = tickBatcher((client as unknown as { _ws?: { _socket?: Duplex } })._ws?._socket);
    client.on('event', (message: RawEvent) => {
      for (const l of this.eventListeners) l(message);
    });
    client.on('disconnect', () => {
      this.closed = true;
      for (const w of this.waiting.splice(0)) w.fail();
      for (const l of this.closeListeners) l();
    });
  }

  /** Connects to the browser; the upgrade may be held while Chrome asks the user. */
  static async connect(opts: ConnectOptions): Promise<BrowserConnection> {
    const pending = opts.onPending
      ? setTimeout(opts.onPending, opts.pendingAfterMs ?? 1000) : undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      const client = await Promise.race([
        CDP({ target: opts.wsUrl, local: true, protocol: { version: { major: '1', minor: '3' }, domains: [] } }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new CdpdError('CONSENT_TIMEOUT',
            `Chrome did not accept the debugging connection within ${Math.round(opts.connectTimeoutMs / 1000)} s. ` +
            'Click Allow in Chrome\'s "Allow remote debugging?" dialog and try again ' +
            '(raise the wait with CDP_CONSENT_TIMEOUT).')), opts.connectTimeoutMs);
        }),
      ]);
      return new BrowserConnection(opts.wsUrl, client);
    } catch (err) {
      if (err instanceof CdpdError) throw err;
      throw new CdpdError('BROWSER_UNREACHABLE', `Cannot connect to the browser at ${redactUrl(opts.wsUrl)}: ${describe(err)}`);
    } finally {
      clearTimeout(pending);
      clearTimeout(timer);
    }
  }

  /** True once the connection has closed. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends a typed CDP command, on a tab's session when `sessionId` is given. */
  send<M extends Method>(method: M, params?: ParamsOf<M>, sessionId?: string, timeoutMs = this.timeoutMs): Promise<ResultOf<M>> {
    return this.sendRaw(method, params as object | undefined, sessionId, timeoutMs) as Promise<ResultOf<M>>;
  }

  /** Sends any CDP command by name (evalraw). */
  sendRaw(method: string, params: object | undefined, sessionId?: string, timeoutMs = this.timeoutMs): Promise<unknown> {
    // No call-site Error here: capturing a stack on every call costs more than the hop to the daemon.
    if (this.closed) return Promise.reject(browserGone());
    return new Promise((resolve, reject) => {
      let started = false;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        if (!started) {
          const i = this.waiting.indexOf(queued);
          if (i >= 0) this.waiting.splice(i, 1);
          return;
        }
        this.inflight--;
        this.waiting.shift()?.start();
      };
      const timer = setTimeout(() => {
        // A command Chrome never answers (a hung page) gives its place in the window back.
        release();
        reject(new CdpdError('TIMEOUT', `Timeout: ${method} did not answer within ${timeoutMs} ms (raise with --timeout or CDP_TIMEOUT)`));
      }, timeoutMs);
      const start = () => {
        started = true;
        this.inflight++;
        const args: unknown[] = [method, params ?? {}];
        if (sessionId) args.push(sessionId);
        this.batch();
        (this.client.send as (...a: unknown[]) => Promise<unknown>)(...args).then(
          (result) => {
            clearTimeout(timer);
            release();
            resolve(result);
          },
          (err: unknown) => {
            clearTimeout(timer);
            release();
            reject(this.translate(err, method));
          },
        );
      };
      const queued = {
        start,
        fail: () => {
          clearTimeout(timer);
          released = true;
          reject(browserGone());
        },
      };
      if (this.inflight < WINDOW) start();
      else this.waiting.push(queued);
    });
  }

  /** Listens to every CDP event of the connection; returns the unsubscribe. */
  onEvent(listener: (e: RawEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Called once when the browser connection closes. */
  onClose(listener: () => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    if (this.closed || this.closedByUs) return;
    this.closedByUs = true;
    await this.client.close().catch(() => {});
    this.closed = true;
  }

  private translate(err: unknown, method: string): CdpdError {
    const response = (err as { response?: { code?: number; message?: string; data?: string } }).response;
    let out: CdpdError;
    if (response) {
      const msg = response.data ? `${response.message} (${response.data})` : String(response.message);
      out = /session with given id not found|No target with given id|Target closed/i.test(msg)
        ? new CdpdError('TARGET_CLOSED', `The tab closed or detached (${msg}). Run "cdp list".`)
        : new CdpdError('CDP_ERROR', msg, { method, cdpCode: response.code });
    } else if (this.closed || /closed/i.test(describe(err))) {
      out = browserGone();
    } else {
      out = new CdpdError('CDP_ERROR', describe(err), { method });
    }
    return out;
  }
}


function describe(err: unknown): string {
  if (err instanceof Error) return err.message || (err as NodeJS.ErrnoException).code || err.name;
  if (err && typeof err === 'object' && 'type' in err) return String((err as { type: unknown }).type);
  return String(err);
}

/** The ws URL without its browser id, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '(invalid url)';
  }
}

/** Resolves `http://host:port` to the browser ws URL through /json/version. */
export async function resolveHttpEndpoint(httpUrl: string, timeoutMs: number): Promise<string> {
  let body: { webSocketDebuggerUrl?: string };
  try {
    const res = await fetch(new URL('/json/version', httpUrl), { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new Error(`HTTP ${res.status} from /json/version`);
    body = (await res.json()) as typeof body;
  } catch (err) {
    throw new CdpdError('BROWSER_UNREACHABLE',
      `Cannot reach the browser at ${httpUrl}: ${describe(err)}. With Chrome's chrome://inspect toggle, /json/* answers 404: point CDP_PORT_FILE at its DevToolsActivePort instead.`);
  }
  if (!body.webSocketDebuggerUrl) throw new CdpdError('BROWSER_UNREACHABLE', `${httpUrl}/json/version has no webSocketDebuggerUrl`);
  return body.webSocketDebuggerUrl;
}
