/**
 * The network and the browser's state: `request` (one request whole, its bodies fetched
 * from Chrome on demand), `cookies`, `storage`.
 */
import { resolve } from 'node:path';
import type { Protocol } from 'devtools-protocol';
import { CdpdError } from '../protocol/errors.js';
import { absolutePath, usage } from './args.js';
import * as v from '../protocol/schema.js';
import type { Entry } from '../session/history.js';
import { HREF } from './inpage.js';
import { WEB_STORAGE } from './inpage-read.js';
import type { Page } from '../session/page.js';
import { writePrivateFile } from './files.js';
import { defineCommand } from './types.js';
import { shortId } from '../protocol/ids.js';
import { cookiesText, requestWhole, storageText } from './text.js';

/** A body as `request` gives it: text, or base64 for bytes; `saved` when written to --out. */
export interface Body { text?: string; base64?: string; bytes: number; saved?: string }

const REQUEST = () => ({ id: v.number({ integer: true, min: 1, missing: 'request takes the #id that cdp requests prints' }), out: absolutePath('--out').opt() });

/** What `request` takes. */
type RequestParams = v.Infer<ReturnType<typeof REQUEST>>;

/** Chrome's words for a body it no longer holds (evicted, or never kept). */
const GONE = /No resource with given identifier|No data found for resource|not found/i;

/** The response body of a finished request, from Chrome (saved to `out` when given); a string says why there is none. */
export async function responseBody(page: Page, requestId: string, out: string | undefined): Promise<Body | string> {
  let r;
  try {
    r = await page.send('Network.getResponseBody', { requestId });
  } catch (err) {
    if (err instanceof CdpdError && GONE.test(err.message)) return 'Chrome no longer holds it (it evicts bodies as the page loads more, and keeps none across a navigation)';
    throw err;
  }
  const bytes = r.base64Encoded ? Buffer.from(r.body, 'base64') : Buffer.from(r.body, 'utf8');
  if (out) {
    await writePrivateFile(out, bytes);
    return { bytes: bytes.length, saved: out };
  }
  return r.base64Encoded ? { base64: r.body, bytes: bytes.length } : { text: r.body, bytes: bytes.length };
}

/** The post data of a request, from its record or from Chrome. */
async function postData(page: Page, requestId: string, detail: Record<string, unknown>): Promise<string | undefined> {
  if (typeof detail.postData === 'string') return detail.postData;
  if (!detail.hasPostData) return undefined;
  try {
    return (await page.send('Network.getRequestPostData', { requestId })).postData;
  } catch {
    return undefined;
  }
}

export const request = defineCommand({
  name: 'request',
  summary: 'one request of the tab whole, by its #id from requests: headers, post data, the response body',
  target: 'required',
  reads: true,
  args: [{ name: 'id', required: true }],
  options: [{ flags: '--out <file>', summary: 'write the response body to this file (bytes as they came) instead of printing it' }],
  params: REQUEST,
  text: (r) => requestWhole(r),
  parse(args, opts, env) {
    const raw = (args[0] ?? '').replace(/^#/, '');
    const id = Number(raw);
    if (!raw || !Number.isInteger(id) || id <= 0) throw usage(`request takes the #id that cdp requests prints, got: ${args[0] ?? 'nothing'}`);
    const p: RequestParams = { id };
    if (opts.out !== undefined) {
      if (typeof opts.out !== 'string' || !opts.out) throw usage('--out needs a file name');
      p.out = resolve(env.cwd, opts.out);
    }
    return p;
  },
  async run(ctx, params) {
    const { id } = params;
    const page = ctx.page;
    const e: Entry | undefined = page.history.network.find((x) => x.id === id);
    if (!e || e.kind !== 'request') {
      throw new CdpdError('NOT_FOUND', `No request #${id} in this tab's history (cdp requests ${shortId(page.targetId)} lists them; the oldest drop out past the history's size).`);
    }
    const d = e.data;
    const detail = e.detail ?? {};
    const requestId = String(d.requestId);
    const out: Record<string, unknown> = {
      id, method: d.method, url: d.url, state: d.state, resourceType: d.resourceType,
      status: d.status ?? null, statusText: d.statusText ?? '', mimeType: d.mimeType ?? '',
      size: d.size ?? null, duration: d.duration ?? null, errorText: d.errorText ?? null,
      requestHeaders: detail.requestHeaders ?? {}, responseHeaders: detail.responseHeaders ?? null,
      startedAt: detail.startedAt ?? e.time,
    };
    for (const k of ['remoteAddress', 'protocol', 'cached'] as const) if (detail[k] !== undefined) out[k] = detail[k];
    const post = await postData(page, requestId, detail);
    if (post !== undefined) out.postData = post;
    if (d.state === 'done') {
      const body = await responseBody(page, requestId, params.out);
      if (typeof body === 'string') out.bodyMissing = body;
      else out.body = body;
    } else {
      out.bodyMissing = d.state === 'failed' ? 'the request failed' : 'the response is still coming (a stream or a long poll may never end; ask again once it has)';
      if (params.out) throw new CdpdError('NOT_FOUND', `Request #${id} has no body to save: ${String(out.bodyMissing)}.`);
    }
    return out;
  },
});

const SAME_SITE = ['Strict', 'Lax', 'None'] as const;

const COOKIES = () => ({
  op: v.oneOf(['list', 'set', 'clear']),
  url: v.string().opt(),
  name: v.string().opt(),
  value: v.string({ empty: true }).opt(),
  domain: v.string().opt(),
  path: v.string().opt(),
  secure: v.boolean().opt(),
  httpOnly: v.boolean().opt(),
  sameSite: v.oneOf(SAME_SITE).opt(),
  expires: v.number({ min: 0 }).opt(),
  all: v.boolean().opt(),
});

/** What `cookies` takes. */
type CookiesParams = v.Infer<ReturnType<typeof COOKIES>>;

/** A cookie as `cookies` prints it. */
export interface CookieInfo { name: string; value: string; domain: string; path: string; expires: number; httpOnly: boolean; secure: boolean; session: boolean; sameSite?: string }

function cookieInfo(c: Protocol.Network.Cookie): CookieInfo {
  const out: CookieInfo = { name: c.name, value: c.value, domain: c.domain, path: c.path, expires: c.expires, httpOnly: c.httpOnly, secure: c.secure, session: c.session };
  if (c.sameSite) out.sameSite = c.sameSite;
  return out;
}

export const cookies = defineCommand({
  name: 'cookies',
  summary: "the cookies the tab's page sees (HttpOnly too): list | set <name> <value> | clear",
  target: 'required',
  args: [{ name: 'op' }, { name: 'name' }, { name: 'value', variadic: true }],
  options: [
    { flags: '--url <url>', summary: "the URL whose cookies (default: the page's)" },
    { flags: '--domain <domain>', summary: 'set: the cookie domain (.example.com for its subdomains too)' },
    { flags: '--path <path>', summary: 'set: the cookie path' },
    { flags: '--secure', summary: 'set: HTTPS only' },
    { flags: '--http-only', summary: 'set: hidden from page scripts' },
    { flags: '--same-site <policy>', summary: 'set: Strict, Lax or None' },
    { flags: '--expires <seconds>', summary: 'set: when it expires, in seconds since 1970 (default: a session cookie)' },
    { flags: '--all', summary: "clear: every cookie of the browser, not only the page's" },
  ],
  params: COOKIES,
  text: (r) => cookiesText(r),
  parse(args, opts) {
    const op = (args[0] ?? 'list') as CookiesParams['op'];
    if (!['list', 'set', 'clear'].includes(op)) throw usage(`cookies takes list, set <name> <value> or clear, got: ${op}`);
    const p: CookiesParams = { op };
    if (opts.url !== undefined) p.url = String(opts.url);
    if (op === 'set') {
      const [, name, ...value] = args;
      if (!name) throw usage('cookies set takes a name and a value: cdp cookies <target> set session abc123');
      p.name = name;
      p.value = value.join(' ');
      if (opts.domain !== undefined) p.domain = String(opts.domain);
      if (opts.path !== undefined) p.path = String(opts.path);
      if (opts.secure) p.secure = true;
      if (opts.httpOnly) p.httpOnly = true;
      if (opts.sameSite !== undefined) {
        const s = SAME_SITE.find((x) => x.toLowerCase() === String(opts.sameSite).toLowerCase());
        if (!s) throw usage(`--same-site takes Strict, Lax or None, got: ${String(opts.sameSite)}`);
        p.sameSite = s;
      }
      if (opts.expires !== undefined) {
        const e = Number(opts.expires);
        if (!Number.isFinite(e) || e <= 0) throw usage(`--expires takes seconds since 1970, got: ${String(opts.expires)}`);
        p.expires = e;
      }
    } else if (args.length > 1) throw usage(`cookies ${op} takes no more arguments (--url names the URL)`);
    if (opts.all) {
      if (op !== 'clear') throw usage('--all goes with cookies clear');
      p.all = true;
    }
    return p;
  },
  async run(ctx, params) {
    const page = ctx.page;
    const url = params.url ?? await page.call(HREF);
    if (params.op === 'set') {
      if (params.name === undefined) throw usage('cookies set takes a name');
      const c: Protocol.Network.SetCookieRequest = { name: params.name, value: params.value ?? '', url };
      if (params.domain) c.domain = params.domain;
      if (params.path) c.path = params.path;
      if (params.secure) c.secure = true;
      if (params.httpOnly) c.httpOnly = true;
      if (params.sameSite) c.sameSite = params.sameSite;
      if (params.expires) c.expires = params.expires;
      const { success } = await page.send('Network.setCookie', c);
      if (!success) throw new CdpdError('CDP_ERROR', `Chrome refused the cookie ${params.name} for ${url} (a Secure cookie needs an https URL; SameSite=None needs Secure; a domain must match the URL's).`);
      return { op: 'set', url, name: params.name };
    }
    if (params.op === 'clear') {
      if (params.all) {
        await ctx.browser.send('Storage.clearCookies', {});
        return { op: 'clear', url: null, cleared: 'all' };
      }
      const { cookies: seen } = await page.send('Network.getCookies', { urls: [url] });
      for (const c of seen) await page.send('Network.deleteCookies', { name: c.name, domain: c.domain, path: c.path });
      return { op: 'clear', url, cleared: seen.length };
    }
    const { cookies: list } = await page.send('Network.getCookies', { urls: [url] });
    const sorted = list.map(cookieInfo).sort((a, b) => a.name.localeCompare(b.name) || a.domain.localeCompare(b.domain) || a.path.localeCompare(b.path));
    return { op: params.op, url, cookies: sorted };
  },
});

const STORAGE = () => ({
  kind: v.oneOf(['local', 'session']),
  op: v.oneOf(['get', 'set', 'remove', 'clear']),
  key: v.string({ empty: true }).opt(),
  value: v.string({ empty: true }).opt(),
});

/** What `storage` takes. */
type StorageParams = v.Infer<ReturnType<typeof STORAGE>>;

export const storage = defineCommand({
  name: 'storage',
  summary: "the page's localStorage or sessionStorage: local|session [get [key] | set <key> <value> | remove <key> | clear]",
  target: 'required',
  args: [{ name: 'kind', required: true }, { name: 'op' }, { name: 'key' }, { name: 'value', variadic: true }],
  params: STORAGE,
  text: (r) => storageText(r),
  parse(args) {
    const [kind, op = 'get', key, ...value] = args;
    if (kind !== 'local' && kind !== 'session') throw usage(`storage takes local or session first, got: ${kind ?? 'nothing'}`);
    if (!['get', 'set', 'remove', 'clear'].includes(op)) throw usage(`storage ${kind} takes get [key], set <key> <value>, remove <key> or clear, got: ${op}`);
    const p: StorageParams = { kind, op: op as StorageParams['op'] };
    if ((op === 'set' || op === 'remove') && !key) throw usage(`storage ${kind} ${op} needs a key`);
    if (key !== undefined) p.key = key;
    if (op === 'set') p.value = value.join(' ');
    return p;
  },
  async run(ctx, params) {
    const { kind, op } = params;
    const r = await ctx.page.call(WEB_STORAGE, kind, op, params.key ?? null, op === 'set' ? params.value ?? '' : null);
    return { kind, op, ...(params.key !== undefined ? { key: params.key } : {}), ...r };
  },
});
