/**
 * Tab leases for several agents on one browser: a named lease (--lease) through the CLI,
 * a connection's lease through the library; the others' actions fail with TARGET_LEASED
 * naming the holder, their reads work; release, TTL and the holder's connection end it.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ok, type RunResult } from './helpers/cli.js';
import { world } from './helpers/world.js';

const test = suite('leases');
const rig = world(test);
const { cdp, openTab } = rig;

const refusedBy = (r: RunResult, tab: string, holder: string, cmd: string) => {
  assert.is(r.code, 1, r.stdout);
  assert.match(r.stderr, new RegExp(`^Error: Tab ${tab.slice(0, 8)} is leased by "${holder}" until \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z: ${cmd} changes the tab, so it waits for the lease to end\\. Reads \\(snap, get, requests, …\\) still work; the holder ends it with cdp release, or it runs out\\.\\n$`));
};

test('a named lease: the holder acts, others are refused and can still read; list shows the holder; release ends it', async () => {
  const tab = await openTab('/');
  assert.match(ok(await cdp('claim', tab, '--lease', 'agent-a'), 'claim'), new RegExp(`^Claimed ${tab.slice(0, 8)} for agent-a until \\d{4}-`));
  refusedBy(await cdp('click', tab, '#b1', '--lease', 'agent-b'), tab, 'agent-a', 'click');
  refusedBy(await cdp('eval', tab, '1'), tab, 'agent-a', 'eval');
  refusedBy(await cdp('route', tab, '*/x', '--abort'), tab, 'agent-a', 'route');
  const json = JSON.parse((await cdp('click', tab, '#b1', '--json')).stdout);
  assert.is(json.error.code, 'TARGET_LEASED');
  assert.is(json.error.details.holder, 'agent-a');
  assert.match(ok(await cdp('snap', tab, '-i'), 'a read by another'), /\[button\] Press me \[ref=e\d+\]/);
  assert.is(ok(await cdp('get', tab, 'text', 'h1'), 'get'), 'Hello fixture\n');
  assert.is(ok(await cdp('click', tab, '#b1', '--lease', 'agent-a'), 'the holder acts'), 'Clicked BUTTON "Press me"\n');
  assert.match(ok(await cdp('list'), 'list'), new RegExp(`^${tab}.*  \\[leased by agent-a\\]$`, 'm'));
  const steal = await cdp('claim', tab, '--lease', 'agent-b');
  assert.is(steal.code, 1);
  assert.match(steal.stderr, /^Error: Tab [0-9A-F]{8} is leased by "agent-a" until /);
  const wrongRelease = await cdp('release', tab, '--lease', 'agent-b');
  assert.is(wrongRelease.code, 1);
  assert.is(ok(await cdp('release', tab, '--lease', 'agent-a'), 'release'), `Released ${tab.slice(0, 8)}\n`);
  assert.is(ok(await cdp('click', tab, '#b1'), 'anyone acts again'), 'Clicked BUTTON "Press me"\n');
  assert.not.match(ok(await cdp('list'), 'list after'), /leased by/);
  const bad = await cdp('claim', tab, '--ttl', 'soon');
  assert.is(bad.stderr, 'Error: --ttl takes a duration (90s, 10m, 1h), got: soon\n');
  assert.is(bad.code, 2);
});

test('a lease runs out at its TTL', async () => {
  const tab = await openTab('/');
  ok(await cdp('claim', tab, '--lease', 'brief', '--ttl', '3s'), 'claim');
  refusedBy(await cdp('click', tab, '#b1'), tab, 'brief', 'click');
  await new Promise((r) => setTimeout(r, 3200));
  assert.is(ok(await cdp('click', tab, '#b1'), 'after the TTL'), 'Clicked BUTTON "Press me"\n');
});

test("a library connection's lease: refused for the CLI, ended when the connection closes", async () => {
  const tab = await openTab('/');
  const saved = { ...process.env };
  Object.assign(process.env, { CDP_RUNTIME_DIR: rig.sb.runtime, CDP_PORT_FILE: rig.chrome.portFile });
  try {
    const { connect } = (await import('../dist/index.mjs' as string)) as typeof import('../lib/index.js');
    const holder = await connect();
    const claimed = await holder.call('claim', { target: tab }) as { holder: string };
    assert.match(claimed.holder, /^connection \d+$/);
    await holder.call('click', { target: tab, selector: '#b1' });
    refusedBy(await cdp('fill', tab, '#b1', 'x'), tab, claimed.holder, 'fill');
    await holder.close();
    // The daemon sees the connection close a moment later.
    let after: RunResult | undefined;
    for (let i = 0; i < 150; i++) {
      after = await cdp('click', tab, '#b1');
      if (after.code === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.is(after!.stdout, 'Clicked BUTTON "Press me"\n');
  } finally {
    process.env = saved;
  }
});

test.run();
