/**
 * Acting on the page: `click`, `dblclick`, `hover`, `fill`, `press`, `select`, `check`,
 * `uncheck`, `scroll`, `upload`, `drag` (each by @ref or CSS selector, with real input
 * events), and chrome-cdp's `clickxy`, `type`, `loadall`; `dialog` answers a dialog.
 */
import { isAbsolute, resolve } from 'node:path';
import { CdpdError } from '../protocol/errors.js';
import { frameOption, frameParam, joined, num, str, timeoutOf, usage } from './args.js';
import { act, callIn, callOn, clickPoint, labelOf, locate, mouseClick, resolveFrame, type Handle } from './elements.js';
import { chordEvents, parseChord } from './keys.js';
import { NAV_TIMEOUT_MS } from './navigation.js';
import { defineCommand, type CommandContext } from './types.js';

/** `--frame`, for the commands that take a selector: where a CSS selector is looked up (refs know their frame). */
const FRAME_OPTION = frameOption('look the selector up in');

/** The element a command's params name, looked up in its `--frame`. */
async function element(ctx: CommandContext, params: { frame?: unknown }, key = 'selector', what = 'selector or @ref'): Promise<Handle> {
  const spec = str(params as Record<string, unknown>, key, what);
  const frame = typeof params.frame === 'string' && params.frame ? await resolveFrame(ctx.page, params.frame) : undefined;
  return locate(ctx.page, spec, frame);
}

function actTimeout(params: { timeout?: unknown }): number {
  return timeoutOf(params, NAV_TIMEOUT_MS);
}

/** tag and text of an element, read before an action changes it (chrome-cdp's click output). */
function tagText(this: Element): { tag: string; text: string } {
  return { tag: this.tagName, text: (this.textContent ?? '').trim().slice(0, 80) };
}

function selectorArgs(args: string[]): { selector: string } {
  const selector = joined(args);
  if (!selector.trim()) throw usage('CSS selector or @ref required');
  return { selector };
}

export const click = defineCommand({
  name: 'click',
  summary: 'click an element (@ref or CSS selector) with real mouse events at its visible centre',
  target: 'required',
  args: [{ name: 'selector', required: true, variadic: true }],
  options: [{ flags: '--js', summary: 'synthetic el.click() instead of the mouse (chrome-cdp\'s click)' }, FRAME_OPTION],
  parse: (args, opts) => ({ ...selectorArgs(args), ...frameParam(opts), ...(opts.js ? { js: true } : {}) }),
  async run(ctx, params: { selector: string; frame?: string; js?: boolean; timeout?: number }) {
    const h = await element(ctx, params);
    const hit = await callOn(ctx.page, h, tagText);
    if (params.js) {
      return act(ctx.page, actTimeout(params), { ...hit, via: 'js' }, () => callOn(ctx.page, h, function () {
        this.scrollIntoView({ block: 'center' });
        (this as HTMLElement).click();
      }));
    }
    const { x, y } = await clickPoint(ctx.page, h);
    return act(ctx.page, actTimeout(params), { ...hit, via: 'mouse', x, y }, () => mouseClick(ctx.page, x, y));
  },
});

export const dblclick = defineCommand({
  name: 'dblclick',
  summary: 'double-click an element with real mouse events',
  target: 'required',
  args: [{ name: 'selector', required: true, variadic: true }],
  options: [FRAME_OPTION],
  parse: (args, opts) => ({ ...selectorArgs(args), ...frameParam(opts) }),
  async run(ctx, params: { selector: string; frame?: string; timeout?: number }) {
    const h = await element(ctx, params);
    const hit = await callOn(ctx.page, h, tagText);
    const { x, y } = await clickPoint(ctx.page, h);
    return act(ctx.page, actTimeout(params), { ...hit, x, y }, () => mouseClick(ctx.page, x, y, 2));
  },
});

export const hover = defineCommand({
  name: 'hover',
  summary: 'move the mouse over an element',
  target: 'required',
  args: [{ name: 'selector', required: true, variadic: true }],
  options: [FRAME_OPTION],
  parse: (args, opts) => ({ ...selectorArgs(args), ...frameParam(opts) }),
  async run(ctx, params: { selector: string; frame?: string }) {
    const h = await element(ctx, params);
    const { x, y, label } = await clickPoint(ctx.page, h);
    await ctx.page.send('Input.dispatchMouseEvent', { type: 'mouseMoved', x, y });
    return { label, x, y };
  },
});

type FillKind = 'text' | 'editable' | 'set' | 'select' | 'checkable' | 'file' | 'readonly' | 'other';

export const fill = defineCommand({
  name: 'fill',
  summary: 'replace the value of an input, textarea or contenteditable as a user would (input and change fire)',
  target: 'required',
  args: [{ name: 'selector', required: true }, { name: 'value', variadic: true }],
  options: [FRAME_OPTION],
  parse(args, opts) {
    const [selector, ...value] = args;
    if (!selector) throw usage('fill takes a selector or @ref and the value: cdp fill <target> @e3 "text"');
    return { selector, value: joined(value), ...frameParam(opts) };
  },
  async run(ctx, params: { selector: string; value?: string; frame?: string }) {
    const value = typeof params.value === 'string' ? params.value : '';
    const h = await element(ctx, params);
    const page = ctx.page;
    const kind = await callOn(page, h, function (): FillKind {
      const el = this as HTMLElement;
      if (el instanceof HTMLSelectElement) return 'select';
      if (el instanceof HTMLInputElement) {
        if (el.type === 'checkbox' || el.type === 'radio') return 'checkable';
        if (el.type === 'file') return 'file';
        if (el.readOnly || el.disabled) return 'readonly';
        return ['date', 'datetime-local', 'month', 'week', 'time', 'color', 'range'].includes(el.type) ? 'set' : 'text';
      }
      if (el instanceof HTMLTextAreaElement) return el.readOnly || el.disabled ? 'readonly' : 'text';
      return el.isContentEditable ? 'editable' : 'other';
    });
    const label = await labelOf(page, h);
    const refuse = (why: string) => new CdpdError('NOT_INTERACTABLE', `Cannot fill ${h.spec}: ${label} ${why}.`);
    if (kind === 'select') throw refuse('is a <select>: use cdp select');
    if (kind === 'checkable') throw refuse('is a checkbox or radio: use cdp check or cdp uncheck');
    if (kind === 'file') throw refuse('is a file input: use cdp upload');
    if (kind === 'readonly') throw refuse('is read-only or disabled');
    if (kind === 'other') throw refuse('is not an input, textarea or contenteditable element');
    if (kind === 'set') {
      // Date, colour and range inputs take no typing: set through the native setter, as a picker does.
      await callOn(page, h, function (v: string) {
        const el = this as HTMLInputElement;
        Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(el, v);
        el.dispatchEvent(new Event('input', { bubbles: true }));
        el.dispatchEvent(new Event('change', { bubbles: true }));
      }, value);
    } else {
      await page.sendOn(h.sessionId, 'DOM.scrollIntoViewIfNeeded', { objectId: h.objectId }).catch(() => {});
      const before = await callOn(page, h, function (editable: boolean) {
        const el = this as HTMLInputElement;
        el.focus();
        if (editable) {
          const range = document.createRange();
          range.selectNodeContents(el);
          const sel = getSelection()!;
          sel.removeAllRanges();
          sel.addRange(range);
          return el.textContent ?? '';
        }
        el.select();
        return el.value;
      }, kind === 'editable');
      // Real editing: the page sees beforeinput and input as from a keyboard, so
      // framework-controlled inputs take the new value.
      if (value) await page.sendOn(h.sessionId, 'Input.insertText', { text: value });
      else if (before) {
        for (const type of ['rawKeyDown', 'keyUp'] as const) {
          await page.sendOn(h.sessionId, 'Input.dispatchKeyEvent', { type, key: 'Delete', code: 'Delete', windowsVirtualKeyCode: 46 });
        }
      }
      await callOn(page, h, function () { this.dispatchEvent(new Event('change', { bubbles: true })); });
    }
    const now = await callOn(page, h, function () {
      const el = this as HTMLInputElement;
      return el.isContentEditable ? el.textContent ?? '' : el.value;
    });
    return { label, value: now, requested: value };
  },
});

export const press = defineCommand({
  name: 'press',
  summary: 'press a key or chord (Enter, Tab, Escape, ArrowDown, Control+A, Shift+Tab); with a selector or @ref, focus it first',
  target: 'required',
  args: [{ name: 'selector' }, { name: 'key', required: true }],
  options: [FRAME_OPTION],
  parse(args, opts) {
    if (args.length === 0 || args.length > 2) throw usage('press takes a key, optionally after a selector or @ref: cdp press <target> [@e3] Enter');
    const key = args[args.length - 1]!;
    parseChord(key);
    return args.length === 2 ? { selector: args[0]!, key, ...frameParam(opts) } : { key };
  },
  async run(ctx, params: { selector?: string; key: string; frame?: string; timeout?: number }) {
    const chord = parseChord(str(params, 'key'));
    let label: string | undefined;
    if (params.selector !== undefined) {
      const h = await element(ctx, params);
      label = await labelOf(ctx.page, h);
      await callOn(ctx.page, h, function () { (this as HTMLElement).focus(); });
    }
    const result = label ? { key: params.key, label } : { key: params.key };
    return act(ctx.page, actTimeout(params), result, async () => {
      for (const e of chordEvents(chord)) await ctx.page.send('Input.dispatchKeyEvent', e);
    });
  },
});

export const select = defineCommand({
  name: 'select',
  summary: 'choose options of a <select> by value or visible label (several for a multiple select)',
  target: 'required',
  args: [{ name: 'selector', required: true }, { name: 'values', required: true, variadic: true }],
  options: [FRAME_OPTION],
  parse(args, opts) {
    const [selector, ...values] = args;
    if (!selector || !values.length) throw usage('select takes a selector or @ref and the option value or label: cdp select <target> @e4 "Blue"');
    return { selector, values, ...frameParam(opts) };
  },
  async run(ctx, params: { selector: string; values: string[]; frame?: string }) {
    if (!Array.isArray(params.values) || !params.values.length || !params.values.every((v) => typeof v === 'string')) {
      throw usage('"values" must be a non-empty array of strings');
    }
    const h = await element(ctx, params);
    const r = await callOn(ctx.page, h, function (wanted: string[]) {
      const el = this as HTMLSelectElement;
      if (!(el instanceof HTMLSelectElement)) return { error: `is a <${(this as Element).localName}>, not a <select>` };
      if (el.disabled) return { error: 'is disabled' };
      const opts = [...el.options];
      const picked: HTMLOptionElement[] = [];
      for (const w of wanted) {
        const o = opts.find((x) => x.value === w) ?? opts.find((x) => x.label.trim() === w.trim()) ?? opts.find((x) => x.text.trim() === w.trim());
        if (!o) return { error: `has no option with value or label ${JSON.stringify(w)} (options: ${opts.map((x) => JSON.stringify(x.label.trim())).join(', ')})` };
        picked.push(o);
      }
      if (picked.length > 1 && !el.multiple) return { error: 'takes one option (it is not a multiple select)' };
      for (const o of opts) o.selected = picked.includes(o);
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
      return { selected: picked.map((o) => ({ value: o.value, label: o.label.trim() })) };
    }, params.values);
    if ('error' in r) throw new CdpdError('NOT_INTERACTABLE', `Cannot select in ${h.spec}: it ${r.error}.`);
    return r;
  },
});

function checkCommand(name: 'check' | 'uncheck', want: boolean) {
  return defineCommand({
    name,
    summary: want ? 'tick a checkbox or radio (a real click; nothing when it is already ticked)' : 'untick a checkbox (a real click; nothing when it is already clear)',
    target: 'required',
    args: [{ name: 'selector', required: true, variadic: true }],
    options: [FRAME_OPTION],
    parse: (args, opts) => ({ ...selectorArgs(args), ...frameParam(opts) }),
    async run(ctx, params: { selector: string; frame?: string }) {
      const h = await element(ctx, params);
      const state = () => callOn(ctx.page, h, function () {
        const el = this as HTMLInputElement;
        if (el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio')) return el.checked;
        const aria = el.getAttribute('aria-checked');
        return aria === null ? null : aria === 'true';
      });
      const before = await state();
      const label = await labelOf(ctx.page, h);
      if (before === null) throw new CdpdError('NOT_INTERACTABLE', `Cannot ${name} ${h.spec}: ${label} is not a checkbox, radio or aria-checked element.`);
      if (before === want) return { label, checked: want, changed: false };
      const { x, y } = await clickPoint(ctx.page, h);
      await mouseClick(ctx.page, x, y);
      const after = await state();
      if (after !== want) throw new CdpdError('NOT_INTERACTABLE', `Clicked ${label}, but it is still ${after ? 'checked' : 'unchecked'}: the page refused the change.`);
      return { label, checked: want, changed: true };
    },
  });
}

export const check = checkCommand('check', true);
export const uncheck = checkCommand('uncheck', false);

const AMOUNT = /^-?\d+(\.\d+)?$/;

export const scroll = defineCommand({
  name: 'scroll',
  summary: 'scroll the page or an element by pixels ([dx] dy), to top|bottom, or an element into view',
  target: 'required',
  args: [{ name: 'selector' }, { name: 'amount', variadic: true }],
  options: [FRAME_OPTION],
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
  async run(ctx, params: { selector?: string; by?: { dx: number; dy: number }; to?: string; frame?: string }) {
    const by = params.by && Number.isFinite(params.by.dx) && Number.isFinite(params.by.dy) ? params.by : undefined;
    const to = params.to === 'top' || params.to === 'bottom' ? params.to : undefined;
    if (params.selector === undefined) {
      const frame = await resolveFrame(ctx.page, typeof params.frame === 'string' ? params.frame : undefined);
      return callIn(ctx.page, frame, scrollPage, by ?? null, to ?? null);
    }
    const h = await element(ctx, params);
    return callOn(ctx.page, h, scrollElement, by ?? null, to ?? null);
  },
});

type ScrollBy = { dx: number; dy: number } | null;

function scrollPage(d: ScrollBy, end: string | null) {
  const box = document.scrollingElement ?? document.documentElement;
  if (end) box.scrollTo({ top: end === 'top' ? 0 : box.scrollHeight, behavior: 'instant' as ScrollBehavior });
  else if (d) box.scrollBy({ left: d.dx, top: d.dy, behavior: 'instant' as ScrollBehavior });
  return { of: 'page', x: Math.round(scrollX), y: Math.round(scrollY) };
}

function scrollElement(this: Element, d: ScrollBy, end: string | null) {
  if (!d && !end) {
    this.scrollIntoView({ block: 'center', inline: 'center' });
    return { of: 'page', x: Math.round(scrollX), y: Math.round(scrollY) };
  }
  if (end) this.scrollTo({ top: end === 'top' ? 0 : this.scrollHeight, behavior: 'instant' as ScrollBehavior });
  else if (d) this.scrollBy({ left: d.dx, top: d.dy, behavior: 'instant' as ScrollBehavior });
  return { of: 'element', x: Math.round(this.scrollLeft), y: Math.round(this.scrollTop) };
}

export const upload = defineCommand({
  name: 'upload',
  summary: 'set the files of an <input type=file> (paths relative to where cdp runs)',
  target: 'required',
  args: [{ name: 'selector', required: true }, { name: 'files', required: true, variadic: true }],
  options: [FRAME_OPTION],
  parse(args, opts, env) {
    const [selector, ...files] = args;
    if (!selector || !files.length) throw usage('upload takes a selector or @ref and one or more files: cdp upload <target> @e5 ./photo.png');
    return { selector, files: files.map((f) => resolve(env.cwd, f)), ...frameParam(opts) };
  },
  async run(ctx, params: { selector: string; files: string[]; frame?: string }) {
    if (!Array.isArray(params.files) || !params.files.length || !params.files.every((f) => typeof f === 'string' && isAbsolute(f))) {
      throw usage('"files" must be a non-empty array of absolute paths');
    }
    const { stat } = await import('node:fs/promises');
    for (const f of params.files) {
      const st = await stat(f).catch(() => undefined);
      if (!st?.isFile()) throw new CdpdError('FILE_ERROR', `Cannot upload ${f}: no such file`);
    }
    const h = await element(ctx, params);
    const ok = await callOn(ctx.page, h, function () { return this instanceof HTMLInputElement && this.type === 'file'; });
    if (!ok) throw new CdpdError('NOT_INTERACTABLE', `Cannot upload to ${h.spec}: ${await labelOf(ctx.page, h)} is not an <input type=file>.`);
    await ctx.page.sendOn(h.sessionId, 'DOM.setFileInputFiles', { files: params.files, objectId: h.objectId });
    return { files: params.files };
  },
});

/** Mouse moves between press and release of a drag, so pages that track the pointer see a path. */
const DRAG_STEPS = 8;

export const drag = defineCommand({
  name: 'drag',
  summary: 'drag one element onto another with the mouse (press, move, release)',
  target: 'required',
  args: [{ name: 'from', required: true }, { name: 'to', required: true }],
  options: [FRAME_OPTION],
  parse(args, opts) {
    if (args.length !== 2) throw usage('drag takes two selectors or @refs: cdp drag <target> @e3 @e9');
    return { from: args[0]!, to: args[1]!, ...frameParam(opts) };
  },
  async run(ctx, params: { from: string; to: string; frame?: string }) {
    const a = await element(ctx, params, 'from');
    const b = await element(ctx, params, 'to');
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
