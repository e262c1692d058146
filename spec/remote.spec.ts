/**
 * A remote browser behind TLS and an authenticating proxy (Browserless, Browserbase, a
 * Grid): --browser-url https://… or wss://… with --header or CDP_HEADERS. The proxy here
 * is local: an https server that answers /json/version and forwards the WebSocket
 * upgrade to a real Chromium, only with the right header.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { sharedChrome, type Chrome } from './helpers/chrome.js';
import { daemonProcesses, Sandbox } from './helpers/cli.js';

const test = suite('remote');
const KEY = 'k3y-s3cret-value';
let chrome: Chrome;
let dir: string;
let proxy: Server;
let base: string;
const asked: string[] = [];

test.before(async () => {
  chrome = await sharedChrome();
  dir = mkdtempSync(join(tmpdir(), 'cdpd-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const chromePort = new URL(chrome.wsUrl).port;
  const browserPath = new URL(chrome.wsUrl).pathname;
  proxy = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
    asked.push(`${req.url} ${req.headers['x-api-key'] === KEY ? 'with key' : 'without key'}`);
    if (req.headers['x-api-key'] !== KEY) return void res.writeHead(401).end('no key');
    if (req.url !== '/json/version') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ Browser: 'Remote', webSocketDebuggerUrl: `${base.replace('https', 'wss')}${browserPath}` }));
  });
  proxy.on('upgrade', (req, socket, head) => {
    asked.push(`upgrade ${req.headers['x-api-key'] === KEY ? 'with key' : 'without key'}`);
    if (req.headers['x-api-key'] !== KEY) return void socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
    const up = connect(Number(chromePort), '127.0.0.1', () => {
      const lines = [`GET ${req.url} HTTP/1.1`, `Host: 127.0.0.1:${chromePort}`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i]!;
        if (!/^(host|x-api-key)$/i.test(name)) lines.push(`${name}: ${req.rawHeaders[i + 1]}`);
      }
      up.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  base = `https://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

test.after(async () => {
  proxy.closeAllConnections();
  await new Promise((r) => proxy.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const sandbox = (env: Record<string, string> = {}) => new Sandbox({ NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem'), ...env });

test('--browser-url https://… with --header: discovery and upgrade carry it; the key is in no argv, message or status', async () => {
  const sb = sandbox();
  try {
    const r = await sb.run(['list', '--browser-url', base, '--header', `x-api-key: ${KEY}`]);
    assert.is(r.stderr, '');
    assert.is(r.code, 0);
    assert.match(r.stdout, /^[0-9A-F]{8,} {2}/);
    assert.ok(asked.includes('/json/version with key') && asked.includes('upgrade with key'), asked.join('\n'));
    // Later commands reuse the daemon: no header needed again.
    const again = await sb.run(['list', '--browser-url', base]);
    assert.is(again.stdout, r.stdout);
    const status = await sb.run(['status']);
    assert.not.match(status.stdout, new RegExp(KEY));
    const pids = daemonProcesses(sb);
    assert.ok(pids.length >= 1, 'a daemon runs');
    for (const pid of pids) assert.not.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), new RegExp(KEY), 'the key is not in the daemon argv');
    // Nor in any file cdpd wrote: discovery, logs.
    for (const name of readdirSync(sb.runtime)) {
      const path = join(sb.runtime, name);
      if (statSync(path).isFile()) assert.not.match(readFileSync(path, 'latin1'), new RegExp(KEY), name);
    }
  } finally {
    await sb.cleanup();
  }
});

test('without the header the endpoint refuses, and cdp says so (exit 3) without the key; CDP_HEADERS and a wss:// URL work', async () => {
  const sb = sandbox();
  try {
    const r = await sb.run(['list', '--browser-url', base]);
    assert.is(r.code, 3);
    assert.match(r.stderr, /^Error: Cannot reach the browser at https:\/\/127\.0\.0\.1:\d+: HTTP 401 from \/json\/version/);
    const wrong = await sb.run(['list', '--browser-url', base, '--header', 'x-api-key: wrong-one']);
    assert.is(wrong.code, 3);
    assert.not.match(wrong.stderr, /wrong-one/);
    const bad = await sb.run(['list', '--browser-url', base, '--header', 'no colon here']);
    assert.is(bad.code, 2);
    assert.is(bad.stderr, 'Error: --header takes "Name: value" headers; one is not (its name is missing or has spaces)\n');
  } finally {
    await sb.cleanup();
  }
  const env = sandbox({ CDP_HEADERS: JSON.stringify({ 'x-api-key': KEY }) });
  try {
    const wss = `${base.replace('https', 'wss')}${new URL(chrome.wsUrl).pathname}`;
    const r = await env.run(['list', '--browser-url', wss]);
    assert.is(r.stderr, '');
    assert.is(r.code, 0);
    const direct = await env.run(['list', '--browser-url', base, '--no-daemon']);
    assert.is(direct.stderr, '');
    assert.is(direct.stdout, r.stdout);
  } finally {
    await env.cleanup();
  }
});

test.run();
