/**
 * Every chrome-cdp command through the real CLI against a real Chromium standing in for
 * the user's browser (CDP_PORT_FILE at its DevToolsActivePort) and the fixture server.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ok } from './helpers/cli.js';
import { closedPort } from './helpers/fixture.js';
import { world } from './helpers/world.js';

const test = suite('commands');
const rig = world(test);
const { cdp } = rig;
let tab = '';

const evalIn = async (expr: string) => ok(await cdp('eval', tab, expr), `eval ${expr}`).trim();

test('open prints the new tab prefix and url, and waits for the load', async () => {
  const r = await cdp('open', rig.fx.url('/'));
  const out = ok(r, 'open');
  const m = /^Opened new tab: ([0-9A-F]{8,})  (\S+)\n$/.exec(out);
  assert.ok(m, `open output: ${JSON.stringify(out)}`);
  assert.is(m![2], rig.fx.url('/'));
  tab = m![1]!;
  assert.is(await evalIn('document.readyState'), 'complete');
});

test('list shows prefix, title padded to 54, url; ls is its alias', async () => {
  const out = ok(await cdp('list'), 'list');
  const line = out.split('\n').find((l) => l.startsWith(tab));
  assert.is(line, `${tab}  ${'Fixture Home'.padEnd(54)}  ${rig.fx.url('/')}`);
  for (const l of out.trimEnd().split('\n')) assert.match(l, /^[0-9A-F]{8,}  .{54}  \S+$/);
  assert.is(ok(await cdp('ls'), 'ls'), out);
  const json = JSON.parse(ok(await cdp('list', '--json'), 'list --json'));
  const page = json.pages.find((p: { prefix: string }) => p.prefix === tab);
  assert.is(page.title, 'Fixture Home');
  assert.is(page.url, rig.fx.url('/'));
  assert.is(page.targetId.startsWith(tab), true);
});

test('eval joins its arguments, prints values and pretty JSON, awaits promises', async () => {
  assert.is(ok(await cdp('eval', tab, '1', '+', '1'), 'eval'), '2\n');
  assert.is(ok(await cdp('eval', tab, '({a: 1, b: [true, "x"]})'), 'eval object'), '{\n  "a": 1,\n  "b": [\n    true,\n    "x"\n  ]\n}\n');
  assert.is(ok(await cdp('eval', tab, 'new Promise(r => setTimeout(() => r("late"), 50))'), 'eval promise'), 'late\n');
  assert.is(ok(await cdp('eval', tab, 'null'), 'eval null'), '');
  assert.is(ok(await cdp('eval', tab, 'document.querySelector("h1")'), 'eval node'), 'h1\n');
  assert.is(ok(await cdp('eval', tab, 'document.title', '--json'), 'eval --json'), '{\n  "type": "string",\n  "value": "Fixture Home"\n}\n');
  assert.is(ok(await cdp('eval', tab.toLowerCase(), '"lower-case prefix"'), 'lower prefix'), 'lower-case prefix\n');
  // Top-level await, and let/const declared again on a later call (what the REPL needs).
  assert.is(ok(await cdp('eval', tab, 'await new Promise(r => setTimeout(() => r(6), 10)) * 7'), 'top-level await'), '42\n');
  assert.is(ok(await cdp('eval', tab, 'let again = 1; again'), 'let'), '1\n');
  assert.is(ok(await cdp('eval', tab, 'let again = 2; again'), 'let again'), '2\n');
  assert.is(ok(await cdp('eval', tab, 'const k = await Promise.resolve("k"); k'), 'const await'), 'k\n');
  assert.is(ok(await cdp('eval', tab, 'const k = "k2"; k'), 'const again'), 'k2\n');
});

test('eval shows the real exception message with exit 1', async () => {
  const r = await cdp('eval', tab, 'foo');
  assert.is(r.stdout, '');
  assert.is(r.stderr, 'Error: ReferenceError: foo is not defined\n');
  assert.is(r.code, 1);
  const rej = await cdp('eval', tab, 'Promise.reject(new TypeError("bad thing"))');
  assert.is(rej.stderr, 'Error: TypeError: bad thing\n');
  assert.is(rej.code, 1);
  const json = await cdp('eval', tab, 'foo', '--json');
  assert.is(JSON.parse(json.stdout).error.code, 'JS_EXCEPTION');
  assert.is(json.code, 1);
});

test('snap prints the compact accessibility outline; snapshot is its alias', async () => {
  const out = ok(await cdp('snap', tab), 'snap');
  const lines = out.split('\n');
  assert.is(lines[0], '[RootWebArea] Fixture Home');
  for (const want of ['[heading] Hello fixture [ref=', '[link] Go to form [ref=', '[button] Press me [ref=', '[image] pixel [ref=', '[StaticText] Some text']) {
    assert.ok(lines.some((l) => l.trim().replace(/e\d+\]$/, '') === want), `snap has ${want}:\n${out}`);
  }
  assert.not.match(out, /\[(generic|none|InlineTextBox)\]/);
  assert.is(ok(await cdp('snapshot', tab), 'snapshot'), out);
});

test('html prints the page, or one element; a missing selector fails with exit 1', async () => {
  assert.is(ok(await cdp('html', tab, 'h1'), 'html h1'), '<h1>Hello fixture</h1>\n');
  assert.match(ok(await cdp('html', tab), 'html'), /^<html><head><title>Fixture Home<\/title>\s*<\/head><body>/);
  const r = await cdp('html', tab, '.missing');
  assert.equal([r.stdout, r.stderr, r.code], ['', 'Error: Element not found: .missing\n', 1]);
});

test('net lists resource timing entries; network is its alias', async () => {
  const out = ok(await cdp('net', tab), 'net');
  assert.match(out, /^\s*\d+ms\s+(\d+B|\?B)\s+img\s+http:\/\/127\.0\.0\.1:\d+\/pixel\.gif$/m);
  assert.is(ok(await cdp('network', tab), 'network').split('\n').length, out.split('\n').length);
});

test('nav navigates and waits for load; navigate is its alias', async () => {
  assert.is(ok(await cdp('nav', tab, rig.fx.url('/form')), 'nav'), `Navigated to ${rig.fx.url('/form')}\n`);
  assert.is(await evalIn('document.title'), 'Form');
  assert.is(ok(await cdp('navigate', tab, rig.fx.url('/form?again')), 'navigate'), `Navigated to ${rig.fx.url('/form?again')}\n`);
});

test('nav refuses non-http URLs and reports load failures', async () => {
  const file = await cdp('nav', tab, 'file:///etc/passwd');
  assert.equal([file.stdout, file.stderr, file.code], ['', 'Error: Only http/https URLs allowed, got: file:///etc/passwd\n', 2]);
  const js = await cdp('nav', tab, 'javascript:alert(1)');
  assert.is(js.code, 2);
  const bad = await cdp('nav', tab, 'not a url');
  assert.equal([bad.stderr, bad.code], ['Error: Invalid URL: not a url\n', 2]);
  const closed = `http://127.0.0.1:${await closedPort()}/`;
  const refused = await cdp('nav', tab, closed);
  assert.equal([refused.stdout, refused.stderr, refused.code], ['', `Error: net::ERR_CONNECTION_REFUSED loading ${closed}\n`, 1]);
});

test('click takes the whole selector, spaces included, and prints tag and text', async () => {
  await cdp('nav', tab, rig.fx.url('/form'));
  const r = await cdp('click', tab, 'body', 'button#go.primary');
  assert.is(ok(r, 'click'), 'Clicked BUTTON "Submit now"\n');
  assert.is(await evalIn('document.title'), 'clicked');
  const miss = await cdp('click', tab, '#nope');
  assert.equal([miss.stdout, miss.stderr, miss.code], ['', 'Error: Element not found: #nope\n', 1]);
});

test('clickxy sends a trusted mouse click at CSS pixels', async () => {
  await cdp('nav', tab, rig.fx.url('/form'));
  const out = ok(await cdp('clickxy', tab, '12', '20.5'), 'clickxy');
  assert.is(out, 'Clicked at CSS (12, 20.5)\n');
  assert.is(await evalIn('JSON.stringify(window.lastClick)'), '[12,20,true]');
  const bad = await cdp('clickxy', tab, '12', 'abc');
  assert.equal([bad.stdout, bad.stderr, bad.code], ['', 'Error: x and y must be numbers (CSS pixels)\n', 2]);
});

test('type inserts text at the focus', async () => {
  await evalIn('document.getElementById("empty").focus()');
  assert.is(ok(await cdp('type', tab, 'hello', 'wörld'), 'type'), 'Typed 11 characters\n');
  assert.is(await evalIn('document.getElementById("status").textContent'), 'typed:hello wörld');
});

test('loadall clicks until the element is gone', async () => {
  await cdp('nav', tab, rig.fx.url('/loadmore'));
  assert.is(ok(await cdp('loadall', tab, '#more', '50'), 'loadall'), 'Clicked "#more" 3 time(s) until it disappeared\n');
  assert.is(await evalIn('document.querySelectorAll("li").length'), '4');
});

test('a dialog makes commands fail at once with what to do; dialog accept answers it', async () => {
  const blocked = `Error: A JavaScript confirm dialog is open on tab ${tab.slice(0, 8)}: "sure?". It blocks the page until answered: cdp dialog ${tab.slice(0, 8)} accept, or cdp dialog ${tab.slice(0, 8)} dismiss.\n`;
  const r = await cdp('eval', tab, 'window.answer = confirm("sure?"); 1');
  assert.equal([r.stdout, r.stderr, r.code], ['', blocked, 1]);
  assert.equal([(await cdp('eval', tab, '2')).stderr], [blocked]);
  assert.is(ok(await cdp('dialog', tab, 'accept'), 'dialog accept'), 'Accepted confirm "sure?"\n');
  assert.is(await evalIn('window.answer'), 'true');
  await cdp('eval', tab, 'window.name2 = prompt("name?"); 1');
  assert.is(ok(await cdp('dialog', tab, 'accept', 'Ada', 'L.'), 'dialog accept text'), 'Accepted prompt "name?"\n');
  assert.is(await evalIn('window.name2'), 'Ada L.');
  const none = await cdp('dialog', tab, 'dismiss');
  assert.equal([none.stdout, none.stderr, none.code], ['', 'Error: No dialog is open on this tab.\n', 1]);
  const bad = await cdp('dialog', tab, 'maybe');
  assert.equal([bad.stderr, bad.code], ['Error: dialog takes "accept [text]" or "dismiss"\n', 2]);
});

test('evalraw sends a raw CDP command on the tab session', async () => {
  const out = ok(await cdp('evalraw', tab, 'Runtime.evaluate', '{"expression":', '"6*7",', '"returnByValue":true}'), 'evalraw');
  assert.equal(JSON.parse(out), { result: { type: 'number', value: 42, description: '42' } });
  const bad = await cdp('evalraw', tab, 'Runtime.evaluate', '{bad');
  assert.equal([bad.stdout, bad.stderr, bad.code], ['', 'Error: Invalid JSON params: {bad\n', 2]);
  const unknown = await cdp('evalraw', tab, 'Nope.nothing');
  assert.is(unknown.code, 1);
  assert.match(unknown.stderr, /^Error: .*wasn't found/);
});

test('shot writes a PNG where the CLI runs and prints DPR and the mapping', async () => {
  const cwd = join(rig.sb.root, 'work');
  mkdirSync(cwd, { recursive: true });
  const r = await rig.sb.run(['shot', tab, 'out.png'], { cwd });
  const lines = ok(r, 'shot').trimEnd().split('\n');
  assert.is(lines[0], join(cwd, 'out.png'));
  assert.is(lines[1], 'Screenshot saved. Device pixel ratio (DPR): 1');
  assert.is(lines[2], 'Coordinate mapping:');
  assert.match(lines.join('\n'), new RegExp(`cdp clickxy ${tab} 100 200`));
  const png = readFileSync(join(cwd, 'out.png'));
  assert.is(png.subarray(1, 4).toString(), 'PNG');
  const json = JSON.parse(ok(await rig.sb.run(['screenshot', tab, '--json'], { cwd }), 'screenshot --json'));
  assert.is(json.path, join(rig.sb.runtime, `screenshot-${json.path.slice(-12, -4)}.png`));
  assert.ok(existsSync(json.path));
  assert.is(json.width > 0 && json.height > 0, true);
});

test('an unknown prefix lists the open pages', async () => {
  const r = await cdp('eval', tab, '1');
  assert.is(r.code, 0);
  const miss = await cdp('snap', 'ZZZZZZZZ');
  assert.is(miss.code, 1);
  assert.match(miss.stderr, /^Error: No target matching prefix "ZZZZZZZZ". Open pages:\n/);
  assert.ok(miss.stderr.includes(`  ${tab}  `), miss.stderr);
});

test('an ambiguous prefix lists the pages it matches', async () => {
  // Open tabs until two ids share a first character.
  let shared: string | undefined;
  for (let i = 0; i < 40 && !shared; i++) {
    await cdp('open');
    const { pages } = JSON.parse((await cdp('list', '--json')).stdout) as { pages: Array<{ targetId: string }> };
    const firsts = pages.map((p) => p.targetId[0]!);
    shared = firsts.find((c, j) => firsts.indexOf(c) !== j);
  }
  assert.ok(shared, 'two tabs with the same first character');
  const r = await cdp('eval', shared!, '1');
  assert.is(r.code, 1);
  assert.match(r.stderr, new RegExp(`^Error: Ambiguous prefix "${shared}" — matches \\d+ targets. Use more characters:\\n(  ${shared}[0-9A-F]+  .*\\n)+$`));
});

test('stop <target> detaches from one tab; status shows the daemon but never its token', async () => {
  const status = ok(await cdp('status'), 'status');
  assert.match(status, /^daemon pid \d+  cdpd \S+  port \d+  since /);
  assert.ok(status.includes(`    ${tab}  `), status);
  const statusJson = ok(await cdp('status', '--json'), 'status --json');
  const file = readdirSync(rig.sb.runtime).find((n) => n.startsWith('daemon-') && n.endsWith('.json'))!;
  const { token } = JSON.parse(readFileSync(join(rig.sb.runtime, file), 'utf8'));
  assert.is(token.length, 64);
  assert.not.ok(status.includes(token) || statusJson.includes(token));
  assert.not.ok(readFileSync(join(rig.sb.runtime, file.replace('.json', '.log')), 'utf8').includes(token));
  assert.is(ok(await cdp('stop', tab), 'stop tab'), `Detached from ${tab}\n`);
  assert.not.ok(ok(await cdp('status'), 'status').includes(`    ${tab}  `));
});

test('stop stops the daemon and removes its discovery file', async () => {
  const [pid] = rig.sb.daemonPids();
  assert.ok(pid);
  assert.is(ok(await cdp('stop'), 'stop'), `Stopped the daemon (pid ${pid})\n`);
  const end = Date.now() + 5000;
  while (rig.sb.daemonPids().length && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  assert.equal(rig.sb.daemonPids(), []);
  assert.is(ok(await cdp('stop'), 'stop again'), 'No daemon running.\n');
  assert.is(ok(await cdp('status'), 'status'), 'No daemon running.\n');
});

test.run();
