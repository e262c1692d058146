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
  params: () => ({ url: urlParam() }),
  text: (r) => `Navigated to ${r.url}`,
  parse(args) {
    if (!args.length) throw usage('URL required');
    return { url: checkUrl(joined(args)) };
  },
  async run(ctx, params) {
    return navigate(ctx.page, params.url, params.timeout ?? NAV_TIMEOUT_MS);
  },
});

/** What a tab's main frame has done since a watch on it began. */
export interface NavigationWatch {
  /** It was asked to navigate, or started loading. */
  readonly requested: boolean;
  /** Its load event fired, or it came back from the back/forward cache (which fires none). */
  readonly loaded: boolean;
  /** After it was asked to navigate: it loaded, stopped loading, or moved within the document. */
  readonly settled: boolean;
  /**
   * Resolves true once `done(this)` holds, false after `timeoutMs`; rejects when the tab
   * closes, the client goes away or a dialog blocks the page.
   */
  until(done: (w: NavigationWatch) => boolean, timeoutMs: number): Promise<boolean>;
  /** Stops watching. */
  off(): void;
}

const REQUESTED = new Set(['Page.frameRequestedNavigation', 'Page.frameStartedLoading']);
const STOPPED = new Set(['Page.frameStoppedLoading', 'Page.navigatedWithinDocument']);

/**
 * Watches what the tab's main frame does, from now: the one navigation waiter of `nav`,
 * `open`, `back`/`forward`/`reload` and of the actions that may navigate (outcome.ts).
 * Start watching before the work that may navigate, so no event is missed.
 */
export function watchNavigation(page: Page): NavigationWatch {
  let wake = () => {};
  const w = {
    requested: false,
    loaded: false,
    settled: false,
    until(done: (w: NavigationWatch) => boolean, timeoutMs: number): Promise<boolean> {
      if (done(w)) return Promise.resolve(true);
      return page.guard(new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        wake = () => {
          if (!done(w)) return;
          clearTimeout(timer);
          wake = () => {};
          resolve(true);
        };
      })).finally(() => (wake = () => {}));
    },
    off: () => {},
  };
  w.off = page.listen((e) => {
    const p = e.params as { frameId?: string; frame?: { parentId?: string }; type?: string };
    const main = p.frameId === page.targetId;
    if (REQUESTED.has(e.method) && main) w.requested = true;
    else if (e.method === 'Page.loadEventFired' || (e.method === 'Page.frameNavigated' && !p.frame?.parentId && p.type === 'BackForwardCacheRestore')) {
      w.loaded = true;
      if (w.requested) w.settled = true;
    } else if (w.requested && STOPPED.has(e.method) && main) w.settled = true;
    else return;
    wake();
  });
  return w;
}

/**
 * Waits for the load that `start` begins (watching before it starts, so the load cannot
 * be missed), and says where the tab ended up. `start` returning false: no load is coming.
 */
async function loadAfter(page: Page, timeoutMs: number, what: string, start: () => Promise<unknown>): Promise<{ url: string; title: string }> {
  const nav = watchNavigation(page);
  try {
    if ((await start()) !== false && !(await nav.until((n) => n.loaded, timeoutMs))) {
      throw new CdpdError('TIMEOUT', `Timed out after ${timeoutMs} ms waiting for ${what} (raise with --timeout or CDP_TIMEOUT)`);
    }
  } finally {
    nav.off();
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
    params: () => ({}),
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
  params: () => ({ hard: v.boolean().opt() }),
  text: (r) => `Navigated to ${r.url}`,
  parse: (_args, opts) => (opts.hard ? { hard: true } : {}),
  async run(ctx, params) {
    return loadAfter(ctx.page, params.timeout ?? NAV_TIMEOUT_MS, 'the reload', () => ctx.page.send('Page.reload', { ignoreCache: params.hard === true }));
  },
});
