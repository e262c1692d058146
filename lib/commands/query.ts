/**
 * Cheap questions, so an agent need not snapshot to check one thing: `get` (text, value,
 * attr, count, box), `is` (visible, enabled, checked) and `find` (by role, text or label,
 * answering with refs).
 */
import type { Protocol } from 'devtools-protocol';
import { CdpdError } from '../protocol/errors.js';
import { frameField, frameOption, frameParam, joined, usage } from './args.js';
import * as v from '../protocol/schema.js';
import { callIn, callOn, locate, resolveFrame } from './elements.js';
import { FRAME_OPTION, selectorField } from './handles.js';
import { COUNT, READ, STATE, type Reading } from './inpage-read.js';
import { actionable, collapsedOptions, normalizeName, type OutlineNode, type SnapNode } from '../session/outline.js';
import { parseRef } from '../session/refs.js';
import { frameOutline } from './snapshot.js';
import { defineCommand } from './types.js';
import { getText, type Any } from './text.js';
import { snapLine } from '../session/outline.js';

type AXNode = Protocol.Accessibility.AXNode;

const GETS = ['text', 'value', 'attr', 'count', 'box'] as const;
type Get = typeof GETS[number];

const GET = () => ({ what: v.oneOf(GETS), selector: selectorField(), name: v.string().opt(), frame: frameField() });

export const get = defineCommand({
  name: 'get',
  summary: 'read one thing of an element: text | value | attr <name> | count | box (CSS selector or @ref)',
  target: 'required',
  reads: true,
  args: [{ name: 'what', required: true }, { name: 'selector', required: true, variadic: true }],
  options: [FRAME_OPTION],
  params: GET,
  text: (r) => getText(r),
  parse(args, opts) {
    const [what, ...rest] = args;
    if (!GETS.includes(what as Get)) throw usage(`get takes ${GETS.join(', ')}, then a selector or @ref: cdp get <target> text @e3`);
    let name: string | undefined;
    if (what === 'attr') {
      name = rest.shift();
      if (!name) throw usage('get attr takes the attribute name, then a selector or @ref: cdp get <target> attr href @e3');
    }
    const selector = joined(rest);
    if (!selector.trim()) throw usage(`get ${what} needs a selector or @ref`);
    return { what: what as Get, selector, ...(name ? { name } : {}), ...frameParam(opts) };
  },
  async run(ctx, params) {
    const { what, selector } = params;
    if (what === 'attr' && params.name === undefined) throw usage('get attr takes the attribute name');
    const frame = params.frame ? await resolveFrame(ctx.page, params.frame) : undefined;
    if (what === 'count') {
      if (parseRef(selector)) {
        await locate(ctx.page, selector, frame);
        return { what, selector, value: 1 };
      }
      try {
        return { what, selector, value: await callIn(ctx.page, frame ?? await resolveFrame(ctx.page, undefined), COUNT, selector) };
      } catch (err) {
        if (err instanceof CdpdError && /SyntaxError|is not a valid selector/.test(err.message)) throw usage(`Invalid CSS selector: ${selector} (refs look like @e12)`);
        throw err;
      }
    }
    const h = await locate(ctx.page, selector, frame);
    const r: Reading = await callOn(ctx.page, h, READ, what, params.name ?? null);
    const value = 'text' in r ? r.text : 'value' in r ? r.value : 'attr' in r ? r.attr : r.box;
    return { what, selector, ...(params.name ? { name: params.name } : {}), value };
  },
});

const STATES = ['visible', 'enabled', 'checked'] as const;
type State = typeof STATES[number];

export const is = defineCommand({
  name: 'is',
  summary: 'true or false: is an element visible | enabled | checked (a selector that matches nothing is not visible)',
  target: 'required',
  reads: true,
  args: [{ name: 'state', required: true }, { name: 'selector', required: true, variadic: true }],
  options: [FRAME_OPTION],
  params: () => ({ state: v.oneOf(STATES), selector: selectorField(), frame: frameField() }),
  text: (r) => String(r.value),
  parse(args, opts) {
    const [state, ...rest] = args;
    if (!STATES.includes(state as State)) throw usage(`is takes ${STATES.join(', ')}, then a selector or @ref: cdp is <target> visible @e3`);
    const selector = joined(rest);
    if (!selector.trim()) throw usage(`is ${state} needs a selector or @ref`);
    return { state: state as State, selector, ...frameParam(opts) };
  },
  async run(ctx, params) {
    const { state, selector } = params;
    const frame = params.frame ? await resolveFrame(ctx.page, params.frame) : undefined;
    let h;
    try {
      h = await locate(ctx.page, selector, frame);
    } catch (err) {
      // Nothing there is not visible; a ref that went stale is still an error.
      if (state === 'visible' && err instanceof CdpdError && err.code === 'ELEMENT_NOT_FOUND') return { state, selector, value: false };
      throw err;
    }
    const value = await callOn(ctx.page, h, STATE, state);
    if (typeof value === 'string') throw new CdpdError('NOT_INTERACTABLE', `Cannot tell whether ${selector} is ${state}: ${value}.`);
    return { state, selector, value };
  },
});

const FINDS = ['role', 'text', 'label'] as const;
type Find = typeof FINDS[number];

const FIND = () => ({ by: v.oneOf(FINDS), query: v.string().refine((q) => {
  if (!q.trim()) throw usage('"query" must say what to look for');
  return q;
}), name: v.string().opt(), exact: v.boolean().opt(), frame: frameField() });

/** What `find` takes. */
type FindParams = v.Infer<ReturnType<typeof FIND>>;

const ROLE_ALIASES: Record<string, string> = { img: 'image', textfield: 'textbox' };

export const find = defineCommand({
  name: 'find',
  summary: 'elements by role <role> [--name <text>] | text <text> | label <text>, as snapshot lines with refs',
  target: 'required',
  reads: true,
  args: [{ name: 'by', required: true }, { name: 'query', required: true, variadic: true }],
  options: [
    { flags: '--name <text>', summary: 'with role: only elements whose accessible name contains this' },
    { flags: '--exact', summary: 'names and text match whole and case-sensitively (default: a case-insensitive part)' },
    frameOption('look in'),
  ],
  params: FIND,
  text: (r) => (r.nodes as Any[]).map((n) => snapLine(n as never)).join('\n'),
  parse(args, opts) {
    const [by, ...rest] = args;
    if (!FINDS.includes(by as Find)) throw usage('find takes role <role> [--name <text>], text <text> or label <text>: cdp find <target> role button --name Save');
    const query = joined(rest);
    if (!query.trim()) throw usage(`find ${by} needs ${by === 'role' ? 'a role (button, link, textbox, …)' : 'the text to look for'}`);
    const p: FindParams = { by: by as Find, query };
    if (opts.name !== undefined) {
      if (by !== 'role' || typeof opts.name !== 'string' || !opts.name) throw usage('--name goes with find role, and takes the text of the name');
      p.name = opts.name;
    }
    if (opts.exact) p.exact = true;
    return { ...p, ...frameParam(opts) };
  },
  async run(ctx, params) {
    const { by, query } = params;
    const frame = await resolveFrame(ctx.page, params.frame);
    const { lines, loaderId, nodes: ax } = await frameOutline(ctx.page, frame);
    const want = normalizeName(by === 'role' ? params.name ?? '' : query);
    const matches = (name: string) => !want || (params.exact ? name === want : name.toLowerCase().includes(want.toLowerCase()));
    const role = by === 'role' ? (ROLE_ALIASES[query.toLowerCase()] ?? query).toLowerCase() : '';
    const hits: OutlineNode[] = [];
    const options = new Map<OutlineNode, string[]>();
    for (let i = 0; i < lines.length; i++) {
      const n = lines[i]!;
      let hit: OutlineNode | undefined;
      if (by === 'role') hit = n.role.toLowerCase() === role && matches(n.name) ? n : undefined;
      else if (by === 'label') hit = n.role !== 'StaticText' && actionable(n) && matches(n.name) ? n : undefined;
      else if (matches(n.name)) hit = n.role === 'StaticText' ? owner(ax, n) : n;
      if (hit && hit.backend !== undefined && hit.role !== 'RootWebArea' && !hits.some((x) => x.backend === hit!.backend)) {
        hits.push(hit);
        const inline = hit === n ? collapsedOptions(lines, i) : undefined;
        if (inline) options.set(n, inline.options);
      }
    }
    if (!hits.length) {
      const what = by === 'role' ? `role ${query}${params.name ? ` named "${params.name}"` : ''}` : `${by} "${query}"`;
      throw new CdpdError('ELEMENT_NOT_FOUND', `No element with ${what} in this ${params.frame ? 'frame' : 'tab'} (cdp snap -i shows what there is).`);
    }
    const nodes: SnapNode[] = hits.map((n) => {
      const node: SnapNode = { depth: 0, role: n.role, name: n.name };
      if (n.value !== undefined) node.value = n.value;
      const inline = options.get(n);
      if (inline) node.options = inline;
      const states = inline ? n.states?.filter((st) => st !== 'collapsed') : n.states;
      if (states?.length) node.states = states;
      if (loaderId) node.ref = ctx.page.refs.refFor(frame.sessionId, frame.frameId, loaderId, n.backend!);
      return node;
    });
    return { by, query, nodes };
  },
});

/** The element a text node is the text of: its nearest AX ancestor that is an element. */
function owner(nodes: AXNode[], text: OutlineNode): OutlineNode | undefined {
  const byId = new Map(nodes.map((n) => [n.nodeId, n]));
  let n = byId.get(text.axId);
  for (; n; n = n.parentId ? byId.get(n.parentId) : undefined) {
    const role = String(n.role?.value ?? '');
    if (n.backendDOMNodeId !== undefined && !n.ignored && role !== 'StaticText' && role !== 'InlineTextBox') break;
  }
  if (!n) return undefined;
  const name = normalizeName(String(n.name?.value ?? '')) || text.name;
  return { depth: 0, level: 0, role: String(n.role?.value), name, axId: n.nodeId, backend: n.backendDOMNodeId!, refable: true, clickable: false, iframe: false };
}
