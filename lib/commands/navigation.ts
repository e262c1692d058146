/**
 * Navigation: `nav`, `back`, `forward`, `reload`, the load wait that `open` shares, and
 * where a tab is now.
 */
import { CdpdError } from '../protocol/errors.js';
import { checkUrl, joined, urlParam, usage } from './args.js';
import { LOCATION } from './inpage.js';
import { normalizeName } from '../session/outline.js';
import type { Page } from '../session/page.js';
import { defineCommand } from './types.js';
import * as v from '../protocol/schema.js';

/** Default wait for the load event (ms); --timeout or CDP_TIMEOUT raises it. */
export const NAV_TIMEOUT_MS = 30_000;

/** Where the tab is now: its URL and title. */
export async function pageLocation(page: Page): Promise<{ url: string; title: string }> {
  const { url, title } = await page.call(LOCATION);
  return { url, title: normalizeName(title) };
}

/** Navigates a tab and waits for its load event; returns where it ended up. */
export function navigate(page: Page, url: string, timeoutMs: number): Promise<{ url: string; title: string }> {
  return loadAfter(page, timeoutMs, `${url} to load`, async () => {
    const r = await page.send('Page.navigate', { url });
    if (r.errorText) throw new CdpdError('NAVIGATION_FAILED', `${r.errorText} loading ${url}`, { url });
    // A same-document navigation (a #hash) has no loaderId and fires no load event.
    return Boolean(r.loaderId);
  });
}

export const nav = defineCommand({
  name: 'nav',
  aliases: ['navigate'],
  summary: 'navigate to an http(s) URL and wait for load',
  target: 'required',
  action: true,
  args: [{ name: 'url', required: true }],
  params: { url: urlParam() },
  text: (r) => `Navigated to ${r.url}`,
  parse(args) {
    if (!args.length) throw usage('URL required');
    return { url: checkUrl(joined(args)) };
  },
  async run(ctx, params) {
    return navigate(ctx.page, params.url, params.timeout ?? NAV_TIMEOUT_MS);
  },
});

/**
 * Waits for the load that `start` begins (listening before it starts, so the load cannot
 * be missed), and says where the tab ended up. `start` returning false: no load is coming.
 */
async function loadAfter(page: Page, timeoutMs: number, what: string, start: () => Promise<unknown>): Promise<{ url: string; title: string }> {
  let off = () => {};
  // A page restored from the back/forward cache fires no load event: its frameNavigated says so.
  const loaded = page.guard(new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new CdpdError('TIMEOUT', `Timed out after ${timeoutMs} ms waiting for ${what} (raise with --timeout or CDP_TIMEOUT)`)), timeoutMs);
    const stopListening = page.listen((e) => {
      const p = e.params as { frame?: { id: string; parentId?: string }; type?: string };
      if (e.method === 'Page.loadEventFired' || (e.method === 'Page.frameNavigated' && !p.frame?.parentId && p.type === 'BackForwardCacheRestore')) resolve();
    });
    off = () => { clearTimeout(timer); stopListening(); };
  }));
  loaded.catch(() => {});
  try {
    if ((await start()) !== false) await loaded;
  } finally {
    off();
  }
  return pageLocation(page);
}

function historyCommand(name: 'back' | 'forward', step: -1 | 1) {
  return defineCommand({
    name,
    summary: step < 0 ? 'go back one page in the tab\'s history, and wait for it' : 'go forward one page in the tab\'s history, and wait for it',
    target: 'required',
    action: true,
    args: [],
    params: {},
    text: (r) => `Navigated to ${r.url}`,
    parse: () => ({}),
    async run(ctx, params) {
      const page = ctx.page;
      const { currentIndex, entries } = await page.send('Page.getNavigationHistory');
      const entry = entries[currentIndex + step];
      if (!entry) throw new CdpdError('NAVIGATION_FAILED', `There is no page to go ${name} to in this tab's history.`);
      const timeout = params.timeout ?? NAV_TIMEOUT_MS;
      const sameDocument = entry.url.split('#')[0] === entries[currentIndex]!.url.split('#')[0];
      if (sameDocument) {
        await page.send('Page.navigateToHistoryEntry', { entryId: entry.id });
        return pageLocation(page);
      }
      return loadAfter(page, timeout, `${entry.url} to load`, () => page.send('Page.navigateToHistoryEntry', { entryId: entry.id }));
    },
  });
}

export const back = historyCommand('back', -1);
export const forward = historyCommand('forward', 1);

export const reload = defineCommand({
  name: 'reload',
  summary: 'reload the tab and wait for load (--hard: bypass the cache)',
  target: 'required',
  action: true,
  args: [],
  options: [{ flags: '--hard', summary: 'bypass the cache' }],
  params: { hard: v.boolean().opt() },
  text: (r) => `Navigated to ${r.url}`,
  parse: (_args, opts) => (opts.hard ? { hard: true } : {}),
  async run(ctx, params) {
    return loadAfter(ctx.page, params.timeout ?? NAV_TIMEOUT_MS, 'the reload', () => ctx.page.send('Page.reload', { ignoreCache: params.hard === true }));
  },
});
