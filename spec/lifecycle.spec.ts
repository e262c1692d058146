/**
 * The daemon's life: single-flight start, start-up failures that say why, idle exit,
 * exit when Chrome goes away, recovery from a killed daemon, cancellation on client
 * disconnect, --no-daemon, and the chrome://inspect consent stand-in.
 */
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { sharedChrome, startChrome, type Chrome } from './helpers/chrome.js';
import { alive, daemonProcesses, Sandbox, until } from './helpers/cli.js';
import { startConsentProxy } from './helpers/consent-proxy.js';
import { closedPort, startFixture, type Fixture } from './helpers/fixture.js';
import { discovery, Peer } from './helpers/ws.js';

const test = suite('lifecycle');
let chrome: Chrome;
let fx: Fixture;
const sandboxes: Sandbox[] = [];
const EPERM = fileURLToPath(new URL('./helpers/eperm.mjs', import.meta.url));

function sandbox(env: Record<string, string | undefined> = {}): Sandbox {
  const sb = new Sandbox({ CDP_PORT_FILE: chrome.portFile, ...env });
  sandboxes.push(sb);
  return sb;
}

test.before(async () => {
  chrome = await sharedChrome();
  fx = await startFixture();
});

test.after(async () => {
  for (const sb of sandboxes) await sb.cleanup();
  await fx.close();
});

test('argument errors are reported before any daemon starts', async () => {
  const sb = sandbox();
  const cases: Array<[string[], string]> = [
    [['eval'], 'Error: target ID required. Run "cdp list" first.\n'],
    [['eval', 'ABCDEF12'], 'Error: expression required\n'],
    [['type', 'ABCDEF12'], 'Error: text required\n'],
    [['evalraw', 'ABCDEF12'], 'Error: CDP method required (e.g. "DOM.getDocument")\n'],
    [['evalraw', 'ABCDEF12', 'DOM.getDocument', '{nope'], 'Error: Invalid JSON params: {nope\n'],
    [['nav', 'ABCDEF12'], 'Error: URL required\n'],
    [['nav', 'ABCDEF12', 'ftp://x'], 'Error: Only http/https URLs allowed, got: ftp://x\n'],
    [['open', 'javascript:alert(1)'], 'Error: Only http/https URLs allowed, got: javascript:alert(1)\n'],
    [['clickxy', 'ABCDEF12', '1'], 'Error: x and y must be numbers (CSS pixels)\n'],
    [['click', 'ABCDEF12'], 'Error: CSS selector or @ref required\n'],
    [['frobnicate'], 'Error: Unknown command: frobnicate. Run "cdp --help" for the list.\n'],
    [['list', '--bogus'], 'Error: Unknown option `--bogus`. Put arguments that start with - after "--".\n'],
    [['eval', 'ABCDEF12', '1', '--timeout', 'soon'], 'Error: --timeout must be a positive number of ms, got: soon\n'],
  ];
  for (const [args, stderr] of cases) {
    const r = await sb.run(args);
    assert.equal([r.stdout, r.stderr, r.code], ['', stderr, 2], args.join(' '));
  }
  assert.equal(daemonProcesses(sb), []);
  assert.equal(sb.daemonPids(), []);
});

test('help and version print on stdout with exit 0', async () => {
  const sb = sandbox();
  const help = await sb.run(['--help']);
  assert.is(help.code, 0);
  for (const name of ['list', 'open', 'snap', 'eval', 'shot', 'html', 'nav', 'net', 'click', 'clickxy', 'type', 'loadall', 'evalraw', 'stop', 'status']) {
    assert.match(help.stdout, new RegExp(`^  ${name} `, 'm'));
  }
  const bare = await sb.run([]);
  assert.is(bare.stdout, help.stdout);
  const v = await sb.run(['--version']);
  assert.match(v.stdout, /^cdp\/\d+\.\d+\.\d+/);
});

test('ten CLI processes started at once end with one daemon and ten answers', async () => {
  const sb = sandbox();
  const runs = await Promise.all(Array.from({ length: 10 }, () => sb.run(['list', '--json'])));
  for (const r of runs) {
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stderr, '');
    assert.ok(Array.isArray(JSON.parse(r.stdout).pages));
  }
  assert.is(daemonProcesses(sb).length, 1);
  assert.is(sb.daemonPids().length, 1);
});

test('--browser-url http://host:port and CDP_PORT resolve the browser through /json/version', async () => {
  const viaUrl = sandbox({ CDP_PORT_FILE: undefined });
  const a = await viaUrl.run(['--browser-url', `http://127.0.0.1:${chrome.port}`, 'list']);
  assert.is(a.code, 0, a.stderr);
  assert.match(a.stdout, /^[0-9A-F]{8,}  /);
  const viaEnv = sandbox({ CDP_PORT_FILE: undefined, CDP_URL: chrome.wsUrl });
  assert.is((await viaEnv.run(['list'])).stdout, a.stdout);
  const viaPort = sandbox({ CDP_PORT_FILE: undefined, CDP_PORT: String(chrome.port) });
  const c = await viaPort.run(['status', '--json']);
  assert.is(JSON.parse(c.stdout).daemons.length, 0, 'status starts nothing');
  const d = await viaPort.run(['list']);
  assert.equal([d.stdout, d.code], [a.stdout, 0]);
  const status = JSON.parse((await viaPort.run(['status', '--json'])).stdout).daemons[0];
  assert.is(status.browser.endpoint, chrome.wsUrl);
  assert.is(status.browser.managed, false);
});

test('a dead browser endpoint: the CLI prints why and exits 3 within seconds', async () => {
  const file = join(sandbox().root, 'DevToolsActivePort');
  writeFileSync(file, `${await closedPort()}\n/devtools/browser/dead\n`);
  const sb = sandbox({ CDP_PORT_FILE: file });
  const t0 = Date.now();
  const r = await sb.run(['list']);
  assert.ok(Date.now() - t0 < 8000, `took ${Date.now() - t0} ms`);
  assert.is(r.code, 3);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /^Error: Nothing answers at ws:\/\/127\.0\.0\.1:\d+ \(from CDP_PORT_FILE .*\)\. Is the browser running with remote debugging on\?/);
  assert.equal(daemonProcesses(sb), []);
});

test('an invalid DevToolsActivePort file is named', async () => {
  const file = join(sandbox().root, 'DevToolsActivePort');
  writeFileSync(file, 'garbage\n');
  const sb = sandbox({ CDP_PORT_FILE: file });
  const r = await sb.run(['list']);
  assert.equal([r.stdout, r.stderr, r.code], ['', `Error: Invalid DevToolsActivePort file: ${file}\n`, 3]);
});

test('a daemon whose listen fails (a sandbox) makes the CLI say so; --no-daemon still works', async () => {
  const sb = sandbox({ NODE_OPTIONS: `--import=${EPERM}` });
  const t0 = Date.now();
  const r = await sb.run(['list']);
  assert.ok(Date.now() - t0 < 8000, `took ${Date.now() - t0} ms`);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^Error: Cannot listen on 127\.0\.0\.1: listen EPERM: operation not permitted 127\.0\.0\.1\. If a sandbox forbids it, run with --no-daemon\.\n$/);
  const direct = await sb.run(['--no-daemon', 'list']);
  assert.is(direct.code, 0, direct.stderr);
  assert.match(direct.stdout, /^[0-9A-F]{8,}  /);
  const page = await sb.run(['--no-daemon', 'open', fx.url('/')]);
  assert.is(page.code, 0, page.stderr);
  const prefix = /Opened new tab: (\S+)/.exec(page.stdout)![1]!;
  assert.is((await sb.run(['--no-daemon', 'eval', prefix, 'document.title'])).stdout, 'Fixture Home\n');
  assert.equal(daemonProcesses(sb), []);
});

test('the daemon exits after CDP_IDLE_TIMEOUT without clients and removes its file', async () => {
  const sb = sandbox({ CDP_IDLE_TIMEOUT: '400' });
  assert.is((await sb.run(['list'])).code, 0);
  const [pid] = sb.daemonPids();
  assert.ok(pid && alive(pid));
  await until(() => !alive(pid!), 5000, 'idle exit');
  assert.equal(sb.daemonPids(), []);
});

test('the daemon exits when Chrome goes away; the next command says the browser is not reachable', async () => {
  const own = await startChrome();
  const sb = sandbox({ CDP_PORT_FILE: own.portFile });
  try {
    assert.is((await sb.run(['list'])).code, 0);
    const [pid] = sb.daemonPids();
    await own.kill('SIGKILL');
    await until(() => !alive(pid!), 5000, 'daemon exit after chrome died');
    assert.equal(sb.daemonPids(), []);
  } finally {
    await own.kill();
  }
});

test('a daemon of another version is stopped and replaced by ours', async () => {
  const old = join(sandbox().root, 'old-dist');
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { env: { ...process.env, CDPD_OUTDIR: old, CDPD_VERSION: '0.0.1-old' }, encoding: 'utf8' });
  assert.is(build.status, 0, build.stderr);
  const sb = sandbox();
  const started = spawnSync(process.execPath, [join(old, 'cli.js'), 'list'], { env: sb.env as NodeJS.ProcessEnv, encoding: 'utf8' });
  assert.is(started.status, 0, started.stderr);
  const [oldPid] = sb.daemonPids();
  assert.ok(oldPid && alive(oldPid));
  const list = await sb.run(['list']);
  assert.is(list.code, 0, list.stderr);
  await until(() => !alive(oldPid!), 5000, 'the old daemon exits');
  const status = JSON.parse((await sb.run(['status', '--json'])).stdout).daemons;
  assert.is(status.length, 1);
  assert.is.not(status[0].pid, oldPid);
  assert.not.equal(status[0].version, '0.0.1-old');
});

test('a daemon killed with SIGKILL is replaced by the next command', async () => {
  const sb = sandbox();
  assert.is((await sb.run(['list'])).code, 0);
  const [first] = sb.daemonPids();
  process.kill(first!, 'SIGKILL');
  await until(() => !alive(first!), 3000, 'kill');
  const r = await sb.run(['list']);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stderr, '');
  const [second] = sb.daemonPids();
  assert.ok(second && second !== first && alive(second));
});

test('a client that disconnects cancels its in-flight work; the daemon serves on', async () => {
  const sb = sandbox();
  const opened = await sb.run(['open', fx.url('/loadmore')]);
  const prefix = /Opened new tab: (\S+)/.exec(opened.stdout)![1]!;
  // Make "Load more" endless, and count the clicks.
  await sb.run(['eval', prefix, 'window.clicks = 0; document.getElementById("more").onclick = () => window.clicks++']);
  const { port, token } = discovery(sb);
  const p = await Peer.authed(port, token);
  p.send({ id: 1, cmd: 'loadall', params: { target: prefix, selector: '#more', interval: 50 } });
  const clicks = async () => Number((await sb.run(['eval', prefix, 'window.clicks'])).stdout);
  await until(async () => (await clicks()) >= 3, 5000, 'clicks');
  p.ws.terminate();
  await new Promise((r) => setTimeout(r, 200));
  const after = await clicks();
  await new Promise((r) => setTimeout(r, 500));
  assert.is(await clicks(), after, 'loadall stopped clicking');
  assert.is((await sb.run(['list'])).code, 0);
});

test('a discovery file or runtime dir open to others, or a symlink, is refused with the reason', async () => {
  const sb = sandbox();
  assert.is((await sb.run(['list'])).code, 0);
  const name = readdirSync(sb.runtime).find((n) => n.endsWith('.json'))!;
  const file = join(sb.runtime, name);
  chmodSync(file, 0o644);
  const open = await sb.run(['list']);
  assert.equal([open.stdout, open.stderr, open.code],
    ['', `Error: Refusing file ${file}: others can access it (mode 644). Run: chmod 600 ${file}\n`, 1]);
  chmodSync(file, 0o600);
  chmodSync(sb.runtime, 0o755);
  const dir = await sb.run(['list']);
  assert.equal([dir.stderr, dir.code], [`Error: Refusing directory ${sb.runtime}: others can access it (mode 755). Run: chmod 700 ${sb.runtime}\n`, 1]);
  chmodSync(sb.runtime, 0o700);
  const real = `${file}.real`;
  renameSync(file, real);
  symlinkSync(real, file);
  const link = await sb.run(['list']);
  assert.equal([link.stderr, link.code], [`Error: Refusing file ${file}: it is a symlink. Remove it, or set CDP_RUNTIME_DIR to a private directory.\n`, 1]);
  rmSync(file);
  renameSync(real, file);
  assert.is((await sb.run(['list'])).code, 0);
});

test('the CLI keeps its compiled code in a private cache file, and a damaged, foreign or linked one is never used', async () => {
  const sb = sandbox();
  const cacheFiles = () => readdirSync(sb.runtime).filter((n) => /^cli-[0-9a-f]{16}\.v8cache$/.test(n));
  assert.is((await sb.run(['--version'])).code, 0);
  assert.equal(existsSync(sb.runtime) ? cacheFiles() : [], [], 'a run without a daemon round trip writes none');
  assert.is((await sb.run(['list'])).code, 0);
  const [name] = cacheFiles();
  assert.ok(name, 'the first round trip writes the cache');
  const file = join(sb.runtime, name!);
  assert.is(statSync(file).mode & 0o777, 0o600);
  const good = readFileSync(file);
  const again = await sb.run(['list', '--json']);
  assert.equal([again.stderr, again.code], ['', 0]);
  assert.ok(readFileSync(file).equals(good), 'an accepted cache is left as it is');
  const damaged = [
    () => writeFileSync(file, Buffer.alloc(good.length, 0x5a)),
    () => writeFileSync(file, good.subarray(0, 100)),
    () => {
      writeFileSync(file, good);
      chownSync(file, 65534, 65534);
    },
    () => {
      rmSync(file);
      writeFileSync(`${file}.elsewhere`, good, { mode: 0o600 });
      symlinkSync(`${file}.elsewhere`, file);
    },
  ];
  for (const [i, damage] of damaged.entries()) {
    damage();
    const r = await sb.run(['list', '--json']);
    assert.equal([r.stderr, r.code, JSON.parse(r.stdout).pages.length > 0], ['', 0, true], `case ${i}`);
    const st = lstatSync(file);
    assert.equal([st.isFile(), st.uid, st.mode & 0o777], [true, process.getuid!(), 0o600], `case ${i}: replaced by our own`);
  }
  rmSync(`${file}.elsewhere`);
});

test('CDP_TRACE=1 prints the phases of a one-shot command on stderr, in order, and leaves stdout alone', async () => {
  const sb = sandbox();
  const cold = await sb.run(['list'], { env: { CDP_TRACE: '1' } });
  const plain = await sb.run(['list']);
  const warm = await sb.run(['list'], { env: { CDP_TRACE: '1' } });
  assert.equal([plain.stderr, plain.code], ['', 0]);
  const phases = (stderr: string) => {
    const [head, ...lines] = stderr.trimEnd().split('\n');
    assert.is(head, 'cdp trace (ms since the process started):');
    const parsed = lines.map((l) => /^ *([\d.]+) +\+([\d.]+)  (.+)$/.exec(l)!);
    assert.ok(parsed.every(Boolean), stderr);
    const at = parsed.map((m) => Number(m[1]));
    assert.equal(at, [...at].sort((a, b) => a - b), 'marks in time order');
    return parsed.map((m) => m[3]);
  };
  assert.equal(phases(cold.stderr), ['node ready', 'code cache read', 'compiled from source', 'modules initialised', 'arguments parsed',
    'browser endpoint found', 'daemon spawned', 'daemon ready', 'connected', 'upgraded', 'welcomed', 'answered', 'printed', 'exit']);
  assert.equal(phases(warm.stderr), ['node ready', 'code cache read', 'compiled from the code cache', 'modules initialised', 'arguments parsed',
    'browser endpoint found', 'connected', 'upgraded', 'welcomed', 'answered', 'printed', 'exit']);
  assert.is(warm.stdout, plain.stdout);
});

test('chrome://inspect mode: HTTP 404s, a held upgrade, one connection for every command', async () => {
  const proxy = await startConsentProxy(chrome.port, 2500);
  try {
    const dir = join(sandbox().root, 'inspect');
    mkdirSync(dir);
    const file = join(dir, 'DevToolsActivePort');
    proxy.writePortFile(file, new URL(chrome.wsUrl).pathname);
    const sb = sandbox({ CDP_PORT_FILE: file });
    const first = await sb.run(['list']);
    assert.is(first.code, 0, first.stderr);
    assert.is(first.stderr, 'waiting for Chrome to allow remote debugging: click Allow\n');
    const a = /Opened new tab: (\S+)/.exec((await sb.run(['open', fx.url('/')])).stdout)![1]!;
    const b = /Opened new tab: (\S+)/.exec((await sb.run(['open', fx.url('/form')])).stdout)![1]!;
    assert.is((await sb.run(['eval', a, 'document.title'])).stdout, 'Fixture Home\n');
    assert.is((await sb.run(['eval', b, 'document.title'])).stdout, 'Form\n');
    const again = await sb.run(['list']);
    assert.is(again.stderr, '');
    assert.match(again.stdout, /Fixture Home/);
    assert.is(proxy.upgrades, 1, 'one consent prompt for everything');
    assert.is(proxy.httpRequests, 0, 'no /json/* requests');
  } finally {
    await proxy.close();
  }
});

test.run();
