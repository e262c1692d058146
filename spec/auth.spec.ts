/**
 * The daemon's door: token auth in the first frame, Origin/Host checks before the
 * upgrade, bad frames, oversized frames. Each is refused as DESIGN.md says, and the same
 * daemon then serves a good client.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { sharedChrome } from './helpers/chrome.js';
import { Sandbox } from './helpers/cli.js';
import { discovery, Peer, rawUpgrade } from './helpers/ws.js';

const test = suite('auth');
let sb: Sandbox;
let port = 0;
let token = '';

async function goodClientServed(): Promise<void> {
  const p = await Peer.authed(port, token);
  const r = await p.call(1, 'list');
  assert.is(r.ok, true);
  assert.ok(Array.isArray(r.result.pages));
  p.close();
}

test.before(async () => {
  const chrome = await sharedChrome();
  sb = new Sandbox({ CDP_PORT_FILE: chrome.portFile });
  const r = await sb.run(['list']);
  assert.is(r.code, 0, r.stderr);
  ({ port, token } = discovery(sb));
});

test.after(() => sb.cleanup());

test('a good token gets the welcome frame', async () => {
  const p = new Peer(port);
  await p.opened;
  p.send({ type: 'auth', token });
  const w = await p.next((f) => f.type === 'welcome');
  assert.is(w.protocol, 1);
  assert.is(typeof w.version, 'string');
  assert.is(typeof w.pid, 'number');
  assert.is(w.browser.managed, false);
  assert.not.ok(JSON.stringify(w).includes(token));
  p.close();
});

test('a wrong token is closed with 4401 and nothing else', async () => {
  for (const bad of ['0'.repeat(64), token.slice(0, 63), `${token}0`, '', 42]) {
    const p = new Peer(port);
    await p.opened;
    p.send({ type: 'auth', token: bad });
    assert.is(await p.closed, 4401);
    assert.equal(p.frames, []);
  }
  await goodClientServed();
});

test('requests pipelined behind the auth frame: answered after the welcome; behind a wrong token, never run', async () => {
  const good = new Peer(port);
  await good.opened;
  good.send({ type: 'auth', token });
  good.send({ id: 1, cmd: 'list' });
  const r = await good.next((f) => f.id === 1);
  assert.is(r.ok, true);
  assert.is(good.frames[0].type, 'welcome', 'the welcome comes first');
  good.close();

  const before = (await statusOf()).refused.auth;
  const bad = new Peer(port);
  await bad.opened;
  bad.send({ type: 'auth', token: '0'.repeat(64) });
  bad.send({ id: 1, cmd: 'open', params: { url: 'about:blank#pipelined' } });
  bad.send({ type: 'auth', token });
  assert.is(await bad.closed, 4401);
  assert.equal(bad.frames, []);
  const after = await statusOf();
  assert.is(after.refused.auth, before + 1, 'one refusal for the connection, not one per frame');
  const p = await Peer.authed(port, token);
  const list = await p.call(2, 'list');
  assert.not.ok(list.result.pages.some((pg: { url: string }) => pg.url.includes('pipelined')), 'the pipelined open never ran');
  p.close();
});

async function statusOf() {
  const p = await Peer.authed(port, token);
  const r = await p.call(9, 'status');
  p.close();
  return r.result;
}

test('a first frame that is not auth is closed with 4401', async () => {
  for (const first of [{ id: 1, cmd: 'list' }, 'not json', Buffer.from([1, 2, 3])]) {
    const p = new Peer(port);
    await p.opened;
    p.send(first);
    assert.is(await p.closed, 4401);
    assert.equal(p.frames, []);
  }
  await goodClientServed();
});

test('no auth frame within 2 s is closed with 4408; a late one does not get in', async () => {
  const silent = new Peer(port);
  const late = new Peer(port);
  await Promise.all([silent.opened, late.opened]);
  const t0 = Date.now();
  setTimeout(() => late.send({ type: 'auth', token }), 2300);
  assert.is(await silent.closed, 4408);
  const waited = Date.now() - t0;
  assert.ok(waited >= 1900 && waited < 4000, `closed after ${waited} ms`);
  assert.is(await late.closed, 4408);
  assert.equal(late.frames, []);
  await goodClientServed();
});

test('an Origin header or a foreign Host is refused with 403 before the upgrade', async () => {
  const host = `127.0.0.1:${port}`;
  assert.is(await rawUpgrade(port, { Host: host }), 'HTTP/1.1 101 Switching Protocols');
  assert.is(await rawUpgrade(port, { Host: `localhost:${port}` }), 'HTTP/1.1 101 Switching Protocols');
  assert.is(await rawUpgrade(port, { Host: host, Origin: 'https://evil.example' }), 'HTTP/1.1 403 Forbidden');
  assert.is(await rawUpgrade(port, { Host: host, Origin: 'null' }), 'HTTP/1.1 403 Forbidden');
  assert.is(await rawUpgrade(port, { Host: `evil.example:${port}` }), 'HTTP/1.1 403 Forbidden');
  assert.is(await rawUpgrade(port, { Host: '127.0.0.1:1' }), 'HTTP/1.1 403 Forbidden');
  assert.is(await rawUpgrade(port, {}), 'HTTP/1.1 403 Forbidden');
  const refused = await new Peer(port, { origin: 'http://127.0.0.1:8000' }).opened.then(() => 'opened', (e: Error) => e.message);
  assert.is(refused, 'HTTP 403');
  await goodClientServed();
});

test('garbage and binary frames get BAD_REQUEST and the connection stays usable', async () => {
  const p = await Peer.authed(port, token);
  const bad = ['not json', '[1,2]', '"str"', 'null', '{"cmd":"list"}', '{"id":{},"cmd":"list"}', '{"id":7}', '{"id":8,"cmd":"list","params":[1]}'];
  for (const text of bad) p.send(text);
  p.send(Buffer.from('{"id":9,"cmd":"list"}'));
  const errors = await (async () => {
    const end = Date.now() + 5000;
    const answers = () => p.frames.filter((f) => f.type !== 'welcome');
    while (answers().length < bad.length + 1 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    return answers();
  })();
  assert.is(errors.length, bad.length + 1);
  for (const f of errors) {
    assert.is(f.ok, false);
    assert.is(f.error.code, 'BAD_REQUEST');
    assert.is(typeof f.error.message, 'string');
  }
  assert.equal(errors.map((f) => f.id), [null, null, null, null, null, null, 7, 8, null]);
  const unknown = await p.call(10, 'frobnicate');
  assert.equal([unknown.ok, unknown.error.code], [false, 'UNKNOWN_COMMAND']);
  const noTarget = await p.call(11, 'eval', { expression: '1' });
  assert.equal([noTarget.ok, noTarget.error.code], [false, 'USAGE']);
  // Params are checked against the command's shape before anything runs: a typo is named, not ignored.
  const typo = await p.call(13, 'eval', { target: 'ABCDEF12', expresion: '1' });
  assert.equal([typo.ok, typo.error.code, typo.error.message], [false, 'USAGE', 'Unknown param "expresion": this command takes expression, frame']);
  const badTimeout = await p.call(14, 'list', { timeout: 'soon' });
  assert.equal([badTimeout.error.code, badTimeout.error.message], ['USAGE', '"timeout" must be a number ≥ 1']);
  const notAction = await p.call(15, 'html', { target: 'ABCDEF12', snap: true });
  assert.equal([notAction.error.code, notAction.error.message], ['USAGE', 'Unknown param "snap": this command takes selector, frame']);
  const good = await p.call(12, 'list');
  assert.is(good.ok, true);
  p.close();
});

test('an oversized frame closes that connection with 1009; others go on', async () => {
  const other = await Peer.authed(port, token);
  const p = await Peer.authed(port, token);
  p.send(JSON.stringify({ id: 1, cmd: 'eval', params: { expression: 'x'.repeat(16 * 1024 * 1024 + 1) } }));
  assert.is(await p.closed, 1009);
  assert.is((await other.call(2, 'list')).ok, true);
  other.close();
  await goodClientServed();
});

test('requests on one connection run concurrently and may answer out of order', async () => {
  const p = await Peer.authed(port, token);
  const { result } = await p.call('l', 'list');
  const target = result.pages[0].targetId;
  p.send({ id: 'slow', cmd: 'eval', params: { target, expression: 'new Promise(r => setTimeout(() => r("slow"), 700))' } });
  p.send({ id: 'fast', cmd: 'eval', params: { target, expression: '"fast"' } });
  await p.next((f) => f.id === 'slow');
  const order = p.frames.filter((f) => f.id === 'slow' || f.id === 'fast').map((f) => f.id);
  assert.equal(order, ['fast', 'slow']);
  p.close();
});

test.run();
