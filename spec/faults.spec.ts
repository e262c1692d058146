/**
 * The fault matrix and the attacks, through the real CLI and raw connections: Chrome
 * killed or restarted under running commands and a watcher, a tab closed under a command,
 * commands that never finish, clients killed mid-command and mid-watch, 10,000 malformed
 * frames, 1,000 wrong tokens, a web page knocking on the daemon's port, hostile CLI input,
 * and the token kept out of every output.
 */
import { chownSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chromePath, startChrome, type Chrome } from './helpers/chrome.js';
import { alive, Sandbox, until, type RunResult } from './helpers/cli.js';
import { closedPort, startFixture, type Fixture } from './helpers/fixture.js';
import { discovery, Peer } from './helpers/ws.js';

const test = suite('faults');
let fx: Fixture;
const chromes: Chrome[] = [];
const sandboxes: Sandbox[] = [];

async function world(env: Record<string, string | undefined> = {}): Promise<{ chrome: Chrome; sb: Sandbox }> {
  const chrome = await startChrome();
  chromes.push(chrome);
  const sb = new Sandbox({ CDP_PORT_FILE: chrome.portFile, ...env });
  sandboxes.push(sb);
  return { chrome, sb };
}
const tabOf = (r: RunResult) => {
  assert.is(r.code, 0, r.stderr);
  return /^Opened new tab: ([0-9A-F]+)/.exec(r.stdout)![1]!;
};
const rss = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
/** A measured figure, printed for README's matrix. */
const figure = (text: string) => console.log(`  figure: ${text}`);
const BROWSER_GONE = 'Error: The browser connection closed (Chrome quit or remote debugging was switched off).\n';

test.before(async () => {
  fx = await startFixture();
});

test.after(async () => {
  for (const sb of sandboxes) await sb.cleanup();
  for (const c of chromes) await c.kill('SIGKILL');
  await fx.close();
});

test('Chrome killed under running commands and a watcher: all fail within 2 s with exit 3, the daemon exits and cleans up', async () => {
  const { chrome, sb } = await world();
  const tab = tabOf(await sb.run(['open', fx.url('/')]));
  const watcher = sb.spawn(['watch', tab]);
  await until(() => watcher.stderr.includes('watching'), 5000, 'watcher subscribed');
  const [daemon] = sb.daemonPids();
  const pending = [
    sb.run(['eval', tab, 'new Promise(() => {})', '--timeout', '60000']),
    sb.run(['wait', tab, '--text', 'never there', '--timeout', '60000']),
    sb.run(['eval', tab, 'new Promise(() => {})', '--timeout', '60000']),
  ];
  await new Promise((r) => setTimeout(r, 500));
  const killedAt = Date.now();
  chrome.proc.kill('SIGKILL');
  const results = await Promise.all(pending);
  const took = Date.now() - killedAt;
  for (const r of results) assert.equal([r.stdout, r.stderr, r.code], ['', BROWSER_GONE, 3]);
  assert.ok(took < 2000, `pending commands failed after ${took} ms`);
  figure(`Chrome SIGKILLed: 3 pending commands failed with exit 3 within ${took} ms`);
  assert.is(await watcher.exited, 3);
  assert.match(watcher.stderr, /The browser connection closed/);
  await until(() => !alive(daemon!), 3000, 'daemon exit');
  assert.equal(readdirSync(sb.runtime).filter((n) => n.endsWith('.json')), []);
  // Attach mode: the next command says the browser is not reachable.
  const next = await sb.run(['list']);
  assert.is(next.code, 3);
  assert.match(next.stderr, /^Error: .*(not reachable|Nothing answers|does not answer|stale)/i);
});

test('a managed Chromium killed: the next command launches a new one', async () => {
  const sb = new Sandbox({ CHROME_PATH: chromePath() });
  sandboxes.push(sb);
  tabOf(await sb.run(['open', fx.url('/')]));
  const status = JSON.parse((await sb.run(['status', '--json'])).stdout).daemons[0];
  const profile = join(sb.runtime, 'profile');
  const port = Number(readFileSync(join(profile, 'DevToolsActivePort'), 'utf8').split('\n')[0]);
  const browserPid = Number(readdirSync('/proc').find((p) => /^\d+$/.test(p) && (() => {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      return cmd.includes(`--user-data-dir=${profile}`) && !cmd.includes('--type=');
    } catch {
      return false;
    }
  })()));
  assert.ok(browserPid > 0 && port > 0);
  process.kill(browserPid, 'SIGKILL');
  await until(() => !alive(status.pid), 5000, 'daemon exit after its browser died');
  const again = await sb.run(['open', fx.url('/form')]);
  assert.is(again.code, 0, again.stderr);
  assert.match((await sb.run(['list'])).stdout, /\/form/);
  await sb.run(['stop']);
});

test('Chrome restarted at the same endpoint: the next command reconnects', async () => {
  const port = await closedPort();
  const chrome = await startChrome({ port });
  chromes.push(chrome);
  const sb = new Sandbox({ CDP_PORT: String(port) });
  sandboxes.push(sb);
  tabOf(await sb.run(['open', fx.url('/')]));
  await chrome.kill('SIGKILL');
  await until(() => sb.daemonPids().length === 0, 5000, 'daemon exit');
  // (--no-launch: without it, a CDP_PORT that does not answer falls through to a managed launch.)
  const down = await sb.run(['list', '--no-launch']);
  assert.is(down.code, 3, down.stderr);
  // The user starts Chrome again at the same endpoint (port).
  const again = await startChrome({ port });
  chromes.push(again);
  const r = await sb.run(['open', fx.url('/form'), '--no-launch']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stderr, '');
  assert.match((await sb.run(['list', '--no-launch'])).stdout, /\/form/);
});

test('a tab closed during a long command fails that command with TARGET_CLOSED; others go on', async () => {
  const { sb } = await world();
  const a = tabOf(await sb.run(['open', fx.url('/')]));
  const b = tabOf(await sb.run(['open', fx.url('/form')]));
  const long = sb.run(['eval', a, 'new Promise(() => {})', '--timeout', '60000']);
  await new Promise((r) => setTimeout(r, 300));
  assert.is((await sb.run(['close', a])).code, 0);
  const r = await long;
  assert.is(r.code, 1);
  assert.match(r.stderr, /^Error: The tab [0-9A-F]{8} was closed while the command ran\.\n$/);
  assert.equal([(await sb.run(['eval', b, '6*7'])).stdout, (await sb.run(['list'])).code], ['42\n', 0]);
});

test('a promise that never settles and a page stuck in while(true) time out naming --timeout; other tabs and list answer meanwhile', async () => {
  const { sb } = await world();
  const a = tabOf(await sb.run(['open', fx.url('/')]));
  const b = tabOf(await sb.run(['open', fx.url('/form')]));
  const never = await sb.run(['eval', a, 'new Promise(() => {})', '--timeout', '800']);
  assert.is(never.code, 1);
  assert.match(never.stderr, /^Error: Timeout: Runtime\.(evaluate|awaitPromise) did not answer within 800 ms \(raise with --timeout or CDP_TIMEOUT\)\n$/);
  const stuck = sb.run(['eval', a, 'while (true) {}', '--timeout', '1500']);
  await new Promise((r) => setTimeout(r, 200));
  const during = await Promise.all([sb.run(['list']), sb.run(['eval', b, '1+1']), sb.run(['html', b, '#go'])]);
  for (const r of during) assert.is(r.code, 0, r.stderr);
  const s = await stuck;
  assert.is(s.code, 1);
  assert.match(s.stderr, /within 1500 ms \(raise with --timeout or CDP_TIMEOUT\)/);
  assert.is((await sb.run(['close', a])).code, 0);
});

test('clients killed mid-command and mid-watch: the daemon serves on, frees them, and still exits when idle', async () => {
  const { sb } = await world({ CDP_IDLE_TIMEOUT: '1500' });
  const tab = tabOf(await sb.run(['open', fx.url('/')]));
  const watcher = sb.spawn(['watch', tab]);
  await until(() => watcher.stderr.includes('watching'), 5000, 'watcher subscribed');
  const cmd = sb.spawn(['eval', tab, 'new Promise(() => {})', '--timeout', '60000']);
  await new Promise((r) => setTimeout(r, 300));
  const { port, token, pid } = discovery(sb);
  const peer = await Peer.authed(port, token);
  assert.is((await peer.call(1, 'status')).result.watchers, 1);
  watcher.child.kill('SIGKILL');
  cmd.child.kill('SIGKILL');
  await Promise.all([watcher.exited, cmd.exited]);
  await until(async () => {
    const st = (await peer.call(`s${Date.now()}`, 'status')).result;
    return st.watchers === 0 && st.clients === 1;
  }, 3000, 'watcher and client freed');
  assert.is((await peer.call(2, 'eval', { target: tab, expression: '2+2' })).result.value, 4);
  peer.close();
  await until(() => !alive(pid), 6000, 'idle exit');
});

test('10,000 malformed frames: each is refused, the daemon stays up with bounded memory, a second client is served throughout', async () => {
  const { sb } = await world();
  const tab = tabOf(await sb.run(['open', fx.url('/')]));
  const { port, token, pid } = discovery(sb);
  const bad = await Peer.authed(port, token);
  const good = await Peer.authed(port, token);
  const before = rss(pid);
  const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
  const huge = 'x'.repeat(1 << 20);
  const kinds: Array<(i: number) => string> = [
    () => 'not json at all',
    () => '{"id": 1, "cmd": ',
    () => '[1,2,3]',
    () => '"a string"',
    () => 'null',
    (i) => JSON.stringify({ id: i, cmd: 42 }),
    (i) => JSON.stringify({ id: { nested: i }, cmd: 'list' }),
    (i) => JSON.stringify({ id: i, cmd: 'no-such-command' }),
    (i) => JSON.stringify({ id: i, cmd: 'eval', params: { target: tab } }),
    (i) => JSON.stringify({ id: i, cmd: 'eval', params: { target: 7, expression: '1' } }),
    (i) => JSON.stringify({ id: i, cmd: 'click', params: { target: tab, selector: ['a'] } }),
    (i) => JSON.stringify({ id: i, cmd: 'nav', params: { target: tab, url: 'javascript:alert(1)' } }),
    (i) => JSON.stringify({ id: i, cmd: 'list', params: 'params as a string' }),
    (i) => JSON.stringify({ id: `${i}${'9'.repeat(400)}`, cmd: 'no-such' }),
    () => JSON.stringify({ id: 1e308 * 10, cmd: 'list' }),
    () => deep,
  ];
  // One frame in a hundred carries a 1 MiB string, in turn as a target, a command and an expression.
  const hugeKinds: Array<(i: number) => string> = [
    (i) => JSON.stringify({ id: i, cmd: 'eval', params: { target: huge, expression: '1' } }),
    (i) => JSON.stringify({ id: i, cmd: huge }),
    (i) => JSON.stringify({ id: i, cmd: 'html', params: { target: tab, selector: huge } }),
  ];
  const N = 10_000;
  let served = 0;
  let stop = false;
  const steady = (async () => {
    for (let k = 0; !stop; k++) {
      const r = await good.call(`g${k}`, 'eval', { target: tab, expression: `${k}+1` });
      assert.is(r.result?.value, k + 1, JSON.stringify(r));
      served++;
    }
  })();
  // Two halves: memory is bounded when the second half adds little to what the first took.
  let half = 0;
  for (let i = 0; i < N; i++) {
    bad.send(i % 100 === 50 ? hugeKinds[(i / 100 | 0) % hugeKinds.length]!(i) : kinds[i % kinds.length]!(i));
    if (i % 200 === 199) await new Promise((r) => setImmediate(r));
    if (i === N / 2 - 1) {
      await until(() => bad.frames.length >= N / 2 + 1, 60_000, 'answers to the first half');
      half = rss(pid);
    }
  }
  await until(() => bad.frames.length >= N + 1, 60_000, `answers to ${N} bad frames (have ${bad.frames.length - 1})`);
  stop = true;
  await steady;
  const answers = bad.frames.slice(1);
  assert.is(answers.length, N);
  for (const a of answers) {
    assert.is(a.ok, false, JSON.stringify(a).slice(0, 200));
    assert.ok(['BAD_REQUEST', 'UNKNOWN_COMMAND', 'USAGE', 'TARGET_NOT_FOUND', 'ELEMENT_NOT_FOUND'].includes(a.error.code), JSON.stringify(a).slice(0, 300));
    assert.ok(JSON.stringify(a).length < 20_000, 'an answer echoes a huge input');
  }
  assert.ok(served > 5, `the good client was served ${served} times meanwhile`);
  assert.is(bad.closeCode, undefined);
  assert.ok(alive(pid));
  const after = rss(pid);
  assert.ok(after < before + 200 && after < half + 80, `RSS ${before.toFixed(0)} → ${half.toFixed(0)} (half) → ${after.toFixed(0)} MiB`);
  figure(`${N} malformed frames: ${N} refusals; the other client served ${served} evals meanwhile; daemon RSS ${before.toFixed(0)} → ${half.toFixed(0)} after half → ${after.toFixed(0)} MiB`);
  bad.close();
  good.close();
});

test('1,000 connections with wrong tokens: all refused alike (4401, nothing sent), a good client served meanwhile', async () => {
  const { sb } = await world();
  const tab = tabOf(await sb.run(['open', fx.url('/')]));
  const { port, token } = discovery(sb);
  const good = await Peer.authed(port, token);
  const tokens = (i: number) => {
    switch (i % 5) {
      case 0: return 'f'.repeat(64);
      case 1: return `${token.slice(0, 63)}${token[63] === '0' ? '1' : '0'}`; // all but the last character right
      case 2: return token.slice(0, 32);
      case 3: return `${token}00`;
      default: return '';
    }
  };
  const times = new Map<number, number[]>();
  let served = 0;
  for (let batch = 0; batch < 20; batch++) {
    const round = Array.from({ length: 50 }, async (_, j) => {
      const i = batch * 50 + j;
      const p = new Peer(port);
      await p.opened;
      const t = performance.now();
      p.send({ type: 'auth', token: tokens(i) });
      const code = await p.closed;
      const list = times.get(i % 5) ?? [];
      list.push(performance.now() - t);
      times.set(i % 5, list);
      assert.is(code, 4401);
      assert.equal(p.frames, []);
    });
    const [r] = await Promise.all([good.call(batch, 'eval', { target: tab, expression: `${batch}` }), ...round]);
    assert.is(r.result.value, batch);
    served++;
  }
  assert.is(served, 20);
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const medians = [...times.values()].map(med);
  assert.ok(Math.max(...medians) - Math.min(...medians) < 25, `close times by token kind: ${medians.map((m) => m.toFixed(1)).join(', ')} ms`);
  figure(`1000 wrong tokens: all closed 4401 with nothing sent; median close time by kind (random, all but last char, short, long, empty): ${medians.map((m) => m.toFixed(1)).join(', ')} ms`);
  good.close();
});

test('a web page in the same browser cannot reach the daemon: its WebSocket and fetch are refused before the command layer', async () => {
  const { sb } = await world();
  const tab = tabOf(await sb.run(['open', fx.url('/')]));
  const { port, token } = discovery(sb);
  const before = JSON.parse((await sb.run(['status', '--json'])).stdout).daemons[0];
  const script = `new Promise((resolve) => {
    const ws = new WebSocket('ws://127.0.0.1:${port}/');
    ws.onopen = () => { ws.send(JSON.stringify({ type: 'auth', token: 'guess' })); resolve('opened'); };
    ws.onerror = () => resolve('error');
  }).then(async (ws) => [ws, await fetch('http://127.0.0.1:${port}/', { method: 'POST', body: '{"id":1,"cmd":"stop"}' }).then((r) => 'status ' + r.status, (e) => 'fetch failed: ' + e.name)])`;
  const r = await sb.run(['eval', tab, script]);
  assert.is(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout), ['error', 'fetch failed: TypeError']);
  const after = JSON.parse((await sb.run(['status', '--json'])).stdout).daemons[0];
  assert.is(after.pid, before.pid);
  assert.is(after.refused.origin, before.refused.origin + 2, JSON.stringify(after.refused));
  assert.is(after.refused.auth, before.refused.auth);
  // And the same without a browser: an Origin header alone is enough to be refused.
  const p = new Peer(port, { origin: 'https://evil.example' });
  await p.opened.then(() => assert.unreachable('upgraded'), (e: Error) => assert.match(e.message, /HTTP 403/));
  assert.ok(token.length === 64);
});

test('hostile CLI input: prefixes, selectors and URLs are refused or taken literally, never run as page code', async () => {
  const { sb } = await world();
  const tab = tabOf(await sb.run(['open', fx.url('/form')]));
  const marker = async () => (await sb.run(['eval', tab, 'String(window.pwned)'])).stdout;
  const cases: Array<[string[], RegExp, number]> = [
    [['eval', '.*', '1'], /^Error: No target matching prefix "\.\*"/, 1],
    [['eval', `${tab}"; window.pwned=1; "`, '1'], /^Error: No target matching prefix/, 1],
    [['click', tab, `a'); window.pwned = 1; ('`], /^Error: Invalid CSS selector: /, 2],
    [['click', tab, '#nope"]'], /^Error: Invalid CSS selector: /, 2],
    [['html', tab, '`${window.pwned = 1}`'], /^Error: Invalid CSS selector: /, 2],
    [['fill', tab, '#name', '"); window.pwned = 1; ("'], /^Filled <input id="name"> with/, 0],
    [['wait', tab, '--text', "'); window.pwned = 1; ('", '--timeout', '200'], /^Error: Timed out after 200 ms waiting for text/, 1],
    [['nav', tab, 'javascript:window.pwned=1'], /^Error: Only http\/https URLs allowed, got: javascript:window\.pwned=1\n$/, 2],
    [['nav', tab, 'file:///etc/passwd'], /^Error: Only http\/https URLs allowed, got: file:\/\/\/etc\/passwd\n$/, 2],
    [['open', 'data:text/html,<script>alert(1)</script>'], /^Error: Only http\/https URLs allowed/, 2],
    [['shot', tab, join(sb.root, 'no-such-dir', 'x.png')], /^Error: Cannot write .*no-such-dir\/x\.png: ENOENT/, 1],
  ];
  for (const [args, want, code] of cases) {
    const r = await sb.run(args);
    assert.match(r.code === 0 ? r.stdout : r.stderr, want, `${args.join(' ')}: ${r.stderr}`);
    assert.is(r.code, code, `${args.join(' ')}: ${r.stderr}`);
  }
  assert.is(await marker(), 'undefined\n');
  assert.is((await sb.run(['eval', tab, 'document.getElementById("name").value'])).stdout, '"); window.pwned = 1; ("\n');
  // A relative shot path lands exactly where it says, resolved where cdp runs.
  const r = await sb.run(['shot', tab, 'a b/../shot.png'], { cwd: sb.root });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout.split('\n')[0], join(sb.root, 'shot.png'));
});

test('a discovery file owned by another user is refused', async () => {
  const { sb } = await world();
  tabOf(await sb.run(['open', fx.url('/')]));
  const name = readdirSync(sb.runtime).find((n) => n.endsWith('.json'))!;
  const file = join(sb.runtime, name);
  chownSync(file, 65534, 65534);
  const r = await sb.run(['list']);
  assert.is(r.code, 1);
  assert.match(r.stderr, new RegExp(`^Error: Refusing file ${file.replace(/[.]/g, '\\.')}: it belongs to uid 65534, not to you`));
  chownSync(file, process.getuid!(), process.getgid!());
  assert.is((await sb.run(['list'])).code, 0);
});

test('the token and the discovery file never appear in logs, errors, status or JSON output', async () => {
  const { sb } = await world();
  const tab = tabOf(await sb.run(['open', fx.url('/')]));
  const { token } = discovery(sb);
  const name = readdirSync(sb.runtime).find((n) => n.endsWith('.json'))!;
  const content = readFileSync(join(sb.runtime, name), 'utf8');
  const outputs: RunResult[] = await Promise.all([
    sb.run(['status']), sb.run(['status', '--json']), sb.run(['eval', tab, 'throw new Error("x")']),
    sb.run(['eval', 'FFFFFFFF', '1']), sb.run(['list', '--json']), sb.run(['click', tab, '@e999']),
  ]);
  // A wrong-token attempt, so the log has something to say about auth.
  const { port } = discovery(sb);
  const p = new Peer(port);
  await p.opened;
  p.send({ type: 'auth', token: `${token.slice(0, 60)}0000` });
  await p.closed;
  const logs = readdirSync(sb.runtime).filter((n) => n.endsWith('.log')).map((n) => readFileSync(join(sb.runtime, n), 'utf8'));
  const all = [...outputs.flatMap((o) => [o.stdout, o.stderr]), ...logs].join('\n');
  assert.ok(all.length > 200);
  assert.not.ok(all.includes(token), 'the token leaked');
  assert.not.ok(all.includes(token.slice(0, 16)), 'part of the token leaked');
  assert.not.ok(all.includes(content), 'the discovery file leaked');
  writeFileSync(join(sb.root, 'all-output.txt'), all);
});

test.run();
