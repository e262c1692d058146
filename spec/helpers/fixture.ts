/**
 * The fixture HTTP server on port 0: small pages that exercise each command.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const PAGES: Record<string, string> = {
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
};

/** A running fixture server. */
export interface Fixture {
  url(path: string): string;
  origin: string;
  server: Server;
  close(): Promise<void>;
}

const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///ywAAAAAAQABAAACAUwAOw==', 'base64');

/** Starts the fixture server on 127.0.0.1:0. */
export function startFixture(): Promise<Fixture> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/pixel.gif' || path === '/favicon.ico') {
      res.writeHead(200, { 'content-type': 'image/gif', 'cache-control': 'no-store' }).end(GIF);
      return;
    }
    if (path === '/slow') {
      setTimeout(() => res.writeHead(200, { 'content-type': 'text/html' }).end('<title>Slow</title>slow'), 3000);
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
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve({
        origin, server,
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
