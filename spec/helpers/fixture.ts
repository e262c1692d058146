/**
 * The fixture HTTP server on port 0: small pages that exercise each command.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { catalogueHtml } from '../../scripts/fixtures/catalogue.mjs';

const PAGES: Record<string, string> = {
  '/catalogue': catalogueHtml(),
  '/netpage': `<!doctype html><title>Net</title><img src="/pixel.gif" alt="pixel">
<script>
window.posted = fetch('/api/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ a: 1 }) }).then((r) => r.json());
window.down = fetch('http://127.0.0.1:1/x').catch(() => 'down');
</script>`,
  '/receipts': `<!doctype html><title>Receipts</title>
<button id="throw" onclick="throw new Error('boom')">Throw</button>
<button id="log" onclick="console.error('bad thing', 42)">Log</button>
<button id="missing" onclick="fetch('/missing-api', { method: 'POST' })">Fetch missing</button>
<button id="down" onclick="fetch('http://127.0.0.1:1/x').catch(() => 0)">Fetch down</button>
<button id="fine" onclick="fetch('/slow-body').then((r) => r.text()).then(() => document.title = 'fetched')">Fetch fine</button>
<button id="go" onclick="location.href = '/'">Go home</button>
<button id="alert" onclick="alert('hi')">Alert</button>
<input id="field" oninput="if (this.value === 'x') throw new TypeError('no x')">`,
  '/queries': `<!doctype html><title>Queries</title><style>body{margin:0}</style>
<h1>  Query   page </h1>
<a id="home" href="/somewhere">Home link</a>
<label>Email <input id="email" value="a@b.c"></label>
<label><input type="checkbox" id="tos" checked> I agree</label>
<button id="off" disabled>Disabled button</button>
<div aria-disabled="true"><button id="inner">Inner</button></div>
<p id="gone" style="display:none">hidden text</p>
<select id="multi" multiple><option value="a" selected>A</option><option value="b" selected>B</option><option value="c">C</option></select>
<ul><li>one</li><li>two</li><li>three</li></ul>
<div role="button" aria-pressed="true" id="toggle">Bold</div>
<div id="sized" style="position:absolute; left:10px; top:300px; width:120px; height:40px">box</div>`,
  '/': `<!doctype html><title>Fixture Home</title>
<h1>Hello fixture</h1>
<p>Some text</p>
<a href="/form">Go to form</a>
<button id="b1">Press me</button>
<img src="/pixel.gif" alt="pixel">`,
  '/form': `<!doctype html><title>Form</title>
<label for="name">Name</label><input id="name" value="Ada">
<input id="empty" placeholder="Empty">
<button id="go" class="primary big" onclick="document.title='clicked'; this.textContent='Done'">  Submit   now  </button>
<div id="status"></div>
<script>
document.getElementById('empty').addEventListener('input', e => { document.getElementById('status').textContent = 'typed:' + e.target.value; });
window.addEventListener('click', e => { window.lastClick = [e.clientX, e.clientY, e.isTrusted]; });
</script>`,
  '/loadmore': `<!doctype html><title>Load more</title>
<ul id="items"><li>item 0</li></ul>
<button id="more">Load more</button>
<script>
let n = 0;
document.getElementById('more').onclick = () => {
  n++;
  const li = document.createElement('li'); li.textContent = 'item ' + n;
  document.getElementById('items').append(li);
  if (n >= 3) document.getElementById('more').remove();
};
</script>`,
  '/logs': `<!doctype html><title>Logs</title><script>
console.log('before attach', 1, {a: 1});
console.warn('careful');
setTimeout(() => { throw new TypeError('thrown early'); }, 0);
</script>`,
  '/tall': `<!doctype html><title>Tall</title><div style="height:3000px;background:linear-gradient(red,blue)">tall</div>`,
  '/login': `<!doctype html><title>Sign in</title>
<main><h1>Sign in</h1>
<form action="/welcome" method="get">
<label for="user">User name</label><input id="user" name="user" autocomplete="off">
<label for="pass">Password</label><input id="pass" name="pass" type="password">
<label><input id="remember" name="remember" type="checkbox"> Remember me</label>
<select id="lang" name="lang"><option value="en">English</option><option value="fr">Français</option></select>
<button>Sign in</button>
</form></main>`,
  '/welcome': `<!doctype html><title>Welcome</title><h1 id="hi"></h1>
<script>const q = new URLSearchParams(location.search); document.getElementById('hi').textContent = 'Welcome ' + q.get('user') + ' (' + q.get('pass').length + ' chars, ' + (q.get('remember') || 'off') + ', ' + q.get('lang') + ')';</script>`,
  '/controlled': `<!doctype html><title>Controlled</title>
<input id="name" aria-label="Name"><p id="state"></p>
<script>
// A framework-style controlled input: state drives the value, a value tracker ignores
// programmatic writes (as React's does), and every render writes the state back.
const el = document.getElementById('name');
let state = '';
let tracked = '';
const desc = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value');
Object.defineProperty(el, 'value', { get() { return desc.get.call(this); }, set(v) { tracked = String(v); desc.set.call(this, v); } });
const render = () => { el.value = state; document.getElementById('state').textContent = 'state=' + state; };
el.addEventListener('input', () => { const v = desc.get.call(el); if (v === tracked) return; state = v.toUpperCase(); render(); });
render();
</script>`,
  '/overlay': `<!doctype html><title>Overlay</title>
<button id="buy" onclick="document.title='bought'">Buy now</button>
<div id="cookie-banner" class="modal" style="position:fixed;inset:0;background:rgba(0,0,0,.5)">We use cookies</div>`,
  '/shadow': `<!doctype html><title>Shadow</title><div id="host"></div>
<script>
const root = document.getElementById('host').attachShadow({ mode: 'open' });
root.innerHTML = '<p>Inside the shadow</p><button id="sb">Shadow button</button>';
root.getElementById('sb').addEventListener('click', (e) => { document.title = 'shadow clicked ' + e.isTrusted; });
</script>`,
  '/inner': `<!doctype html><title>Inner</title>
<input id="it" aria-label="Inner text"><button id="ib" onclick="document.getElementById('out').textContent = 'clicked with ' + document.getElementById('it').value">Inner button</button>
<p id="out"></p>`,
  '/confirm': `<!doctype html><title>Confirm</title>
<button id="del" onclick="document.getElementById('r').textContent = confirm('Delete everything?') ? 'confirmed' : 'cancelled'">Delete</button>
<p id="r"></p>`,
  '/delayed': `<!doctype html><title>Delayed</title><div id="box"></div>
<script>setTimeout(() => { document.getElementById('box').textContent = 'Results are ready'; }, 800);</script>`,
  '/clickables': `<!doctype html><title>Clickables</title>
<div id="d1" onclick="document.title='div'">Plain div with onclick</div>
<span id="s1" style="cursor:pointer">Pointer span</span>
<div id="l1">Listener div</div><div id="t1" tabindex="0">Tabbable div</div>
<script>document.getElementById('l1').addEventListener('click', () => { document.title = 'listener'; });</script>`,
  '/pointer': `<!doctype html><title>Pointer</title>
<style>div.box { width: 120px; height: 60px; margin: 10px; border: 1px solid; }</style>
<div class="box" id="hov" onmouseenter="log('enter hov')">Hover me</div>
<div class="box" id="dbl" ondblclick="log('dblclick')">Double me</div>
<div class="box" id="src" onmousedown="log('down src')">Drag me</div>
<div class="box" id="dst" onmouseup="log('up dst')">Drop here</div>
<p id="log"></p>
<script>function log(s) { document.getElementById('log').textContent += s + ';'; }</script>`,
  // Names with the whitespace Chromium versions leave in differently: runs, newlines,
  // leading and trailing spaces, and a label that wraps its checkbox.
  '/spaces': `<!doctype html><title>Spaces</title>
<label><input id="keep" type="checkbox">   Keep me
   signed in  </label>
<button id="save" aria-label="  Save   draft  ">x</button>
<button id="go">  Go
   on  </button>
<img alt="  a   logo " src="/pixel.gif">`,
  // A fetch whose body the page never reads, and one whose body takes a while.
  '/unread': `<!doctype html><title>Unread</title><script>
window.held = fetch('/hold').then((r) => r.status);
window.slowBody = () => fetch('/slow-body').then((r) => r.text());
</script>`,
  '/big': (() => {
    let rows = '';
    for (let i = 0; i < 1000; i++) {
      rows += `<tr><td>Row ${i}</td><td>Item number ${i}</td><td>${i * 7} units</td><td>${i % 20 === 0 ? `<a href="/item/${i}">Open ${i}</a>` : 'n/a'}</td></tr>`;
    }
    return `<!doctype html><title>Big</title><h1>Inventory</h1><table>${rows}</table>`;
  })(),
};

/** A running fixture server. */
export interface Fixture {
  url(path: string): string;
  origin: string;
  server: Server;
  /** The paths asked for, in order. */
  seen: string[];
  close(): Promise<void>;
}

const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///ywAAAAAAQABAAACAUwAOw==', 'base64');

/**
 * Starts the fixture server on 127.0.0.1:0. `host` names it in its URLs: `localhost`
 * gives a second site, whose pages Chromium runs in their own process (out-of-process iframes).
 */
export function startFixture(host = '127.0.0.1'): Promise<Fixture> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    seen.push(path);
    if (path === '/pixel.gif' || path === '/favicon.ico') {
      res.writeHead(200, { 'content-type': 'image/gif', 'cache-control': 'no-store' }).end(GIF);
      return;
    }
    if (path === '/set-cookie') {
      res.writeHead(200, { 'content-type': 'text/html', 'set-cookie': ['sid=s3cret; HttpOnly; Path=/', 'pref=compact; Path=/'] })
        .end('<title>Cookies</title>cookies set');
      return;
    }
    if (path === '/api/headers') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ added: req.headers['x-added'] ?? null, ua: req.headers['user-agent'] ?? null }));
      return;
    }
    if (path === '/api/echo') {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'x-echo': 'yes' }).end(JSON.stringify({ got: body, method: req.method })));
      return;
    }
    if (path === '/hold') {
      // Headers now, and a body that never ends (an SSE stream, a long poll).
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      res.write('data: first\n\n');
      return;
    }
    if (path === '/slow-body') {
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
      res.write('part one;');
      setTimeout(() => res.end('part two'), 400);
      return;
    }
    if (path === '/slow') {
      setTimeout(() => res.writeHead(200, { 'content-type': 'text/html' }).end('<title>Slow</title>slow'), 3000);
      return;
    }
    if (path === '/frames') {
      const child = new URL(req.url ?? '/', 'http://x').searchParams.get('child') ?? '/inner';
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>Frames</title><h1>Outer</h1>
<iframe id="same" src="/inner" title="Same origin" width="300" height="120"></iframe>
<iframe id="cross" src="${child.replace(/"/g, '&quot;')}" title="Cross origin" width="300" height="120"></iframe>`);
      return;
    }
    const page = PAGES[path];
    if (page === undefined) {
      res.writeHead(404, { 'content-type': 'text/html' }).end('<title>Not found</title>nope');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const origin = `http://${host}:${(server.address() as AddressInfo).port}`;
      resolve({
        origin, server, seen,
        url: (p) => origin + p,
        close: () => new Promise((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
      });
    });
  });
}

/** A loopback port nothing listens on (bound, then closed). */
export function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
