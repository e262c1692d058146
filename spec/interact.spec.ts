/**
 * Agent-grade perception and interaction through the real CLI: refs from `snap`, real
 * input by ref, frames (a second fixture server on `localhost` gives a second site, so its
 * iframe runs out of process), shadow roots, stale refs, dialogs, waits and capture.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ok } from './helpers/cli.js';
import { world } from './helpers/world.js';

const test = suite('interact');
const rig = world(test, { second: true });
const { cdp, openTab } = rig;

const evalIn = async (tab: string, expr: string) => ok(await cdp('eval', tab, expr), `eval ${expr}`).trim();
/** The ref on the snapshot line that matches. */
const refOf = (snap: string, line: RegExp) => {
  const l = snap.split('\n').find((x) => line.test(x));
  assert.ok(l, `a line like ${line} in:\n${snap}`);
  const m = /\[ref=(e\d+)\]/.exec(l!);
  assert.ok(m, `a ref on ${l}`);
  return m![1]!;
};

test('a login form filled by refs and submitted with press Enter; the page says where it went', async () => {
  const tab = await openTab('/login');
  const snap = ok(await cdp('snap', tab, '-i'), 'snap -i');
  const user = refOf(snap, /\[textbox\] User name/);
  const pass = refOf(snap, /\[textbox\] Password/);
  const remember = refOf(snap, /\[checkbox\] Remember me/);
  const lang = refOf(snap, /\[combobox\]/);
  assert.is(ok(await cdp('fill', tab, `@${user}`, 'ada'), 'fill user'), 'Filled <input id="user"> with "ada"\n');
  ok(await cdp('fill', tab, `ref=${pass}`, 's3cret'), 'fill pass');
  assert.is(ok(await cdp('check', tab, remember), 'check'), `Checked <input id="remember">\n`);
  assert.is(ok(await cdp('check', tab, remember), 'check again'), `Already checked: <input id="remember">\n`);
  assert.is(ok(await cdp('select', tab, `@${lang}`, 'Français'), 'select'), 'Selected "Français"\n');
  const pressed = ok(await cdp('press', tab, `@${pass}`, 'Enter'), 'press Enter');
  assert.match(pressed, /^Pressed Enter in <input id="pass">\nNavigated to http:\/\/127\.0\.0\.1:\d+\/welcome\?user=ada&pass=s3cret&remember=on&lang=fr \("Welcome"\)\n$/);
  assert.is(await evalIn(tab, 'document.getElementById("hi").textContent'), 'Welcome ada (6 chars, on, fr)');
  // A ref from before the navigation is stale: refused, and nothing happens.
  const stale = await cdp('click', tab, `@${user}`);
  assert.is(stale.code, 1);
  assert.is(stale.stdout, '');
  assert.match(stale.stderr, new RegExp(`^Error: Ref ${user} is stale: the page has navigated or reloaded since the snapshot that issued it\\. Nothing was done\\. Run "cdp snap ${tab.slice(0, 8)}" again`));
  assert.match(ok(await cdp('eval', tab, 'location.pathname'), 'still there'), /^\/welcome\n$/);
  const unknown = await cdp('click', tab, '@e99999');
  assert.is(unknown.code, 1);
  assert.match(unknown.stderr, /^Error: Unknown ref e99999: no snapshot of this tab issued it\. Run "cdp snap/);
});

test('a framework-style controlled input takes fill (its state updates, not just the DOM)', async () => {
  const tab = await openTab('/controlled');
  // The naive way a script sets a value is ignored by the value tracker.
  await evalIn(tab, '(() => { const e = document.getElementById("name"); e.value = "naive"; e.dispatchEvent(new Event("input", {bubbles: true})); return 1; })()');
  assert.is(await evalIn(tab, 'document.getElementById("state").textContent'), 'state=');
  const ref = refOf(ok(await cdp('snap', tab), 'snap'), /\[textbox\] Name/);
  assert.is(ok(await cdp('fill', tab, `@${ref}`, 'grace'), 'fill'), 'Filled <input id="name">: asked for "grace", the field now holds "GRACE"\n');
  assert.is(await evalIn(tab, 'document.getElementById("state").textContent'), 'state=GRACE');
});

test('a click on an element under an overlay is refused, naming the overlay; --js still clicks', async () => {
  const tab = await openTab('/overlay');
  const ref = refOf(ok(await cdp('snap', tab), 'snap'), /\[button\] Buy now/);
  const r = await cdp('click', tab, `@${ref}`);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^Error: Cannot act on e\d+: <button id="buy"> "Buy now" is covered by <div id="cookie-banner" class="modal"> "We use cookies" at \(\d+, \d+\), which would take the click\./);
  assert.is(await evalIn(tab, 'document.title'), 'Overlay');
  assert.is(ok(await cdp('click', tab, '--js', '#buy'), 'click --js'), 'Clicked BUTTON "Buy now"\n');
  assert.is(await evalIn(tab, 'document.title'), 'bought');
});

test('typing into and clicking in a cross-origin iframe, by ref and by --frame', async () => {
  const tab = await openTab(`/frames?child=${encodeURIComponent(rig.other.url('/inner'))}`);
  const snap = ok(await cdp('snap', tab), 'snap');
  // Both iframes are inline: same-origin and out-of-process.
  const lines = snap.split('\n');
  const cross = lines.findIndex((l) => /\[Iframe\] Cross origin/.test(l));
  assert.ok(cross > 0, snap);
  const crossText = lines.slice(cross).find((l) => /\[textbox\] Inner text/.test(l))!;
  const crossButton = lines.slice(cross).find((l) => /\[button\] Inner button/.test(l))!;
  const text = /ref=(e\d+)/.exec(crossText)![1]!;
  const button = /ref=(e\d+)/.exec(crossButton)![1]!;
  ok(await cdp('click', tab, `@${text}`), 'click into the cross-origin input');
  assert.is(ok(await cdp('type', tab, 'from cdp'), 'type'), 'Typed 8 characters\n');
  assert.is(ok(await cdp('click', tab, `@${button}`), 'click cross-origin button'), 'Clicked BUTTON "Inner button"\n');
  assert.is(ok(await cdp('eval', tab, '--frame', 'localhost', 'document.getElementById("out").textContent'), 'eval --frame'), 'clicked with from cdp\n');
  assert.is(ok(await cdp('eval', tab, 'document.getElementById("out")?.textContent ?? "none"'), 'main frame eval'), 'none\n');
  // The same-origin iframe, by selector in --frame.
  ok(await cdp('fill', tab, '--frame', '#same', '#it', 'same'), 'fill --frame #same');
  ok(await cdp('click', tab, '--frame', '#same', '#ib'), 'click --frame #same');
  assert.is(ok(await cdp('html', tab, '--frame', '#same', '#out'), 'html --frame'), '<p id="out">clicked with same</p>\n');
});

test('a button inside an open shadow root clicked by ref, with a trusted click', async () => {
  const tab = await openTab('/shadow');
  const ref = refOf(ok(await cdp('snap', tab), 'snap'), /\[button\] Shadow button/);
  assert.is(ok(await cdp('click', tab, `@${ref}`), 'click'), 'Clicked BUTTON "Shadow button"\n');
  assert.is(await evalIn(tab, 'document.title'), 'shadow clicked true');
});

test('refs stay the same across two snapshots of a page that gained a node in between', async () => {
  const tab = await openTab('/');
  const first = ok(await cdp('snap', tab), 'snap 1');
  await evalIn(tab, '(() => { const b = document.createElement("button"); b.textContent = "New one"; document.body.prepend(b); return 1; })()');
  const second = ok(await cdp('snap', tab), 'snap 2');
  const refs = (s: string) => s.split('\n').filter((l) => l.includes('[ref=')).map((l) => l.trim());
  const before = refs(first);
  const after = refs(second);
  assert.ok(before.length >= 3, first);
  for (const l of before) assert.ok(after.includes(l), `${l} still in:\n${second}`);
  const added = after.filter((l) => !before.includes(l));
  assert.equal(added.length, 1, second);
  assert.match(added[0]!, /^\[button\] New one \[ref=e\d+\]$/);
});

test('elements clickable without a role get refs too: onclick, listeners, cursor:pointer, tabindex', async () => {
  const tab = await openTab('/clickables');
  const snap = ok(await cdp('snap', tab, '-i'), 'snap -i');
  for (const name of ['Plain div with onclick', 'Pointer span', 'Listener div', 'Tabbable div']) {
    assert.match(snap, new RegExp(`\\[(clickable|generic)\\] ${name} \\[ref=e\\d+\\]`), `${name} in:\n${snap}`);
  }
  const ref = refOf(snap, /Listener div/);
  ok(await cdp('click', tab, `@${ref}`), 'click listener div');
  assert.is(await evalIn(tab, 'document.title'), 'listener');
});

test('a confirm dialog opened by a click is reported, then accepted', async () => {
  const tab = await openTab('/confirm');
  const r = await cdp('click', tab, '#del');
  assert.is(ok(r, 'click'), `Clicked BUTTON "Delete"\nA confirm dialog opened: "Delete everything?". It blocks the page: cdp dialog ${tab} accept, or cdp dialog ${tab} dismiss\n`);
  const blocked = await cdp('eval', tab, '1');
  assert.is(blocked.code, 1);
  assert.match(blocked.stderr, /A JavaScript confirm dialog is open/);
  assert.is(ok(await cdp('dialog', tab, 'accept'), 'dialog accept'), 'Accepted confirm "Delete everything?"\n');
  assert.is(await evalIn(tab, 'document.getElementById("r").textContent'), 'confirmed');
});

test('wait --text for text that appears after a delay; a wait that never comes times out', async () => {
  const tab = await openTab('/delayed');
  const r = ok(await cdp('wait', tab, '--text', 'Results are ready'), 'wait --text');
  assert.match(r, /^Waited \d+ ms for text "Results are ready"\n$/);
  assert.match(ok(await cdp('wait', tab, '--selector', '#box'), 'wait --selector'), /^Waited \d+ ms for #box\n$/);
  assert.match(ok(await cdp('wait', tab, '--url', '*/delayed'), 'wait --url'), /^Waited \d+ ms for the URL to match \*\/delayed: http:/);
  assert.match(ok(await cdp('wait', tab, '--idle'), 'wait --idle'), /^Waited \d+ ms for the network to be idle\n$/);
  const late = await cdp('wait', tab, '--text', 'never', '--timeout', '300');
  assert.equal([late.stdout, late.stderr, late.code], ['', 'Error: Timed out after 300 ms waiting for text "never" (raise with --timeout)\n', 1]);
  const none = await cdp('wait', tab);
  assert.is(none.code, 2);
  assert.match(none.stderr, /^Error: wait takes one of: a number of ms, --selector, --text, --url, --idle, --js/);
});

test('shot --full of a page taller than the viewport is an image of the full height; --selector one element', async () => {
  const tab = await openTab('/tall');
  const file = join(rig.sb.root, 'full.png');
  const out = ok(await cdp('shot', tab, file, '--full'), 'shot --full');
  assert.match(out, /\nImage: png, \d+x\d+ px, full page\n$/);
  const png = readFileSync(file);
  const height = png.readUInt32BE(20);
  const dpr = Number(/DPR\): ([\d.]+)/.exec(out)![1]);
  assert.ok(height >= 3000 * dpr, `full height ${height}`);
  const view = readFileSync(/^(\S+)/.exec(ok(await cdp('shot', tab), 'shot'))![1]!);
  assert.ok(view.readUInt32BE(20) < 3000 * dpr, 'the plain shot is the viewport');
  const el = join(rig.sb.root, 'el.jpg');
  ok(await cdp('shot', tab, el, '--selector', 'div', '--format', 'jpeg', '--quality', '60'), 'shot --selector');
  assert.equal([...readFileSync(el).subarray(0, 3)], [0xff, 0xd8, 0xff]);
});

test('snap -i on a page of 5,000 elements is at most a fifth of the full snapshot', async () => {
  const tab = await openTab('/big');
  const elements = Number(await evalIn(tab, 'document.querySelectorAll("*").length'));
  assert.ok(elements >= 5000, `${elements} elements`);
  const full = ok(await cdp('snap', tab), 'snap');
  const small = ok(await cdp('snap', tab, '-i'), 'snap -i');
  assert.ok(small.length * 5 <= full.length, `-i ${small.length} chars, full ${full.length}`);
  assert.match(small, /\[link\] Open 980 \[ref=e\d+\]/);
  assert.match(small, /\[heading\] Inventory/);
  const cut = ok(await cdp('snap', tab, '--max-chars', '500'), 'snap --max-chars');
  assert.ok(cut.length < 700, cut);
  assert.match(cut, /\n… truncated: \d+ of \d+ lines, \d+ of \d+ characters shown \(raise --max-chars, or narrow with -i, --depth or --selector\)\n$/);
  const urls = ok(await cdp('snap', tab, '-i', '--urls'), 'snap --urls');
  assert.match(urls, /\[link\] Open 20 \[ref=e\d+\] -> http:\/\/127\.0\.0\.1:\d+\/item\/20/);
});

test('tabs: back, forward, reload, close; a keypress chord; scroll; upload', async () => {
  const tab = await openTab('/');
  ok(await cdp('nav', tab, rig.fx.url('/login')), 'nav');
  assert.is(ok(await cdp('back', tab), 'back'), `Navigated to ${rig.fx.url('/')}\n`);
  assert.is(ok(await cdp('forward', tab), 'forward'), `Navigated to ${rig.fx.url('/login')}\n`);
  const noMore = await cdp('forward', tab);
  assert.equal([noMore.stderr, noMore.code], ["Error: There is no page to go forward to in this tab's history.\n", 1]);
  ok(await cdp('fill', tab, '#user', 'abc'), 'fill');
  ok(await cdp('press', tab, '#user', 'Control+A'), 'Control+A');
  ok(await cdp('press', tab, 'Backspace'), 'Backspace');
  assert.is(await evalIn(tab, 'document.getElementById("user").value'), '');
  ok(await cdp('press', tab, 'Tab'), 'Tab');
  assert.is(await evalIn(tab, 'document.activeElement.id'), 'pass');
  ok(await cdp('press', tab, 'Shift+Tab'), 'Shift+Tab');
  assert.is(await evalIn(tab, 'document.activeElement.id'), 'user');
  const file = join(rig.sb.root, 'upload.txt');
  writeFileSync(file, 'hello');
  await evalIn(tab, '(() => { const f = document.createElement("input"); f.type = "file"; f.id = "f"; document.body.append(f); return 1; })()');
  assert.is(ok(await cdp('upload', tab, '#f', file), 'upload'), `Set 1 file(s): ${file}\n`);
  assert.is(await evalIn(tab, 'document.getElementById("f").files[0].name'), 'upload.txt');
  assert.is(ok(await cdp('reload', tab), 'reload'), `Navigated to ${rig.fx.url('/login')}\n`);
  ok(await cdp('nav', tab, rig.fx.url('/tall')), 'nav tall');
  assert.is(ok(await cdp('scroll', tab, '600'), 'scroll'), 'Scrolled the page to (0, 600)\n');
  assert.is(ok(await cdp('close', tab), 'close'), `Closed ${tab.slice(0, 8)}  ${rig.fx.url('/tall')}\n`);
  assert.not.match(ok(await cdp('list'), 'list'), new RegExp(`^${tab}`, 'm'));
});

test('hover, dblclick and drag send real mouse events; a removed element\'s ref is stale', async () => {
  const tab = await openTab('/pointer');
  ok(await cdp('hover', tab, '#hov'), 'hover');
  ok(await cdp('dblclick', tab, '#dbl'), 'dblclick');
  assert.is(ok(await cdp('drag', tab, '#src', '#dst'), 'drag'), 'Dragged <div id="src" class="box"> "Drag me" onto <div id="dst" class="box"> "Drop here"\n');
  assert.is(await evalIn(tab, 'document.getElementById("log").textContent'), 'enter hov;dblclick;down src;up dst;');
  const ref = refOf(ok(await cdp('snap', tab, '-i'), 'snap'), /Drop here/);
  await evalIn(tab, 'document.getElementById("dst").remove(), 1');
  const r = await cdp('hover', tab, `@${ref}`);
  assert.is(r.code, 1);
  assert.match(r.stderr, new RegExp(`^Error: Ref ${ref} is stale: its element was removed from the page\\. Nothing was done\\.`));
});

test('snap --depth, --selector and --frame narrow the outline', async () => {
  const tab = await openTab(`/frames?child=${encodeURIComponent(rig.other.url('/inner'))}`);
  const full = ok(await cdp('snap', tab), 'snap');
  const shallow = ok(await cdp('snap', tab, '--depth', '1'), 'snap --depth 1');
  assert.ok(shallow.split('\n').length < full.split('\n').length, shallow);
  assert.not.match(shallow, /Inner button/);
  const cross = ok(await cdp('snap', tab, '--frame', 'localhost'), 'snap --frame');
  assert.match(cross, /^\[RootWebArea\] Inner/);
  assert.match(cross, /\[button\] Inner button \[ref=e\d+\]/);
  assert.not.match(cross, /Outer/);
  const ref = refOf(full, /\[Iframe\] Same origin/);
  const sub = ok(await cdp('snap', tab, '--selector', `@${ref}`), 'snap --selector @ref');
  assert.match(sub, /^\[Iframe\] Same origin \[ref=e\d+\]\n {2}\[RootWebArea\] Inner/);
  assert.not.match(sub, /Cross origin/);
  const bad = await cdp('snap', tab, '--frame', 'nowhere');
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /^Error: No iframe matches --frame nowhere \(a selector, @ref or part of its URL\)\. Frames of this tab:\n {2}http/);
});

test('wrong kinds of element, keys and arguments are refused clearly', async () => {
  const tab = await openTab('/login');
  const cases: Array<[string[], RegExp, number]> = [
    [['fill', tab, '#remember', 'x'], /^Error: Cannot fill #remember: <input id="remember"> is a checkbox or radio: use cdp check or cdp uncheck\.\n$/, 1],
    [['fill', tab, '#lang', 'x'], /^Error: Cannot fill #lang: <select id="lang"> .* is a <select>: use cdp select\.\n$/, 1],
    [['select', tab, '#lang', 'Klingon'], /^Error: Cannot select in #lang: it has no option with value or label "Klingon" \(options: "English", "Français"\)\.\n$/, 1],
    [['check', tab, '#user'], /^Error: Cannot check #user: <input id="user"> is not a checkbox, radio or aria-checked element\.\n$/, 1],
    [['press', tab, 'Hyper+Q'], /^Error: Unknown key "Hyper"/, 2],
    [['press', tab, 'a', 'b', 'c'], /^Error: press takes a key, optionally after a selector or @ref/, 2],
    [['click', tab, 'div[[['], /^Error: Invalid CSS selector: div\[\[\[ \(refs look like @e12\)\n$/, 2],
    [['wait', tab, '--text', 'a', '--idle'], /^Error: wait takes one of/, 2],
    [['shot', tab, '--quality', '50'], /^Error: --quality goes with --format jpeg or webp\n$/, 2],
    [['viewport', tab, 'big'], /^Error: viewport takes <width>x<height>, e\.g\. 1280x720, got: big\n$/, 2],
    [['upload', tab, '#user', '/nonexistent/file'], /^Error: Cannot upload \/nonexistent\/file: no such file\n$/, 1],
  ];
  for (const [args, err, code] of cases) {
    const r = await cdp(...args);
    assert.is(r.stdout, '', args.join(' '));
    assert.match(r.stderr, err, args.join(' '));
    assert.is(r.code, code, `${args.join(' ')}: ${r.stderr}`);
  }
  // fill with nothing empties the field
  ok(await cdp('fill', tab, '#user', 'abc'), 'fill');
  assert.is(ok(await cdp('fill', tab, '#user'), 'fill empty'), 'Filled <input id="user"> with ""\n');
  assert.is(await evalIn(tab, 'document.getElementById("user").value'), '');
});

test('wait --js and --gone, viewport, emulate, pdf, open --background and activate', async () => {
  const tab = await openTab('/delayed');
  assert.match(ok(await cdp('wait', tab, '--js', 'document.getElementById("box").textContent.length > 3'), 'wait --js'), /^Waited \d+ ms for .* to be truthy\n$/);
  await evalIn(tab, 'setTimeout(() => document.getElementById("box").remove(), 300), 1');
  assert.match(ok(await cdp('wait', tab, '--selector', '#box', '--gone'), 'wait --gone'), /^Waited \d+ ms for #box to be gone\n$/);
  assert.is(ok(await cdp('viewport', tab, '640x480', '--dpr', '2'), 'viewport'), 'Viewport 640x480, DPR 2\n');
  assert.is(await evalIn(tab, 'innerWidth + "x" + innerHeight + "@" + devicePixelRatio'), '640x480@2');
  ok(await cdp('viewport', tab, 'reset'), 'viewport reset');
  const em = ok(await cdp('emulate', tab, '--media', 'dark', '--offline', '--user-agent', 'cdpd-test/1'), 'emulate');
  assert.is(em, 'User agent: cdpd-test/1\nColour scheme: dark\nOffline\n');
  ok(await cdp('emulate', tab, '--online', '--media', 'none'), 'emulate back');
  const file = join(rig.sb.root, 'page.pdf');
  assert.match(ok(await cdp('pdf', tab, file), 'pdf'), new RegExp(`^${file}\nPDF saved: 1 page\\(s\\), \\d+ bytes\n$`));
  assert.is(readFileSync(file).subarray(0, 5).toString(), '%PDF-');
  const bg = /^Opened new tab: ([0-9A-F]+)/.exec(ok(await cdp('open', '--background', rig.fx.url('/')), 'open --background'))![1]!;
  assert.is(ok(await cdp('activate', bg), 'activate'), `Activated ${bg.slice(0, 8)}\n`);
  ok(await cdp('close', bg), 'close');
});

test('the REPL takes the same options and refs: .snap -i, then .click @ref', async () => {
  const tab = await openTab('/');
  const r = await rig.sb.run(['repl', tab], { input: '.snap -i\n' });
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.ok(lines.every((l) => /\[ref=e\d+\]|^\s*\[(RootWebArea|heading|main)\] [^[]+$/.test(l)), r.stdout);
  assert.not.match(r.stdout, /StaticText/);
  const ref = /\[button\] Press me \[ref=(e\d+)\]/.exec(r.stdout)?.[1];
  assert.ok(ref, r.stdout);
  const again = await rig.sb.run(['repl', tab], { input: `.click @${ref}\n` });
  assert.is(again.stdout, 'Clicked BUTTON "Press me"\n');
});

test.run();
