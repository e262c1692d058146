/**
 * Reading the page: `snap` (the accessibility outline), `eval`, `html`, `net`, `evalraw`.
 */
import type { Protocol } from 'devtools-protocol';
import { CdpdError } from '../protocol/errors.js';
import { frameOption, frameParam, joined, str, usage } from './args.js';
import { callIn, callOn, evaluateIn, locate, resolveFrame, type Frame } from './elements.js';
import { jsException, type Page } from './page.js';
import { defineCommand } from './types.js';

/** One shown line of a snapshot. */
export interface SnapNode {
  depth: number;
  role: string;
  name: string;
  value?: string | number | boolean;
  /** checked, disabled, expanded, …: what an agent needs before it acts. */
  states?: string[];
  /** The element ref actions take (`@e12`). */
  ref?: string;
  /** A link's target, with --urls. */
  url?: string;
}

/** A shown node as the outline builds it, before refs are issued. */
export interface OutlineNode extends SnapNode {
  backend?: number;
  /** How many shown ancestors it has (what --depth counts). */
  level: number;
  /** Worth a ref: actionable, a heading, an image or an iframe. */
  refable: boolean;
  /** An iframe, whose document is inlined after it. */
  iframe: boolean;
}

const HIDDEN_ROLES = new Set(['none', 'generic', 'InlineTextBox']);
const MAX_DEPTH = 10;

/** Roles a user acts on. */
const ACTIONABLE = new Set(['button', 'link', 'textbox', 'searchbox', 'checkbox', 'radio', 'combobox', 'listbox', 'option',
  'menuitem', 'menuitemcheckbox', 'menuitemradio', 'tab', 'switch', 'slider', 'spinbutton', 'treeitem', 'ComboBoxMenuButton',
  'ComboBoxSelect', 'MenuListOption', 'PopUpButton', 'ToggleButton', 'DisclosureTriangle', 'textField', 'scrollbar', 'gridcell']);
/** Roles that get a ref for pointing at (shot --selector, scroll, --frame), and that give -i its context. */
const POINTABLE = new Set(['heading', 'image', 'img', 'Iframe', 'IframePresentational']);
const CONTEXT = new Set(['heading', 'banner', 'navigation', 'main', 'contentinfo', 'complementary', 'region', 'form', 'search',
  'dialog', 'alertdialog', 'RootWebArea', 'Iframe']);

type AX = Protocol.Accessibility.AXNode;

function prop(n: AX, name: string): unknown {
  return n.properties?.find((p) => p.name === name)?.value.value;
}

function states(n: AX): string[] {
  const out: string[] = [];
  const checked = prop(n, 'checked') ?? prop(n, 'pressed');
  if (checked === 'true' || checked === true) out.push(prop(n, 'pressed') !== undefined ? 'pressed' : 'checked');
  if (checked === 'mixed') out.push('mixed');
  if (prop(n, 'disabled') === true) out.push('disabled');
  const expanded = prop(n, 'expanded');
  if (expanded === true) out.push('expanded');
  if (expanded === false) out.push('collapsed');
  if (prop(n, 'selected') === true) out.push('selected');
  if (prop(n, 'focused') === true && n.role?.value !== 'RootWebArea') out.push('focused');
  if (prop(n, 'required') === true) out.push('required');
  return out;
}

/** What to build an outline with. */
export interface OutlineOptions {
  /** Start from this node only (--selector). */
  root?: AX;
  /** DOM nodes clickable without a semantic role (listeners, cursor:pointer, tabindex). */
  clickable?: Set<number>;
  urls?: boolean;
}

/**
 * chrome-cdp's compact outline: roles none/generic/InlineTextBox and nodes with neither
 * name nor value are hidden, but still count for depth; children follow `childIds`, then
 * parent-linked nodes not yet seen; orphans come last at depth 0. Elements clickable
 * without a role are shown too, as `clickable`, named by their text.
 */
export function outline(nodes: AX[], opts: OutlineOptions = {}): OutlineNode[] {
  const byId = new Map(nodes.map((n) => [n.nodeId, n]));
  const childrenOf = new Map<string, AX[]>();
  for (const n of nodes) {
    if (n.parentId && byId.has(n.parentId)) {
      const list = childrenOf.get(n.parentId) ?? [];
      list.push(n);
      childrenOf.set(n.parentId, list);
    }
  }
  const kidsOf = (n: AX): AX[] => {
    const kids: AX[] = [];
    for (const id of n.childIds ?? []) {
      const c = byId.get(id);
      if (c) kids.push(c);
    }
    for (const c of childrenOf.get(n.nodeId) ?? []) if (!kids.includes(c)) kids.push(c);
    return kids;
  };
  const textOf = (n: AX): string => {
    const parts: string[] = [];
    const stack = [n];
    let length = 0;
    while (stack.length && length < 80) {
      const x = stack.pop()!;
      if (x.role?.value === 'StaticText' && x.name?.value) {
        parts.push(String(x.name.value));
        length += String(x.name.value).length;
      }
      const kids = kidsOf(x);
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
    }
    return parts.join(' ').replace(/\s+/g, ' ').trim().slice(0, 80);
  };
  const seen = new Set<string>();
  const out: OutlineNode[] = [];
  const visit = (root: AX, rootDepth: number) => {
    const stack: Array<[AX, number, number]> = [[root, rootDepth, 0]];
    while (stack.length) {
      const [n, depth, level] = stack.pop()!;
      if (seen.has(n.nodeId)) continue;
      seen.add(n.nodeId);
      const line = show(n, depth, level, opts, textOf);
      if (line) out.push(line);
      const kids = kidsOf(n).filter((c) => !seen.has(c.nodeId));
      for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i]!, depth + 1, line ? level + 1 : level]);
    }
  };
  if (opts.root) {
    visit(opts.root, 0);
    return out;
  }
  for (const n of nodes) if (!n.parentId || !byId.has(n.parentId)) visit(n, 0);
  for (const n of nodes) if (!seen.has(n.nodeId)) visit(n, 0);
  return out;
}

function show(n: AX, depth: number, level: number, opts: OutlineOptions, textOf: (n: AX) => string): OutlineNode | undefined {
  let role = String(n.role?.value ?? '');
  let name = String(n.name?.value ?? '');
  const backend = n.backendDOMNodeId;
  const clickable = backend !== undefined && opts.clickable?.has(backend) === true;
  const iframe = role === 'Iframe' || role === 'IframePresentational';
  const raw = n.value?.value;
  const hasValue = raw !== undefined && raw !== null && raw !== '';
  const semantic = !n.ignored && !HIDDEN_ROLES.has(role);
  if (semantic && !iframe && !name && !hasValue) {
    if (!clickable) return undefined;
  } else if (!semantic) {
    if (!clickable) return undefined;
    role = 'clickable';
  }
  if (clickable && !name) name = textOf(n);
  const focusable = prop(n, 'focusable') === true && role !== 'RootWebArea';
  const node: OutlineNode = {
    depth: Math.min(depth, MAX_DEPTH), role, name, level, iframe,
    refable: backend !== undefined && (ACTIONABLE.has(role) || POINTABLE.has(role) || clickable || focusable),
  };
  if (backend !== undefined) node.backend = backend;
  if (hasValue) node.value = raw as string | number | boolean;
  const st = n.ignored ? [] : states(n);
  if (st.length) node.states = st;
  if (opts.urls && role === 'link') {
    const url = prop(n, 'url');
    if (typeof url === 'string' && url) node.url = url;
  }
  return node;
}

/** One snapshot line: `[role] name = "value" [checked] [ref=e12] -> url`. */
export function snapLine(n: SnapNode): string {
  let s = `${'  '.repeat(n.depth)}[${n.role}]`;
  if (n.name) s += ` ${n.name}`;
  if (n.value !== undefined) s += ` = ${JSON.stringify(n.value)}`;
  for (const st of n.states ?? []) s += ` [${st}]`;
  if (n.ref) s += ` [ref=${n.ref}]`;
  if (n.url) s += ` -> ${n.url}`;
  return s;
}

/**
 * The DOM nodes of a session's documents that take clicks without a role: click
 * listeners or onclick, cursor:pointer (where the parent's is not), or a tabindex.
 */
async function clickables(page: Page, sessionId: string): Promise<Set<number>> {
  const snap = await page.sendOn(sessionId, 'DOMSnapshot.captureSnapshot', { computedStyles: ['cursor'] });
  const out = new Set<number>();
  const pointer = snap.strings.indexOf('pointer');
  const tabindex = snap.strings.indexOf('tabindex');
  const onclick = snap.strings.indexOf('onclick');
  for (const doc of snap.documents) {
    const { nodes, layout } = doc;
    const cursor = new Map<number, number>();
    layout.nodeIndex.forEach((node, i) => cursor.set(node, layout.styles[i]?.[0] ?? -1));
    const ids = nodes.backendNodeId ?? [];
    const parents = nodes.parentIndex ?? [];
    const types = nodes.nodeType ?? [];
    // Elements only: the text inside a clickable element is not a target of its own.
    const element = (i: number) => types[i] === 1 && cursor.has(i);
    for (const i of nodes.isClickable?.index ?? []) if (element(i)) out.add(ids[i]!);
    if (pointer >= 0) {
      for (const [i, c] of cursor) {
        if (element(i) && c === pointer && cursor.get(parents[i] ?? -1) !== pointer) out.add(ids[i]!);
      }
    }
    (nodes.attributes ?? []).forEach((attrs, i) => {
      if (!element(i)) return;
      for (let k = 0; k < attrs.length; k += 2) if (attrs[k] === tabindex || attrs[k] === onclick) out.add(ids[i]!);
    });
  }
  return out;
}

/** What `snap` takes. */
export interface SnapParams {
  interactive?: boolean;
  depth?: number;
  selector?: string;
  maxChars?: number;
  urls?: boolean;
  frame?: string;
}

/** Builds the outline of a frame, its iframes inline, issuing refs. */
async function snapFrame(page: Page, frame: Frame, base: number, params: SnapParams, root: number | undefined,
  cache: Map<string, Promise<Set<number>>>, out: SnapNode[]): Promise<void> {
  const { sessionId, frameId } = frame;
  let clickable = cache.get(sessionId);
  if (!clickable) {
    clickable = clickables(page, sessionId).catch(() => new Set<number>());
    cache.set(sessionId, clickable);
  }
  const [{ nodes }, tree, click] = await Promise.all([
    page.sendOn(sessionId, 'Accessibility.getFullAXTree', { frameId }),
    page.sendOn(sessionId, 'Page.getFrameTree'),
    clickable,
  ]);
  const loaderId = findFrame(tree.frameTree, frameId)?.loaderId ?? '';
  page.tab.refs.retire(frameId, loaderId);
  let start: AX | undefined;
  if (root !== undefined) {
    start = nodes.find((n) => n.backendDOMNodeId === root);
    if (!start) throw new CdpdError('ELEMENT_NOT_FOUND', `--selector ${params.selector} has no node in the accessibility tree (it is hidden or not rendered)`);
  }
  const lines = outline(nodes, { root: start, clickable: click, urls: params.urls === true });
  for (const n of lines) {
    const depth = Math.min(n.depth + base, MAX_DEPTH + base);
    if (params.depth !== undefined && n.level > params.depth) continue;
    const ref = n.refable && n.backend !== undefined && loaderId ? page.tab.refs.refFor(sessionId, frameId, loaderId, n.backend) : undefined;
    const keep = !params.interactive || ref !== undefined || CONTEXT.has(n.role);
    if (keep) {
      const node: SnapNode = { depth, role: n.role, name: n.name };
      if (n.value !== undefined) node.value = n.value;
      if (n.states) node.states = n.states;
      if (ref) node.ref = ref;
      if (n.url) node.url = n.url;
      out.push(node);
    }
    if (n.iframe && n.backend !== undefined && (params.depth === undefined || n.level < params.depth)) {
      const child = await childFrame(page, sessionId, n.backend);
      if (child) await snapFrame(page, child, depth + 1, { ...params, depth: params.depth === undefined ? undefined : params.depth - n.level - 1 }, undefined, cache, out);
    }
  }
}

function findFrame(node: { frame: Protocol.Page.Frame; childFrames?: Array<{ frame: Protocol.Page.Frame }> }, id: string): Protocol.Page.Frame | undefined {
  if (node.frame.id === id) return node.frame;
  for (const c of node.childFrames ?? []) {
    const f = findFrame(c, id);
    if (f) return f;
  }
  return undefined;
}

/** The frame an iframe element shows, in its own session when it is out of process. */
async function childFrame(page: Page, sessionId: string, backendNodeId: number): Promise<Frame | undefined> {
  const { node } = await page.sendOn(sessionId, 'DOM.describeNode', { backendNodeId }).catch(() => ({ node: undefined }));
  const frameId = node?.frameId;
  if (!frameId) return undefined;
  const oopif = page.tab.frames.get(frameId);
  return { sessionId: oopif ?? sessionId, frameId };
}

const SNAP_OPTIONS = [
  { flags: '-i, --interactive', summary: 'only elements with refs, plus the headings and landmarks around them' },
  { flags: '--depth <n>', summary: 'only this many levels of shown nodes' },
  { flags: '--selector <sel>', summary: 'only the subtree of this element (CSS selector or @ref)' },
  { flags: '--max-chars <n>', summary: 'cut the output at this many characters, saying how much was cut' },
  { flags: '--urls', summary: 'print link targets' },
  frameOption('snapshot only'),
];

function count(raw: unknown, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw usage(`${flag} takes a whole number, got: ${String(raw)}`);
  return n;
}

export const snap = defineCommand({
  name: 'snap',
  aliases: ['snapshot'],
  summary: 'accessibility outline with element refs: [role] name = "value" [ref=e12]; iframes inline',
  target: 'required',
  args: [],
  options: SNAP_OPTIONS,
  parse(_args, opts): SnapParams {
    const p: SnapParams = {};
    if (opts.interactive) p.interactive = true;
    if (opts.urls) p.urls = true;
    const depth = count(opts.depth, '--depth');
    if (depth !== undefined) p.depth = depth;
    const max = count(opts.maxChars, '--max-chars');
    if (max !== undefined) p.maxChars = max;
    if (opts.selector !== undefined) {
      if (typeof opts.selector !== 'string' || !opts.selector) throw usage('--selector needs a CSS selector or @ref');
      p.selector = opts.selector;
    }
    Object.assign(p, frameParam(opts));
    return p;
  },
  async run(ctx, params: SnapParams) {
    const page = ctx.page;
    let frame = await resolveFrame(page, typeof params.frame === 'string' ? params.frame : undefined);
    let root: number | undefined;
    if (typeof params.selector === 'string' && params.selector) {
      const h = await locate(page, params.selector, frame);
      const { node } = await page.sendOn(h.sessionId, 'DOM.describeNode', { objectId: h.objectId });
      root = node.backendNodeId;
      frame = { sessionId: h.sessionId, frameId: h.frameId };
    }
    const nodes: SnapNode[] = [];
    await snapFrame(page, { sessionId: frame.sessionId, frameId: frame.frameId }, 0, params, root, new Map(), nodes);
    const max = typeof params.maxChars === 'number' ? params.maxChars : undefined;
    if (max === undefined) return { nodes };
    let used = 0;
    let keep = 0;
    let total = 0;
    let full = false;
    for (const n of nodes) {
      const len = snapLine(n).length + 1;
      total += len;
      if (!full && used + len <= max) {
        used += len;
        keep++;
      } else full = true;
    }
    if (keep === nodes.length) return { nodes };
    return { nodes: nodes.slice(0, keep), truncated: { shownChars: used, totalChars: total, shownNodes: keep, totalNodes: nodes.length } };
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
  options: [frameOption('evaluate in')],
  parse(args, opts) {
    const expression = joined(args);
    if (!expression.trim()) throw usage('expression required');
    return { expression, ...frameParam(opts) };
  },
  async run(ctx, params: { expression: string; frame?: string }): Promise<EvalResult> {
    const expression = str(params, 'expression');
    const frame = await resolveFrame(ctx.page, typeof params.frame === 'string' ? params.frame : undefined);
    // By reference first: primitives arrive in one round trip, and objects can be told
    // apart (a DOM node, a function) before they are serialised.
    let r = await evaluateIn(ctx.page, frame, { expression, awaitPromise: true, replMode: true });
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
  args: [{ name: 'selector', variadic: true }],
  options: [frameOption('read')],
  parse: (args, opts) => ({ ...(args.length ? { selector: joined(args) } : {}), ...frameParam(opts) }),
  async run(ctx, params: { selector?: string; frame?: string }) {
    const frame = await resolveFrame(ctx.page, typeof params.frame === 'string' ? params.frame : undefined);
    const selector = typeof params.selector === 'string' && params.selector ? params.selector : null;
    if (selector !== null) {
      const h = await locate(ctx.page, selector, frame);
      return { html: await callOn(ctx.page, h, function () { return this.outerHTML; }) };
    }
    return { html: await callIn(ctx.page, frame, () => document.documentElement.outerHTML) };
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
