/**
 * Navigation: `nav`, and the load wait that `open` shares.
 */
import { CdpdError } from '../protocol/errors.js';
import { checkUrl, joined, timeoutOf, usage } from './args.js';
import type { Page } from './page.js';
import { defineCommand } from './types.js';

/** Default wait for the load event (ms); --timeout or CDP_TIMEOUT raises it. */
export const NAV_TIMEOUT_MS = 30_000;

/** Navigates a tab and waits for its load event; returns where it ended up. */
export async function navigate(page: Page, url: string, timeoutMs: number): Promise<{ url: string; title: string }> {
  // Page events are on: attaching enabled the domain.
  const loaded = page.waitFor('Page.loadEventFired', timeoutMs,
    `Timed out after ${timeoutMs} ms waiting for ${url} to load (raise with --timeout or CDP_TIMEOUT)`);
  loaded.catch(() => {});
  const r = await page.send('Page.navigate', { url });
  if (r.errorText) throw new CdpdError('NAVIGATION_FAILED', `${r.errorText} loading ${url}`, { url });
  // A same-document navigation (a #hash) has no loaderId and fires no load event.
  if (r.loaderId) await loaded;
  return page.call(() => ({ url: location.href, title: document.title }));
}

export const nav = defineCommand({
  name: 'nav',
  aliases: ['navigate'],
  summary: 'navigate to an http(s) URL and wait for load',
  target: 'required',
  args: [{ name: 'url', required: true }],
  parse(args) {
    if (!args.length) throw usage('URL required');
    return { url: checkUrl(joined(args)) };
  },
  async run(ctx, params: { url: string; timeout?: number }) {
    const url = checkUrl(String(params.url ?? ''));
    return navigate(ctx.page, url, timeoutOf(params, NAV_TIMEOUT_MS));
  },
});
