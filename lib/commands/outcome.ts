/**
 * The watch around an action (click, press, …): a navigation it starts is waited for and
 * reported, a dialog it opens is reported instead of leaving the command hanging.
 */
import type { RawEvent } from '../cdp/connection.js';
import { CdpdError } from '../protocol/errors.js';
import { pageLocation } from './navigation.js';
import type { Page } from './page.js';

/** What an action adds to its result: where the page went, or the dialog it opened. */
export interface Outcome {
  navigated?: { url: string; title: string; loading?: boolean };
  dialog?: { type: string; message: string };
}

const MAIN_FRAME_EVENTS = new Set(['Page.frameRequestedNavigation', 'Page.frameStartedLoading']);
const SETTLED_EVENTS = new Set(['Page.loadEventFired', 'Page.frameStoppedLoading', 'Page.navigatedWithinDocument']);

/**
 * Runs an action; when it starts a navigation of the tab, waits for it to settle (up to
 * `timeoutMs`) and says where the page went; when it opens a dialog, says so instead of
 * hanging.
 */
export async function act<T extends object>(page: Page, timeoutMs: number, result: T, work: () => Promise<unknown>): Promise<T & Outcome> {
  let requested = false;
  let settled = false;
  let wake = () => {};
  const off = page.listen((e: RawEvent) => {
    const frameId = (e.params as { frameId?: string }).frameId;
    if (MAIN_FRAME_EVENTS.has(e.method) && frameId === page.targetId) requested = true;
    else if (requested && (e.method === 'Page.loadEventFired' || (SETTLED_EVENTS.has(e.method) && frameId === page.targetId))) {
      settled = true;
      wake();
    }
  });
  const withDialog = (): T & Outcome => {
    const d = page.dialog!;
    return { ...result, dialog: { type: d.type, message: d.message } };
  };
  try {
    try {
      await work();
    } catch (err) {
      if (err instanceof CdpdError && err.code === 'DIALOG_OPEN' && page.dialog) return withDialog();
      throw err;
    }
    // A click that submits a form asks for the navigation while the renderer handles the
    // input, which can be after Chrome answered the input command: one round trip to the
    // page lets that request reach us first.
    if (!requested) await page.send('Runtime.evaluate', { expression: '0' }).catch(() => {});
    if (!requested) return result;
    if (!settled) {
      await page.guard(new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        wake = () => { clearTimeout(timer); resolve(); };
      })).catch((err) => {
        if (!(err instanceof CdpdError && err.code === 'DIALOG_OPEN')) throw err;
      });
      if (page.dialog) return withDialog();
    }
    for (let i = 0; ; i++) {
      try {
        const where = await pageLocation(page);
        return { ...result, navigated: settled ? where : { ...where, loading: true } };
      } catch (err) {
        // The old document's context can vanish under the call: ask the new one.
        if (i >= 5 || !(err instanceof CdpdError) || err.code !== 'CDP_ERROR') throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } finally {
    off();
  }
}
