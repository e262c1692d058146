/**
 * `state save <file>` / `state load <file>`: a browser's login state (its cookies, and the
 * localStorage of the origins open in its pages) in Playwright's storageState format, so
 * a login done in the user's Chrome can be carried into the managed headless one, and the
 * file read by Playwright too. The file holds live session secrets: written 0600.
 */
import { resolve } from 'node:path';
import type { Protocol } from 'devtools-protocol';
import { CdpdError } from '../protocol/errors.js';
import { absolutePath, usage } from './args.js';
import * as v from '../protocol/schema.js';
import { WEB_STORAGE } from './inpage-read.js';
import { navigate, NAV_TIMEOUT_MS } from './navigation.js';
import type { Page } from '../session/page.js';
import type { CommandContext } from './types.js';
import { writePrivateFile } from './files.js';
import { defineCommand } from './types.js';

/** A cookie as Playwright's storageState has it (`expires` -1: a session cookie). */
interface StateCookie { name: string; value: string; domain: string; path: string; expires: number; httpOnly: boolean; secure: boolean; sameSite: 'Strict' | 'Lax' | 'None' }
/** Playwright's storageState. */
export interface StorageState { cookies: StateCookie[]; origins: Array<{ origin: string; localStorage: Array<{ name: string; value: string }> }> }

/** How long one page may take to give its localStorage before it is left out. */
const PAGE_READ_MS = 3_000;

function toState(c: Protocol.Network.Cookie): StateCookie {
  return { name: c.name, value: c.value, domain: c.domain, path: c.path, expires: c.session ? -1 : c.expires, httpOnly: c.httpOnly, secure: c.secure, sameSite: c.sameSite ?? 'Lax' };
}

async function save(ctx: CommandContext, path: string) {
  const { cookies } = await ctx.browser.send('Storage.getCookies', {});
  const origins = new Map<string, Array<{ name: string; value: string }>>();
  const skipped: string[] = [];
  for (const p of await ctx.tabs.list()) {
    let origin: string;
    try {
      origin = new URL(p.url).origin;
    } catch {
      continue;
    }
    if (!/^https?:/.test(origin) || origins.has(origin)) continue;
    try {
      const page = await ctx.tabs.page(p.targetId, ctx.signal, PAGE_READ_MS);
      const r = await page.call(WEB_STORAGE, 'local', 'get', null, null);
      if ('items' in r && r.items.length) origins.set(origin, r.items.map(([name, value]) => ({ name, value })));
    } catch {
      skipped.push(p.prefix); // busy, or blocked by a dialog: its storage is left out, and said so
    }
  }
  const state: StorageState = { cookies: cookies.map(toState), origins: [...origins].map(([origin, localStorage]) => ({ origin, localStorage })) };
  await writePrivateFile(path, JSON.stringify(state, null, 2) + '\n');
  return { op: 'save', path, cookies: state.cookies.length, origins: state.origins.map((o) => o.origin), skipped };
}

function readState(text: string, path: string): StorageState {
  let s: unknown;
  try {
    s = JSON.parse(text);
  } catch {
    throw new CdpdError('FILE_ERROR', `${path} is not JSON: a state file is what cdp state save (or Playwright's storageState) writes`);
  }
  const st = s as Partial<StorageState>;
  if (!st || typeof st !== 'object' || !Array.isArray(st.cookies) || (st.origins !== undefined && !Array.isArray(st.origins))) {
    throw new CdpdError('FILE_ERROR', `${path} has no "cookies" list: a state file is what cdp state save (or Playwright's storageState) writes`);
  }
  return { cookies: st.cookies, origins: st.origins ?? [] };
}

/** The page cdpd answers for an origin it writes storage to: an icon of its own, so Chrome asks the site for none. */
const EMPTY_PAGE = Buffer.from('<!doctype html><link rel="icon" href="data:,">').toString('base64');

/**
 * Writes one origin's localStorage: a background tab whose requests to the origin are
 * answered with an empty page by cdpd (an internal route rule), so the site is asked
 * nothing and none of its code runs; then closed.
 */
async function writeOrigin(ctx: CommandContext, origin: string, items: Array<{ name: string; value: string }>, timeoutMs: number): Promise<void> {
  const { targetId } = await ctx.browser.send('Target.createTarget', { url: 'about:blank', background: true });
  let rule: string | undefined;
  try {
    const page: Page = await ctx.tabs.page(targetId, ctx.signal);
    rule = (await ctx.tabs.routes.add(targetId, `${origin}/*`,
      { kind: 'fulfill', status: 200, body: EMPTY_PAGE, headers: [{ name: 'content-type', value: 'text/html' }] }, true)).id;
    await navigate(page, `${origin}/`, timeoutMs);
    for (const { name, value } of items) await page.call(WEB_STORAGE, 'local', 'set', String(name), String(value));
  } finally {
    if (rule) await ctx.tabs.routes.remove(rule).catch(() => {});
    await ctx.browser.send('Target.closeTarget', { targetId }).catch(() => {});
  }
}

async function load(ctx: CommandContext, path: string, timeoutMs: number) {
  const { readFile } = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CdpdError('FILE_ERROR', `Cannot read ${path}: ${(err as Error).message}`);
  }
  const state = readState(text, path);
  const cookies: Protocol.Network.CookieParam[] = state.cookies.map((c) => {
    const p: Protocol.Network.CookieParam = { name: String(c.name), value: String(c.value), domain: String(c.domain), path: String(c.path ?? '/') };
    if (typeof c.expires === 'number' && c.expires > 0) p.expires = c.expires;
    if (c.httpOnly) p.httpOnly = true;
    if (c.secure) p.secure = true;
    if (c.sameSite) p.sameSite = c.sameSite;
    return p;
  });
  if (cookies.length) await ctx.browser.send('Storage.setCookies', { cookies });
  const origins: string[] = [];
  for (const o of state.origins) {
    if (typeof o?.origin !== 'string' || !/^https?:\/\//.test(o.origin) || !Array.isArray(o.localStorage)) continue;
    await writeOrigin(ctx, new URL(o.origin).origin, o.localStorage, timeoutMs);
    origins.push(o.origin);
  }
  return { op: 'load', path, cookies: cookies.length, origins, skipped: [] };
}

export const state = defineCommand({
  name: 'state',
  summary: "save or load the browser's login state (cookies, localStorage of open origins) as a Playwright storageState file",
  target: 'none',
  args: [{ name: 'op', required: true }, { name: 'file', required: true }],
  params: () => ({ op: v.oneOf(['save', 'load']), path: absolutePath('state') }),
  text: (r) => `${r.op === 'save' ? 'Saved' : 'Loaded'} ${r.cookies} cookie(s) and the localStorage of ${r.origins.length} origin(s)${r.origins.length ? ` (${r.origins.join(', ')})` : ''} ${r.op === 'save' ? 'to' : 'from'} ${r.path}` +
        (r.skipped?.length ? `\nLeft out the localStorage of tab(s) that did not answer: ${r.skipped.join(', ')}` : ''),
  parse(args, _opts, env) {
    const [word, file] = args;
    if (word !== 'save' && word !== 'load') throw usage(`state takes save <file> or load <file>, got: ${word ?? 'nothing'}`);
    const op: 'save' | 'load' = word;
    if (!file) throw usage(`state ${op} needs a file: cdp state ${op} auth.json`);
    return { op, path: resolve(env.cwd, file) };
  },
  async run(ctx, params) {
    if (params.op === 'save') return save(ctx, params.path);
    return load(ctx, params.path, params.timeout ?? NAV_TIMEOUT_MS);
  },
});
