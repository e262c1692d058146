/**
 * Form controls by @ref or CSS selector: `fill`, `select`, `check`, `uncheck`, `upload`.
 */
import { resolve } from 'node:path';
import { CdpdError } from '../protocol/errors.js';
import { absolutePath, frameField, frameParam, joined, usage } from './args.js';
import { callOn, clickPoint, labelOf, mouseClick } from './elements.js';
import { element, FRAME_OPTION, selectorField, selectorArgs } from './handles.js';
import * as v from '../protocol/schema.js';
import { CHECKED_STATE, DISPATCH_CHANGE, FIELD_VALUE, FILL_KIND, FOCUS_AND_SELECT, IS_FILE_INPUT, SELECT_OPTIONS, SET_NATIVE_VALUE } from './inpage.js';
import { defineCommand } from './types.js';
import { type Any } from './text.js';

export const fill = defineCommand({
  name: 'fill',
  summary: 'replace the value of an input, textarea or contenteditable as a user would (input and change fire)',
  target: 'required',
  action: true,
  args: [{ name: 'selector', required: true }, { name: 'value', variadic: true }],
  options: [FRAME_OPTION],
  params: () => ({ selector: selectorField(), value: v.string({ empty: true }).opt(), frame: frameField() }),
  text: (r) => r.value === r.requested ? `Filled ${r.label} with ${JSON.stringify(r.value)}`
        : `Filled ${r.label}: asked for ${JSON.stringify(r.requested)}, the field now holds ${JSON.stringify(r.value)}`,
  parse(args, opts) {
    const [selector, ...value] = args;
    if (!selector) throw usage('fill takes a selector or @ref and the value: cdp fill <target> @e3 "text"');
    return { selector, value: joined(value), ...frameParam(opts) };
  },
  async run(ctx, params) {
    const value = params.value ?? '';
    const h = await element(ctx.page, params.selector, params.frame);
    const page = ctx.page;
    const kind = await callOn(page, h, FILL_KIND);
    const label = await labelOf(page, h);
    const refuse = (why: string) => new CdpdError('NOT_INTERACTABLE', `Cannot fill ${h.spec}: ${label} ${why}.`);
    if (kind === 'select') throw refuse('is a <select>: use cdp select');
    if (kind === 'checkable') throw refuse('is a checkbox or radio: use cdp check or cdp uncheck');
    if (kind === 'file') throw refuse('is a file input: use cdp upload');
    if (kind === 'readonly') throw refuse('is read-only or disabled');
    if (kind === 'other') throw refuse('is not an input, textarea or contenteditable element');
    if (kind === 'set') {
      // Date, colour and range inputs take no typing: set through the native setter, as a picker does.
      await callOn(page, h, SET_NATIVE_VALUE, value);
    } else {
      await page.sendOn(h.sessionId, 'DOM.scrollIntoViewIfNeeded', { objectId: h.objectId }).catch(() => {});
      const before = await callOn(page, h, FOCUS_AND_SELECT, kind === 'editable');
      // Real editing: the page sees beforeinput and input as from a keyboard, so
      // framework-controlled inputs take the new value.
      if (value) await page.sendOn(h.sessionId, 'Input.insertText', { text: value });
      else if (before) {
        for (const type of ['rawKeyDown', 'keyUp'] as const) {
          await page.sendOn(h.sessionId, 'Input.dispatchKeyEvent', { type, key: 'Delete', code: 'Delete', windowsVirtualKeyCode: 46 });
        }
      }
      await callOn(page, h, DISPATCH_CHANGE);
    }
    const now = await callOn(page, h, FIELD_VALUE);
    return { label, value: now, requested: value };
  },
});

export const select = defineCommand({
  name: 'select',
  summary: 'choose options of a <select> by value or visible label (several for a multiple select)',
  target: 'required',
  action: true,
  args: [{ name: 'selector', required: true }, { name: 'values', required: true, variadic: true }],
  options: [FRAME_OPTION],
  params: () => ({ selector: selectorField(), values: v.list(v.string({ empty: true }), { min: 1 }), frame: frameField() }),
  text: (r) => `Selected ${(r.selected as Any[]).map((o) => JSON.stringify(o.label)).join(', ')}`,
  parse(args, opts) {
    const [selector, ...values] = args;
    if (!selector || !values.length) throw usage('select takes a selector or @ref and the option value or label: cdp select <target> @e4 "Blue"');
    return { selector, values, ...frameParam(opts) };
  },
  async run(ctx, params) {
    const h = await element(ctx.page, params.selector, params.frame);
    const r = await callOn(ctx.page, h, SELECT_OPTIONS, params.values);
    if ('error' in r) throw new CdpdError('NOT_INTERACTABLE', `Cannot select in ${h.spec}: it ${r.error}.`);
    return r;
  },
});

function checkCommand(name: 'check' | 'uncheck', want: boolean) {
  return defineCommand({
    name,
    summary: want ? 'tick a checkbox or radio (a real click; nothing when it is already ticked)' : 'untick a checkbox (a real click; nothing when it is already clear)',
    target: 'required',
    action: true,
    args: [{ name: 'selector', required: true, variadic: true }],
    options: [FRAME_OPTION],
    params: () => ({ selector: selectorField(), frame: frameField() }),
    text: (r) => `${r.changed ? (r.checked ? 'Checked' : 'Unchecked') : `Already ${r.checked ? 'checked' : 'unchecked'}:`} ${r.label}`,
    parse: (args, opts) => ({ ...selectorArgs(args), ...frameParam(opts) }),
    async run(ctx, params) {
      const h = await element(ctx.page, params.selector, params.frame);
      const state = () => callOn(ctx.page, h, CHECKED_STATE);
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

export const upload = defineCommand({
  name: 'upload',
  summary: 'set the files of an <input type=file> (paths relative to where cdp runs)',
  target: 'required',
  action: true,
  args: [{ name: 'selector', required: true }, { name: 'files', required: true, variadic: true }],
  options: [FRAME_OPTION],
  params: () => ({ selector: selectorField(), files: v.list(absolutePath('a file to upload'), { min: 1 }), frame: frameField() }),
  text: (r) => `Set ${r.files.length} file(s): ${r.files.join(', ')}`,
  parse(args, opts, env) {
    const [selector, ...files] = args;
    if (!selector || !files.length) throw usage('upload takes a selector or @ref and one or more files: cdp upload <target> @e5 ./photo.png');
    return { selector, files: files.map((f) => resolve(env.cwd, f)), ...frameParam(opts) };
  },
  async run(ctx, params) {
    const { stat } = await import('node:fs/promises');
    for (const f of params.files) {
      const st = await stat(f).catch(() => undefined);
      if (!st?.isFile()) throw new CdpdError('FILE_ERROR', `Cannot upload ${f}: no such file`);
    }
    const h = await element(ctx.page, params.selector, params.frame);
    const ok = await callOn(ctx.page, h, IS_FILE_INPUT);
    if (!ok) throw new CdpdError('NOT_INTERACTABLE', `Cannot upload to ${h.spec}: ${await labelOf(ctx.page, h)} is not an <input type=file>.`);
    await ctx.page.sendOn(h.sessionId, 'DOM.setFileInputFiles', { files: params.files, objectId: h.objectId });
    return { files: params.files };
  },
});
