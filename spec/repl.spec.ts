/**
 * The REPL both ways: piped (a script of JS lines and dot-commands, exact output and exit
 * code) and under a real pseudo-terminal (util-linux `script`): prompt, history across two
 * runs, Ctrl-C during a slow command, events printed while a line is being typed.
 */
import { spawn } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { sharedChrome } from './helpers/chrome.js';
import { CLI, Sandbox, until } from './helpers/cli.js';
import { startFixture, type Fixture } from './helpers/fixture.js';

const test = suite('repl');
let fx: Fixture;
let sb: Sandbox;
let tab = '';

test.before(async () => {
  const chrome = await sharedChrome();
  fx = await startFixture();
  sb = new Sandbox({ CDP_PORT_FILE: chrome.portFile });
  tab = /Opened new tab: (\S+)/.exec((await sb.run(['open', fx.url('/')])).stdout)![1]!;
});

test.after(async () => {
  await sb.cleanup();
  await fx.close();
});

test('piped: a mistyped option is refused as the CLI refuses it, nothing is done; --timeout is taken', async () => {
  const input = ['.click --frmae x #b1', 'window.clicked ?? "not clicked"', '.wait --timeout 200 --selector #never', '.html --bogus h1', '.html h1', ''].join('\n');
  const r = await sb.run(['repl', tab], { input: `document.getElementById('b1').onclick = () => { window.clicked = 'clicked'; }; 0\n${input}` });
  assert.is(r.stdout, ['0', 'not clicked', '<h1>Hello fixture</h1>', ''].join('\n'));
  assert.is(r.stderr, [
    'Error: Unknown option `--frmae`. Put arguments that start with - after "--".',
    'Error: Timed out after 200 ms waiting for #never (raise with --timeout)',
    'Error: Unknown option `--bogus`. Put arguments that start with - after "--".',
    '',
  ].join('\n'));
  assert.is(r.code, 1);
});

test('piped: dot-command words are split as a shell splits them: quotes group, backslash escapes', async () => {
  const input = ['.find role button --name "press me"', ".find text 'Hello fixture'", '.get text h1', ''].join('\n');
  const r = await sb.run(['repl', tab], { input });
  assert.is(r.stderr, '');
  const [button, heading, text] = r.stdout.trimEnd().split('\n');
  assert.match(button!, /^\[button\] Press me \[ref=e\d+\]$/);
  assert.match(heading!, /^\[heading\] Hello fixture \[ref=e\d+\]$/);
  assert.is(text, 'Hello fixture');
});

test('piped: JS lines, multi-line input, top-level await, dot-commands; exit 0', async () => {
  const input = [
    '1 + 1',
    'const o = {',
    '  a: 1,',
    '}',
    'o',
    'await new Promise((r) => setTimeout(() => r("late"), 20))',
    '.html h1',
    `.nav ${fx.url('/form')}`,
    'document.title',
    '.click #go',
    'document.title',
    '',
  ].join('\n');
  const r = await sb.run(['repl', tab], { input });
  assert.is(r.stderr, '');
  assert.is(r.stdout, ['2', '{\n  "a": 1\n}', 'late', '<h1>Hello fixture</h1>', `Navigated to ${fx.url('/form')}`, 'Form', 'Clicked BUTTON "Submit now"', 'clicked', ''].join('\n'));
  assert.is(r.code, 0);
});

test('piped: a failing line is reported, the rest runs, and the exit code is 1', async () => {
  const r = await sb.run(['repl', tab], { input: 'nope\n.bogus\n.html #missing\n6 * 7\n' });
  assert.is(r.stdout, '42\n');
  assert.is(r.stderr, 'Error: ReferenceError: nope is not defined\nError: Unknown command: .bogus. Type .help for the list.\nError: Element not found: #missing\n');
  assert.is(r.code, 1);
  const noTab = await sb.run(['repl'], { input: '1\n.use ' + tab + '\n2\n' });
  assert.is(noTab.stdout, `using ${tab}  ${fx.url('/form')}\n2\n`);
  assert.is(noTab.stderr, 'Error: No tab selected: .use <target> (".list" shows them)\n');
  assert.is(noTab.code, 1);
});

/** A REPL under a pseudo-terminal: keystrokes in, the screen's bytes out. */
function pty(args: string[]) {
  const cmd = [process.execPath, CLI, ...args].map((a) => `'${a}'`).join(' ');
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { env: { ...sb.env, TERM: 'xterm-256color' } as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (screen += d));
  const exited = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
  const plain = () => screen.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/\r/g, '');
  return {
    type: (keys: string) => child.stdin.write(keys),
    plain,
    wait: (re: RegExp, what: string) => until(() => re.test(plain()), 10_000, `${what}; screen so far:\n${plain()}`),
    exited,
    kill: () => child.kill('SIGKILL'),
  };
}

test('a terminal: prompt, results, Ctrl-C cancels a slow command, history across runs', async () => {
  const t = pty(['repl', tab]);
  try {
    await t.wait(new RegExp(`cdp:${tab}> $`), 'the prompt');
    t.type('40 + 2\r');
    await t.wait(/\n42\n/, 'the result');
    t.type('new Promise(() => {})\r');
    await new Promise((r) => setTimeout(r, 400));
    t.type('\x03');
    await t.wait(/Error: Cancelled by the client\.\n/, 'the cancel');
    t.type('"still " + "here"\r');
    await t.wait(/still here\n/, 'the REPL lives on');
    t.type('\x04');
    assert.is(await t.exited, 0);
  } finally {
    t.kill();
  }
  const again = pty(['repl', tab]);
  try {
    await again.wait(/> $/, 'the prompt');
    await new Promise((r) => setTimeout(r, 300));
    again.type('\x1b[A');
    await again.wait(/> "still " \+ "here"$/, 'history recalled the last line');
    again.type('\r');
    await again.wait(/\nstill here\n/, 'its result');
    again.type('.exit\r');
    assert.is(await again.exited, 0);
  } finally {
    again.kill();
  }
});

test('a terminal: events print above the prompt without mangling the line being typed', async () => {
  const t = pty(['repl', tab]);
  try {
    await t.wait(/> $/, 'the prompt');
    t.type('.watch console\r');
    await t.wait(/watching \S+ for console \(\.unwatch to stop\)\n/, 'the watch');
    t.type('12');
    await t.wait(/> 12$/, 'half a line');
    await sb.run(['eval', tab, 'console.log("from elsewhere")']);
    await t.wait(/console\.log from elsewhere\n/, 'the event');
    assert.match(t.plain(), /console\.log from elsewhere\n.*> 12$/);
    t.type('3\r');
    await t.wait(/\n123\n/, 'the line typed before and after the event');
    t.type('\x04');
    assert.is(await t.exited, 0);
  } finally {
    t.kill();
  }
});

test.run();
