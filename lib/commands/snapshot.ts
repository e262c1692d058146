/**
 * `snap`: the accessibility outline with element refs, iframes (out-of-process ones too)
 * inline, and the size controls -i, --depth, --selector, --max-chars, --urls, --frame.
 */
import type { Protocol } from 'devtools-protocol';
import { CdpdError } from '../protocol/errors.js';
import { frameField, frameOption, frameParam, usage } from './args.js';
import * as v from '../protocol/schema.js';
import { findFrame, locate, resolveFrame, type Frame } from './elements.js';
import type { Page } from '../session/page.js';
import { actionable, collapsedOptions, CONTEXT, MAX_DEPTH, outline, snapLine, type OutlineNode, type SnapNode } from '../session/outline.js';
import { diffSnapshots } from '../session/snapdiff.js';
import { defineCommand } from './types.js';
import { snapText } from './text.js';

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

const SNAP = () => ({
  interactive: v.boolean().opt(),
  depth: v.number({ integer: true, min: 0 }).opt(),
  selector: v.string().opt(),
  maxChars: v.number({ integer: true, min: 0 }).opt(),
  urls: v.boolean().opt(),
  frame: frameField(),
  /** Only what changed since the tab's last snapshot of this view. */
  diff: v.boolean().opt(),
});

/** What `snap` takes. */
export type SnapParams = v.Infer<ReturnType<typeof SNAP>>;

/** A frame's outline and the document it is of (refs are issued against that). */
export async function frameOutline(page: Page, frame: Frame, opts: { root?: number; urls?: boolean; what?: string } = {},
  cache = new Map<string, Promise<Set<number>>>()): Promise<{ lines: OutlineNode[]; loaderId: string; nodes: Protocol.Accessibility.AXNode[] }> {
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
  page.refs.retire(frameId, loaderId);
  let start: Protocol.Accessibility.AXNode | undefined;
  if (opts.root !== undefined) {
    start = nodes.find((n) => n.backendDOMNodeId === opts.root);
    if (!start) throw new CdpdError('ELEMENT_NOT_FOUND', `${opts.what ?? 'The element'} has no node in the accessibility tree (it is hidden or not rendered)`);
  }
  return { lines: outline(nodes, { root: start, clickable: click, urls: opts.urls === true }), loaderId, nodes };
}

/** Builds the outline of a frame, its iframes inline, issuing refs; returns the frame's document (loader) id. */
async function snapFrame(page: Page, frame: Frame, base: number, params: SnapParams, root: number | undefined,
  cache: Map<string, Promise<Set<number>>>, out: SnapNode[]): Promise<string> {
  const { sessionId, frameId } = frame;
  const { lines, loaderId } = await frameOutline(page, frame, { root, urls: params.urls === true, what: `--selector ${params.selector}` }, cache);
  const interactive = params.interactive === true;
  // -i indents a line by the printed lines it is under: the levels of those, innermost last.
  const shown: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const n = lines[i]!;
    if (params.depth !== undefined && n.level > params.depth) continue;
    while (shown.length && shown[shown.length - 1]! >= n.level) shown.pop();
    const depth = interactive ? base + shown.length : Math.min(n.depth + base, MAX_DEPTH + base);
    const wantsRef = interactive ? actionable(n) : n.refable;
    const ref = wantsRef && n.backend !== undefined && loaderId ? page.refs.refFor(sessionId, frameId, loaderId, n.backend) : undefined;
    const inline = interactive ? collapsedOptions(lines, i) : undefined;
    if (!interactive || ref !== undefined || CONTEXT.has(n.role)) {
      const node: SnapNode = { depth, role: n.role, name: n.name };
      if (n.value !== undefined) node.value = n.value;
      if (inline) node.options = inline.options;
      const states = inline ? n.states?.filter((st) => st !== 'collapsed') : n.states;
      if (states?.length) node.states = states;
      if (ref) node.ref = ref;
      if (n.url) node.url = n.url;
      out.push(node);
      if (interactive) shown.push(n.level);
    }
    if (n.iframe && n.backend !== undefined && (params.depth === undefined || n.level < params.depth)) {
      const child = await childFrame(page, sessionId, n.backend);
      if (child) await snapFrame(page, child, depth + 1, { ...params, depth: params.depth === undefined ? undefined : params.depth - n.level - 1 }, undefined, cache, out);
    }
    if (inline) i = inline.next - 1;
  }
  return loaderId;
}

/** The frame an iframe element shows, in its own session when it is out of process. */
async function childFrame(page: Page, sessionId: string, backendNodeId: number): Promise<Frame | undefined> {
  const { node } = await page.sendOn(sessionId, 'DOM.describeNode', { backendNodeId }).catch(() => ({ node: undefined }));
  const frameId = node?.frameId;
  if (!frameId) return undefined;
  const oopif = page.oopifSession(frameId);
  return { sessionId: oopif ?? sessionId, frameId };
}

const SNAP_OPTIONS = [
  { flags: '-i, --interactive', summary: 'only what an agent acts on, with refs, under the headings and landmarks around it; a select lists its options inline' },
  { flags: '--depth <n>', summary: 'only this many levels of shown nodes' },
  { flags: '--selector <sel>', summary: 'only the subtree of this element (CSS selector or @ref)' },
  { flags: '--max-chars <n>', summary: 'cut the output at this many characters, saying how much was cut' },
  { flags: '--urls', summary: 'print link targets' },
  { flags: '--diff', summary: "only what changed since this tab's last snapshot with the same options: + added, - removed, ~ changed lines" },
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
  reads: true,
  args: [],
  options: SNAP_OPTIONS,
  params: SNAP,
  text: (r) => snapText(r),
  parse(_args, opts) {
    const p: SnapParams = {};
    if (opts.interactive) p.interactive = true;
    if (opts.urls) p.urls = true;
    if (opts.diff) p.diff = true;
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
  run: (ctx, params) => takeSnapshot(ctx.page, params, ctx.caller.lease),
});

/** A snapshot of the tab as `snap` takes it, remembered as its view's last (for --diff). */
export async function takeSnapshot(page: Page, params: SnapParams, reader?: string) {
  let frame = await resolveFrame(page, params.frame);
  let root: number | undefined;
  if (params.selector !== undefined) {
    const h = await locate(page, params.selector, frame);
    const { node } = await page.sendOn(h.sessionId, 'DOM.describeNode', { objectId: h.objectId });
    root = node.backendNodeId;
    frame = { sessionId: h.sessionId, frameId: h.frameId };
  }
  const nodes: SnapNode[] = [];
  const doc = await snapFrame(page, { sessionId: frame.sessionId, frameId: frame.frameId }, 0, params, root, new Map(), nodes);
  const before = page.snaps.swap(viewOf(params), doc, nodes, params, reader);
  if (params.diff === true) {
    const diff = diffSnapshots(before, doc, nodes);
    if (diff.base === 'same') return { diff };
    return { diff: { base: diff.base }, ...cut(nodes, params.maxChars) };
  }
  return cut(nodes, params.maxChars);
}

/** Which view of a tab a snapshot is: what --diff compares like with like by. */
export function viewOf(p: SnapParams): string {
  return JSON.stringify([p.interactive === true, p.depth ?? null, p.selector ?? null, p.frame ?? null, p.urls === true]);
}

/** The lines within --max-chars, and what was cut. */
function cut(nodes: SnapNode[], max: number | undefined) {
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
}
