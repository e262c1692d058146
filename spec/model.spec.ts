/**
 * The daemon's model without a browser: the event translator and a tab's history, the
 * snapshot diff, route matching and actions, leases, endpoint headers, key chords,
 * --since and --status matchers, and what -i prints of a select.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { BrowserConnection, RawEvent } from '../lib/cdp/connection.js';
import { EventTranslator, type PageEvent } from '../lib/session/events.js';
import { Ring, TabHistory } from '../lib/session/history.js';
import { parseChord } from '../lib/commands/keys.js';
import { Leases, type Caller } from '../lib/session/leases.js';
import { parseSince, statusFilter } from '../lib/commands/observe.js';
import { actionable, collapsedOptions, type OutlineNode } from '../lib/session/outline.js';
import { Routes, urlPattern } from '../lib/session/routes.js';
import { TabSession } from '../lib/session/tab.js';
import { diffSnapshots } from '../lib/session/snapdiff.js';
import { shellWords } from '../cli/parse.js';
import { withReceipt } from '../lib/commands/outcome.js';
import type { Page } from '../lib/session/page.js';
import { Abort } from '../lib/runtime/abort.js';
import { RefTable, parseRef } from '../lib/session/refs.js';
import type { Tabs } from '../lib/session/tabs.js';
import { urlMatcher } from '../lib/commands/wait.js';
import { HIGH_WATER, Subscriptions } from '../lib/daemon/watch.js';
import type { ClientConnection } from '../lib/daemon/server.js';
import { headersFromEnv, parseHeaderLines } from '../lib/runtime/headers.js';

const test = suite('model');

const ev = (method: string, params: Record<string, unknown>): RawEvent => ({ method, params, sessionId: 'S' }) as RawEvent;
const request = (id: string, url: string, ts: number, extra: Record<string, unknown> = {}) => ev('Network.requestWillBeSent', {
  requestId: id, request: { method: 'GET', url, headers: { Accept: '*/*' } }, type: 'Fetch', timestamp: ts, wallTime: 1_000 + ts, ...extra,
});
const response = (id: string, status: number, ts: number) => ev('Network.responseReceived', {
  requestId: id, timestamp: ts, response: { status, statusText: 'OK', mimeType: 'text/plain', headers: { 'content-type': 'text/plain' }, remoteIPAddress: '127.0.0.1', remotePort: 80, protocol: 'http/1.1' },
});

test('translator and history: a request is pending, loading at its headers, done at its end; routed marks carry; a redirect hop is closed', () => {
  const t = new EventTranslator();
  const out: PageEvent[] = [];
  const h = new TabHistory(((n) => () => ++n)(0), 10);
  const sink = (e: PageEvent) => {
    out.push(e);
    h.record(e);
  };
  t.markRouted('r-early', 'r1 fulfill 200');
  t.translate(request('r-early', 'http://x/a', 1), sink);
  t.translate(response('r-early', 200, 1.5), sink);
  assert.is(h.network.toArray()[0]!.data.state, 'loading');
  assert.is(out[1]!.data.routed, 'r1 fulfill 200', 'a mark made before the request event is kept');
  t.translate(ev('Network.loadingFinished', { requestId: 'r-early', timestamp: 2, encodedDataLength: 10 }), sink);
  const done = h.network.toArray()[0]!;
  assert.equal([done.data.state, done.data.size, done.data.duration, done.data.routed], ['done', 10, 1000, 'r1 fulfill 200']);
  assert.equal(done.detail?.requestHeaders, { Accept: '*/*' });
  assert.equal(done.detail?.responseHeaders, { 'content-type': 'text/plain' });
  assert.is(done.detail?.remoteAddress, '127.0.0.1:80');
  // A redirect: the hop ends with its 3xx, and the next request reuses the id.
  t.translate(request('r2', 'http://x/old', 3), sink);
  t.translate(request('r2', 'http://x/new', 3.1, { redirectResponse: { status: 302, statusText: 'Found', mimeType: '', headers: { location: '/new' } } }), sink);
  const [hop, next] = h.network.toArray().slice(1);
  assert.equal([hop!.data.url, hop!.data.status, hop!.data.state], ['http://x/old', 302, 'done']);
  assert.equal([next!.data.url, next!.data.state], ['http://x/new', 'pending']);
  t.translate(ev('Network.loadingFailed', { requestId: 'r2', timestamp: 4, errorText: 'net::ERR_FAILED', type: 'Fetch', canceled: false }), sink);
  assert.equal([next!.data.state, next!.data.errorText], ['failed', 'net::ERR_FAILED']);
  assert.is(h.network.find((e) => e.data.url === 'http://x/old'), hop);
});

test('network idle: a request in flight holds it, an event stream or a data: URL does not', () => {
  const t = new EventTranslator();
  const sink = () => {};
  t.translate(request('a', 'http://x/a', 1), sink);
  t.translate(request('s', 'http://x/stream', 1, { type: 'EventSource' }), sink);
  t.translate(request('d', 'data:text/plain,hi', 1), sink);
  assert.is(t.networkQuietFor(), 0);
  t.translate(ev('Network.loadingFinished', { requestId: 'a', timestamp: 2, encodedDataLength: 1 }), sink);
  assert.ok(t.networkQuietFor(Date.now() + 600) >= 600, 'quiet once the one that counts is done');
  t.translate(request('b', 'http://x/b', 3), sink);
  t.translate(ev('Network.loadingFailed', { requestId: 'b', timestamp: 4, errorText: 'x', type: 'Fetch' }), sink);
  assert.ok(t.networkQuietFor(Date.now() + 10) >= 10);
});

test('a ring drops the oldest and counts them', () => {
  const r = new Ring<number>(3);
  for (let i = 1; i <= 5; i++) r.push(i);
  assert.equal(r.toArray(), [3, 4, 5]);
  assert.is(r.dropped, 2);
  assert.is(r.find((x) => x < 5), 4, 'find looks newest first');
});

test('snapshot diff: by ref, else by role and name; a new document or none before gives the whole', () => {
  const line = (role: string, name: string, ref?: string, value?: string) => ({ depth: 0, role, name, ...(ref ? { ref } : {}), ...(value ? { value } : {}) });
  const before = [line('heading', 'Cart'), line('button', 'Add', 'e1'), line('textbox', 'Qty', 'e2', '1'), line('link', 'Old', 'e3')];
  const now = [line('heading', 'Cart'), line('button', 'Added', 'e1'), line('textbox', 'Qty', 'e2', '1'), line('link', 'New', 'e4')];
  const d = diffSnapshots({ doc: 'L1', nodes: before }, 'L1', now);
  assert.equal([d.base, d.added, d.removed, d.changed], ['same', 1, 1, 1]);
  assert.equal(d.lines.map((l) => `${l.op} ${l.node.name}`), ['~ Added', '- Old', '+ New']);
  assert.is(d.lines[0]!.was!.name, 'Add');
  assert.is(diffSnapshots({ doc: 'L1', nodes: before }, 'L2', now).base, 'navigated');
  assert.is(diffSnapshots(undefined, 'L1', now).base, 'none');
  assert.equal(diffSnapshots({ doc: 'L1', nodes: now }, 'L1', now).lines, []);
});

test('route patterns: a glob on the whole URL, or a part of it; the rule added last wins; the request goes on unchanged when none matches', async () => {
  assert.is(urlPattern('*/api/*'), '*/api/*');
  assert.is(urlPattern('/api/cart'), '*/api/cart*');
  const sent: Array<[string, Record<string, unknown>]> = [];
  const browser = { send: async () => ({}), sendRaw: async (m: string, p: object) => void sent.push([m, p as Record<string, unknown>]) } as unknown as BrowserConnection;
  const routes = new Routes(browser);
  const marks: string[] = [];
  const tab = new TabSession(browser, 'T1', 'S', new TabHistory(() => 1, 10), () => {});
  tab.markRouted = (_: string, l: string) => void marks.push(l);
  await routes.attached(tab);
  await routes.add(null, '*/api/*', { kind: 'abort', reason: 'Failed' });
  await routes.add('T1', '*/api/cart', { kind: 'fulfill', status: 200, body: '', headers: [] });
  await routes.add('T2', '*', { kind: 'abort', reason: 'Aborted' });
  const pause = (url: string, id: string) => {
    tab.ownEvent({ method: 'Fetch.requestPaused', sessionId: 'S', params: { requestId: id, networkId: `n${id}`, request: { url, headers: { a: '1' } } } } as RawEvent);
  };
  pause('http://x/api/cart', '1');
  pause('http://x/api/user', '2');
  pause('http://x/other', '3');
  await new Promise((r) => setImmediate(r));
  assert.equal(sent.map(([m, p]) => `${m} ${p.requestId}`), ['Fetch.fulfillRequest 1', 'Fetch.failRequest 2', 'Fetch.continueRequest 3']);
  assert.equal(marks, ['r2 fulfill 200', 'r1 abort Failed']);
  assert.equal(routes.list().map((r) => [r.id, r.hits]), [['r1', 1], ['r2', 1], ['r3', 0]]);
  assert.equal(await routes.remove('r2'), ['r2']);
  assert.ok(routes.coversAll());
});

test('leases: a name or a connection holds; others are refused; release, the TTL and the connection closing end it', () => {
  const closers: Array<() => void> = [];
  const caller = (conn: string, lease?: string): Caller => ({ conn, lease, onClose: (fn) => closers.push(fn) });
  const l = new Leases();
  l.claim('T', caller('1', 'a'), 60_000);
  l.check('T', caller('9', 'a'), 'click');
  assert.throws(() => l.check('T', caller('1'), 'click'), (e: Error & { code?: string }) => e.code === 'TARGET_LEASED');
  assert.throws(() => l.claim('T', caller('2', 'b'), 1000), /leased by "a"/);
  assert.ok(l.release('T', caller('5', 'a')));
  l.claim('T', caller('7'), 60_000);
  assert.throws(() => l.check('T', caller('8'), 'fill'), /leased by "connection 7"/);
  for (const fn of closers) fn();
  l.check('T', caller('8'), 'fill');
  l.claim('U', caller('1', 'x'), -1);
  l.check('U', caller('2'), 'click');
  assert.is(l.get('U'), undefined, 'a lease past its TTL is gone');
});

test('endpoint headers: lines or JSON; a malformed one is refused without its value', () => {
  assert.equal(parseHeaderLines(['Authorization: Bearer a:b', 'x-k:  v '], '--header'), { Authorization: 'Bearer a:b', 'x-k': 'v' });
  assert.equal(headersFromEnv({ CDP_HEADERS: '{"x-api-key":"s3cret"}' }), { 'x-api-key': 's3cret' });
  assert.equal(headersFromEnv({ CDP_HEADERS: 'a: 1\nb: 2' }), { a: '1', b: '2' });
  assert.equal(headersFromEnv({}), {});
  assert.throws(() => parseHeaderLines(['bad header s3cret'], '--header'), (e: Error) => !e.message.includes('s3cret'));
  assert.throws(() => headersFromEnv({ CDP_HEADERS: '{"a":' }), /neither a JSON object/);
});

test('keys, --since and --status', () => {
  const c = parseChord('Control+Shift+A');
  assert.equal(c.modifiers, ['Control', 'Shift']);
  assert.throws(() => parseChord('Hyper+Q'));
  assert.equal(parseSince('42'), { sinceId: 42 });
  assert.equal(parseSince('30s', 100_000), { sinceTime: 70_000 });
  const s = statusFilter('4xx');
  assert.equal([s(404), s(500), s(399)], [true, false, false]);
  assert.equal([statusFilter('>=400')(500), statusFilter('404')(404), statusFilter('404')(405)], [true, true, false]);
});

test('-i: a collapsed select carries its options; headings, images and label text get no ref unless they take clicks', () => {
  const n = (role: string, name: string, level: number, extra: Partial<OutlineNode> = {}): OutlineNode =>
    ({ depth: level, level, role, name, axId: role + name, refable: true, clickable: false, iframe: false, ...extra });
  const lines = [n('combobox', 'Qty', 0, { states: ['collapsed'], value: '1' }), n('MenuListPopup', '', 1), n('option', '1', 2), n('option', '2', 2), n('button', 'Go', 0)];
  assert.equal(collapsedOptions(lines, 0), { options: ['1', '2'], next: 4 });
  assert.is(collapsedOptions(lines, 4), undefined);
  const long = [n('combobox', 'Country', 0, { states: ['collapsed'] }), ...Array.from({ length: 30 }, (_, i) => n('option', `c${i}`, 1))];
  const inline = collapsedOptions(long, 0)!;
  assert.is(inline.options.length, 26);
  assert.is(inline.options.at(-1), '… (+5)');
  assert.is(inline.next, 31);
  const listbox = [n('combobox', 'Pick', 0, { states: ['collapsed'] }), n('textbox', 'filter', 1), n('option', 'a', 1)];
  assert.is(collapsedOptions(listbox, 0), undefined, 'not a plain select: its lines stay');
  assert.equal([actionable(n('heading', 'h', 0)), actionable(n('image', 'i', 0)), actionable(n('image', 'i', 0, { clickable: true })),
    actionable(n('LabelText', 'l', 0, { clickable: true })), actionable(n('button', 'b', 0)), actionable(n('button', 'b', 0, { refable: false }))],
  [false, false, true, false, true, false]);
});

test('a receipt: page errors and failed requests the action caused, not the icon a site lacks; it waits for the requests the action started', async () => {
  let emit: (e: PageEvent) => void = () => {};
  const page = { dialog: undefined, onEvent: (fn: (e: PageEvent) => void) => ((emit = fn), () => (emit = () => {})) } as unknown as Page;
  const r = await withReceipt(page, undefined, async () => {
    emit({ event: 'error', data: { message: 'TypeError: x', url: 'http://s/app.js', line: 3 } });
    emit({ event: 'console', data: { level: 'log', text: 'fine' } });
    emit({ event: 'request', data: { requestId: '1', resourceType: 'Fetch' } });
    emit({ event: 'response', data: { requestId: 'i', method: 'GET', url: 'http://s/favicon.ico', status: 404 } });
    setTimeout(() => emit({ event: 'requestfailed', data: { requestId: '1', method: 'POST', url: 'http://s/api', status: 0, errorText: 'net::ERR_FAILED' } }), 50);
    return { done: true };
  });
  assert.equal(r, {
    done: true,
    errors: [{ message: 'TypeError: x', url: 'http://s/app.js', line: 3 }],
    failedRequests: [{ method: 'POST', url: 'http://s/api', status: 0, errorText: 'net::ERR_FAILED' }],
  });
  const quiet = await withReceipt(page, undefined, async () => ({ done: true }));
  assert.equal(quiet, { done: true });
});

test('REPL words: quotes group, a backslash escapes, empty quotes are a word', () => {
  assert.equal(shellWords(`find role button --name "add to cart"`), ['find', 'role', 'button', '--name', 'add to cart']);
  assert.equal(shellWords(String.raw`fill @e2 'one \ word' x\ y ""`), ['fill', '@e2', 'one \\ word', 'x y', '']);
  assert.equal(shellWords('  a   b  '), ['a', 'b']);
  assert.equal(shellWords(String.raw`say "a \"q\" b"`), ['say', 'a "q" b']);
});

test('refs: one per element of a document, stale after its document goes, unknown ones said so', () => {
  const t = new RefTable();
  const a = t.refFor('S', 'F', 'L1', 10);
  assert.is(a, 'e1');
  assert.is(t.refFor('S', 'F', 'L1', 10), 'e1', 'the same element keeps its ref');
  assert.is(t.refFor('S', 'F', 'L1', 11), 'e2');
  assert.equal(t.lookup('e2', 'ABCDEF12').backendNodeId, 11);
  t.retire('F', 'L2');
  assert.throws(() => t.lookup('e1', 'ABCDEF12'), (e: Error & { code?: string }) => e.code === 'STALE_REF' && /has changed since the snapshot/.test(e.message));
  assert.throws(() => t.lookup('e9', 'ABCDEF12'), /Unknown ref e9: no snapshot of this tab issued it/);
  assert.is(t.refFor('S', 'F', 'L2', 10), 'e3', 'a ref is never given to another element');
  assert.equal([parseRef('@e4'), parseRef('ref=e4'), parseRef('e4'), parseRef('#e4'), parseRef('e0')], ['e4', 'e4', 'e4', undefined, undefined]);
});

test('wait --url: a part of the URL, a glob, or a /regex/', () => {
  assert.ok(urlMatcher('/done')('http://x/done?a=1'));
  assert.ok(urlMatcher('*/done')('http://x/done'));
  assert.not.ok(urlMatcher('*/done')('http://x/done?a=1'));
  assert.ok(urlMatcher('/\\/item\\/\\d+$/')('http://x/item/42'));
  assert.not.ok(urlMatcher('/\\/item\\/\\d+$/')('http://x/item/abc'));
});

test('subscriptions: kinds and tabs filtered; a slow reader is counted, then told; a watch of a closed tab ends', async () => {
  let emit: (targetId: string, ev: PageEvent) => void = () => {};
  let attachNew = false;
  const tabs = { attachNewPages: (on: boolean) => void (attachNew = on), onPageEvent: (fn: typeof emit) => ((emit = fn), () => {}) } as unknown as Tabs;
  const subs = new Subscriptions(tabs);
  const sent: Array<Record<string, unknown>> = [];
  let buffered = 0;
  const conn = { id: 1, send: (f: Record<string, unknown>) => void sent.push(f), bufferedAmount: () => buffered, onClose: () => {} } as unknown as ClientConnection;
  subs.control(conn, 7).watch({ targetId: 'T1', kinds: new Set(['console']) });
  subs.control(conn, 8).watch({ targetId: undefined, kinds: new Set(['console']) });
  assert.ok(attachNew, 'a watch of every tab attaches new tabs');
  emit('T1', { event: 'console', data: { text: 'a' } });
  emit('T2', { event: 'console', data: { text: 'b' } });
  emit('T1', { event: 'error', data: { message: 'not asked for' } });
  assert.equal(sent.map((f) => `${f.sub} ${f.target} ${(f.data as { text: string }).text}`), ['7 T1 a', '8 T1 a', '8 T2 b']);
  sent.length = 0;
  buffered = HIGH_WATER + 1;
  emit('T1', { event: 'console', data: { text: 'c' } });
  emit('T2', { event: 'console', data: { text: 'd' } });
  assert.equal(sent, []);
  buffered = 0;
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(sent.map((f) => [f.sub, f.target, f.event, f.data]).sort((x, y) => Number(x[0]) - Number(y[0])),
    [[7, 'T1', 'dropped', { count: 1 }], [8, null, 'dropped', { count: 2, targets: { T1: 1, T2: 1 } }]]);
  sent.length = 0;
  emit('T1', { event: 'target', data: { action: 'destroyed' } });
  assert.equal(sent.map((f) => [f.sub, f.event]), [[7, 'target']]);
  assert.is(subs.count, 1, 'the one-tab watch ended');
});

test('abort: every listener once with the reason, in any number; an unsubscribed one never; a late one at once', () => {
  const a = new Abort();
  const calls: string[] = [];
  const offFirst = a.onAbort((r) => calls.push(`first ${r}`));
  a.onAbort((r) => calls.push(`second ${r}`));
  const offThird = a.onAbort((r) => calls.push(`third ${r}`));
  offFirst();
  offThird();
  a.onAbort((r) => calls.push(`fourth ${r}`)); // takes the first's slot
  a.abort('why');
  a.abort('again');
  assert.equal(calls.sort(), ['fourth why', 'second why']);
  a.onAbort((r) => calls.push(`late ${r}`))();
  assert.equal(calls.at(-1), 'late why');
  assert.is(a.reason, 'why');
});

test.run();
