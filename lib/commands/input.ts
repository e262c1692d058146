/**
 * Acting on the page: `click`, `clickxy`, `type`, `loadall`.
 */
import { CdpdError } from '../protocol/errors.js';
import { joined, num, str, usage } from './args.js';
import { defineCommand } from './types.js';

export const click = defineCommand({
  name: 'click',
  summary: 'click the first element matching a CSS selector (scrolled into view)',
  target: 'required',
  args: [{ name: 'selector', required: true, variadic: true }],
  parse(args) {
    const selector = joined(args);
    if (!selector.trim()) throw usage('CSS selector required');
    return { selector };
  },
  async run(ctx, params: { selector: string }) {
    const selector = str(params, 'selector', 'CSS selector');
    const hit = await ctx.page.call((sel: string) => {
      const el = document.querySelector(sel);
      if (!el) return null;
      // What was clicked, read before the click changes it.
      const hit = { tag: el.tagName, text: (el.textContent ?? '').trim().slice(0, 80) };
      el.scrollIntoView({ block: 'center' });
      (el as HTMLElement).click();
      return hit;
    }, selector);
    if (!hit) throw new CdpdError('ELEMENT_NOT_FOUND', `Element not found: ${selector}`);
    return hit;
  },
});

/** Milliseconds between mouse press and release, as chrome-cdp. */
const PRESS_MS = 50;

function coord(v: string | undefined): number {
  const n = v === undefined ? NaN : Number(v);
  if (!Number.isFinite(n)) throw usage('x and y must be numbers (CSS pixels)');
  return n;
}

export const clickxy = defineCommand({
  name: 'clickxy',
  summary: 'mouse click at CSS pixel coordinates',
  target: 'required',
  args: [{ name: 'x', required: true }, { name: 'y', required: true }],
  parse(args) {
    if (args.length !== 2) throw usage('x and y must be numbers (CSS pixels)');
    return { x: coord(args[0]), y: coord(args[1]) };
  },
  async run(ctx, params: { x: number; y: number }) {
    const x = num(params, 'x');
    const y = num(params, 'y');
    if (x === undefined || y === undefined) throw usage('x and y must be numbers (CSS pixels)');
    const base = { x, y, button: 'left', clickCount: 1 } as const;
    await ctx.page.send('Input.dispatchMouseEvent', { type: 'mouseMoved', x, y });
    await ctx.page.send('Input.dispatchMouseEvent', { type: 'mousePressed', ...base });
    await new Promise((r) => setTimeout(r, PRESS_MS));
    await ctx.page.send('Input.dispatchMouseEvent', { type: 'mouseReleased', ...base });
    return { x, y };
  },
});

export const type = defineCommand({
  name: 'type',
  summary: 'insert text at the focused element (works in cross-origin iframes)',
  target: 'required',
  args: [{ name: 'text', required: true, variadic: true }],
  parse(args) {
    const text = joined(args);
    if (!text) throw usage('text required');
    return { text };
  },
  async run(ctx, params: { text: string }) {
    const text = str(params, 'text');
    await ctx.page.send('Input.insertText', { text });
    return { characters: [...text].length };
  },
});

/** Default pause between "load more" clicks (ms), and the hard cap of the loop. */
const LOADALL_INTERVAL_MS = 1500;
const LOADALL_CAP_MS = 5 * 60_000;

export const loadall = defineCommand({
  name: 'loadall',
  summary: 'click a "load more" element until it is gone (default every 1500 ms, at most 5 min)',
  target: 'required',
  args: [{ name: 'selector', required: true }, { name: 'ms' }],
  parse(args) {
    const rest = [...args];
    let interval = LOADALL_INTERVAL_MS;
    if (rest.length > 1 && /^\d+$/.test(rest[rest.length - 1]!)) interval = Number(rest.pop());
    const selector = joined(rest);
    if (!selector.trim()) throw usage('CSS selector required');
    return { selector, interval };
  },
  async run(ctx, params: { selector: string; interval?: number }) {
    const selector = str(params, 'selector', 'CSS selector');
    const interval = num(params, 'interval') ?? LOADALL_INTERVAL_MS;
    const deadline = Date.now() + LOADALL_CAP_MS;
    let clicks = 0;
    for (;;) {
      const clicked = await ctx.page.call((sel: string) => {
        const el = document.querySelector(sel);
        if (!el) return false;
        el.scrollIntoView({ block: 'center' });
        (el as HTMLElement).click();
        return true;
      }, selector);
      if (!clicked) return { selector, clicks, complete: true };
      clicks++;
      if (Date.now() + interval > deadline) return { selector, clicks, complete: false };
      await ctx.page.guard(new Promise((r) => setTimeout(r, interval)));
    }
  },
});

export const dialog = defineCommand({
  name: 'dialog',
  summary: 'answer the alert, confirm, prompt or beforeunload dialog open on the tab: accept [text] | dismiss',
  target: 'required',
  args: [{ name: 'action', required: true }, { name: 'text', variadic: true }],
  parse(args) {
    const [action, ...text] = args;
    if (action !== 'accept' && action !== 'dismiss') throw usage('dialog takes "accept [text]" or "dismiss"');
    return text.length ? { action, text: joined(text) } : { action };
  },
  async run(ctx, params: { action: string; text?: string }) {
    if (params.action !== 'accept' && params.action !== 'dismiss') throw usage('dialog takes "accept [text]" or "dismiss"');
    const open = ctx.page.dialog;
    if (!open) throw new CdpdError('NO_DIALOG', 'No dialog is open on this tab.');
    await ctx.page.answerDialog(params.action === 'accept', typeof params.text === 'string' ? params.text : undefined);
    return { action: params.action, type: open.type, message: open.message };
  },
});
