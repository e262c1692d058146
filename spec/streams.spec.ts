/**
 * Streams: live watching (CLI and library), backpressure with counted drops, event
 * history that includes what a page logged before cdp attached, network statuses.
 */
import CDP from 'chrome-remote-interface';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { sharedChrome, type Chrome } from './helpers/chrome.js';
import { Sandbox, until, type Running } from './helpers/cli.js';
import { closedPort, startFixture, type Fixture } from './helpers/fixture.js';
import { discovery, Peer } from './helpers/ws.js';

const test = suite('streams');
let chrome: Chrome;
let fx: Fixture;
let sb: Sandbox;
let tab = '';
const running: Running[] = [];

const watchers = async () => JSON.parse((await sb.run(['status', '--json'])).stdout).daemons[0].watchers as number;
const events = (r: Running) => r.lines.filter(Boolean).map((l) => JSON.parse(l));
function watcher(args: string[]): Running {
  const r = sb.spawn(['watch', ...args]);
  running.push(r);
  return r;
}
async function stop(r: Running): Promise<number | null> {
  r.child.kill('SIGTERM');
  return r.exited;
}

test.before(async () => {
  chrome = await sharedChrome();
  fx = await startFixture();
  sb = new Sandbox({ CDP_PORT_FILE: chrome.portFile });
  const r = await sb.run(['open', fx.url('/')]);
  tab = /Opened new tab: (\S+)/.exec(r.stdout)![1]!;
});

test.after(async () => {
  if (process.env.SPEC_DEBUG) {
    const { readdirSync, readFileSync } = await import('node:fs');
    for (const n of readdirSync(sb.runtime)) if (n.endsWith('.log')) console.log(readFileSync(`${sb.runtime}/${n}`, 'utf8'));
  }
  for (const r of running) r.child.kill('SIGKILL');
  await sb.cleanup();
  await fx.close();
});

test('a page that logged before cdp attached: console shows those messages', async () => {
  const c = await CDP({ port: chrome.port });
  const { targetId } = await c.Target.createTarget({ url: fx.url('/logs') });
  await new Promise((r) => setTimeout(r, 500));
  await c.close();
  const out = await sb.run(['console', targetId.slice(0, 8)]);
  assert.is(out.code, 0, out.stderr);
  const lines = out.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^\d\d:\d\d:\d\d\.\d{3} \[log\] before attach 1 /);
  assert.match(lines[1]!, /^\d\d:\d\d:\d\d\.\d{3} \[warn\] careful/);
  assert.match(lines[2]!, /^\d\d:\d\d:\d\d\.\d{3} \[error\] TypeError: thrown early  \(http:\/\/127\.0\.0\.1:\d+\/logs:\d+:\d+\)$/);
  const errs = await sb.run(['errors', targetId.slice(0, 8), '--json']);
  const { entries } = JSON.parse(errs.stdout);
  assert.is(entries.length, 1);
  assert.is(entries[0].data.message, 'TypeError: thrown early');
  const warn = JSON.parse((await sb.run(['console', targetId.slice(0, 8), '--level', 'warn', '--json'])).stdout);
  assert.equal(warn.entries.map((e: { data: { text: string } }) => e.data.text), ['careful']);
  const after = JSON.parse((await sb.run(['console', targetId.slice(0, 8), '--since', String(entries[0].id), '--json'])).stdout);
  assert.equal(after.entries, []);
});

test('a watch --json client receives 10,000 console messages in order, each once', async () => {
  const w = watcher([tab, '--json', '--events', 'console']);
  await until(async () => (await watchers()) === 1, 10_000, 'subscribed');
  const r = await sb.run(['eval', tab, 'for (let i = 0; i < 10000; i++) console.log("m" + i); "done"']);
  assert.is(r.stdout, 'done\n');
  await until(() => w.lines.length >= 10_000, 30_000, '10,000 events');
  const got = events(w);
  assert.is(got.length, 10_000);
  for (let i = 0; i < got.length; i++) {
    if (got[i].event !== 'console' || got[i].data.text !== `m${i}`) assert.unreachable(`event ${i}: ${JSON.stringify(got[i])}`);
  }
  assert.is(await stop(w), 0);
});

test('two watchers and a loop of one-shot commands: every watcher gets every event, every command its answer', async () => {
  const a = watcher([tab, '--json', '--events', 'console']);
  const b = watcher(['--all', '--json']);
  await until(async () => (await watchers()) === 2, 10_000, 'subscribed');
  for (let i = 0; i < 15; i++) {
    const r = await sb.run(['eval', tab, `console.log("loop ${i}"); ${i} * 2`]);
    assert.is(r.stdout, `${i * 2}\n`);
  }
  const want = Array.from({ length: 15 }, (_, i) => `loop ${i}`);
  const texts = (r: Running) => events(r).filter((e) => e.event === 'console' && e.target.startsWith(tab)).map((e) => e.data.text);
  await until(() => texts(a).length >= 15 && texts(b).length >= 15, 10_000, 'both watchers');
  assert.equal(texts(a), want);
  assert.equal(texts(b), want);
  await Promise.all([stop(a), stop(b)]);
});

test('a paused watcher does not slow the others, and on resuming gets a dropped event with the right count', async () => {
  const { port, token } = discovery(sb);
  const paused = await Peer.authed(port, token);
  const { result } = await paused.call('w', 'watch', { target: tab, events: ['console'] });
  assert.equal(result.events, ['console']);
  (paused.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  // The live one reads as fast as it can (a client of its own, not a CLI that formats
  // every line: on a slow machine that one would fall behind by itself and be dropped).
  const live = await Peer.authed(port, token);
  await live.call('l', 'watch', { target: tab, events: ['console'] });
  try {
    await until(async () => (await watchers()) === 2, 10_000, 'subscribed');
    const total = 30_000;
    const r = await sb.run(['eval', tab, `const pad = "x".repeat(1000); for (let i = 0; i < ${total}; i++) console.log(i, pad); "ok"`]);
    assert.is(r.stdout, 'ok\n');
    const got = (p: Peer) => p.frames.filter((f) => f.type === 'event' && f.event === 'console').length;
    const told = (p: Peer) => p.frames.filter((f) => f.type === 'event' && f.event === 'dropped').reduce((n, f) => n + f.data.count, 0);
    // Everything reaches the live one, or is counted to it, while the other is still paused:
    // the paused one holds nobody up. (A reader that falls 8 MiB behind by itself is
    // dropped too, by design, and told: on a loaded machine even this one can be.)
    await until(() => got(live) + told(live) >= total, 120_000, 'the live watcher has everything');
    assert.is(got(live) + told(live), total, 'nothing lost silently');
    (paused.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    await paused.next((f) => f.event === 'dropped', 30_000);
    const count = () => paused.frames.filter((f) => f.event === 'console').length;
    const dropped = () => paused.frames.filter((f) => f.event === 'dropped').reduce((n, f) => n + f.data.count, 0);
    await until(() => count() + dropped() >= total, 30_000, 'everything accounted for');
    assert.ok(dropped() > 0, 'some were dropped');
    assert.is(count() + dropped(), total);
    const idx = paused.frames.filter((f) => f.event === 'console').map((f) => Number(String(f.data.text).split(' ')[0]));
    assert.equal(idx, [...idx].sort((x, y) => x - y), 'what it did get is in order');
  } finally {
    // Dropped at once, not closed with a handshake behind megabytes still queued to it.
    paused.ws.terminate();
    live.ws.terminate();
    await until(async () => (await watchers()) === 0, 60_000, 'both watchers gone');
  }
});

test('a paused watch --all gets a dropped count that names no tab, with the count per tab', async () => {
  const { port, token } = discovery(sb);
  const paused = await Peer.authed(port, token);
  try {
    await paused.call('w', 'watch', { all: true, events: ['console'] });
    (paused.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const total = 5000;
    // 5000 lines of 4 KB: past the daemon's 8 MiB high water for a subscriber that does not read.
    const r = await sb.run(['eval', tab, `const pad = "y".repeat(4000); for (let i = 0; i < ${total}; i++) console.log(i, pad); "ok"`]);
    assert.is(r.stdout, 'ok\n');
    (paused.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    const drop = await paused.next((f) => f.event === 'dropped', 30_000);
    assert.is(drop.target, null, 'a count over all tabs claims none of them');
    assert.ok(drop.data.count > 0);
    const { pages } = JSON.parse((await sb.run(['list', '--json'])).stdout) as { pages: Array<{ targetId: string; prefix: string }> };
    const id = pages.find((p) => p.prefix === tab || p.targetId.startsWith(tab))!.targetId;
    assert.equal(drop.data.targets, { [id]: drop.data.count });
  } finally {
    paused.ws.terminate();
    await until(async () => (await watchers()) === 0, 60_000, 'the watcher gone');
  }
});

test('network events carry 200 and 404; a closed port is requestfailed; requests filters them', async () => {
  const w = watcher([tab, '--json', '--events', 'network,requestfinished']);
  await until(async () => (await watchers()) === 1, 10_000, 'subscribed');
  const closed = `http://127.0.0.1:${await closedPort()}/nothing`;
  await sb.run(['eval', tab, `Promise.all([fetch("${fx.url('/form')}"), fetch("${fx.url('/missing')}"), fetch("${closed}").catch(() => 0)]).then(() => 1)`]);
  // Responses come at their headers; the 404 line below needs its body in too.
  await until(() => events(w).filter((e) => e.event === 'requestfinished' || e.event === 'requestfailed').length >= 3, 10_000, 'three finished requests');
  const byUrl = (url: string, kind: string) => events(w).find((e) => e.data.url === url && e.event === kind);
  assert.is(byUrl(fx.url('/form'), 'response').data.status, 200);
  assert.is(byUrl(fx.url('/form'), 'response').data.mimeType, 'text/html');
  assert.is(byUrl(fx.url('/missing'), 'response').data.status, 404);
  assert.ok(byUrl(closed, 'request'), 'request event');
  assert.is(byUrl(closed, 'requestfailed').data.errorText, 'net::ERR_CONNECTION_REFUSED');
  const notFound = await sb.run(['requests', tab, '--status', '404']);
  assert.match(notFound.stdout, new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} #\\d+ GET 404  fetch  text/html  \\d+B  \\d+ms  ${fx.url('/missing')}\\n$`));
  const failed = await sb.run(['requests', tab, '--failed']);
  assert.match(failed.stdout, new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} #\\d+ GET FAILED net::ERR_CONNECTION_REFUSED  fetch  ${closed}\\n$`));
  const bad = await sb.run(['requests', tab, '--status', 'teapot']);
  assert.equal([bad.stderr, bad.code], ['Error: --status takes a code (404), a class (4xx) or a comparison (>=400), got: teapot\n', 2]);
  await stop(w);
});

test('watch prints human lines, and exits cleanly when its tab closes', async () => {
  const opened = await sb.run(['open', fx.url('/form')]);
  const other = /Opened new tab: (\S+)/.exec(opened.stdout)![1]!;
  const w = watcher([other]);
  await until(async () => (await watchers()) === 1, 10_000, 'subscribed');
  await sb.run(['eval', other, 'console.info("hello", 42)']);
  await until(() => w.lines.some((l) => l.includes('console.info')), 10_000, 'a console line');
  assert.match(w.lines.find((l) => l.includes('console.info'))!, new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} ${other.slice(0, 8)} console.info hello 42`));
  assert.match(w.stderr, /^watching 1 tab for console, error, request, response, requestfailed, navigation, load, dialog, target \(Ctrl-C to stop\)\n/);
  const c = await CDP({ port: chrome.port });
  const { targetInfos } = await c.Target.getTargets();
  await c.Target.closeTarget({ targetId: targetInfos.find((t) => t.targetId.startsWith(other))!.targetId });
  await c.close();
  assert.is(await w.exited, 0);
  assert.match(w.lines.filter(Boolean).at(-1)!, / target destroyed$/);
});

test('watch --all also streams tabs opened after it started', async () => {
  const w = watcher(['--all', '--json', '--events', 'console,target']);
  await until(async () => (await watchers()) === 1, 10_000, 'subscribed');
  const opened = await sb.run(['open', fx.url('/logs')]);
  const fresh = /Opened new tab: (\S+)/.exec(opened.stdout)![1]!;
  await until(() => events(w).some((e) => e.target.startsWith(fresh) && e.event === 'console' && e.data.text.startsWith('before attach')), 10_000, 'the new tab\'s console');
  assert.ok(events(w).some((e) => e.target.startsWith(fresh) && e.event === 'target' && e.data.action === 'created'), 'target created');
  assert.is(await stop(w), 0);
});

test('--clear empties a history after reading it; --type filters requests', async () => {
  await sb.run(['eval', tab, 'console.log("to clear"); fetch("/form").then(() => 1)']);
  await new Promise((r) => setTimeout(r, 300));
  const fetches = JSON.parse((await sb.run(['requests', tab, '--type', 'fetch', '--json'])).stdout).entries;
  assert.ok(fetches.length > 0 && fetches.every((e: { data: { resourceType: string } }) => e.data.resourceType === 'Fetch'));
  const docs = JSON.parse((await sb.run(['requests', tab, '--type', 'image', '--json'])).stdout).entries;
  assert.ok(docs.every((e: { data: { resourceType: string } }) => e.data.resourceType === 'Image'));
  const first = JSON.parse((await sb.run(['console', tab, '--clear', '--json'])).stdout);
  assert.ok(first.entries.some((e: { data: { text?: string } }) => e.data.text === 'to clear'));
  assert.equal(JSON.parse((await sb.run(['console', tab, '--json'])).stdout), { entries: [], dropped: 0 });
});

test('watch rejects unknown kinds before starting anything', async () => {
  const r = await sb.run(['watch', tab, '--events', 'console,bogus']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /^Error: unknown event kind "bogus": use console, error, network/);
});

test('the library: connect(), call(), and watch() as an async iterator that unsubscribes on break', async () => {
  const saved = { ...process.env };
  Object.assign(process.env, { CDP_RUNTIME_DIR: sb.runtime, CDP_PORT_FILE: chrome.portFile });
  try {
      const { connect } = (await import('../dist/index.mjs' as string)) as typeof import('../lib/index.js');
      const cdp = await connect();
      const { pages } = await cdp.call('list') as { pages: Array<{ targetId: string }> };
      const target = pages.find((p) => p.targetId.startsWith(tab))!.targetId;
      const seen: string[] = [];
      const iter = cdp.watch(target, ['console']);
      const first = iter.next();
      first.catch(() => {});
      await until(async () => (await watchers()) === 1, 10_000, 'subscribed');
      await cdp.call('eval', { target, expression: 'for (const x of ["a", "b", "c", "d"]) console.log(x)' });
      seen.push((await first).value!.data.text as string);
      for await (const e of iter) {
        seen.push(e.data.text as string);
        if (seen.length === 3) break;
      }
      assert.equal(seen, ['a', 'b', 'c']);
      await until(async () => (await watchers()) === 0, 5000, 'unsubscribed');
      // A watch of a tab that closes ends by itself: the for await does not hang.
      const { targetId: doomed } = await cdp.call('open', { url: fx.url('/') }) as { targetId: string };
      const kinds: string[] = [];
      const loop = (async () => {
        for await (const e of cdp.watch(doomed, ['console'])) kinds.push(`${e.event} ${String(e.data.action ?? e.data.text)}`);
        return 'ended';
      })();
      await until(async () => (await watchers()) === 1, 10_000, 'subscribed to the doomed tab');
      await cdp.call('eval', { target: doomed, expression: 'console.log("last words")' });
      await cdp.call('close', { target: doomed });
      const ended = await Promise.race([loop, new Promise((r) => setTimeout(() => r('still waiting'), 10_000))]);
      assert.is(ended, 'ended');
      assert.equal(kinds, ['console last words', 'target destroyed']);
      await cdp.close();
  } finally {
    process.env = saved;
  }
});

test.run();
