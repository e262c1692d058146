/**
 * Acting on the page: `click`, `dblclick`, `hover`, `press`, `scroll`, `drag` (each by
 * @ref or CSS selector, with real input events; form controls are in forms.ts), and
 * chrome-cdp's `clickxy`, `type`, `loadall`; `dialog` answers a dialog.
 */
import { CdpdError } from '../protocol/errors.js';
import { frameField, frameParam, joined, usage } from './args.js';
import * as v from '../protocol/schema.js';
import { callIn, callOn, clickPoint, labelOf, mouseClick, resolveFrame } from './elements.js';
import { actTimeout, element, FRAME_OPTION, selectorField, selectorArgs } from './handles.js';
import { CLICK_FIRST, FOCUS, JS_CLICK, SCROLL_ELEMENT, SCROLL_PAGE, TAG_TEXT } from './inpage.js';
import { chordEvents, parseChord } from './keys.js';
import { act } from './outcome.js';
import { defineCommand } from './types.js';
import { outcome } from './text.js';

type ClickShape = { selector: ReturnType<typeof selectorField>; frame: ReturnType<typeof frameField>; js: v.Field<boolean, true> };

/** A real mouse click of `count` clicks at the element's visible centre; `click` also takes `--js`. */
function clickCommand(name: 'click' | 'dblclick', count: number, summary: string) {
  const js = count === 1;
  return defineCommand({
    name,
    summary,
    target: 'required',
    action: true,
    args: [{ name: 'selector', required: true, variadic: true }],
    options: js ? [{ flags: '--js', summary: 'synthetic el.click() instead of the mouse (chrome-cdp\'s click)' }, FRAME_OPTION] : [FRAME_OPTION],
    // dblclick's shape has no js (so it refuses one); its run never reads it.
    params: () => (js ? { selector: selectorField(), frame: frameField(), js: v.boolean().opt() } : { selector: selectorField(), frame: frameField() }) as ClickShape,
    text: (r, target) => `${name === 'click' ? 'Clicked' : 'Double-clicked'} ${r.tag} ${JSON.stringify(r.text)}${outcome(r, target)}`,
    parse: (args, opts) => ({ ...selectorArgs(args), ...frameParam(opts), ...(js && opts.js ? { js: true } : {}) }),
    async run(ctx, params) {
      const h = await element(ctx.page, params.selector, params.frame);
      const hit = await callOn(ctx.page, h, TAG_TEXT);
      if (js && params.js) {
        return act(ctx.page, actTimeout(params), { ...hit, via: 'js' }, () => callOn(ctx.page, h, JS_CLICK));
      }
      const { x, y } = await clickPoint(ctx.page, h);
      return act(ctx.page, actTimeout(params), { ...hit, via: 'mouse', x, y }, () => mouseClick(ctx.page, x, y, count));
    },
  });
}

export const click = clickCommand('click', 1, 'click an element (@ref or CSS selector) with real mouse events at its visible centre');
export const dblclick = clickCommand('dblclick', 2, 'double-click an element with real mouse events');

export const hover = defineCommand({
  name: 'hover',
  summary: 'move the mouse over an element',
  target: 'required',
  action: true,
  args: [{ name: 'selector', required: true, variadic: true }],
  options: [FRAME_OPTION],
  params: () => ({ selector: selectorField(), frame: frameField() }),
  text: (r) => `Hovering over ${r.label}`,
  parse: (args, opts) => ({ ...selectorArgs(args), ...frameParam(opts) }),
  async run(ctx, params) {
    const h = await element(ctx.page, params.selector, params.frame);
    const { x, y, label } = await clickPoint(ctx.page, h);
    await ctx.page.send('Input.dispatchMouseEvent', { type: 'mouseMoved', x, y });
    return { label, x, y };
  },
});

export const press = defineCommand({
  name: 'press',
  summary: 'press a key or chord (Enter, Tab, Escape, ArrowDown, Control+A, Shift+Tab); with a selector or @ref, focus it first',
  target: 'required',
  action: true,
  args: [{ name: 'selector' }, { name: 'key', required: true }],
  options: [FRAME_OPTION],
  params: () => ({ selector: selectorField().opt(), key: v.string({ missing: 'key required' }).refine((k) => (parseChord(k), k)), frame: frameField() }),
  text: (r, target) => `Pressed ${r.key}${r.label ? ` in ${r.label}` : ''}${outcome(r, target)}`,
  parse(args, opts) {
    if (args.length === 0 || args.length > 2) throw usage('press takes a key, optionally after a selector or @ref: cdp press <target> [@e3] Enter');
    const key = args[args.length - 1]!;
    parseChord(key);
    return args.length === 2 ? { selector: args[0]!, key, ...frameParam(opts) } : { key };
  },
  async run(ctx, params) {
    const chord = parseChord(params.key);
    let label: string | undefined;
    if (params.selector !== undefined) {
      const h = await element(ctx.page, params.selector, params.frame);
      label = await labelOf(ctx.page, h);
      await callOn(ctx.page, h, FOCUS);
    }
    const result = label ? { key: params.key, label } : { key: params.key };
    return act(ctx.page, actTimeout(params), result, async () => {
      for (const e of chordEvents(chord)) await ctx.page.send('Input.dispatchKeyEvent', e);
    });
  },
});

const AMOUNT = /^-?\d+(\.\d+)?$/;

export const scroll = defineCommand({
  name: 'scroll',
  summary: 'scroll the page or an element by pixels ([dx] dy), to top|bottom, or an element into view',
  target: 'required',
  action: true,
  args: [{ name: 'selector' }, { name: 'amount', variadic: true }],
  options: [FRAME_OPTION],
  params: () => ({ selector: selectorField().opt(), by: v.object({ dx: v.number(), dy: v.number() }).opt(), to: v.oneOf(['top', 'bottom']).opt(), frame: frameField() }),
  text: (r) => `Scrolled ${r.of === 'element' ? 'the element' : 'the page'} to (${r.x}, ${r.y})`,
  parse(args, opts) {
    const rest = [...args];
    let by: { dx: number; dy: number } | undefined;
    let to: 'top' | 'bottom' | undefined;
    const last = rest[rest.length - 1];
    if (last === 'top' || last === 'bottom') to = rest.pop() as 'top' | 'bottom';
    else if (last !== undefined && AMOUNT.test(last)) {
      const dy = Number(rest.pop());
      const prev = rest[rest.length - 1];
      const dx = prev !== undefined && AMOUNT.test(prev) ? Number(rest.pop()) : 0;
      by = { dx, dy };
    }
    const selector = joined(rest);
    if (!selector && !by && !to) throw usage('scroll takes pixels ([dx] dy), top or bottom, a selector or @ref, or both: cdp scroll <target> 600');
    return { ...(selector ? { selector } : {}), ...(by ? { by } : {}), ...(to ? { to } : {}), ...frameParam(opts) };
  },
  async run(ctx, params) {
    const { by = null, to = null } = params;
    if (params.selector === undefined) {
      const frame = await resolveFrame(ctx.page, params.frame);
      return callIn(ctx.page, frame, SCROLL_PAGE, by, to);
    }
    const h = await element(ctx.page, params.selector, params.frame);
    return callOn(ctx.page, h, SCROLL_ELEMENT, by, to);
  },
});

/** Mouse moves between press and release of a drag, so pages that track the pointer see a path. */
const DRAG_STEPS = 8;

export const drag = defineCommand({
  name: 'drag',
  summary: 'drag one element onto another with the mouse (press, move, release)',
  target: 'required',
  action: true,
  args: [{ name: 'from', required: true }, { name: 'to', required: true }],
  options: [FRAME_OPTION],
  params: () => ({ from: selectorField(), to: selectorField(), frame: frameField() }),
  text: (r) => `Dragged ${r.from} onto ${r.to}`,
  parse(args, opts) {
    if (args.length !== 2) throw usage('drag takes two selectors or @refs: cdp drag <target> @e3 @e9');
    return { from: args[0]!, to: args[1]!, ...frameParam(opts) };
  },
  async run(ctx, params) {
    const a = await element(ctx.page, params.from, params.frame);
    const b = await element(ctx.page, params.to, params.frame);
    const p = await clickPoint(ctx.page, a);
    const q = await clickPoint(ctx.page, b);
    const page = ctx.page;
    await page.send('Input.dispatchMouseEvent', { type: 'mouseMoved', x: p.x, y: p.y });
    await page.send('Input.dispatchMouseEvent', { type: 'mousePressed', x: p.x, y: p.y, button: 'left', clickCount: 1 });
    for (let i = 1; i <= DRAG_STEPS; i++) {
      const x = p.x + ((q.x - p.x) * i) / DRAG_STEPS;
      const y = p.y + ((q.y - p.y) * i) / DRAG_STEPS;
      await page.send('Input.dispatchMouseEvent', { type: 'mouseMoved', x, y, button: 'left', buttons: 1 });
    }
    await page.send('Input.dispatchMouseEvent', { type: 'mouseReleased', x: q.x, y: q.y, button: 'left', clickCount: 1 });
    return { from: p.label, to: q.label };
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
  action: true,
  args: [{ name: 'x', required: true }, { name: 'y', required: true }],
  params: () => ({ x: v.number({ missing: 'x and y must be numbers (CSS pixels)' }), y: v.number({ missing: 'x and y must be numbers (CSS pixels)' }) }),
  text: (r) => `Clicked at CSS (${r.x}, ${r.y})`,
  parse(args) {
    if (args.length !== 2) throw usage('x and y must be numbers (CSS pixels)');
    return { x: coord(args[0]), y: coord(args[1]) };
  },
  async run(ctx, params) {
    const { x, y } = params;
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
  action: true,
  args: [{ name: 'text', required: true, variadic: true }],
  params: () => ({ text: v.string({ missing: 'text required' }) }),
  text: (r) => `Typed ${r.characters} characters`,
  parse(args) {
    const text = joined(args);
    if (!text) throw usage('text required');
    return { text };
  },
  async run(ctx, params) {
    const { text } = params;
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
  action: true,
  longestMs: LOADALL_CAP_MS,
  args: [{ name: 'selector', required: true }, { name: 'ms' }],
  params: () => ({ selector: v.string({ missing: 'CSS selector required' }), interval: v.number({ min: 0 }).opt() }),
  text: (r) => r.complete
        ? `Clicked "${r.selector}" ${r.clicks} time(s) until it disappeared`
        : `Clicked "${r.selector}" ${r.clicks} time(s); it was still there after 5 minutes`,
  parse(args) {
    const rest = [...args];
    let interval = LOADALL_INTERVAL_MS;
    if (rest.length > 1 && /^\d+$/.test(rest[rest.length - 1]!)) interval = Number(rest.pop());
    const selector = joined(rest);
    if (!selector.trim()) throw usage('CSS selector required');
    return { selector, interval };
  },
  async run(ctx, params) {
    const { selector, interval = LOADALL_INTERVAL_MS } = params;
    const deadline = Date.now() + LOADALL_CAP_MS;
    let clicks = 0;
    for (;;) {
      const clicked = await ctx.page.call(CLICK_FIRST, selector);
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
  action: true,
  args: [{ name: 'action', required: true }, { name: 'text', variadic: true }],
  params: () => ({ action: v.oneOf(['accept', 'dismiss'], { missing: 'dialog takes "accept [text]" or "dismiss"' }), text: v.string({ empty: true }).opt() }),
  text: (r) => `${r.action === 'accept' ? 'Accepted' : 'Dismissed'} ${r.type} ${JSON.stringify(r.message)}`,
  parse(args) {
    const [word, ...text] = args;
    if (word !== 'accept' && word !== 'dismiss') throw usage('dialog takes "accept [text]" or "dismiss"');
    const action: 'accept' | 'dismiss' = word;
    return text.length ? { action, text: joined(text) } : { action };
  },
  async run(ctx, params) {
    const open = ctx.page.dialog;
    if (!open) throw new CdpdError('NO_DIALOG', 'No dialog is open on this tab.');
    await ctx.page.answerDialog(params.action === 'accept', params.text);
    return { action: params.action, type: open.type, message: open.message };
  },
});
