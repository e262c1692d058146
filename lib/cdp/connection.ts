/**
 * The one browser-level CDP connection: a `ws` WebSocket speaking CDP's JSON, with typed
 * `send()` from devtools-protocol's ProtocolMapping, per-call timeouts that name their
 * knob, errors with stable codes, and writes batched per tick.
 *
 * It used chrome-remote-interface, whose message path costs what the daemon is measured
 * on (the bench's session latency and throughput): per answer it counts the pending
 * callbacks (`Object.keys`, so a burst of n calls costs n²), and per event it emits three
 * times, building a `method.sessionId` string each. What cdpd needs of it is this file.
 */
import type { ProtocolMapping } from 'devtools-protocol/types/protocol-mapping.js';
import type { Duplex } from 'node:stream';
import { connect as netConnect, type NetConnectOpts } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import WebSocket from 'ws';
import { browserGone, CdpdError } from '../protocol/errors.js';
import { tickBatcher } from '../runtime/batch.js';

type Commands = ProtocolMapping.Commands;
type Events = ProtocolMapping.Events;

/** The largest message Chrome may send: a full-page screenshot or a huge DOM. */
const MAX_MESSAGE = 512 * 1024 * 1024;

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
  /** Extra headers for the upgrade (a remote endpoint's credentials). */
  headers?: Record<string, string>;
}

/** A CDP error answer. */
interface CdpError { code?: number; message?: string; data?: string }

interface Pending { resolve(v: unknown): void; reject(e: unknown): void; method: string; timeoutMs: number; deadline: number }

/**
 * How often pending calls are checked against their deadlines: one timer per connection
 * while calls are pending, not one per call (a timer per call was a tenth of the daemon's
 * own work per request). A call fails at most this much after its timeout.
 */
const SWEEP_MS = 100;

/** A live browser connection. */
export class BrowserConnection {
  readonly wsUrl: string;
  /** Per-command timeout in ms. */
  timeoutMs = DEFAULT_TIMEOUT_MS;
  private readonly ws: WebSocket;
  private readonly batch: () => void;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly eventListeners = new Set<(e: RawEvent) => void>();
  private readonly closeListeners = new Set<() => void>();
  private closedByUs = false;
  private closed = false;
  private sweepTimer: NodeJS.Timeout | undefined;
  /** No pending call's deadline is before this (it may be earlier than the true first one). */
  private earliest = Infinity;

  private constructor(wsUrl: string, ws: WebSocket, socket: Duplex | undefined) {
    this.wsUrl = wsUrl;
    this.ws = ws;
    this.batch = tickBatcher(socket);
    ws.on('message', (data: Buffer) => this.receive(data));
    ws.on('error', () => {});
    ws.once('close', () => {
      this.closed = true;
      clearTimeout(this.sweepTimer);
      const gone = browserGone();
      for (const p of this.pending.values()) p.reject(gone);
      this.pending.clear();
      if (!this.closedByUs) for (const l of this.closeListeners) l();
    });
  }

  /** Connects to the browser; the upgrade may be held while Chrome asks the user. */
  static connect(opts: ConnectOptions): Promise<BrowserConnection> {
    return new Promise((resolve, reject) => {
      let socket: Duplex | undefined;
      let ws: WebSocket;
      try {
        ws = new WebSocket(opts.wsUrl, {
          // Chrome's frames are its own JSON: checking their UTF-8 again costs every answer.
          perMessageDeflate: false, maxPayload: MAX_MESSAGE, followRedirects: false, skipUTF8Validation: true,
          ...(opts.headers && Object.keys(opts.headers).length ? { headers: opts.headers } : {}),
          // Our own connect, to keep the socket for write batching.
          createConnection: ((o: NetConnectOpts & ConnectionOptions) => (socket = opts.wsUrl.startsWith('wss:') ? tlsConnect(o) : netConnect(o))) as never,
        });
      } catch (err) {
        reject(new CdpdError('BROWSER_UNREACHABLE', `Cannot connect to the browser at ${redactUrl(opts.wsUrl)}: ${describe(err)}`));
        return;
      }
      const pending = opts.onPending ? setTimeout(opts.onPending, opts.pendingAfterMs ?? 1000) : undefined;
      const done = (err?: CdpdError) => {
        clearTimeout(pending);
        clearTimeout(timer);
        ws.removeAllListeners();
        if (!err) return resolve(new BrowserConnection(opts.wsUrl, ws, socket));
        ws.on('error', () => {});
        ws.terminate();
        reject(err);
      };
      const timer = setTimeout(() => done(new CdpdError('CONSENT_TIMEOUT',
        `Chrome did not accept the debugging connection within ${Math.round(opts.connectTimeoutMs / 1000)} s. ` +
        'Click Allow in Chrome\'s "Allow remote debugging?" dialog and try again ' +
        '(raise the wait with CDP_CONSENT_TIMEOUT).')), opts.connectTimeoutMs);
      const unreachable = (why: string) => done(new CdpdError('BROWSER_UNREACHABLE', `Cannot connect to the browser at ${redactUrl(opts.wsUrl)}: ${why}`));
      ws.once('open', () => done());
      ws.once('unexpected-response', (_req, res) => unreachable(`HTTP ${res.statusCode} to the WebSocket upgrade`));
      ws.once('error', (err) => unreachable(describe(err)));
      ws.once('close', (code) => unreachable(`closed during the handshake (code ${code})`));
    });
  }

  /** Sends a typed CDP command, on a tab's session when `sessionId` is given. */
  send<M extends Method>(method: M, params?: ParamsOf<M>, sessionId?: string, timeoutMs = this.timeoutMs): Promise<ResultOf<M>> {
    return this.sendRaw(method, params as object | undefined, sessionId, timeoutMs) as Promise<ResultOf<M>>;
  }

  /** Sends any CDP command by name (evalraw). */
  sendRaw(method: string, params: object | undefined, sessionId?: string, timeoutMs = this.timeoutMs): Promise<unknown> {
    // No call-site Error here: capturing a stack on every call costs more than the hop to the daemon.
    if (this.closed) return Promise.reject(browserGone());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // A command Chrome never answers (a hung page) fails by itself; a late answer is dropped.
      const deadline = Date.now() + timeoutMs;
      if (deadline < this.earliest) this.earliest = deadline;
      this.pending.set(id, { resolve, reject, method, timeoutMs, deadline });
      this.sweepTimer ??= setTimeout(() => this.sweep(), SWEEP_MS).unref();
      this.batch();
      this.ws.send(JSON.stringify(sessionId ? { id, method, params: params ?? {}, sessionId } : { id, method, params: params ?? {} }));
    });
  }

  /** Fails the pending calls past their deadline; checks again while any are pending. */
  private sweep(): void {
    this.sweepTimer = undefined;
    const now = Date.now();
    // Most sweeps find nothing due (timeouts are seconds, sweeps 100 ms apart): no scan then.
    if (now >= this.earliest) {
      let earliest = Infinity;
      this.pending.forEach((p, id) => {
        if (p.deadline > now) {
          if (p.deadline < earliest) earliest = p.deadline;
          return;
        }
        this.pending.delete(id);
        p.reject(new CdpdError('TIMEOUT', `Timeout: ${p.method} did not answer within ${p.timeoutMs} ms (raise with --timeout or CDP_TIMEOUT)`));
      });
      this.earliest = earliest;
    }
    // Unref'd: the connection's socket keeps the process alive while a call waits.
    if (this.pending.size && !this.closed) this.sweepTimer = setTimeout(() => this.sweep(), SWEEP_MS).unref();
  }

  /** Listens to every CDP event of the connection; returns the unsubscribe. */
  onEvent(listener: (e: RawEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Called once when the browser connection closes (not when we close it). */
  onClose(listener: () => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Closes the connection; pending calls fail. */
  close(): Promise<void> {
    if (this.closed || this.closedByUs) return Promise.resolve();
    this.closedByUs = true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.ws.terminate();
        resolve();
      }, 1000);
      this.ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.ws.close();
    });
  }

  private receive(data: Buffer): void {
    let msg: { id?: number; result?: unknown; error?: CdpError; method?: string; params?: unknown; sessionId?: string };
    try {
      msg = JSON.parse(data.toString());
    } catch {
      return;
    }
    if (msg.id !== undefined) {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(cdpError(msg.error, p.method));
      else p.resolve(msg.result ?? {});
      return;
    }
    if (msg.method) {
      const e: RawEvent = msg.sessionId ? { method: msg.method, params: msg.params, sessionId: msg.sessionId } : { method: msg.method, params: msg.params };
      for (const l of this.eventListeners) l(e);
    }
  }
}

/** A CDP error answer as a CdpdError: a gone tab is TARGET_CLOSED, the rest CDP_ERROR. */
function cdpError(err: CdpError, method: string): CdpdError {
  const msg = err.data ? `${err.message} (${err.data})` : String(err.message);
  return /session with given id not found|No target with given id|Target closed/i.test(msg)
    ? new CdpdError('TARGET_CLOSED', `The tab closed or detached (${msg}). Run "cdp list".`)
    : new CdpdError('CDP_ERROR', msg, { method, cdpCode: err.code });
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
export async function resolveHttpEndpoint(httpUrl: string, timeoutMs: number, headers: Record<string, string> = {}): Promise<string> {
  let body: { webSocketDebuggerUrl?: string };
  try {
    const res = await fetch(new URL('/json/version', httpUrl), { signal: AbortSignal.timeout(timeoutMs), headers });
    if (!res.ok) throw new Error(`HTTP ${res.status} from /json/version`);
    body = (await res.json()) as typeof body;
  } catch (err) {
    throw new CdpdError('BROWSER_UNREACHABLE',
      `Cannot reach the browser at ${redactUrl(httpUrl)}: ${describe(err)}. With Chrome's chrome://inspect toggle, /json/* answers 404: point CDP_PORT_FILE at its DevToolsActivePort instead.`);
  }
  if (!body.webSocketDebuggerUrl) throw new CdpdError('BROWSER_UNREACHABLE', `${redactUrl(httpUrl)}/json/version has no webSocketDebuggerUrl`);
  return body.webSocketDebuggerUrl;
}
