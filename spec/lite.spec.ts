/**
 * The one-shot CLI's minimal WebSocket client against the real `ws` server: handshake and
 * accept check, masking (ws refuses unmasked client frames), 16- and 64-bit lengths both
 * ways, fragmented messages, many frames in one chunk, ping, and close codes.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocketServer, type WebSocket } from 'ws';
import { LiteClient } from '../lib/client/lite-client.js';
import { encodeFrame, LiteSocket } from '../lib/client/lite.js';
import { sha1Base64 } from '../lib/client/sha1.js';

const test = suite('lite');
let http: Server;
let wss: WebSocketServer;
let port = 0;
let onConnection: (ws: WebSocket) => void = () => {};

test.before(async () => {
  http = createServer();
  wss = new WebSocketServer({ server: http, perMessageDeflate: false, maxPayload: 16 * 1024 * 1024 });
  wss.on('connection', (ws) => onConnection(ws));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  port = (http.address() as AddressInfo).port;
});

test.after(() => new Promise<void>((r) => {
  for (const ws of wss.clients) ws.terminate();
  wss.close();
  http.closeAllConnections();
  http.close(() => r());
}));

function collect(sock: LiteSocket) {
  const texts: string[] = [];
  let close: [number, string] | undefined;
  sock.handle((t) => texts.push(t), (code, reason) => (close = [code, reason]));
  return { texts, get close() { return close; } };
}

const until = async (cond: () => boolean, what: string) => {
  const end = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

test('frames are masked and sized with 7-, 16- and 64-bit lengths', () => {
  for (const [len, head] of [[5, 2], [125, 2], [126, 4], [65535, 4], [65536, 10]] as const) {
    const f = encodeFrame(1, Buffer.alloc(len, 0x61));
    assert.is(f.length, head + 4 + len);
    assert.is(f[0], 0x81);
    assert.is((f[1]! & 0x80) !== 0, true, 'mask bit');
  }
});

test('echo: small, 70 KB and 2 MiB messages both ways, unicode intact', async () => {
  onConnection = (ws) => ws.on('message', (d, bin) => ws.send(d, { binary: bin }));
  const sock = await LiteSocket.open(port, 2000);
  const c = collect(sock);
  const msgs = ['hi', 'ü→✓ 🦀', 'x'.repeat(70_000), 'y'.repeat(2 * 1024 * 1024)];
  for (const m of msgs) sock.sendText(m);
  await until(() => c.texts.length === msgs.length, 'echoes');
  assert.equal(c.texts, msgs);
  await sock.close();
});

test('fragmented messages and many frames in one chunk are reassembled in order', async () => {
  onConnection = (ws) => {
    ws.send('frag-', { fin: false });
    ws.send('ment-', { fin: false });
    ws.send('ed', { fin: true });
    for (let i = 0; i < 200; i++) ws.send(`m${i}`);
  };
  const sock = await LiteSocket.open(port, 2000);
  const c = collect(sock);
  await until(() => c.texts.length === 201, 'all messages');
  assert.is(c.texts[0], 'frag-ment-ed');
  assert.equal(c.texts.slice(1), Array.from({ length: 200 }, (_, i) => `m${i}`));
  await sock.close();
});

test('a ping is answered with a pong', async () => {
  let pong = '';
  onConnection = (ws) => {
    ws.on('pong', (d) => (pong = d.toString()));
    ws.ping('are you there');
  };
  const sock = await LiteSocket.open(port, 2000);
  collect(sock);
  await until(() => pong !== '', 'pong');
  assert.is(pong, 'are you there');
  await sock.close();
});

test('close codes and reasons from the server arrive', async () => {
  onConnection = (ws) => ws.close(4401, 'unauthorized');
  const sock = await LiteSocket.open(port, 2000);
  const c = collect(sock);
  await until(() => c.close !== undefined, 'close');
  assert.equal(c.close, [4401, 'unauthorized']);
});

test('a refused upgrade and a wrong accept key are errors that say so', async () => {
  const refuser = createServer((_req, res) => res.end());
  refuser.on('upgrade', (_req, socket: Socket) => socket.end('HTTP/1.1 403 Forbidden\r\n\r\n'));
  await new Promise<void>((r) => refuser.listen(0, '127.0.0.1', () => r()));
  const rp = (refuser.address() as AddressInfo).port;
  const err = await LiteSocket.open(rp, 2000).then(() => 'opened', (e: Error) => e.message);
  assert.is(err, `Cannot reach the daemon on port ${rp}: the upgrade was refused (HTTP/1.1 403 Forbidden)`);
  refuser.removeAllListeners('upgrade');
  refuser.on('upgrade', (_req, socket: Socket) => socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: bogus\r\n\r\n'));
  const bad = await LiteSocket.open(rp, 2000).then(() => 'opened', (e: Error) => e.message);
  assert.is(bad, `Cannot reach the daemon on port ${rp}: the upgrade answer has a wrong Sec-WebSocket-Accept`);
  await new Promise<void>((r) => refuser.close(() => r()));
});

test('malformed frames from the peer: an unknown opcode is skipped, a length past any sane size waits, nothing throws, a drop is a 1006', async () => {
  let peer: Socket | undefined;
  const raw = createServer((_req, res) => res.end());
  raw.on('upgrade', (req, socket: Socket) => {
    const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    peer = socket;
  });
  await new Promise<void>((r) => raw.listen(0, '127.0.0.1', () => r()));
  const sock = await LiteSocket.open((raw.address() as AddressInfo).port, 2000);
  const got = collect(sock);
  await until(() => peer !== undefined, 'upgraded');
  // Opcode 0x3 (reserved), then a text frame: the text arrives.
  peer!.write(Buffer.concat([Buffer.from([0x83, 0x01, 0x78]), Buffer.from([0x81, 0x02]), Buffer.from('ok')]));
  await until(() => got.texts.length === 1, 'the text after the unknown frame');
  assert.equal(got.texts, ['ok']);
  // A 64-bit length of 2^52 bytes: the reader waits for the rest, it does not allocate or throw.
  const huge = Buffer.alloc(10);
  huge[0] = 0x81;
  huge[1] = 127;
  huge.writeBigUInt64BE(2n ** 52n, 2);
  peer!.write(huge);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(got.texts, ['ok']);
  assert.is(got.close, undefined);
  peer!.destroy();
  await until(() => got.close !== undefined, 'closed');
  assert.is(got.close![0], 1006);
  await new Promise<void>((r) => raw.close(() => r()));
});

test('SHA-1 agrees with node:crypto, and gives RFC 6455\'s sample accept key', () => {
  assert.is(sha1Base64('dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11'), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  for (let len = 0; len < 300; len++) {
    const text = Array.from({ length: len }, (_, i) => String.fromCharCode(32 + ((i * 7 + len) % 95))).join('') + (len % 50 === 0 ? 'ü→🦀' : '');
    assert.is(sha1Base64(text), createHash('sha1').update(text).digest('base64'), `length ${len}`);
  }
});

test('pipelining: text sent before the upgrade answer reaches the server in order, as its first frames', async () => {
  const got: string[] = [];
  onConnection = (ws) => ws.on('message', (d) => {
    got.push(d.toString());
    ws.send(`echo ${d.toString()}`);
  });
  const sock = await LiteSocket.connect(port, 2000);
  for (let i = 0; i < 5; i++) sock.sendText(`m${i}`);
  const c = collect(sock);
  await sock.upgraded;
  await until(() => c.texts.length === 5, 'echoes');
  assert.equal(got, ['m0', 'm1', 'm2', 'm3', 'm4']);
  assert.equal(c.texts, ['echo m0', 'echo m1', 'echo m2', 'echo m3', 'echo m4']);
  await sock.close();
});

test('a pipelined call learns why the connection failed: refused upgrade, refused auth, a welcome that disagrees', async () => {
  const refuser = createServer((_req, res) => res.end());
  refuser.on('upgrade', (_req, socket: Socket) => socket.end('HTTP/1.1 403 Forbidden\r\n\r\n'));
  await new Promise<void>((r) => refuser.listen(0, '127.0.0.1', () => r()));
  const rp = (refuser.address() as AddressInfo).port;
  const refused = await LiteClient.open(rp, 'tok');
  assert.is(await refused.call('list').then(() => 'answered', (e: Error) => e.message),
    `Cannot reach the daemon on port ${rp}: the upgrade was refused (HTTP/1.1 403 Forbidden)`);
  await new Promise<void>((r) => refuser.close(() => r()));

  onConnection = (ws) => ws.once('message', () => ws.close(4401, 'unauthorized'));
  const unauthorized = await LiteClient.open(port, 'wrong');
  assert.is(await unauthorized.call('list').then(() => 'answered', (e: Error) => e.message), 'The daemon refused the connection (close code 4401).');

  const seen: string[] = [];
  onConnection = (ws) => ws.on('message', (d) => {
    seen.push(JSON.parse(d.toString()).type ?? JSON.parse(d.toString()).cmd);
    if (seen.length === 1) ws.send(JSON.stringify({ type: 'welcome', protocol: 1, version: '0.0.1', pid: 1, browser: {} }));
  });
  const other = await LiteClient.open(port, 'tok', { protocol: 1, version: '9.9.9' });
  assert.is(await other.call('list').then(() => 'answered', (e: Error) => e.message),
    'The daemon says it is version 0.0.1 (protocol 1), not what its discovery file says. Run "cdp stop" and try again.');
  assert.equal(seen, ['auth', 'list'], 'auth first, the request right behind it');
});

test.run();
