/**
 * The managed browser: with no browser running and no CDP_* variable set, cdpd launches
 * a headless Chromium with a profile under the runtime dir, the next commands use it,
 * and `cdp stop` closes it.
 */
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chromePath } from './helpers/chrome.js';
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

test('stop closes the managed browser', async () => {
  const r = await sb.run(['stop']);
  assert.match(r.stdout, /^Stopped the daemon \(pid \d+\)\n$/);
  await until(() => browserPids().length === 0, 10_000, 'managed browser exit');
  assert.equal(sb.daemonPids(), []);
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
