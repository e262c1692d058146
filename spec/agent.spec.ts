/**
 * Agent economy: what `snap -i` prints of a busy page (indentation by printed lines only,
 * a select's options inline, refs only on what an agent acts on, none lost).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ACTIONABLE, CARDS } from '../scripts/fixtures/catalogue.mjs';
import { ok } from './helpers/cli.js';
import { world } from './helpers/world.js';

const test = suite('agent');
const rig = world(test);
const { cdp, openTab } = rig;

const indent = (l: string) => /^ */.exec(l)![0].length / 2;

test('snap -i of a catalogue: indented by printed lines, selects inline, refs on every control and nothing else', async () => {
  const tab = await openTab('/catalogue');
  const snap = ok(await cdp('snap', tab, '-i'), 'snap -i');
  const lines = snap.trimEnd().split('\n');
  assert.is(lines[0], '[RootWebArea] Catalogue');
  // No line is more than one deeper than the line before it: hidden wrappers do not indent.
  for (let i = 1; i < lines.length; i++) assert.ok(indent(lines[i]!) <= indent(lines[i - 1]!) + 1, `${lines[i - 1]}\n${lines[i]}`);
  const heading = lines.findIndex((l) => l.trim() === '[heading] Product 7');
  assert.ok(heading > 0, snap);
  assert.match(lines[heading + 1]!, new RegExp(`^${' '.repeat(2 * indent(lines[heading]!) + 2)}\\[link\\] Product 7 \\[ref=e\\d+\\]$`));
  const quantity = lines.filter((l) => /^\s*\[combobox\] Quantity = "1" options: 1\|2\|3 \[ref=e\d+\]$/.test(l));
  assert.is(quantity.length, CARDS, snap);
  assert.ok(lines.some((l) => /^\s*\[combobox\] Sort by = "Relevance" options: Relevance\|Price: low to high\|Price: high to low\|Rating \[ref=e\d+\]$/.test(l)), snap);
  for (const l of lines) {
    assert.not.match(l, /\[(option|image|LabelText|MenuListPopup)\]/, `a line -i leaves out: ${l}`);
    if (/^\s*\[heading\]/.test(l)) assert.not.match(l, /ref=/, `a heading with a ref: ${l}`);
  }
  // Every element an agent may act on has its ref: as many refs as the page has controls.
  const refs = lines.filter((l) => /\[ref=e\d+\]/.test(l)).length;
  const controls = ok(await cdp('eval', tab, `document.querySelectorAll(${JSON.stringify(ACTIONABLE)}).length`), 'eval');
  assert.is(`${refs}\n`, controls);
  // An inline select is acted on by its ref, by label or by value.
  const ref = /\[ref=(e\d+)\]/.exec(quantity[2]!)![1]!;
  ok(await cdp('select', tab, `@${ref}`, '3'), 'select');
  const after = ok(await cdp('snap', tab, '-i'), 'snap -i again').split('\n').filter((l) => l.includes(`[ref=${ref}]`));
  assert.equal(after.map((l) => l.trim()), [`[combobox] Quantity = "3" options: 1|2|3 [ref=${ref}]`]);
  // The full snapshot still prints the options, the images and the headings' refs.
  const full = ok(await cdp('snap', tab), 'snap');
  assert.match(full, /\[option\] 2/);
  assert.match(full, /\[image\] Product 1 photo \[ref=e\d+\]/);
  assert.match(full, /\[heading\] Product 1 \[ref=e\d+\]/);
});

test('get, is and find answer one question without a snapshot', async () => {
  const tab = await openTab('/queries');
  const expect = async (args: string[], out: string) => assert.is(ok(await cdp(...args), args.join(' ')), out, args.join(' '));
  await expect(['get', tab, 'text', 'h1'], 'Query page\n');
  await expect(['get', tab, 'value', '#email'], 'a@b.c\n');
  await expect(['get', tab, 'value', '#multi'], 'a\nb\n');
  await expect(['get', tab, 'attr', 'href', '#home'], '/somewhere\n');
  await expect(['get', tab, 'attr', 'data-none', '#home'], '');
  assert.is(JSON.parse(ok(await cdp('get', tab, 'attr', 'data-none', '#home', '--json'), 'get --json')).value, null);
  await expect(['get', tab, 'count', 'li'], '3\n');
  await expect(['get', tab, 'box', '#sized'], '{"x":10,"y":300,"width":120,"height":40}\n');
  await expect(['is', tab, 'visible', 'h1'], 'true\n');
  await expect(['is', tab, 'visible', '#gone'], 'false\n');
  await expect(['is', tab, 'visible', '#nothing-here'], 'false\n');
  await expect(['is', tab, 'enabled', '#email'], 'true\n');
  await expect(['is', tab, 'enabled', '#off'], 'false\n');
  await expect(['is', tab, 'enabled', '#inner'], 'false\n');
  await expect(['is', tab, 'checked', '#tos'], 'true\n');
  await expect(['is', tab, 'checked', '#toggle'], 'true\n');
  const notCheckable = await cdp('is', tab, 'checked', 'h1');
  assert.is(notCheckable.stdout, '');
  assert.is(notCheckable.stderr, 'Error: Cannot tell whether h1 is checked: it is not a checkbox, radio, or an element with aria-checked, aria-pressed or aria-selected.\n');
  assert.is(notCheckable.code, 1);
  const bad = await cdp('get', tab, 'count', 'li[');
  assert.is(bad.stderr, 'Error: Invalid CSS selector: li[ (refs look like @e12)\n');
  assert.is(bad.code, 2);
  const what = await cdp('get', tab, 'colour', 'h1');
  assert.match(what.stderr, /^Error: get takes text, value, attr, count, box, then a selector or @ref/);
  assert.is(what.code, 2);

  // find answers with refs that actions take.
  const button = ok(await cdp('find', tab, 'role', 'button', '--name', 'disabled'), 'find role');
  assert.match(button, /^\[button\] Disabled button \[disabled\] \[ref=e\d+\]\n$/);
  const email = ok(await cdp('find', tab, 'label', 'email'), 'find label');
  const [, ref] = /^\[textbox\] Email = "a@b\.c" \[ref=(e\d+)\]\n$/.exec(email) ?? [];
  assert.ok(ref, email);
  ok(await cdp('fill', tab, `@${ref}`, 'x@y.z'), 'fill by the found ref');
  await expect(['get', tab, 'value', `@${ref}`], 'x@y.z\n');
  const two = ok(await cdp('find', tab, 'text', 'two'), 'find text');
  const [, li] = /^\[listitem\] two \[ref=(e\d+)\]\n$/.exec(two) ?? [];
  assert.ok(li, two);
  await expect(['get', tab, 'text', `@${li}`], 'two\n');
  const none = await cdp('find', tab, 'role', 'dialog');
  assert.is(none.stderr, 'Error: No element with role dialog in this tab (cdp snap -i shows what there is).\n');
  assert.is(none.code, 1);
  const exact = await cdp('find', tab, 'text', 'Two', '--exact');
  assert.is(exact.code, 1, 'case-sensitive whole match with --exact');
});

test('snap --diff: added, removed and changed lines by ref; after a navigation the full snapshot, said so', async () => {
  const tab = await openTab('/catalogue');
  const first = ok(await cdp('snap', tab, '-i', '--diff'), 'first diff');
  const [why, ...rest] = first.split('\n');
  assert.is(why, 'No earlier snapshot of this view of the tab: the full snapshot follows.');
  const full = ok(await cdp('snap', tab, '-i'), 'snap -i');
  assert.is(rest.join('\n'), full);
  assert.is(ok(await cdp('snap', tab, '-i', '--diff'), 'unchanged'), 'No change since the last snapshot.\n');
  const ref = (re: RegExp) => new RegExp(`${re.source} \\[ref=(e\\d+)\\]`).exec(full)![1]!;
  const quantity = ref(/\[combobox\] Quantity = "1" options: 1\|2\|3/);
  const star = ref(/\[clickable\] ☆/);
  ok(await cdp('select', tab, `@${quantity}`, '2'), 'select');
  ok(await cdp('eval', tab, `document.querySelector('.star').remove(); document.querySelector('h1').textContent = 'Items';
    document.querySelector('main .head').insertAdjacentHTML('beforeend', '<button>Clear filters</button>'); 0`), 'eval');
  const diff = ok(await cdp('snap', tab, '-i', '--diff'), 'diff');
  const lines = diff.trimEnd().split('\n');
  assert.is(lines[0], '2 added, 2 removed, 1 changed since the last snapshot:');
  const body = lines.slice(1).map((l) => l.replace(/^([-+~]) +/, '$1 ')).sort();
  assert.equal(body, [
    '+ [button] Clear filters [ref=eNEW]'.replace('eNEW', /\[button\] Clear filters \[ref=(e\d+)\]/.exec(diff)?.[1] ?? '?'),
    '+ [heading] Items',
    '- [clickable] ☆ [ref=' + star + ']',
    '- [heading] Products',
    `~ [combobox] Quantity = "2" options: 1|2|3 [ref=${quantity}]`,
  ].sort());
  const json = JSON.parse(ok(await cdp('snap', tab, '-i', '--diff', '--json'), 'diff --json'));
  assert.equal(json, { diff: { base: 'same', added: 0, removed: 0, changed: 0, lines: [] } });
  // Another view of the tab has its own last snapshot.
  assert.match(ok(await cdp('snap', tab, '--diff', '--depth', '3'), 'other view'), /^No earlier snapshot of this view of the tab: the full snapshot follows\.\n\[RootWebArea\] Catalogue\n/);
  ok(await cdp('reload', tab), 'reload');
  const after = ok(await cdp('snap', tab, '-i', '--diff'), 'after reload');
  assert.match(after, /^The page is a new document since the last snapshot \(it navigated or reloaded\): the full snapshot follows\.\n\[RootWebArea\] Catalogue\n/);
  const reloaded = JSON.parse(ok(await cdp('snap', tab, '-i', '--diff', '--json'), 'json after'));
  assert.is(reloaded.diff.base, 'same');
});

test('action receipts: page errors, failed requests, navigation and dialogs the action caused; --snap adds the diff', async () => {
  const tab = await openTab('/receipts');
  const act = async (...args: string[]) => ok(await cdp(args[0]!, tab, ...args.slice(1)), args.join(' '));
  assert.match(await act('click', '#throw'), /^Clicked BUTTON "Throw"\nPage error: Error: boom {2}\(http:\/\/127\.0\.0\.1:\d+\/receipts:\d+\)\n$/);
  assert.match(await act('click', '#log'), /^Clicked BUTTON "Log"\nPage error: bad thing 42 {2}\(http:\/\/127\.0\.0\.1:\d+\/receipts:\d+\)\n$/);
  assert.is(await act('click', '#missing'), `Clicked BUTTON "Fetch missing"\nRequest failed: POST 404  ${rig.fx.url('/missing-api')}\n`);
  assert.is(await act('click', '#down'), 'Clicked BUTTON "Fetch down"\nRequest failed: GET net::ERR_UNSAFE_PORT  http://127.0.0.1:1/x\n');
  // A request that succeeds leaves no receipt line (model.spec shows the receipt waits for it).
  assert.is(await act('click', '#fine'), 'Clicked BUTTON "Fetch fine"\n');
  ok(await cdp('wait', tab, '--js', "document.title === 'fetched'"), 'the fetch ended');
  assert.is(await act('fill', '#field', 'x'), 'Filled <input id="field"> with "x"\nPage error: TypeError: no x  (' + rig.fx.url('/receipts') + ':9)\n');
  const json = JSON.parse(await act('click', '#missing', '--json'));
  assert.equal(json.failedRequests, [{ method: 'POST', url: rig.fx.url('/missing-api'), status: 404 }]);
  assert.is(json.errors, undefined);
  assert.match(await act('click', '#alert'), /^Clicked BUTTON "Alert"\nA alert dialog opened: "hi"\. It blocks the page/);
  ok(await cdp('dialog', tab, 'accept'), 'dialog');
  // --snap: the diff against the last snapshot's view.
  ok(await cdp('snap', tab, '-i'), 'snap -i');
  ok(await cdp('eval', tab, "document.querySelector('#log').remove(); 0"), 'eval');
  const withSnap = await act('click', '#throw', '--snap');
  const [head, error, summary, ...diff] = withSnap.trimEnd().split('\n');
  assert.is(head, 'Clicked BUTTON "Throw"');
  assert.match(error!, /^Page error: Error: boom /);
  assert.match(summary!, /^0 added, 1 removed, \d changed since the last snapshot:$/);
  assert.ok(diff.some((l) => /^- {3}\[button\] Log \[ref=e\d+\]$/.test(l)), withSnap);
  assert.ok(diff.every((l) => /^[-~] /.test(l)), withSnap);
  assert.match(await act('click', '#go'), new RegExp(`^Clicked BUTTON "Go home"\nNavigated to ${rig.fx.url('/').replace(/\./g, '\\.')} \\("Fixture Home"\\)\n$`));
});

test('snap --diff per lease: two agents on one tab each diff against what they saw', async () => {
  const tab = await openTab('/queries');
  ok(await cdp('snap', tab, '-i', '--lease', 'a'), 'a snaps');
  ok(await cdp('snap', tab, '-i', '--lease', 'b'), 'b snaps');
  ok(await cdp('eval', tab, "document.body.insertAdjacentHTML('beforeend', '<button>New one</button>'); 0"), 'eval');
  const a = ok(await cdp('snap', tab, '-i', '--diff', '--lease', 'a'), 'a diffs');
  assert.match(a, /^1 added, 0 removed, 0 changed since the last snapshot:\n\+ {3}\[button\] New one \[ref=e\d+\]\n$/);
  assert.is(ok(await cdp('snap', tab, '-i', '--diff', '--lease', 'b'), 'b diffs'), a, 'b has its own last snapshot');
  assert.is(ok(await cdp('snap', tab, '-i', '--diff', '--lease', 'a'), 'a again'), 'No change since the last snapshot.\n');
});

test.run();
