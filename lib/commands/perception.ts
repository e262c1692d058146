/**
 * Reading the page: `snap` (the accessibility outline), `eval`, `html`, `net`, `evalraw`.
 */
import type { Protocol } from 'devtools-protocol';
import { CdpdError } from '../protocol/errors.js';
import { joined, str, usage } from './args.js';
import { jsException, type Page } from './page.js';
import { defineCommand } from './types.js';

/** One shown line of a snapshot. */
export interface SnapNode { depth: number; role: string; name: string; value?: string | number | boolean }

const HIDDEN_ROLES = new Set(['none', 'generic', 'InlineTextBox']);
const MAX_DEPTH = 10;

/**
 * chrome-cdp's compact outline: roles none/generic/InlineTextBox and nodes with neither
 * name nor value are hidden, but still count for depth; children follow `childIds`, then
 * parent-linked nodes not yet seen; orphans come last at depth 0.
 */
export function outline(nodes: Protocol.Accessibility.AXNode[]): SnapNode[] {
  const byId = new Map(nodes.map((n) => [n.nodeId, n]));
  const childrenOf = new Map<string, Protocol.Accessibility.AXNode[]>();
  for (const n of nodes) {
    if (n.parentId && byId.has(n.parentId)) {
      const list = childrenOf.get(n.parentId) ?? [];
      list.push(n);
      childrenOf.set(n.parentId, list);
    }
  }
  const seen = new Set<string>();
  const out: SnapNode[] = [];
  const visit = (root: Protocol.Accessibility.AXNode, rootDepth: number) => {
    const stack: Array<[Protocol.Accessibility.AXNode, number]> = [[root, rootDepth]];
    while (stack.length) {
      const [n, depth] = stack.pop()!;
      if (seen.has(n.nodeId)) continue;
      seen.add(n.nodeId);
      const line = show(n, depth);
      if (line) out.push(line);
      const kids: Protocol.Accessibility.AXNode[] = [];
      for (const id of n.childIds ?? []) {
        const c = byId.get(id);
        if (c && !seen.has(id)) kids.push(c);
      }
      for (const c of childrenOf.get(n.nodeId) ?? []) if (!kids.includes(c) && !seen.has(c.nodeId)) kids.push(c);
      for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i]!, depth + 1]);
    }
  };
  for (const n of nodes) if (!n.parentId || !byId.has(n.parentId)) visit(n, 0);
  for (const n of nodes) if (!seen.has(n.nodeId)) visit(n, 0);
  return out;
}

function show(n: Protocol.Accessibility.AXNode, depth: number): SnapNode | undefined {
  const role = String(n.role?.value ?? '');
  if (n.ignored || HIDDEN_ROLES.has(role)) return undefined;
  const name = String(n.name?.value ?? '');
  const raw = n.value?.value;
  const hasValue = raw !== undefined && raw !== null && raw !== '';
  if (!name && !hasValue) return undefined;
  const node: SnapNode = { depth: Math.min(depth, MAX_DEPTH), role, name };
  if (hasValue) node.value = raw as string | number | boolean;
  return node;
}

export const snap = defineCommand({
  name: 'snap',
  aliases: ['snapshot'],
  summary: 'compact accessibility outline: [role] name = "value"',
  target: 'required',
  args: [],
  parse: () => ({}),
  async run(ctx) {
    const { nodes } = await ctx.page.send('Accessibility.getFullAXTree', {});
    return { nodes: outline(nodes) };
  },
});

/** An evaluated value: `value` when it serialises, else Chrome's description. */
export interface EvalResult { type: string; subtype?: string; value?: unknown; description?: string }

const BY_DESCRIPTION = new Set(['node', 'function', 'symbol', 'error', 'regexp', 'date', 'map', 'set', 'promise', 'proxy', 'weakmap', 'weakset', 'window']);

export const evaluate = defineCommand({
  name: 'eval',
  summary: 'evaluate JavaScript (promises awaited); objects print as JSON',
  target: 'required',
  args: [{ name: 'expression', required: true, variadic: true }],
  parse(args) {
    const expression = joined(args);
    if (!expression.trim()) throw usage('expression required');
    return { expression };
  },
  async run(ctx, params: { expression: string }): Promise<EvalResult> {
    const expression = str(params, 'expression');
    // By reference first: primitives arrive in one round trip, and objects can be told
    // apart (a DOM node, a function) before they are serialised.
    let r = await ctx.page.send('Runtime.evaluate', { expression, awaitPromise: true, replMode: true, userGesture: true });
    // replMode awaits top-level await but hands back a promise that is the completion value.
    if (!r.exceptionDetails && r.result.subtype === 'promise' && r.result.objectId) {
      r = await ctx.page.send('Runtime.awaitPromise', { promiseObjectId: r.result.objectId });
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
        else out.value = await byValue(ctx.page, objectId, description);
      } finally {
        ctx.page.send('Runtime.releaseObject', { objectId }).catch(() => {});
      }
    }
    return out;
  },
});

async function byValue(page: Page, objectId: string, description: string | undefined): Promise<unknown> {
  try {
    const v = await page.send('Runtime.callFunctionOn', { objectId, functionDeclaration: 'function () { return this; }', returnByValue: true });
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
  args: [{ name: 'selector', variadic: true }],
  parse: (args) => (args.length ? { selector: joined(args) } : {}),
  async run(ctx, params: { selector?: string }) {
    const selector = typeof params.selector === 'string' && params.selector ? params.selector : null;
    const found = await ctx.page.call((sel: string | null) => {
      const el = sel ? document.querySelector(sel) : document.documentElement;
      return el ? el.outerHTML : null;
    }, selector);
    if (found === null) throw new CdpdError('ELEMENT_NOT_FOUND', `Element not found: ${selector}`);
    return { html: found };
  },
});

/** One resource timing entry. */
export interface NetEntry { duration: number; size: number; type: string; name: string }

export const net = defineCommand({
  name: 'net',
  aliases: ['network'],
  summary: 'resource timing of the page: duration, size, initiator type, name',
  target: 'required',
  args: [],
  parse: () => ({}),
  async run(ctx) {
    const entries = await ctx.page.call(() => performance.getEntriesByType('resource').map((e) => {
      const r = e as PerformanceResourceTiming;
      return { duration: Math.round(r.duration), size: r.transferSize || r.encodedBodySize || 0, type: r.initiatorType, name: r.name };
    }));
    return { entries: entries as NetEntry[] };
  },
});

export const evalraw = defineCommand({
  name: 'evalraw',
  summary: 'send a raw CDP command on the tab\'s session',
  target: 'required',
  args: [{ name: 'method', required: true }, { name: 'json', variadic: true }],
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
  async run(ctx, params: { method: string; params?: Record<string, unknown> }) {
    const method = str(params, 'method', 'CDP method');
    if (!/^[A-Z][A-Za-z]*\.[a-zA-Z]+$/.test(method)) throw usage(`CDP method must look like Domain.method, got: ${method}`);
    const p = params.params ?? {};
    if (typeof p !== 'object' || p === null || Array.isArray(p)) throw usage('"params" must be an object');
    return ctx.page.sendRaw(method, p);
  },
});
