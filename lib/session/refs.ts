/**
 * Element refs (`e12`) handed out by `snap`. A ref names one DOM node of one document:
 * it is keyed by frame, the frame's document (its loaderId) and the node's backendNodeId,
 * it stays the same across snapshots of that document, and it is never given to another
 * node. After the frame's document changes the ref is stale and is refused, never retargeted.
 */
import { CdpdError } from '../protocol/errors.js';

/** What a ref points at. */
export interface RefEntry {
  ref: string;
  /** The session that hosts the frame (the tab's, or an out-of-process iframe's). */
  sessionId: string;
  frameId: string;
  /** The frame's document when the ref was issued. */
  loaderId: string;
  backendNodeId: number;
}

const REF = /^(?:@|ref=)?(e[1-9]\d{0,8})$/;

/** The ref a selector-or-ref argument names (`@e12`, `e12`, `ref=e12`), else undefined. */
export function parseRef(spec: string): string | undefined {
  return REF.exec(spec.trim())?.[1];
}

/** The refs of one tab. */
export class RefTable {
  private next = 1;
  private readonly byKey = new Map<string, RefEntry>();
  private readonly byRef = new Map<string, RefEntry>();

  /** The ref of a node, issuing a new one the first time it is seen. */
  refFor(sessionId: string, frameId: string, loaderId: string, backendNodeId: number): string {
    const key = `${frameId}|${loaderId}|${backendNodeId}`;
    const have = this.byKey.get(key);
    if (have) return have.ref;
    const entry: RefEntry = { ref: `e${this.next++}`, sessionId, frameId, loaderId, backendNodeId };
    this.byKey.set(key, entry);
    this.byRef.set(entry.ref, entry);
    return entry.ref;
  }

  /** Forgets the refs of a frame's earlier documents (they can only be stale now). */
  retire(frameId: string, currentLoaderId: string): void {
    for (const [key, e] of this.byKey) {
      if (e.frameId === frameId && e.loaderId !== currentLoaderId) {
        this.byKey.delete(key);
        this.byRef.delete(e.ref);
      }
    }
  }

  /** The entry of a ref, or the error that says why it cannot be used. */
  lookup(ref: string, prefix: string): RefEntry {
    const e = this.byRef.get(ref);
    if (e) return e;
    const n = Number(ref.slice(1));
    throw n < this.next ? staleRef(ref, prefix, 'the page has changed since the snapshot that issued it')
      : new CdpdError('STALE_REF', `Unknown ref ${ref}: no snapshot of this tab issued it. Run "cdp snap ${prefix}" and use a ref from its output.`, { ref });
  }
}

/** The error for a ref that no longer names a live element. */
export function staleRef(ref: string, prefix: string, why: string): CdpdError {
  return new CdpdError('STALE_REF', `Ref ${ref} is stale: ${why}. Nothing was done. Run "cdp snap ${prefix}" again and use a fresh ref.`, { ref });
}
