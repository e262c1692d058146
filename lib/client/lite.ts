/**
 * A minimal WebSocket client over `net` for the one-shot CLI: one connection, text frames;
 * lib/client/lite-client.ts is the session on top (auth, requests). Loading `ws` pulls in
 * http, https, tls and zlib, and `node:crypto` a dozen more internal modules, on a path
 * that runs once per agent action (README's Performance section has what they cost). The upgrade request and
 * whatever the caller sends in the same turn leave in one write; the answer is checked as
 * it comes. The REPL, `watch` and the library keep `ws`. Specced against the real `ws`
 * server: handshake and accept check, pipelining, masking, 16- and 64-bit lengths,
 * fragments, many frames per chunk, ping, close codes.
 */
import { connect, type Socket } from 'node:net';
import { CdpdError } from '../protocol/errors.js';
import { sha1Base64 } from './sha1.js';
import { mark } from '../runtime/trace.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/**
 * Four random bytes. Masking keeps a browser page's chosen bytes off the wire in front of a
 * proxy (RFC 6455 §10.3); this client speaks to its own daemon over loopback with no proxy
 * between, so Math.random serves, and node:crypto stays off the one-shot path.
 */
function randomBytes(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(Math.random() * 256);
  return b;
}

/** Encodes one masked client frame (RFC 6455 §5.2). */
export function encodeFrame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const out = Buffer.allocUnsafe(head + 4 + len);
  out[0] = 0x80 | opcode;
  if (len < 126) out[1] = 0x80 | len;
  else if (len < 65536) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeBigUInt64BE(BigInt(len), 2);
  }
  const mask = randomBytes(4);
  mask.copy(out, head);
  for (let i = 0; i < len; i++) out[head + 4 + i] = payload[i]! ^ mask[i & 3]!;
  return out;
}

/**
 * A connection to the daemon speaking just enough WebSocket. It may pipeline: text sent
 * before the upgrade answer follows the upgrade request in the same stream, where the
 * server reads it as the first frames once it has upgraded. The answer is checked when it
 * comes, and no frame is handled before it passed.
 */
export class LiteSocket {
  private readonly sock: Socket;
  private readonly port: number;
  private readonly key = randomBytes(16).toString('base64');
  /** The Sec-WebSocket-Accept the daemon must answer: worked out while it is on its way. */
  private accept: string | undefined;
  private head: Buffer | undefined = Buffer.alloc(0);
  private buf: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private onText: (text: string) => void = () => {};
  private onClose: (code: number, reason: string) => void = () => {};
  private closed = false;
  /** Frames wait in `buf` until someone handles them, so none that came early is lost. */
  private handled = false;
  private sockClosed = false;
  private timer: NodeJS.Timeout | undefined;
  private settle!: (err?: CdpdError) => void;
  /** Resolves once the upgrade answer passed its checks; rejects with why it did not. */
  readonly upgraded: Promise<void>;
  /** Why the upgrade failed, once it has. */
  failure: CdpdError | undefined;

  private constructor(sock: Socket, port: number, timeoutMs: number) {
    this.sock = sock;
    this.port = port;
    this.upgraded = new Promise<void>((resolve, reject) => {
      this.settle = (err) => (err ? reject(err) : resolve());
    });
    this.upgraded.catch(() => {}); // a pipelining caller learns of it from its close handler
    this.timer = setTimeout(() => this.fail(`did not answer within ${timeoutMs} ms`), timeoutMs);
    sock.on('data', (c: Buffer) => this.receive(c));
    sock.on('error', () => {});
    sock.on('close', () => {
      clearTimeout(this.timer);
      if (this.head) this.fail('it closed the connection during the upgrade');
      // Frames that came before the close still count: handle() reads them first.
      this.sockClosed = true;
      if (this.handled) this.finish(1006, '');
    });
  }

  /**
   * Connects and writes the upgrade request (no Origin header, Host 127.0.0.1:port).
   * Resolves on the TCP connect, before the answer: see `upgraded`.
   */
  static connect(port: number, timeoutMs: number): Promise<LiteSocket> {
    return new Promise((resolve, reject) => {
      const sock = connect(port, '127.0.0.1');
      sock.setNoDelay(true);
      const refused = (err: NodeJS.ErrnoException) => {
        sock.destroy();
        reject(new CdpdError('DAEMON_GONE', `Cannot reach the daemon on port ${port}: ${err.code ?? err.message}`, err.code ? { errno: err.code } : undefined));
      };
      const timer = setTimeout(() => refused(new Error(`did not answer within ${timeoutMs} ms`)), timeoutMs);
      sock.once('error', refused);
      sock.once('connect', () => {
        mark('connected');
        clearTimeout(timer);
        sock.off('error', refused);
        const ls = new LiteSocket(sock, port, timeoutMs);
        // What the caller sends in this turn (auth, a first request) leaves with the upgrade
        // request in one write.
        sock.cork();
        setImmediate(() => {
          sock.uncork();
          // The hash waits for nothing but costs time; the daemon's answer takes longer.
          ls.accept ??= sha1Base64(ls.key + GUID);
        });
        sock.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${ls.key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
        resolve(ls);
      });
    });
  }

  /** Connects and waits for the upgrade to pass. */
  static async open(port: number, timeoutMs: number): Promise<LiteSocket> {
    const ls = await LiteSocket.connect(port, timeoutMs);
    await ls.upgraded;
    return ls;
  }

  private fail(why: string): void {
    if (!this.head) return;
    this.head = undefined;
    clearTimeout(this.timer);
    this.failure = new CdpdError('DAEMON_GONE', `Cannot reach the daemon on port ${this.port}: ${why}`);
    this.settle(this.failure);
    // The socket's close event tells the handler (see `failure`).
    this.sock.destroy();
  }

  /** Reads the upgrade answer; hands what follows it to the frame reader. */
  private upgrade(chunk: Buffer): void {
    const head = Buffer.concat([this.head!, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) {
      if (head.length > 16 * 1024) return this.fail('the upgrade answer is too long');
      this.head = head;
      return;
    }
    const lines = head.subarray(0, end).toString('latin1').split('\r\n');
    const status = lines[0] ?? '';
    if (!/^HTTP\/1\.1 101 /.test(status)) return this.fail(`the upgrade was refused (${status})`);
    const got = lines.find((l) => /^sec-websocket-accept:/i.test(l))?.split(':')[1]?.trim();
    this.accept ??= sha1Base64(this.key + GUID);
    if (got !== this.accept) return this.fail('the upgrade answer has a wrong Sec-WebSocket-Accept');
    this.head = undefined;
    clearTimeout(this.timer);
    mark('upgraded');
    this.settle();
    this.receive(head.subarray(end + 4));
  }

  /** Sets the text-message and close handlers. */
  handle(onText: (text: string) => void, onClose: (code: number, reason: string) => void): void {
    this.onText = onText;
    this.onClose = onClose;
    if (this.handled) return;
    this.handled = true;
    this.receive(Buffer.alloc(0));
    if (this.sockClosed) this.finish(1006, '');
  }

  sendText(text: string): void {
    if (!this.closed) this.sock.write(encodeFrame(0x1, Buffer.from(text, 'utf8')));
  }

  /** Sends a close frame and ends the socket. */
  close(code = 1000): Promise<void> {
    if (this.closed) return Promise.resolve();
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(code);
    return new Promise((resolve) => {
      this.sock.end(encodeFrame(0x8, payload), () => resolve());
      // The close frame is written; the process need not stay for the daemon's reply to it.
      this.sock.unref();
      this.finish(code, '');
    });
  }

  private finish(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose(code, reason);
  }

  private receive(chunk: Buffer): void {
    if (this.head) return this.upgrade(chunk);
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    if (!this.handled) return;
    for (;;) {
      if (this.buf.length < 2) return;
      const b0 = this.buf[0]!;
      const b1 = this.buf[1]!;
      let len = b1 & 0x7f;
      let off = 2;
      if (len === 126) {
        if (this.buf.length < 4) return;
        len = this.buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) return;
        len = Number(this.buf.readBigUInt64BE(2));
        off = 10;
      }
      const masked = (b1 & 0x80) !== 0;
      const total = off + (masked ? 4 : 0) + len;
      if (this.buf.length < total) return;
      let payload = this.buf.subarray(off + (masked ? 4 : 0), total);
      if (masked) {
        const mask = this.buf.subarray(off, off + 4);
        payload = Buffer.from(payload.map((v, i) => v ^ mask[i & 3]!));
      }
      this.buf = this.buf.subarray(total);
      this.frame(b0 & 0x0f, (b0 & 0x80) !== 0, payload);
    }
  }

  private frame(opcode: number, fin: boolean, payload: Buffer): void {
    switch (opcode) {
      case 0x0: // continuation
      case 0x1: // text
      case 0x2: { // binary: the daemon sends none; gathered the same way
        this.fragments.push(Buffer.from(payload));
        if (!fin) return;
        const whole = Buffer.concat(this.fragments);
        this.fragments = [];
        this.onText(whole.toString('utf8'));
        return;
      }
      case 0x8: {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        const reason = payload.subarray(2).toString('utf8');
        if (!this.closed) this.sock.end(encodeFrame(0x8, payload.subarray(0, 2)));
        this.finish(code, reason);
        return;
      }
      case 0x9:
        this.sock.write(encodeFrame(0xa, payload));
        return;
      default: // pong
    }
  }
}
