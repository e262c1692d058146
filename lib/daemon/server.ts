/**
 * The daemon's WebSocket server on 127.0.0.1:0: refuses foreign Origin/Host before the
 * upgrade (403), wants the token in the first frame (close 4401, or 4408 after 2 s),
 * caps frames, and runs each connection's requests concurrently, cancelling them when
 * the connection closes.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { CdpdError, toCdpdError } from '../protocol/errors.js';
import {
  AUTH_TIMEOUT_MS, CLOSE, MAX_PAYLOAD, parseRequest, type DaemonFrame, type RequestFrame, type WelcomeFrame,
} from '../protocol/wire.js';
import { tickBatcher } from '../runtime/batch.js';
import { Abort } from '../runtime/abort.js';

/** What the server asks of the daemon. */
export interface ServerHandlers {
  welcome(): WelcomeFrame;
  /** Runs one request; resolves with its result or rejects with a CdpdError. */
  handle(req: RequestFrame, signal: Abort, conn: ClientConnection): Promise<unknown>;
  /** Called when the number of authenticated clients changes. */
  clientsChanged(count: number): void;
}

/** One authenticated client, as command handlers see it. */
export interface ClientConnection {
  readonly id: number;
  send(frame: DaemonFrame): void;
  /** Bytes queued to this client and not yet written to the socket. */
  bufferedAmount(): number;
  /** Called when the connection closes. */
  onClose(fn: () => void): void;
}

/** Constant-time token check on equal-length buffers. */
export function tokenMatches(given: unknown, expected: Buffer): boolean {
  const buf = Buffer.from(typeof given === 'string' ? given : '', 'utf8');
  // Compare against itself when lengths differ, so timing does not tell the length.
  if (buf.length !== expected.length) {
    timingSafeEqual(expected, expected);
    return false;
  }
  return timingSafeEqual(buf, expected);
}

/** The running server. */
export class DaemonServer {
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly token: Buffer;
  private readonly handlers: ServerHandlers;
  private readonly sockets = new Set<WebSocket>();
  private authed = 0;
  private nextConn = 1;
  port = 0;

  constructor(token: string, handlers: ServerHandlers) {
    this.token = Buffer.from(token, 'utf8');
    this.handlers = handlers;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD, perMessageDeflate: false, clientTracking: false });
    this.http = createServer((req, res) => {
      // A web page's fetch carries an Origin: refused like its WebSocket, and counted.
      if (req.headers.origin !== undefined) {
        this.refused.origin++;
        res.writeHead(403, { 'content-length': '0', connection: 'close' }).end();
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' }).end('cdpd speaks WebSocket only\n');
    });
    this.http.on('upgrade', (req, socket: Socket, head) => this.upgrade(req, socket, head));
    this.http.on('clientError', (_err, socket) => socket.destroy());
  }

  /** Listens on 127.0.0.1 with an ephemeral port. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(0, '127.0.0.1', () => {
        this.port = (this.http.address() as AddressInfo).port;
        resolve(this.port);
      });
    });
  }

  /** Authenticated clients right now. */
  get clientCount(): number {
    return this.authed;
  }

  /** Connections refused so far, by reason: a foreign Origin, a foreign Host, a bad or missing token. */
  readonly refused = { origin: 0, host: 0, auth: 0 };

  private inflightTotal = 0;
  private drainWaiters: Array<() => void> = [];

  /**
   * Closes every connection and the listener. With `graceMs`, requests in flight get up to
   * that long to send their answers first (they fail fast when the browser is gone).
   */
  async close(code: number = CLOSE.SHUTDOWN, reason = 'daemon shutting down', graceMs = 0): Promise<void> {
    if (graceMs > 0 && this.inflightTotal > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        this.drainWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    for (const ws of this.sockets) ws.close(code, reason);
    await new Promise<void>((r) => this.http.close(() => r()));
    for (const ws of this.sockets) ws.terminate();
  }

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    socket.on('error', () => {});
    // A web page can open ws://127.0.0.1:<port>; it always sends Origin. Refuse it, and any
    // Host that is not us (DNS rebinding).
    const host = req.headers.host ?? '';
    const okHost = host === `127.0.0.1:${this.port}` || host === `localhost:${this.port}`;
    if (req.headers.origin !== undefined || !okHost) {
      if (req.headers.origin !== undefined) this.refused.origin++;
      else this.refused.host++;
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.connection(ws, socket));
  }

  private connection(ws: WebSocket, socket: Socket): void {
    this.sockets.add(ws);
    const batch = tickBatcher(socket);
    const inflight = new Map<RequestFrame['id'], Abort>();
    const closeHooks: Array<() => void> = [];
    // 'refused' (a bad token, or none in time): whatever the client sends after is dropped
    // unread, so a frame pipelined behind a bad token never runs, nor authenticates.
    let auth: 'pending' | 'ok' | 'refused' = 'pending';
    const conn: ClientConnection = {
      id: this.nextConn++,
      send: (frame) => {
        if (ws.readyState !== ws.OPEN) return;
        batch();
        ws.send(JSON.stringify(frame));
      },
      bufferedAmount: () => ws.bufferedAmount,
      onClose: (fn) => closeHooks.push(fn),
    };
    const authTimer = setTimeout(() => {
      auth = 'refused';
      this.refused.auth++;
      ws.close(CLOSE.AUTH_TIMEOUT, 'auth timeout');
    }, AUTH_TIMEOUT_MS);

    ws.on('error', () => {});
    ws.on('close', () => {
      clearTimeout(authTimer);
      this.sockets.delete(ws);
      for (const ac of inflight.values()) ac.abort(new CdpdError('CANCELLED', 'The client disconnected.'));
      inflight.clear();
      for (const fn of closeHooks) fn();
      if (auth === 'ok') {
        this.authed--;
        this.handlers.clientsChanged(this.authed);
      }
    });
    ws.on('message', (data, isBinary) => {
      if (auth === 'refused') return;
      if (auth === 'pending') {
        clearTimeout(authTimer);
        if (isBinary || !this.authenticates(data.toString())) {
          auth = 'refused';
          this.refused.auth++;
          ws.close(CLOSE.UNAUTHORIZED, 'unauthorized');
          return;
        }
        auth = 'ok';
        this.authed++;
        this.handlers.clientsChanged(this.authed);
        conn.send(this.handlers.welcome());
        return;
      }
      if (isBinary) {
        conn.send({ id: null, ok: false, error: { code: 'BAD_REQUEST', message: 'binary frames are not accepted: send JSON text' } });
        return;
      }
      const parsed = parseRequest(data.toString());
      if (!parsed.ok) {
        conn.send({ id: parsed.id, ok: false, error: { code: 'BAD_REQUEST', message: parsed.message } });
        return;
      }
      const req = parsed.request;
      if (req.cmd === 'cancel') {
        // Aborts another in-flight request of this connection; that request answers CANCELLED.
        const ac = inflight.get(req.params?.request as RequestFrame['id']);
        ac?.abort(new CdpdError('CANCELLED', 'Cancelled by the client.'));
        conn.send({ id: req.id, ok: true, result: { cancelled: Boolean(ac) } });
        return;
      }
      if (inflight.has(req.id)) {
        conn.send({ id: req.id, ok: false, error: { code: 'BAD_REQUEST', message: `id ${JSON.stringify(req.id)} is already in flight` } });
        return;
      }
      const ac = new Abort();
      inflight.set(req.id, ac);
      this.inflightTotal++;
      const settled = () => {
        inflight.delete(req.id);
        if (--this.inflightTotal === 0) for (const w of this.drainWaiters.splice(0)) w();
      };
      this.handlers.handle(req, ac, conn).then(
        (result) => {
          conn.send({ id: req.id, ok: true, result: result ?? null });
          settled();
        },
        (err: unknown) => {
          conn.send({ id: req.id, ok: false, error: toCdpdError(err).toPayload() });
          settled();
        },
      );
    });
  }

  private authenticates(text: string): boolean {
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return false;
    }
    if (typeof frame !== 'object' || frame === null) return false;
    const f = frame as { type?: unknown; token?: unknown };
    return f.type === 'auth' && tokenMatches(f.token, this.token);
  }
}
