/**
 * The accessibility outline, from Chrome's AX nodes to snapshot lines: which nodes show,
 * which deserve a ref, their states, and the line format. Pure: no CDP here.
 */
import type { Protocol } from 'devtools-protocol';

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
  /** A collapsed select's option labels, printed on its line by -i. */
  options?: string[];
}

/** A shown node as the outline builds it, before refs are issued. */
export interface OutlineNode extends SnapNode {
  backend?: number;
  /** The AX node's id. */
  axId: string;
  /** How many shown ancestors it has (what --depth counts). */
  level: number;
  /** Worth a ref: actionable, a heading, an image or an iframe. */
  refable: boolean;
  /** Takes clicks by a listener, cursor or tabindex, whatever its role. */
  clickable: boolean;
  /** An iframe, whose document is inlined after it. */
  iframe: boolean;
}

const HIDDEN_ROLES = new Set(['none', 'generic', 'InlineTextBox']);
/** Deepest indentation of a line (chrome-cdp's). */
export const MAX_DEPTH = 10;

/** Roles a user acts on. */
const ACTIONABLE = new Set(['button', 'link', 'textbox', 'searchbox', 'checkbox', 'radio', 'combobox', 'listbox', 'option',
  'menuitem', 'menuitemcheckbox', 'menuitemradio', 'tab', 'switch', 'slider', 'spinbutton', 'treeitem', 'ComboBoxMenuButton',
  'ComboBoxSelect', 'MenuListOption', 'PopUpButton', 'ToggleButton', 'DisclosureTriangle', 'textField', 'scrollbar', 'gridcell']);
/** Roles that get a ref for pointing at (shot --selector, scroll, --frame). */
const POINTABLE = new Set(['heading', 'image', 'img', 'Iframe', 'IframePresentational']);
/** Roles -i keeps without a ref: headings and landmarks that give the refs their context. */
export const CONTEXT = new Set(['heading', 'banner', 'navigation', 'main', 'contentinfo', 'complementary', 'region', 'form', 'search',
  'dialog', 'alertdialog', 'RootWebArea', 'Iframe']);

type AX = Protocol.Accessibility.AXNode;

/**
 * Runs of whitespace as one space, trimmed: how every name cdp prints reads, whatever
 * whitespace a Chromium version leaves in an accessible name or a title.
 */
export function normalizeName(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

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
    return normalizeName(parts.join(' ')).slice(0, 80);
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
  if (opts.root) visit(opts.root, 0);
  else {
    for (const n of nodes) if (!n.parentId || !byId.has(n.parentId)) visit(n, 0);
    for (const n of nodes) if (!seen.has(n.nodeId)) visit(n, 0);
  }
  return dropEmptyWrappers(out);
}

/**
 * A nameless `[clickable]` around a control that has a ref of its own (a <label> that
 * wraps its checkbox, a div with a listener around a button) says nothing the control's
 * line does not: it goes, and what was under it moves up a level.
 */
function dropEmptyWrappers(lines: OutlineNode[]): OutlineNode[] {
  const out: OutlineNode[] = [];
  // Levels of the wrappers dropped so far that are ancestors of the current line.
  const open: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const n = lines[i]!;
    while (open.length && open[open.length - 1]! >= n.level) open.pop();
    if (n.role === 'clickable' && !n.name && n.value === undefined) {
      let wraps = false;
      for (let j = i + 1; j < lines.length && lines[j]!.level > n.level; j++) if (lines[j]!.refable) wraps = true;
      if (wraps) {
        open.push(n.level);
        continue;
      }
    }
    out.push(open.length ? { ...n, level: n.level - open.length } : n);
  }
  return out;
}

function show(n: AX, depth: number, level: number, opts: OutlineOptions, textOf: (n: AX) => string): OutlineNode | undefined {
  let role = String(n.role?.value ?? '');
  let name = normalizeName(String(n.name?.value ?? ''));
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
    depth: Math.min(depth, MAX_DEPTH), role, name, level, iframe, clickable, axId: n.nodeId,
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

/** Roles -i gives no ref: what an agent reads rather than acts on (headings stay as context). */
const READ_ONLY = new Set(['heading', 'image', 'img', 'LabelText']);
const OPTION_ROLES = new Set(['option', 'MenuListOption']);
/** Options a collapsed select prints on its line before it says how many more there are. */
export const MAX_INLINE_OPTIONS = 25;

/** Whether -i gives the line a ref: actionable, or an iframe (for --frame). */
export function actionable(n: OutlineNode): boolean {
  if (!n.refable) return false;
  if (n.role === 'LabelText') return false;
  return !READ_ONLY.has(n.role) || n.clickable;
}

/**
 * A collapsed select's options, for -i to print on the select's line: the labels of the
 * option lines under `lines[i]` and the index past them; undefined for any other line.
 */
export function collapsedOptions(lines: OutlineNode[], i: number): { options: string[]; next: number } | undefined {
  const n = lines[i]!;
  if (n.role !== 'combobox' || !n.states?.includes('collapsed')) return undefined;
  const options: string[] = [];
  let j = i + 1;
  for (; j < lines.length && lines[j]!.level > n.level; j++) {
    const o = lines[j]!;
    if (OPTION_ROLES.has(o.role)) options.push(o.name);
    else if (o.role !== 'MenuListPopup') return undefined; // not a plain <select>: print its lines
  }
  if (!options.length) return undefined;
  // A long list (countries, years) would be one huge line: its first ones and how many more.
  if (options.length > MAX_INLINE_OPTIONS) {
    const more = options.length - MAX_INLINE_OPTIONS;
    options.length = MAX_INLINE_OPTIONS;
    options.push(`… (+${more})`);
  }
  return { options, next: j };
}

/** One snapshot line: `[role] name = "value" [checked] [ref=e12] -> url`. */
export function snapLine(n: SnapNode): string {
  let s = `${'  '.repeat(n.depth)}[${n.role}]`;
  if (n.name) s += ` ${n.name}`;
  if (n.value !== undefined) s += ` = ${JSON.stringify(n.value)}`;
  if (n.options) s += ` options: ${n.options.join('|')}`;
  for (const st of n.states ?? []) s += ` [${st}]`;
  if (n.ref) s += ` [ref=${n.ref}]`;
  if (n.url) s += ` -> ${n.url}`;
  return s;
}
