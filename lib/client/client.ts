/**
 * A client connection to the daemon: authenticates with the token, then sends typed
 * requests that may run concurrently and complete out of order. Events of watch
 * subscriptions arrive through `onEvent`.
 */
import { connect as netConnect, type NetConnectOpts, type Socket } from 'node:net';
import WebSocket from 'ws';
import { CdpdError } from '../protocol/errors.js';
import { MAX_PAYLOAD, type EventFrame, type RequestId, type WelcomeFrame } from '../protocol/wire.js';
import { tickBatcher } from '../runtime/batch.js';
import { parseWelcome, Requests } from './requests.js';

/** What every cdpd session (daemon or direct) offers. */
export interface Session {
  /** Runs a command with wire params; rejects with a CdpdError. */
  call(cmd: string, params?: Record<string, unknown>): Promise<unknown>;
  close(): Promise<void>;
}

/** An authenticated connection to a daemon. */
export class Client implements Session {
  readonly welcome: WelcomeFrame;
  private readonly ws: WebSocket;
  private readonly requests: Requests;
  private readonly closeListeners = new Set<(reason: CdpdError) => void>();

  private constructor(ws: WebSocket, welcome: WelcomeFrame, socket: Socket | undefined) {
    this.ws = ws;
    this.welcome = welcome;
    const batch = tickBatcher(socket);
    this.requests = new Requests((text) => {
      batch();
      ws.send(text);
    });
    ws.on('message', (data) => this.requests.receive(data.toString()));
    ws.on('close', (code, reason) => {
      const err = this.requests.closed(code, reason.toString());
      for (const l of this.closeListeners) l(err);
    });
  }

  /** Connects to a daemon on 127.0.0.1:`port` and authenticates. */
  static open(port: number, token: string, timeoutMs = 5000): Promise<Client> {
    return new Promise((resolve, reject) => {
      let socket: Socket | undefined;
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`, {
        perMessageDeflate: false, maxPayload: MAX_PAYLOAD,
        // Our own connect, to keep the socket for write batching.
        createConnection: (o: unknown) => (socket = netConnect(o as NetConnectOpts)),
      });
      const fail = (err: CdpdError) => {
        clearTimeout(timer);
        ws.removeAllListeners();
        ws.on('error', () => {});
        ws.terminate();
        reject(err);
      };
      const timer = setTimeout(() => fail(new CdpdError('DAEMON_GONE', `The daemon on port ${port} did not answer within ${timeoutMs} ms.`)), timeoutMs);
      ws.once('open', () => {
        ws.send(JSON.stringify({ type: 'auth', token }));
      });
      ws.once('message', (data) => {
        let frame: WelcomeFrame;
        try {
          frame = parseWelcome(data.toString());
        } catch (err) {
          return fail(err as CdpdError);
        }
        clearTimeout(timer);
        ws.removeAllListeners();
        ws.on('error', () => {});
        resolve(new Client(ws, frame, socket));
      });
      ws.once('close', (code) => fail(new CdpdError('DAEMON_GONE', `The daemon refused the connection (close code ${code}).`, { closeCode: code })));
      ws.once('error', (err: NodeJS.ErrnoException) => fail(new CdpdError('DAEMON_GONE', `Cannot reach the daemon on port ${port}: ${err.code ?? err.message}`, { errno: err.code })));
    });
  }

  /** Runs a command; rejects with the daemon's CdpdError. */
  call(cmd: string, params: Record<string, unknown> = {}): Promise<unknown> {
    return this.requests.start(cmd, params).done;
  }

  /** Like `call`, and also tells the request id (a watch's subscription id). */
  async callWithId(cmd: string, params: Record<string, unknown> = {}): Promise<{ id: RequestId; result: unknown }> {
    const { id, done } = this.start(cmd, params);
    return { id, result: await done };
  }

  /** Sends a request and hands back its id at once (to `cancel` it), and its answer. */
  start(cmd: string, params: Record<string, unknown> = {}): { id: number; done: Promise<unknown> } {
    return this.requests.start(cmd, params);
  }

  /** Streams events of one tab, or of every tab with `{ all: true }`; see watchEvents. */
  watch(target: WatchTarget, kinds?: string[]): AsyncGenerator<EventFrame, void, undefined> {
    return watchEvents(this, target, kinds);
  }

  /** Listens to streamed events; returns the unsubscribe. */
  onEvent(fn: (e: EventFrame) => void): () => void {
    return this.requests.onEvent(fn);
  }

  /** Called once when the connection closes, with the reason. */
  onClose(fn: (reason: CdpdError) => void): () => void {
    this.closeListeners.add(fn);
    return () => this.closeListeners.delete(fn);
  }

  /** True once `close()` was called: a watch then ends instead of failing. */
  get closing(): boolean {
    return this.closingByUs;
  }

  private closingByUs = false;

  /** Closes the connection; pending calls reject, watches end. */
  close(): Promise<void> {
    this.closingByUs = true;
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close(1000);
      setTimeout(() => {
        this.ws.terminate();
        resolve();
      }, 1000).unref();
    });
  }
}

/** What a library watch asks for: one tab (a prefix or id), or every tab. */
export type WatchTarget = string | { all: true };

/**
 * Streams events of `target` as an async iterator until `return()` (a `break` in
 * `for await`), which unsubscribes. A watch of one tab ends by itself after that tab's
 * `target destroyed` event (the daemon ends the subscription then). Events are buffered
 * without bound on the client side, so read them; the daemon drops (and counts, as a
 * `dropped` event) what it cannot send.
 */
export async function* watchEvents(client: Client, target: WatchTarget, kinds?: string[]): AsyncGenerator<EventFrame, void, undefined> {
  const queue: EventFrame[] = [];
  let wake: (() => void) | undefined;
  let closed: CdpdError | undefined;
  let subId: RequestId | undefined;
  let ended = false;
  const early: EventFrame[] = [];
  const offEvent = client.onEvent((e) => {
    if (subId === undefined) early.push(e);
    else if (e.sub === subId) queue.push(e);
    wake?.();
  });
  const offClose = client.onClose((reason) => {
    closed = reason;
    wake?.();
  });
  const params: Record<string, unknown> = typeof target === 'string' ? { target } : { all: true };
  if (kinds) params.events = kinds;
  try {
    const { id, result } = await client.callWithId('watch', params);
    subId = id;
    void result;
    queue.push(...early.filter((e) => e.sub === subId));
    for (;;) {
      while (queue.length) {
        const e = queue.shift()!;
        yield e;
        if (typeof target === 'string' && e.event === 'target' && e.data.action === 'destroyed') {
          ended = true;
          return;
        }
      }
      if (closed) {
        if (client.closing) return;
        throw closed;
      }
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
    }
  } finally {
    offEvent();
    offClose();
    if (subId !== undefined && !closed && !ended) await client.call('unwatch', { sub: subId }).catch(() => {});
  }
}
