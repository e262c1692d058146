/**
 * The watch around an action (click, press, …): a navigation it starts is waited for and
 * reported, a dialog it opens is reported instead of leaving the command hanging.
 */
import { CdpdError } from '../protocol/errors.js';
import { pageLocation, watchNavigation } from './navigation.js';
import { LONG_LIVED } from '../session/events.js';
import type { Page } from '../session/page.js';

/** What an action adds to its result: where the page went, or the dialog it opened. */
export interface Outcome {
  navigated?: { url: string; title: string; loading?: boolean };
  dialog?: { type: string; message: string };
}

/**
 * Runs an action; when it starts a navigation of the tab, waits for it to settle (up to
 * `timeoutMs`) and says where the page went; when it opens a dialog, says so instead of
 * hanging.
 */
export async function act<T extends object>(page: Page, timeoutMs: number, result: T, work: () => Promise<unknown>): Promise<T & Outcome> {
  const nav = watchNavigation(page);
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
    if (!nav.requested) await page.send('Runtime.evaluate', { expression: '0' }).catch(() => {});
    if (!nav.requested) return result;
    if (!nav.settled) {
      await nav.until((n) => n.settled, timeoutMs).catch((err) => {
        if (!(err instanceof CdpdError && err.code === 'DIALOG_OPEN')) throw err;
      });
      if (page.dialog) return withDialog();
    }
    const settled = nav.settled;
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
    nav.off();
  }
}

/** An error the page reported while an action ran. */
export interface PageError { message: string; url: string; line: number }
/** A request the action caused that failed: a network error, or a 4xx/5xx answer. */
export interface FailedRequest { method: string; url: string; status: number; errorText?: string }

/** What an action's receipt adds to its result, each only when there is something to say. */
export interface Receipt {
  errors?: PageError[];
  failedRequests?: FailedRequest[];
  /** With --snap: the snap --diff after the action. */
  snap?: unknown;
}

/** How long a receipt waits, at most, for the requests an action started to end. */
export const SETTLE_MS = 1_000;
const FAVICON = /^[a-z]+:\/\/[^/]+\/favicon\.ico(?:$|\?)/i;

/**
 * Runs an action and adds its receipt: the page's errors (uncaught exceptions,
 * console.error) and the requests that failed, from the action's start until the
 * requests it started have ended (at most SETTLE_MS more); with `snap`, the snapshot
 * diff after it, against the tab's last snapshot's options (-i when there was none).
 */
export async function withReceipt<R extends object>(page: Page, snap: ((page: Page) => Promise<unknown>) | undefined,
  work: () => Promise<R>): Promise<R & Receipt> {
  const errors: PageError[] = [];
  const failed: FailedRequest[] = [];
  const started = new Set<string>();
  let wake = () => {};
  const off = page.onEvent((ev) => {
    const d = ev.data as Record<string, unknown>;
    const id = String(d.requestId ?? '');
    switch (ev.event) {
      case 'error':
        errors.push({ message: String(d.message), url: String(d.url ?? ''), line: Number(d.line ?? 0) });
        return;
      case 'console':
        if (d.level === 'error') errors.push({ message: String(d.text), url: String(d.url ?? ''), line: Number(d.line ?? 0) });
        return;
      case 'request':
        if (!LONG_LIVED.has(String(d.resourceType))) started.add(id);
        return;
      case 'response':
        // A site without an icon answers Chrome's own /favicon.ico with a 404 on every page.
        if (Number(d.status) >= 400 && !FAVICON.test(String(d.url))) failed.push({ method: String(d.method), url: String(d.url), status: Number(d.status) });
        return;
      case 'requestfailed':
        if (!d.canceled) failed.push({ method: String(d.method), url: String(d.url), status: Number(d.status ?? 0), errorText: String(d.errorText) });
        break;
      case 'requestfinished':
        break;
      default:
        return;
    }
    started.delete(id);
    if (!started.size) wake();
  });
  try {
    const result = await work();
    const blocked = () => page.dialog !== undefined || (result as Outcome).dialog !== undefined;
    if (started.size && !blocked()) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, SETTLE_MS);
        wake = () => { clearTimeout(timer); resolve(); };
      });
    }
    const out: R & Receipt = { ...result };
    if (errors.length) out.errors = errors;
    if (failed.length) out.failedRequests = failed;
    if (snap && !blocked()) out.snap = await snap(page);
    return out;
  } finally {
    off();
  }
}
