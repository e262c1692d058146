/**
 * The managed browser: with no browser running and no CDP_* variable set, cdpd launches
 * a headless Chromium with a profile under the runtime dir, the next commands use it,
 * and `cdp stop` closes it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { hasExited } from '../lib/runtime/process.js';
import { chromePath, startChrome } from './helpers/chrome.js';
import { processesWith, Sandbox, until } from './helpers/cli.js';
import { startFixture, type Fixture } from './helpers/fixture.js';

const test = suite('managed');
let fx: Fixture;
let sb: Sandbox;

test.before(async () => {
  chromePath(); // fails loudly when Chromium is missing
  fx = await startFixture();
  sb = new Sandbox();
});

test.after(async () => {
  await sb.cleanup();
  for (const pid of processesWith(`--user-data-dir=${join(sb.runtime, 'profile')}`)) process.kill(pid, 'SIGKILL');
  await fx.close();
});

const browserPids = () => processesWith(`--user-data-dir=${join(sb.runtime, 'profile')}`);

test('open launches a managed headless Chromium; the next commands use it', async () => {
  const r = await sb.run(['open', fx.url('/')]);
  assert.is(r.stderr, '');
  assert.is(r.code, 0);
  const m = /^Opened new tab: ([0-9A-F]{8,})  (\S+)\n$/.exec(r.stdout);
  assert.ok(m, r.stdout);
  assert.ok(browserPids().length > 0, 'a browser runs with the runtime-dir profile');
  const list = await sb.run(['list']);
  assert.ok(list.stdout.includes(`${m![1]}  ${'Fixture Home'.padEnd(54)}  ${fx.url('/')}`), list.stdout);
  assert.is((await sb.run(['eval', m![1]!, 'document.title'])).stdout, 'Fixture Home\n');
  const status = await sb.run(['status']);
  assert.match(status.stdout, /\(managed, headless\)/);
});

/** The daemon's pid and its managed browser's, from status. */
async function pids(box: Sandbox): Promise<{ daemon: number; browser: number }> {
  const [d] = JSON.parse((await box.run(['status', '--json'])).stdout).daemons;
  assert.ok(d && typeof d.browser.pid === 'number', `status names the browser's pid: ${JSON.stringify(d)}`);
  return { daemon: d.pid, browser: d.browser.pid };
}

test('stop returns once the daemon and its browser have exited', async () => {
  const { daemon, browser } = await pids(sb);
  const r = await sb.run(['stop']);
  assert.equal([r.stdout, r.stderr, r.code], [`Stopped the daemon (pid ${daemon})\n`, '', 0]);
  // Not "soon after": when stop returns (a zombie not yet reaped by init has exited too).
  assert.ok(hasExited(daemon), 'the daemon has exited when stop returns');
  assert.ok(hasExited(browser), 'its browser has exited when stop returns');
  await until(() => browserPids().length === 0, 10_000, 'the browser\'s helper processes exit');
  assert.equal(sb.daemonPids(), []);
});

test('a daemon killed with SIGKILL leaves no browser behind', async () => {
  assert.is((await sb.run(['open', fx.url('/')])).code, 0);
  const { daemon, browser } = await pids(sb);
  process.kill(daemon, 'SIGKILL');
  await until(() => hasExited(browser), 10_000, 'the orphaned browser exits');
  await until(() => browserPids().length === 0, 10_000, 'its helper processes exit');
});

test('an adopted browser (one left in the managed profile) is really closed by stop', async () => {
  // What a daemon killed before this fix left behind, or a --no-daemon run: a browser on the profile.
  const left = await startChrome({ profile: join(sb.runtime, 'profile') });
  try {
    const r = await sb.run(['list']);
    assert.is(r.code, 0, r.stderr);
    const { browser } = await pids(sb);
    assert.is(browser, left.proc.pid, 'the daemon adopted the browser that was there');
    assert.is((await sb.run(['stop'])).code, 0);
    await until(() => left.proc.exitCode !== null || left.proc.signalCode !== null, 5000, 'the adopted browser exits');
  } finally {
    await left.kill('SIGKILL');
  }
});

test('the CLI starts the browser while the daemon boots, and the daemon takes it over (stop closes it, SIGKILL of the daemon ends it)', async () => {
  assert.is((await sb.run(['open', fx.url('/')])).code, 0);
  const { daemon, browser } = await pids(sb);
  // Started by the CLI (gone now), not by the daemon: its parent is not the daemon.
  const ppid = Number(readFileSync(`/proc/${browser}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]);
  assert.is.not(ppid, daemon);
  const r = await sb.run(['stop']);
  assert.is(r.code, 0);
  assert.ok(hasExited(browser), 'stop closed the browser it took over');
});

test('a daemon that gives up on the browser the CLI started leaves none behind', async () => {
  const r = await sb.run(['open', fx.url('/')], { env: { CDP_LAUNCH_TIMEOUT: '1' } });
  assert.is(r.code, 1, r.stdout);
  assert.match(r.stderr, /^Error: The browser did not open its debugging port within 1 ms \(raise with CDP_LAUNCH_TIMEOUT\)/);
  await until(() => browserPids().length === 0, 10_000, 'no browser left');
});

test('a start-up failure after connecting closes the connection and the browser it launched', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cdpd-fake-'));
  const saved = { ...process.env };
  Object.assign(process.env, { CDP_RUNTIME_DIR: join(dir, 'run'), CHROME_PATH: fileURLToPath(new URL('./helpers/fake-chrome.mjs', import.meta.url)) });
  try {
    const { startDaemon } = await import('../lib/daemon/daemon.js');
    const lines: string[] = [];
    const err = await startDaemon({
      endpoint: { kind: 'managed', headed: false, source: 'launch' },
      idleTimeoutMs: 60_000, log: (l) => lines.push(l),
    }).then(() => undefined, (e: Error) => e);
    assert.ok(err, 'start-up fails');
    assert.match(err!.message, /the fake browser refuses everything/);
    const pid = Number(readFileSync(join(dir, 'run', 'profile', 'fake.pid'), 'utf8'));
    // This process lives on, so nothing but the daemon's own cleanup ends the browser.
    await until(() => hasExited(pid), 5000, 'the launched browser is closed');
  } finally {
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--no-launch with no browser says how to get one, exit 3', async () => {
  const r = await sb.run(['--no-launch', 'list']);
  assert.is(r.code, 3);
  assert.match(r.stderr, /^Error: No browser found, and --no-launch forbids launching one\. Enable remote debugging at chrome:\/\/inspect/);
});

test('a CHROME_PATH that is not a browser is named, exit 3', async () => {
  const other = new Sandbox({ CHROME_PATH: '/nonexistent/chrome' });
  try {
    const r = await other.run(['list']);
    assert.equal([r.stdout, r.stderr, r.code], ['', 'Error: CHROME_PATH is not an executable file: /nonexistent/chrome\n', 3]);
  } finally {
    await other.cleanup();
  }
});

test.run();
