/**
 * `snap --diff`: what changed since the tab's last snapshot of the same view (the same
 * -i, --depth, --selector, --frame, --urls) of the same document. Lines are matched by
 * their ref where they have one (refs are stable for an element within a document), by
 * role, name and value where not. Pure, but for the memory of each tab's last snapshots.
 */
import { diffArrays } from 'diff';
import { snapLine, type SnapNode } from './outline.js';

/** One line of a diff, in page order: added, removed, or there in both but changed (`was`). */
export interface DiffLine { op: '+' | '-' | '~'; node: SnapNode; was?: SnapNode }

/** What `snap --diff` says: against what, and what changed. */
export interface SnapDiff {
  /** `same`: a diff of the same document; otherwise why the full snapshot is given. */
  base: 'same' | 'navigated' | 'none' | 'too-many';
  added: number;
  removed: number;
  changed: number;
  lines: DiffLine[];
}

/** Views a tab remembers; the one used longest ago goes first. */
const VIEWS = 8;
/** Past this many edits a diff says less than the snapshot: give that instead. */
export const MAX_EDITS = 2_000;

/**
 * The last snapshot of each view of one tab, per reader: each lease name (`--lease`) has
 * its own, so agents sharing a tab each diff against what they saw; callers with none
 * share the tab's.
 */
export class SnapMemory {
  private readonly views = new Map<string, { doc: string; nodes: SnapNode[] }>();
  private readonly last = new Map<string, object>();

  /** The options of `reader`'s last snapshot (what an action's --snap diffs against). */
  lastOptions(reader = ''): object | undefined {
    return this.last.get(reader);
  }

  /** Remembers `nodes` as the view's last snapshot for `reader`; returns the one before, if any. */
  swap(view: string, doc: string, nodes: SnapNode[], options: object, reader = ''): { doc: string; nodes: SnapNode[] } | undefined {
    const key = `${reader}\n${view}`;
    const before = this.views.get(key);
    this.views.delete(key);
    this.views.set(key, { doc, nodes });
    if (this.views.size > VIEWS) this.views.delete(this.views.keys().next().value!);
    this.last.delete(reader);
    this.last.set(reader, options);
    if (this.last.size > VIEWS) this.last.delete(this.last.keys().next().value!);
    return before;
  }
}

const key = (n: SnapNode) => n.ref ? `@${n.ref}` : `${n.role}|${n.name}|${n.value ?? ''}`;
const text = (n: SnapNode) => snapLine({ ...n, depth: 0 });

/** The diff of a view's snapshot against the one before it. */
export function diffSnapshots(before: { doc: string; nodes: SnapNode[] } | undefined, doc: string, nodes: SnapNode[]): SnapDiff {
  const none: SnapDiff = { base: 'none', added: 0, removed: 0, changed: 0, lines: [] };
  if (!before) return none;
  if (before.doc !== doc) return { ...none, base: 'navigated' };
  const parts = diffArrays(before.nodes.map(key), nodes.map(key), { maxEditLength: MAX_EDITS });
  if (!parts) return { ...none, base: 'too-many' };
  const out: SnapDiff = { base: 'same', added: 0, removed: 0, changed: 0, lines: [] };
  let i = 0;
  let j = 0;
  for (const part of parts) {
    const n = part.count ?? part.value.length;
    if (part.added) {
      for (const node of nodes.slice(j, j + n)) out.lines.push({ op: '+', node });
      out.added += n;
      j += n;
    } else if (part.removed) {
      for (const node of before.nodes.slice(i, i + n)) out.lines.push({ op: '-', node });
      out.removed += n;
      i += n;
    } else {
      for (let k = 0; k < n; k++) {
        const was = before.nodes[i + k]!;
        const now = nodes[j + k]!;
        if (text(was) === text(now)) continue;
        out.lines.push({ op: '~', node: now, was });
        out.changed++;
      }
      i += n;
      j += n;
    }
  }
  return out;
}
