/**
 * The network and the browser's state: one request whole (headers, post data, bodies
 * fetched from Chrome), cookies (HttpOnly ones too), web storage, and the login state
 * saved from one browser and loaded into another.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startChrome, type Chrome } from './helpers/chrome.js';
import { ok, Sandbox } from './helpers/cli.js';
import { world } from './helpers/world.js';

const test = suite('network');
const rig = world(test, { second: true });
const { cdp, openTab } = rig;

/** The #id `requests` gives the request whose line matches. */
const idOf = (requests: string, re: RegExp) => {
  const line = requests.split('\n').find((l) => re.test(l));
  assert.ok(line, `a request ${re} in:\n${requests}`);
  return /#(\d+) /.exec(line!)![1]!;
};

test('request <t> <#id>: headers, post data and the response body, text or bytes; --out saves it', async () => {
  const tab = await openTab('/netpage');
  ok(await cdp('eval', tab, 'Promise.all([window.posted, window.down]).then(() => 0)'), 'eval');
  ok(await cdp('wait', tab, '--idle'), 'wait --idle');
  const requests = ok(await cdp('requests', tab), 'requests');
  const post = ok(await cdp('request', tab, `#${idOf(requests, /POST 200 .*\/api\/echo$/)}`), 'request post');
  const lines = post.trimEnd().split('\n');
  assert.match(lines[0]!, new RegExp(`^#\\d+ POST 200  fetch  application/json  \\d+B  \\d+ms  ${rig.fx.url('/api/echo').replace(/\./g, '\\.')}$`));
  assert.is(lines[1], `Peer: ${rig.fx.origin.replace('http://', '')}, http/1.1`);
  assert.ok(lines.includes('Request headers:') && lines.some((l) => /^ {2}Content-Type: application\/json$/i.test(l)), post);
  const at = lines.indexOf('Request body (7 bytes):');
  assert.ok(at > 0, post);
  assert.is(lines[at + 1], '{"a":1}');
  assert.ok(lines.some((l) => l === '  x-echo: yes'), post);
  const echoed = '{"got":"{\\"a\\":1}","method":"POST"}';
  assert.is(lines.at(-2), `Response body (${echoed.length} bytes):`);
  assert.is(lines.at(-1), echoed);

  const gif = idOf(requests, /GET 200 .*\/pixel\.gif$/);
  assert.match(ok(await cdp('request', tab, gif), 'request gif'), /\nResponse body: \d+ bytes of binary \(--out <file> saves it, --json gives it as base64\)\n$/);
  const json = JSON.parse(ok(await cdp('request', tab, gif, '--json'), 'request --json'));
  const bytes = Buffer.from(json.body.base64, 'base64');
  assert.is(bytes.subarray(0, 6).toString(), 'GIF89a');
  assert.is(json.body.bytes, bytes.length);
  const saved = ok(await cdp('request', tab, gif, '--out', 'pixel.gif'), 'request --out');
  const file = join(rig.sb.root, 'pixel.gif');
  assert.match(saved, new RegExp(`\\nResponse body saved: ${file.replace(/\./g, '\\.')} \\(${bytes.length} bytes\\)\\n$`));
  assert.equal(readFileSync(file), bytes);
  assert.is(statSync(file).mode & 0o777, 0o600);

  const failed = ok(await cdp('request', tab, idOf(requests, /FAILED .*127\.0\.0\.1:1\/x$/)), 'request failed');
  assert.match(failed, /\nResponse body: none, the request failed\n$/);
  // A response still streaming has no body yet; once the page has gone, Chrome holds none.
  ok(await cdp('eval', tab, "window.held = fetch('/hold').then((r) => r.status)"), 'stream');
  const stream = idOf(ok(await cdp('requests', tab), 'requests'), /GET 200 .*\/hold$/);
  assert.match(ok(await cdp('request', tab, stream), 'request stream'), /\nResponse body: none, the response is still coming \(a stream or a long poll may never end; ask again once it has\)\n$/);
  const postId = idOf(requests, /POST 200 .*\/api\/echo$/);
  ok(await cdp('nav', tab, rig.fx.url('/queries')), 'nav');
  ok(await cdp('nav', tab, rig.fx.url('/form')), 'nav again');
  assert.match(ok(await cdp('request', tab, postId), 'request after navigations'),
    /\nResponse body: none, Chrome no longer holds it \(it evicts bodies as the page loads more, and keeps none across a navigation\)\n$/);
  const missing = await cdp('request', tab, '#999999');
  assert.is(missing.stderr, `Error: No request #999999 in this tab's history (cdp requests ${tab.slice(0, 8)} lists them; the oldest drop out past the history's size).\n`);
  assert.is(missing.code, 1);
  const bad = await cdp('request', tab, 'abc');
  assert.is(bad.stderr, 'Error: request takes the #id that cdp requests prints, got: abc\n');
  assert.is(bad.code, 2);
});

test('cookies: HttpOnly ones too; set, clear; storage local and session', async () => {
  const tab = await openTab('/set-cookie');
  const url = rig.fx.url('/set-cookie');
  assert.is(ok(await cdp('cookies', tab), 'cookies'), 'pref=compact  127.0.0.1/  session\nsid=s3cret  127.0.0.1/  HttpOnly  session\n'.split('\n').filter(Boolean).sort().join('\n') + '\n');
  assert.is(ok(await cdp('eval', tab, 'document.cookie'), 'document.cookie'), 'pref=compact\n');
  assert.is(ok(await cdp('cookies', tab, 'set', 'theme', 'dark', '--same-site', 'strict'), 'set'), `Set cookie theme for ${url}\n`);
  const list = JSON.parse(ok(await cdp('cookies', tab, '--json'), 'cookies --json'));
  assert.equal(list.cookies.map((c: { name: string }) => c.name).sort(), ['pref', 'sid', 'theme']);
  assert.is(list.cookies.find((c: { name: string }) => c.name === 'theme').sameSite, 'Strict');
  const refused = await cdp('cookies', tab, 'set', 'x', '1', '--same-site', 'sideways');
  assert.is(refused.stderr, 'Error: --same-site takes Strict, Lax or None, got: sideways\n');
  assert.is(refused.code, 2);
  assert.is(ok(await cdp('cookies', tab, 'clear'), 'clear'), `Cleared 3 cookie(s) of ${url}\n`);
  assert.is(ok(await cdp('cookies', tab), 'after clear'), `No cookies for ${url}\n`);

  const origin = rig.fx.origin;
  assert.is(ok(await cdp('storage', tab, 'local', 'set', 'user', 'ada', 'lovelace'), 'set'), `Set user in localStorage of ${origin}\n`);
  ok(await cdp('storage', tab, 'local', 'set', 'a', '1'), 'set a');
  assert.is(ok(await cdp('storage', tab, 'local'), 'get all'), 'a=1\nuser=ada lovelace\n');
  assert.is(ok(await cdp('storage', tab, 'local', 'get', 'user'), 'get one'), 'ada lovelace\n');
  assert.is(ok(await cdp('eval', tab, "localStorage.getItem('user')"), 'page sees it'), 'ada lovelace\n');
  assert.is(ok(await cdp('storage', tab, 'local', 'remove', 'a'), 'remove'), `Removed a from localStorage of ${origin}\n`);
  ok(await cdp('storage', tab, 'session', 'set', 's', 'v'), 'session set');
  assert.is(ok(await cdp('storage', tab, 'session'), 'session'), 's=v\n');
  assert.is(ok(await cdp('storage', tab, 'session', 'clear'), 'session clear'), `Cleared sessionStorage of ${origin}\n`);
  assert.is(ok(await cdp('storage', tab, 'session'), 'session empty'), `sessionStorage of ${origin} is empty\n`);
  ok(await cdp('storage', tab, 'local', 'clear'), 'local clear');
  const wrong = await cdp('storage', tab, 'cookie');
  assert.is(wrong.code, 2);
});

test('state save in one browser, state load in another: cookies and localStorage carried; the file is private', async () => {
  const tab = await openTab('/set-cookie');
  ok(await cdp('storage', tab, 'local', 'set', 'token', 't-123'), 'storage set');
  const file = join(rig.sb.root, 'auth.json');
  const saved = ok(await cdp('state', 'save', 'auth.json'), 'state save');
  assert.match(saved, new RegExp(`^Saved \\d+ cookie\\(s\\) and the localStorage of \\d+ origin\\(s\\) \\(.*${rig.fx.origin.replace(/\./g, '\\.')}.*\\) to ${file.replace(/\./g, '\\.')}\\n$`));
  assert.is(statSync(file).mode & 0o777, 0o600);
  const state = JSON.parse(readFileSync(file, 'utf8'));
  assert.ok(state.cookies.some((c: { name: string; httpOnly: boolean }) => c.name === 'sid' && c.httpOnly), 'the HttpOnly cookie is saved');
  assert.equal(state.origins.find((o: { origin: string }) => o.origin === rig.fx.origin).localStorage, [{ name: 'token', value: 't-123' }]);

  // A second, fresh browser with its own daemon.
  const browser2: Chrome = await startChrome();
  const sb2 = new Sandbox({ CDP_PORT_FILE: browser2.portFile });
  try {
    const before = rig.fx.seen.length;
    const loaded = await sb2.run(['state', 'load', file]);
    // Loading the state asked the site for nothing: cdpd answered its own request for the origin.
    assert.equal(rig.fx.seen.slice(before), []);
    assert.is(loaded.stderr, '');
    assert.match(loaded.stdout, /^Loaded \d+ cookie\(s\) and the localStorage of \d+ origin\(s\)/);
    const t2 = /^Opened new tab: ([0-9A-F]+)/.exec((await sb2.run(['open', rig.fx.url('/')])).stdout)![1]!;
    const cookies = (await sb2.run(['cookies', t2])).stdout;
    assert.match(cookies, /^sid=s3cret {2}127\.0\.0\.1\/ {2}HttpOnly/m);
    assert.is((await sb2.run(['storage', t2, 'local', 'get', 'token'])).stdout, 't-123\n');
    // Only the tab it opened: the temporary one for writing localStorage is gone.
    assert.is((await sb2.run(['list'])).stdout.trimEnd().split('\n').length, 2);
    const bad = await sb2.run(['state', 'load', join(rig.sb.root, 'nothing.json')]);
    assert.match(bad.stderr, /^Error: Cannot read .*nothing\.json: ENOENT/);
    assert.is(bad.code, 1);
  } finally {
    await sb2.cleanup();
    await browser2.kill();
  }
});

test('route: fulfil, abort and continue with headers; --all covers tabs opened later; requests marks what was routed; unroute', async () => {
  const tab = await openTab('/queries');
  const short = tab.slice(0, 8);
  assert.is(ok(await cdp('route', tab, '*/api/echo*', '--status', '201', '--body', '{"mocked":true}', '--header', 'content-type: application/json'), 'route fulfil'),
    `Route r1  ${short}  */api/echo*  fulfill 201  (0 hits)\n`);
  const fetched = ok(await cdp('eval', tab, "fetch('/api/echo', { method: 'POST' }).then(async (r) => r.status + ' ' + (await r.text()))"), 'fetch routed');
  assert.is(fetched, '201 {"mocked":true}\n');
  ok(await cdp('route', tab, '/api/headers', '--continue', '--header', 'x-added: yes'), 'route continue');
  writeFileSync(join(rig.sb.root, 'page.html'), '<title>From a file</title>');
  ok(await cdp('route', tab, '*/from-file', '--status', '200', '--body-file', 'page.html', '--header', 'content-type: text/html'), 'route --body-file');
  assert.is(ok(await cdp('eval', tab, "fetch('/from-file').then((r) => r.text())"), 'body from a file'), '<title>From a file</title>\n');
  assert.is(ok(await cdp('eval', tab, "fetch('/api/headers').then((r) => r.json()).then((j) => j.added)"), 'continued'), 'yes\n');
  const seen = rig.fx.seen.length;
  ok(await cdp('route', '--all', '*/missing-api', '--abort', 'blockedbyclient'), 'route --all');
  const later = await openTab('/receipts');
  assert.match(ok(await cdp('click', later, '#missing'), 'click on a later tab'), /\nRequest failed: POST net::ERR_BLOCKED_BY_CLIENT\S*  \S+\/missing-api\n$/);
  assert.not.ok(rig.fx.seen.slice(seen).includes('/missing-api'), 'the server was not asked');
  const requests = ok(await cdp('requests', tab), 'requests');
  assert.match(requests, /#\d+ POST 201  fetch  application\/json  \S+  \d+ms  \S+\/api\/echo {2}\(routed: r\d+ fulfill 201\)\n/);
  assert.match(requests, /#\d+ GET 200  fetch  application\/json  \S+  \d+ms  \S+\/api\/headers {2}\(routed: r\d+ continue\)\n/);
  const list = ok(await cdp('route', '--list'), 'route --list').trimEnd().split('\n');
  assert.is(list.length, 4);
  assert.match(list[0]!, new RegExp(`^r\\d+  ${short}  \\*/api/echo\\*  fulfill 201  \\(1 hit\\)$`));
  assert.match(list[3]!, /^r\d+  all tabs  \*\/missing-api  abort BlockedByClient  \(1 hit\)$/);
  assert.match(ok(await cdp('status'), 'status'), /\n {2}routes {3}4\n {4}r\d+ {2}/);
  const first = list[0]!.split(' ')[0]!;
  assert.is(ok(await cdp('unroute', first), 'unroute'), `Removed ${first}\n`);
  assert.is(ok(await cdp('eval', tab, "fetch('/api/echo', { method: 'POST' }).then((r) => r.status)"), 'not routed'), '200\n');
  const gone = await cdp('unroute', first);
  assert.is(gone.stderr, `Error: No route rule ${first} (cdp route --list shows them).\n`);
  assert.is(gone.code, 1);
  assert.match(ok(await cdp('unroute', '--all'), 'unroute --all'), /^Removed r\d+, r\d+, r\d+\n$/);
  assert.is(ok(await cdp('route', '--list'), 'empty list'), 'No route rules.\n');
  for (const [args, re] of [
    [['route', tab, '*/x'], /^Error: route takes one of --abort/],
    [['route', tab, '*/x', '--abort', 'nope'], /^Error: --abort takes one of Failed, Aborted/],
    [['route', tab, '*/x', '--status', '99'], /^Error: --status takes an HTTP status/],
    [['route', tab, '*/x', '--status', '200', '--header', 'novalue'], /^Error: --header takes "Name: value"/],
  ] as Array<[string[], RegExp]>) {
    const r = await cdp(...args);
    assert.match(r.stderr, re, args.join(' '));
    assert.is(r.code, 2, args.join(' '));
  }
});

test('har: the tab history as HAR 1.2 with headers, post data and bodies; every field the format requires', async () => {
  const tab = await openTab('/netpage');
  ok(await cdp('eval', tab, 'Promise.all([window.posted, window.down]).then(() => 0)'), 'eval');
  ok(await cdp('wait', tab, '--idle'), 'wait --idle');
  const out = ok(await cdp('har', tab, 'net.har'), 'har');
  const file = join(rig.sb.root, 'net.har');
  assert.match(out, new RegExp(`^${file.replace(/\./g, '\\.')}\nHAR saved: \\d+ request\\(s\\), \\d+ with their body, 1 page\\(s\\)\n$`));
  assert.is(statSync(file).mode & 0o777, 0o600);
  const { log } = JSON.parse(readFileSync(file, 'utf8'));
  assert.is(log.version, '1.2');
  assert.is(log.creator.name, 'cdpd');
  assert.is(log.pages.length, 1);
  for (const e of log.entries) {
    assert.ok(!Number.isNaN(Date.parse(e.startedDateTime)) && typeof e.time === 'number', 'startedDateTime, time');
    for (const k of ['method', 'url', 'httpVersion', 'cookies', 'headers', 'queryString', 'headersSize', 'bodySize']) assert.ok(k in e.request, `request.${k}`);
    for (const k of ['status', 'statusText', 'httpVersion', 'cookies', 'headers', 'content', 'redirectURL', 'headersSize', 'bodySize']) assert.ok(k in e.response, `response.${k}`);
    assert.ok(typeof e.response.content.size === 'number' && typeof e.response.content.mimeType === 'string', 'content');
    for (const k of ['send', 'wait', 'receive']) assert.is(typeof e.timings[k], 'number', `timings.${k}`);
    assert.ok(e.cache && typeof e.cache === 'object', 'cache');
    assert.is(e.pageref, 'page_1');
  }
  const post = log.entries.find((e: { request: { method: string } }) => e.request.method === 'POST');
  assert.equal(post.request.postData, { mimeType: 'application/json', text: '{"a":1}' });
  assert.is(post.response.status, 200);
  assert.is(post.response.content.text, '{"got":"{\\"a\\":1}","method":"POST"}');
  assert.ok(post.response.headers.some((h: { name: string; value: string }) => h.name === 'x-echo' && h.value === 'yes'));
  const gif = log.entries.find((e: { request: { url: string } }) => e.request.url.endsWith('/pixel.gif'));
  assert.is(gif.response.content.encoding, 'base64');
  assert.is(Buffer.from(gif.response.content.text, 'base64').subarray(0, 6).toString(), 'GIF89a');
  const down = log.entries.find((e: { request: { url: string } }) => e.request.url === 'http://127.0.0.1:1/x');
  assert.is(down.response.status, 0);
  assert.match(down._error, /^net::ERR_/);
});

test("a cross-origin iframe's requests and console are the tab's: in requests and console, done when done", async () => {
  const tab = await openTab(`/frames?child=${encodeURIComponent(rig.other.url('/inner'))}`);
  ok(await cdp('eval', tab, '--frame', 'localhost', "console.log('from the iframe'); fetch('/pixel.gif').then((r) => r.blob()).then((b) => b.size)"), 'eval in the iframe');
  ok(await cdp('wait', tab, '--idle'), 'wait --idle');
  const requests = ok(await cdp('requests', tab), 'requests');
  assert.match(requests, new RegExp(`#\\d+ GET 200  document  text/html  \\S+  \\d+ms  ${rig.other.url('/inner').replace(/\./g, '\\.')}\\n`), 'the iframe document is done');
  assert.match(requests, new RegExp(`#\\d+ GET 200  fetch  image/gif  \\S+  \\d+ms  ${rig.other.url('/pixel.gif').replace(/\./g, '\\.')}\\n`), "the iframe's own request");
  assert.match(ok(await cdp('console', tab), 'console'), /\[log\] from the iframe/);
  // The tab's route rules apply inside it too.
  ok(await cdp('route', tab, '*/pixel.gif*', '--status', '418'), 'route');
  assert.is(ok(await cdp('eval', tab, '--frame', 'localhost', "fetch('/pixel.gif?again').then((r) => r.status)"), 'routed in the iframe'), '418\n');
  ok(await cdp('unroute', '--all'), 'unroute');
  assert.is(ok(await cdp('eval', tab, '--frame', 'localhost', "fetch('/pixel.gif?after').then((r) => r.status)"), 'not routed after'), '200\n');
});

test.run();
