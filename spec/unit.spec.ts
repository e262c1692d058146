/**
 * Pure parts: browser discovery paths per OS, DevToolsActivePort parsing, the discovery
 * order, prefixes, request parsing, the snapshot outline, the token check.
 */
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { findEndpoint, parsePortFile, portFileCandidates } from '../lib/cdp/discover.js';
import { launchArgs } from '../lib/cdp/launch.js';
import { outline } from '../lib/session/outline.js';
import { prefixLength } from '../lib/session/targetlist.js';
import { tokenMatches } from '../lib/daemon/server.js';
import { parseRequest } from '../lib/protocol/wire.js';
import { runtimeDir, type PlatformEnv } from '../lib/runtime/paths.js';

const test = suite('unit');
const env = (platform: NodeJS.Platform, home: string, vars: Record<string, string> = {}): PlatformEnv => ({ platform, home, env: vars });

test('runtime dir: CDP_RUNTIME_DIR, XDG_RUNTIME_DIR/cdp, ~/.cache/cdp, %LOCALAPPDATA%\\cdp', () => {
  assert.is(runtimeDir(env('linux', '/h', { CDP_RUNTIME_DIR: '/x' })), '/x');
  assert.is(runtimeDir(env('linux', '/h', { XDG_RUNTIME_DIR: '/run/user/1' })), '/run/user/1/cdp');
  assert.is(runtimeDir(env('darwin', '/h')), '/h/.cache/cdp');
  assert.is(runtimeDir(env('win32', '/h', { LOCALAPPDATA: '/h/AppData/Local' })), join('/h/AppData/Local', 'cdp'));
});

test('macOS profile folders: Chrome, Beta, Canary, for Testing, Chromium, Brave, Edge, Vivaldi, Helium', () => {
  const c = portFileCandidates(env('darwin', '/Users/u'));
  const base = '/Users/u/Library/Application Support';
  assert.is(c[0], `${base}/Google/Chrome/DevToolsActivePort`);
  assert.is(c[1], `${base}/Google/Chrome/Default/DevToolsActivePort`);
  for (const d of ['Google/Chrome Beta', 'Google/Chrome Canary', 'Google/Chrome for Testing', 'Chromium', 'BraveSoftware/Brave-Browser', 'Microsoft Edge', 'Vivaldi', 'net.imput.helium']) {
    assert.ok(c.includes(`${base}/${d}/DevToolsActivePort`), d);
  }
  assert.not.ok(c.some((p) => p.includes('.config')), 'no Linux paths on macOS');
});

test('Linux and Flatpak profile folders, XDG_CONFIG_HOME honoured', () => {
  const c = portFileCandidates(env('linux', '/home/u'));
  for (const d of ['google-chrome', 'google-chrome-beta', 'google-chrome-unstable', 'chromium', 'BraveSoftware/Brave-Browser', 'microsoft-edge', 'vivaldi', 'net.imput.helium']) {
    assert.ok(c.includes(`/home/u/.config/${d}/DevToolsActivePort`), d);
    assert.ok(c.includes(`/home/u/.config/${d}/Default/DevToolsActivePort`), d);
  }
  for (const [app, d] of [['org.chromium.Chromium', 'chromium'], ['com.google.Chrome', 'google-chrome'], ['com.brave.Browser', 'BraveSoftware/Brave-Browser'], ['com.microsoft.Edge', 'microsoft-edge'], ['com.vivaldi.Vivaldi', 'vivaldi']]) {
    assert.ok(c.includes(`/home/u/.var/app/${app}/config/${d}/DevToolsActivePort`), app);
  }
  const x = portFileCandidates(env('linux', '/home/u', { XDG_CONFIG_HOME: '/cfg' }));
  assert.is(x[0], '/cfg/google-chrome/DevToolsActivePort');
});

test('Windows profile folders under %LOCALAPPDATA%\\…\\User Data', () => {
  const c = portFileCandidates(env('win32', 'C:/Users/u', { LOCALAPPDATA: 'C:/Users/u/AppData/Local' }));
  for (const d of ['Google/Chrome', 'Google/Chrome SxS', 'Chromium', 'BraveSoftware/Brave-Browser', 'Microsoft/Edge', 'Vivaldi']) {
    assert.ok(c.includes(join('C:/Users/u/AppData/Local', d, 'User Data', 'DevToolsActivePort')), d);
  }
});

test('DevToolsActivePort: LF and CRLF, bad files named', () => {
  assert.equal(parsePortFile('9222\n/devtools/browser/abc\n', 'f'), { port: 9222, path: '/devtools/browser/abc' });
  assert.equal(parsePortFile('9222\r\n/devtools/browser/abc\r\n', 'f'), { port: 9222, path: '/devtools/browser/abc' });
  for (const bad of ['', '9222', 'x\n/devtools/browser/a', '70000\n/devtools/browser/a', '9222\n/json']) {
    assert.throws(() => parsePortFile(bad, '/p/DevToolsActivePort'), /Invalid DevToolsActivePort file: \/p\/DevToolsActivePort/);
  }
});

test('an endpoint a live daemon serves needs no TCP probe; the order of the list holds', async () => {
  const home = mkdtempSync(join(tmpdir(), 'cdpd-unit-'));
  const probed: number[] = [];
  const probe = async (_h: string, port: number) => {
    probed.push(port);
    return false; // nothing answers: only a served endpoint can win
  };
  mkdirSync(join(home, '.config', 'chromium'), { recursive: true });
  writeFileSync(join(home, '.config', 'chromium', 'DevToolsActivePort'), '3333\n/devtools/browser/c\n');
  const withPort = env('linux', home, { CDP_PORT: '9333' });
  const served = (ids: string[]) => (id: string) => ids.includes(id);
  assert.equal(await findEndpoint({}, withPort, probe, served(['http://127.0.0.1:9333'])), { kind: 'http', url: 'http://127.0.0.1:9333', source: 'CDP_PORT' });
  assert.equal(probed, [3333], 'the profile file, earlier in the list, was still probed; CDP_PORT was not');
  probed.length = 0;
  assert.equal(await findEndpoint({}, withPort, probe, served(['ws://127.0.0.1:3333/devtools/browser/c', 'http://127.0.0.1:9333'])),
    { kind: 'ws', url: 'ws://127.0.0.1:3333/devtools/browser/c', source: join(home, '.config/chromium/DevToolsActivePort') });
  assert.equal(probed, []);
  assert.equal(await findEndpoint({}, withPort, probe, served([])), { kind: 'managed', headed: false, source: 'launch' });
  assert.equal(probed, [3333, 9333]);
});

test('discovery order: --browser-url, CDP_URL, CDP_PORT_FILE, live profile files newest first, CDP_PORT, launch', async () => {
  const home = mkdtempSync(join(tmpdir(), 'cdpd-unit-'));
  const probe = async (_h: string, port: number) => port !== 1111; // 1111 is a stale file
  const mk = (dir: string, port: number, age: number) => {
    mkdirSync(join(home, '.config', dir), { recursive: true });
    const f = join(home, '.config', dir, 'DevToolsActivePort');
    writeFileSync(f, `${port}\n/devtools/browser/${dir}\n`);
    const t = Date.now() / 1000 - age;
    utimesSync(f, t, t);
    return f;
  };
  const none = env('linux', home);
  assert.equal(await findEndpoint({}, none, probe), { kind: 'managed', headed: false, source: 'launch' });
  assert.equal(await findEndpoint({ headed: true }, none, probe), { kind: 'managed', headed: true, source: 'launch' });
  mk('google-chrome', 2222, 100);
  mk('chromium', 3333, 10);
  mk('vivaldi', 1111, 1);
  const e = await findEndpoint({}, none, probe);
  assert.equal(e, { kind: 'ws', url: 'ws://127.0.0.1:3333/devtools/browser/chromium', source: join(home, '.config/chromium/DevToolsActivePort') });
  const portFile = join(home, 'pf');
  writeFileSync(portFile, '4444\r\n/devtools/browser/x\r\n');
  const withFile = env('linux', home, { CDP_PORT_FILE: portFile, CDP_HOST: '10.0.0.2' });
  assert.equal(await findEndpoint({}, withFile, probe), { kind: 'ws', url: 'ws://10.0.0.2:4444/devtools/browser/x', source: `CDP_PORT_FILE ${portFile}` });
  const withUrl = env('linux', home, { CDP_PORT_FILE: portFile, CDP_URL: 'http://127.0.0.1:9222/' });
  assert.equal(await findEndpoint({}, withUrl, probe), { kind: 'http', url: 'http://127.0.0.1:9222', source: 'CDP_URL' });
  assert.equal(await findEndpoint({ browserUrl: 'ws://h:1/devtools/browser/z' }, withUrl, probe), { kind: 'ws', url: 'ws://h:1/devtools/browser/z', source: '--browser-url' });
  const portOnly = env('linux', '/nonexistent', { CDP_PORT: '9333' });
  assert.equal(await findEndpoint({}, portOnly, probe), { kind: 'http', url: 'http://127.0.0.1:9333', source: 'CDP_PORT' });
  try {
    await findEndpoint({ noLaunch: true }, env('linux', '/nonexistent'), probe);
    assert.unreachable('--no-launch must throw');
  } catch (err) {
    assert.is((err as { code: string }).code, 'BROWSER_NOT_FOUND');
  }
});

test('managed launch flags: headless and quiet, --no-sandbox only as root', () => {
  const a = launchArgs('/p', false, true);
  for (const f of ['--user-data-dir=/p', '--remote-debugging-port=0', '--headless', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']) {
    assert.ok(a.includes(f), f);
  }
  const headed = launchArgs('/p', true, false);
  assert.not.ok(headed.includes('--headless') || headed.includes('--no-sandbox'));
});

test('prefix length: at least 8, grows until unique, case-insensitive', () => {
  assert.is(prefixLength(['AAAAAAAA11', 'BBBBBBBB22']), 8);
  assert.is(prefixLength(['AAAAAAAAA1', 'aaaaaaaaa2']), 10);
  assert.is(prefixLength(['ABCDEFGH1X', 'ABCDEFGH2X']), 9);
  assert.is(prefixLength([]), 8);
});

test('request frames: ids, cmd, params checked', () => {
  assert.equal(parseRequest('{"id":1,"cmd":"list"}'), { ok: true, request: { id: 1, cmd: 'list', params: {} } });
  assert.equal(parseRequest('{"id":"a","cmd":"eval","params":{"x":1}}'), { ok: true, request: { id: 'a', cmd: 'eval', params: { x: 1 } } });
  for (const [text, id] of [['nope', null], ['[]', null], ['{"id":1.5,"cmd":"x"}', null], [`{"id":${2 ** 60},"cmd":"x"}`, null], ['{"id":1}', 1], ['{"id":2,"cmd":"x","params":"s"}', 2]] as const) {
    const r = parseRequest(text);
    assert.is(r.ok, false, text);
    assert.is(!r.ok && r.id, id, text);
  }
});

test('token check: equal-length constant-time compare, anything else refused', () => {
  const t = Buffer.from('ab'.repeat(32));
  assert.ok(tokenMatches('ab'.repeat(32), t));
  for (const bad of ['ab'.repeat(31), `${'ab'.repeat(32)}x`, 'ba'.repeat(32), '', null, 7, { x: 1 }]) assert.not.ok(tokenMatches(bad, t));
});

test('outline: hidden roles and empty nodes skipped but counted for depth; values JSON-quoted', () => {
  const n = (nodeId: string, role: string, name: string, childIds: string[] = [], extra: object = {}) =>
    ({ nodeId, ignored: false, role: { type: 'role', value: role }, name: { type: 'computedString', value: name }, childIds, ...extra });
  const nodes = [
    n('1', 'RootWebArea', 'Page', ['2', '5']),
    n('2', 'generic', '', ['3'], { parentId: '1' }),
    n('3', 'textbox', 'Name', [], { parentId: '2', value: { type: 'string', value: 'Ada' } }),
    n('5', 'button', 'Go', ['6'], { parentId: '1' }),
    n('6', 'InlineTextBox', 'Go', [], { parentId: '5' }),
    n('9', 'link', 'Orphan', [], { parentId: 'missing' }),
  ];
  assert.equal(outline(nodes as never).map(({ depth, role, name, value }) => (value === undefined ? { depth, role, name } : { depth, role, name, value })), [
    { depth: 0, role: 'RootWebArea', name: 'Page' },
    { depth: 2, role: 'textbox', name: 'Name', value: 'Ada' },
    { depth: 1, role: 'button', name: 'Go' },
    { depth: 0, role: 'link', name: 'Orphan' },
  ]);
});

test.run();
