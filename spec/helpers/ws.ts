/**
 * Raw connections to a daemon for protocol specs: a ws client that records every frame
 * and the close code, and raw HTTP upgrade requests over TCP.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { Sandbox } from './cli.js';

/** The discovery file of the one daemon in a sandbox. */
export function discovery(sb: Sandbox): { port: number; token: string; pid: number } {
  const name = readdirSync(sb.runtime).find((n) => /^daemon-.*\.json$/.test(n));
  if (!name) throw new Error('no daemon discovery file');
  return JSON.parse(readFileSync(join(sb.runtime, name), 'utf8'));
}

/** A recording ws connection. */
export class Peer {
  readonly ws: WebSocket;
  readonly frames: any[] = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  closeCode: number | undefined;
  readonly opened: Promise<void>;
  readonly closed: Promise<number>;
  private waiters: Array<() => void> = [];

  constructor(port: number, opts: WebSocket.ClientOptions = {}) {
    this.ws = new WebSocket(`ws://127.0.0.1:${port}/`, opts);
    this.ws.on('error', () => {});
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      this.ws.once('error', reject);
    });
    this.opened.catch(() => {});
    this.closed = new Promise((resolve) => this.ws.once('close', (code) => {
      this.closeCode = code;
      resolve(code);
      this.wake();
    }));
    this.ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()));
      this.wake();
    });
  }

  /** Opens and authenticates with `token`; resolves with the welcome frame. */
  static async authed(port: number, token: string): Promise<Peer> {
    const p = new Peer(port);
    await p.opened;
    p.send({ type: 'auth', token });
    await p.next((f) => f.type === 'welcome');
    return p;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame));
  }

  /** The first recorded frame that passes `pred`, waiting up to `ms` for it. */
  async next(pred: (f: any) => boolean, ms = 10_000): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const end = Date.now() + ms;
    for (;;) {
      const f = this.frames.find(pred);
      if (f) return f;
      if (this.closeCode !== undefined) throw new Error(`closed (${this.closeCode}) before the frame came`);
      if (Date.now() > end) throw new Error('timed out waiting for a frame');
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }

  /** Sends a request and waits for its response. */
  async call(id: number | string, cmd: string, params: Record<string, unknown> = {}): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
    this.send({ id, cmd, params });
    return this.next((f) => f.id === id);
  }

  close(): void {
    this.ws.close();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }
}

/** Sends a raw HTTP upgrade request and returns the status line of the answer. */
export function rawUpgrade(port: number, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let data = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      data += d;
      if (data.includes('\r\n')) {
        sock.destroy();
        resolve(data.split('\r\n')[0]!);
      }
    });
    sock.on('error', reject);
    sock.on('close', () => resolve(data.split('\r\n')[0] ?? ''));
    const lines = ['GET / HTTP/1.1', 'Upgrade: websocket', 'Connection: Upgrade',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    sock.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}
