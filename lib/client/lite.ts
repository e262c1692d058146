/**
 * A minimal WebSocket client over `net` for the one-shot CLI: one connection, text frames,
 * a few requests. Loading `ws` costs about 11 ms of start-up (it pulls in http, https, tls
 * and zlib) on a path that runs once per agent action; this file costs well under 1 ms.
 * The REPL, `watch` and the library keep `ws`. Specced against the real `ws` server:
 * handshake, masking, 16- and 64-bit lengths, fragments, many frames per chunk, ping,
 * close codes.
 */
import { connect, type Socket } from 'node:net';
import { CdpdError } from '../protocol/errors.js';
import type { WelcomeFrame } from '../protocol/wire.js';
import { parseWelcome, Requests } from './requests.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

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
  const mask = nodeCrypto ? nodeCrypto.randomBytes(4) : Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(4)));
  mask.copy(out, head);
  for (let i = 0; i < len; i++) out[head + 4 + i] = payload[i]! ^ mask[i & 3]!;
  return out;
}

/**
 * node:crypto, loaded while the daemon answers the upgrade rather than before the
 * connect: it is the largest module on the one-shot path.
 */
let nodeCrypto: typeof import('node:crypto') | undefined;

/** The Sec-WebSocket-Key nonce. It only proves the server speaks WebSocket (the token guards access), so Math.random serves. */
function nonce(): string {
  const b = Buffer.allocUnsafe(16);
  for (let i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
  return b.toString('base64');
}

/** A connection to the daemon speaking just enough WebSocket. */
export class LiteSocket {
  private readonly sock: Socket;
  private buf: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private onText: (text: string) => void = () => {};
  private onClose: (code: number, reason: string) => void = () => {};
  private closed = false;
  /** Frames wait in `buf` until someone handles them, so none that came early is lost. */
  private handled = false;
  private sockClosed = false;

  private constructor(sock: Socket) {
    this.sock = sock;
  }

  /** Connects and completes the upgrade (no Origin header, Host 127.0.0.1:port). */
  static open(port: number, timeoutMs: number): Promise<LiteSocket> {
    return new Promise((resolve, reject) => {
      const sock = connect(port, '127.0.0.1');
      sock.setNoDelay(true);
      const key = nonce();
      let head = Buffer.alloc(0);
      let crypto: Promise<typeof import('node:crypto')> | undefined;
      const timer = setTimeout(() => fail(`did not answer within ${timeoutMs} ms`), timeoutMs);
      const fail = (why: string, errno?: string) => {
        clearTimeout(timer);
        sock.destroy();
        reject(new CdpdError('DAEMON_GONE', `Cannot reach the daemon on port ${port}: ${why}`, errno ? { errno } : undefined));
      };
      sock.once('error', (err: NodeJS.ErrnoException) => fail(err.code ?? err.message, err.code));
      sock.once('connect', () => {
        sock.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
        crypto = import('node:crypto');
      });
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        sock.off('data', onData);
        // Frames after the head wait in the socket until the upgrade is checked.
        sock.pause();
        (crypto ?? import('node:crypto')).then((c) => {
          nodeCrypto = c;
          upgraded(end);
        }, (err: Error) => fail(err.message));
      };
      const upgraded = (end: number) => {
        clearTimeout(timer);
        const accept = nodeCrypto!.createHash('sha1').update(key + GUID).digest('base64');
        const lines = head.subarray(0, end).toString('latin1').split('\r\n');
        const status = lines[0] ?? '';
        const got = lines.find((l) => /^sec-websocket-accept:/i.test(l))?.split(':')[1]?.trim();
        if (!/^HTTP\/1\.1 101 /.test(status)) return fail(`the upgrade was refused (${status})`);
        if (got !== accept) return fail('the upgrade answer has a wrong Sec-WebSocket-Accept');
        sock.removeAllListeners('error');
        const ls = new LiteSocket(sock);
        sock.on('data', (c: Buffer) => ls.receive(c));
        sock.on('error', () => {});
        sock.on('close', () => {
          // Frames that came before the close still count: handle() reads them first.
          ls.sockClosed = true;
          if (ls.handled) ls.finish(1006, '');
        });
        ls.receive(head.subarray(end + 4));
        sock.resume();
        resolve(ls);
      };
      sock.on('data', onData);
    });
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
      this.finish(code, '');
    });
  }

  private finish(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose(code, reason);
  }

  private receive(chunk: Buffer): void {
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

/** The one-shot CLI's session: authenticate, then requests by id. */
export class LiteClient {
  readonly welcome: WelcomeFrame;
  private readonly sock: LiteSocket;
  private readonly requests: Requests;

  private constructor(sock: LiteSocket, welcome: WelcomeFrame) {
    this.sock = sock;
    this.welcome = welcome;
    this.requests = new Requests((text) => sock.sendText(text));
    sock.handle((text) => this.requests.receive(text), (code, reason) => this.requests.closed(code, reason));
  }

  /** Connects to a daemon on 127.0.0.1:`port` and authenticates. */
  static async open(port: number, token: string, timeoutMs = 5000): Promise<LiteClient> {
    const sock = await LiteSocket.open(port, timeoutMs);
    const welcome = await new Promise<WelcomeFrame>((resolve, reject) => {
      sock.handle((text) => {
        try {
          resolve(parseWelcome(text));
        } catch (err) {
          reject(err);
        }
      }, (code) => reject(new CdpdError('DAEMON_GONE', `The daemon refused the connection (close code ${code}).`, { closeCode: code })));
      sock.sendText(JSON.stringify({ type: 'auth', token }));
    });
    return new LiteClient(sock, welcome);
  }

  /** Runs a command; rejects with the daemon's CdpdError. */
  call(cmd: string, params: Record<string, unknown> = {}): Promise<unknown> {
    return this.requests.start(cmd, params).done;
  }

  close(): Promise<void> {
    return this.sock.close(1000);
  }
}
