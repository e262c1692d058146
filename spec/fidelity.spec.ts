/**
 * Fidelity on whatever Chromium the user has: output that does not depend on the
 * whitespace a version leaves in accessible names, network records that do not wait for a
 * body that may never end, in-page code that survives any build, and the library's and
 * the REPL's edges (a watch of a closed tab ends; a mistyped option is refused).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ok, Sandbox, until } from './helpers/cli.js';
import { world } from './helpers/world.js';

const test = suite('fidelity');
const rig = world(test);
const { cdp, openTab } = rig;

/** A snapshot line without its indentation, matched whole (the ref's number aside). */
const line = (snap: string, re: RegExp) => {
  const l = snap.split('\n').map((x) => x.trimStart()).find((x) => re.test(x));
  assert.ok(l, `a line ${re} in:\n${snap}`);
  return l!;
};

test('names are whitespace-normalised in snap, in action messages and in list; no empty [clickable] around a control with a ref', async () => {
  const tab = await openTab('/spaces');
  for (const args of [['snap', tab], ['snap', tab, '-i']]) {
    const snap = ok(await cdp(...args), args.join(' '));
    for (const l of snap.trimEnd().split('\n')) {
      const text = l.trimStart();
      assert.not.match(text, /\s\s|\s$/, `no run of whitespace, nor a trailing one, in ${JSON.stringify(l)}`);
      assert.not.match(text, /^\[clickable\] \[ref=/, `an empty [clickable] wrapper in:\n${snap}`);
    }
    line(snap, /^\[checkbox\] Keep me signed in \[ref=e\d+\]$/);
    line(snap, /^\[button\] Save draft \[ref=e\d+\]$/);
    line(snap, /^\[button\] Go on \[ref=e\d+\]$/);
  }
  // An image is context, not a target: the full snapshot gives it a ref, -i leaves it out.
  line(ok(await cdp('snap', tab), 'snap'), /^\[image\] a logo \[ref=e\d+\]$/);
  const go = /ref=(e\d+)/.exec(line(ok(await cdp('snap', tab, '-i'), 'snap'), /^\[button\] Go on/))![1]!;
  assert.is(ok(await cdp('click', tab, `@${go}`), 'click'), 'Clicked BUTTON "Go on"\n');
  assert.is(ok(await cdp('click', tab, '--js', '#go'), 'click --js'), 'Clicked BUTTON "Go on"\n');
  ok(await cdp('eval', tab, 'document.title = "  Spaced \\n   out  "'), 'set title');
  await until(async () => (await cdp('list')).stdout.includes(`${tab}  ${'Spaced out'.padEnd(54)}  ${rig.fx.url('/spaces')}`), 5000, 'the normalised title in list');
});

test('a response is reported when its headers arrive: a body never read, a stream that never ends', async () => {
  const tab = await openTab('/unread');
  const w = rig.sb.spawn(['watch', tab, '--json', '--events', 'network,requestfinished']);
  try {
    await until(async () => JSON.parse((await cdp('status', '--json')).stdout).daemons[0].watchers === 1, 10_000, 'the watcher');
    // /hold sends its headers and then holds the body open for good.
    assert.is(ok(await cdp('eval', tab, 'fetch("/hold?again").then((r) => r.status)'), 'fetch /hold'), '200\n');
    const events = () => w.lines.filter(Boolean).map((l) => JSON.parse(l) as { event: string; data: Record<string, unknown> });
    await until(() => events().some((e) => e.event === 'response' && String(e.data.url).endsWith('/hold?again')), 10_000, 'the response of /hold in watch');
    const hold = events().find((e) => e.event === 'response' && String(e.data.url).endsWith('/hold?again'))!;
    assert.is(hold.data.status, 200);
    assert.is(hold.data.mimeType, 'text/event-stream');
    const listed = ok(await cdp('requests', tab), 'requests');
    assert.match(listed, new RegExp(`#\\d+ GET 200  fetch  text/event-stream  \\(loading\\)  ${rig.fx.url('/hold')}\\n`));
    assert.not.match(listed, /\(pending\)/);
    assert.match(ok(await cdp('requests', tab, '--status', '200'), 'requests --status 200'), /\/hold\?again/);
    // A body that ends later: status at once, then size and duration once it is in.
    assert.is(ok(await cdp('eval', tab, 'slowBody()'), 'slow body'), 'part one;part two\n');
    await until(() => events().some((e) => e.event === 'requestfinished' && String(e.data.url).endsWith('/slow-body')), 10_000, 'requestfinished of /slow-body');
    const kinds = events().filter((e) => String(e.data.url).endsWith('/slow-body')).map((e) => e.event);
    assert.equal(kinds, ['request', 'response', 'requestfinished']);
    const done = events().find((e) => e.event === 'requestfinished' && String(e.data.url).endsWith('/slow-body'))!;
    assert.ok(Number(done.data.duration) >= 300, `duration ${done.data.duration} covers the slow body`);
    const entries = JSON.parse(ok(await cdp('requests', tab, '--json'), 'requests --json')).entries as Array<{ data: Record<string, unknown> }>;
    const slow = entries.find((e) => String(e.data.url).endsWith('/slow-body'))!;
    assert.is(slow.data.state, 'done');
    assert.is(slow.data.status, 200);
    assert.ok(Number(slow.data.size) > 0 && Number(slow.data.duration) >= 300, JSON.stringify(slow.data));
  } finally {
    w.child.kill('SIGTERM');
    await w.exited;
  }
});

test('a one-shot command gives up on a daemon that does not answer in time, and the daemon keeps serving', async () => {
  const tab = await openTab('/');
  const r = await rig.sb.run(['wait', tab, '--js', 'false', '--timeout', '60000'], { env: { CDP_RESPONSE_TIMEOUT: '1500' } });
  assert.is(r.code, 1);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /^Error: The daemon did not answer "wait" within 1500 ms\. It may be wedged: "cdp status" shows it and "cdp stop" restarts it; .*CDP_RESPONSE_TIMEOUT\)\.\n$/);
  assert.is(ok(await cdp('eval', tab, '6 * 7'), 'eval after'), '42\n');
});

test('in-page code survives a build with esbuild keepNames (what tsx and many bundlers do)', async () => {
  const out = mkdtempSync(join(tmpdir(), 'cdpd-keepnames-'));
  const other = new Sandbox({ CDP_PORT_FILE: rig.chrome.portFile });
  try {
    const root = fileURLToPath(new URL('..', import.meta.url));
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, env: { ...process.env, CDPD_OUTDIR: out, CDPD_KEEPNAMES: '1', CDPD_VERSION: '0.0.0-keepnames' } });
    const cli = join(out, 'cli.js');
    const { readdirSync, readFileSync } = await import('node:fs');
    const built = readdirSync(out).filter((f) => f.endsWith('.mjs')).map((f) => readFileSync(join(out, f), 'utf8')).join('\n');
    assert.ok(built.includes('__name('), 'the build really wraps names');
    const run = async (...args: string[]) => ok(await other.run(args, { cli }), args.join(' '));
    const tab = /^Opened new tab: ([0-9A-F]+)/.exec(await run('open', rig.fx.url('/login')))![1]!;
    const snap = await run('snap', tab, '-i');
    const ref = (re: RegExp) => /ref=(e\d+)/.exec(line(snap, re))![1]!;
    assert.is(await run('fill', tab, `@${ref(/^\[textbox\] User name/)}`, 'ada'), 'Filled <input id="user"> with "ada"\n');
    assert.is(await run('check', tab, `@${ref(/^\[checkbox\] Remember me/)}`), 'Checked <input id="remember">\n');
    assert.is(await run('select', tab, '#lang', 'fr'), 'Selected "Français"\n');
    assert.is(await run('html', tab, '#user'), '<input id="user" name="user" autocomplete="off">\n');
    assert.match(await run('html', tab), /^<html><head><title>Sign in<\/title>/);
    assert.match(await run('wait', tab, '--selector', '#pass'), /^Waited \d+ ms for #pass\n$/);
    assert.match(await run('scroll', tab, '0', '10'), /^Scrolled the page to /);
    assert.match(await run('shot', tab, '--selector', 'h1', join(other.root, 'h1.png')), /h1\.png/);
    assert.is(await run('eval', tab, 'document.getElementById("user").value'), 'ada\n');
    const clicked = await run('click', tab, `@${ref(/^\[button\] Sign in/)}`);
    assert.match(clicked, /^Clicked BUTTON "Sign in"\nNavigated to .*\/welcome\?user=ada/, clicked);
  } finally {
    await other.cleanup();
    rmSync(out, { recursive: true, force: true });
  }
});

test.run();
