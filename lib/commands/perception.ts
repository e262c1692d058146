/**
 * Reading the page: `eval`, `html`, `net`, `evalraw` (`snap` is in snapshot.ts).
 */
import { CdpdError } from '../protocol/errors.js';
import { frameField, frameOption, frameParam, joined, usage } from './args.js';
import { callIn, callOn, evaluateIn, locate, mainFrame, resolveFrame } from './elements.js';
import { jsException, type Page } from '../session/page.js';
import { DOCUMENT_HTML, OUTER_HTML, RESOURCE_TIMING } from './inpage.js';
import { defineCommand } from './types.js';
import * as v from '../protocol/schema.js';
import { formatValue, netLine, type Any } from './text.js';

/** An evaluated value: `value` when it serialises, else Chrome's description. */
export interface EvalResult { type: string; subtype?: string; value?: unknown; description?: string }

/**
 * What only Chrome's replMode evaluates: top-level `await`, and `let`/`const`/`class`
 * declared again by a later line (the REPL's). It doubles what Chrome spends on an eval,
 * so an expression with none of these words goes without it. Declarations made in
 * replMode can only be redeclared in replMode, and every declaration names its keyword.
 */
const REPL_MODE_NEEDED = /\b(?:await|let|const|class)\b/;

const BY_DESCRIPTION = new Set(['node', 'function', 'symbol', 'error', 'regexp', 'date', 'map', 'set', 'promise', 'proxy', 'weakmap', 'weakset', 'window']);

export const evaluate = defineCommand({
  name: 'eval',
  summary: 'evaluate JavaScript (promises awaited); objects print as JSON',
  target: 'required',
  args: [{ name: 'expression', required: true, variadic: true }],
  options: [frameOption('evaluate in')],
  params: () => ({ expression: v.string({ missing: 'expression required' }), frame: frameField() }),
  text: (r) => formatValue(r),
  parse(args, opts) {
    const expression = joined(args);
    if (!expression.trim()) throw usage('expression required');
    return { expression, ...frameParam(opts) };
  },
  async run(ctx, params): Promise<EvalResult> {
    const { expression } = params;
    // The main frame needs no lookup: the common case costs no await here.
    const frame = params.frame === undefined ? mainFrame(ctx.page) : await resolveFrame(ctx.page, params.frame);
    // By reference first: primitives arrive in one round trip, and objects can be told
    // apart (a DOM node, a function) before they are serialised.
    let r = await evaluateIn(ctx.page, frame, REPL_MODE_NEEDED.test(expression)
      ? { expression, awaitPromise: true, replMode: true } : { expression, awaitPromise: true });
    // replMode awaits top-level await but hands back a promise that is the completion value.
    if (!r.exceptionDetails && r.result.subtype === 'promise' && r.result.objectId) {
      r = await ctx.page.sendOn(frame.sessionId, 'Runtime.awaitPromise', { promiseObjectId: r.result.objectId });
    }
    if (r.exceptionDetails) throw jsException(r.exceptionDetails);
    const { type, subtype, value, unserializableValue, description, objectId } = r.result;
    const out: EvalResult = { type };
    if (subtype) out.subtype = subtype;
    if (unserializableValue !== undefined) out.description = unserializableValue;
    else if (!objectId) out.value = value;
    else {
      try {
        if (type === 'function' || BY_DESCRIPTION.has(subtype ?? '')) out.description = description ?? '';
        else out.value = await byValue(ctx.page, frame.sessionId, objectId, description);
      } finally {
        ctx.page.sendOn(frame.sessionId, 'Runtime.releaseObject', { objectId }).catch(() => {});
      }
    }
    return out;
  },
});

async function byValue(page: Page, sessionId: string, objectId: string, description: string | undefined): Promise<unknown> {
  try {
    const v = await page.sendOn(sessionId, 'Runtime.callFunctionOn', { objectId, functionDeclaration: 'function () { return this; }', returnByValue: true });
    return v.result.value;
  } catch (err) {
    // Values that do not serialise (cycles, huge graphs) come back by description.
    if (err instanceof CdpdError && err.code === 'CDP_ERROR') return description;
    throw err;
  }
}

export const html = defineCommand({
  name: 'html',
  summary: 'outerHTML of the page, or of the first element matching a selector',
  target: 'required',
  reads: true,
  args: [{ name: 'selector', variadic: true }],
  options: [frameOption('read')],
  params: () => ({ selector: v.string().opt(), frame: frameField() }),
  text: (r) => r.html,
  parse: (args, opts) => ({ ...(args.length ? { selector: joined(args) } : {}), ...frameParam(opts) }),
  async run(ctx, params) {
    const frame = await resolveFrame(ctx.page, params.frame);
    if (params.selector !== undefined) {
      const h = await locate(ctx.page, params.selector, frame);
      return { html: await callOn(ctx.page, h, OUTER_HTML) };
    }
    return { html: await callIn(ctx.page, frame, DOCUMENT_HTML) };
  },
});


export const net = defineCommand({
  name: 'net',
  aliases: ['network'],
  summary: 'resource timing of the page: duration, size, initiator type, name',
  target: 'required',
  reads: true,
  args: [],
  params: () => ({}),
  text: (r) => (r.entries as Any[]).map(netLine).join('\n'),
  parse: () => ({}),
  async run(ctx) {
    return { entries: await ctx.page.call(RESOURCE_TIMING) };
  },
});

/** A CDP method name: Domain.method. */
const cdpMethod = () => v.string({ missing: 'CDP method required (e.g. "DOM.getDocument")' }).refine((method) => {
  if (!/^[A-Z][A-Za-z]*\.[a-zA-Z]+$/.test(method)) throw usage(`CDP method must look like Domain.method, got: ${method.slice(0, 100)}`);
  return method;
});

export const evalraw = defineCommand({
  name: 'evalraw',
  summary: 'send a raw CDP command on the tab\'s session',
  target: 'required',
  args: [{ name: 'method', required: true }, { name: 'json', variadic: true }],
  params: () => ({ method: cdpMethod(), params: v.anyObject().opt() }),
  text: (r) => JSON.stringify(r, null, 2),
  parse(args) {
    const [method, ...rest] = args;
    if (!method) throw usage('CDP method required (e.g. "DOM.getDocument")');
    const text = joined(rest);
    let params: unknown = {};
    if (text.trim()) {
      try {
        params = JSON.parse(text);
      } catch {
        throw usage(`Invalid JSON params: ${text}`);
      }
    }
    if (typeof params !== 'object' || params === null || Array.isArray(params)) throw usage(`CDP params must be a JSON object, got: ${text}`);
    return { method, params: params as Record<string, unknown> };
  },
  async run(ctx, params) {
    return ctx.page.sendRaw(params.method, params.params ?? {});
  },
});
