/**
 * Frames and elements of a tab: `--frame` resolution (same-process and out-of-process
 * iframes), selector-or-ref lookup that refuses stale refs, and the point a real mouse
 * event must hit (checked against whatever covers it).
 */
import type { Protocol } from 'devtools-protocol';
import { CdpdError } from '../protocol/errors.js';
import { usage } from './args.js';
import { jsException, type Page } from '../session/page.js';
import { parseRef, staleRef } from '../session/refs.js';
import { DEEP_QUERY, IS_CONNECTED, PROBE, type PageScript } from './inpage.js';
import { shortId } from '../protocol/ids.js';

/** A frame as cdp reaches it: the session that hosts it and, below a session's root, its context. */
export interface Frame { sessionId: string; frameId: string; contextId?: number }

/** A live element: a remote object in its frame's session. */
export interface Handle { sessionId: string; frameId: string; objectId: string; spec: string }

/** The tab's main frame (its id is the target's). */
export function mainFrame(page: Page): Frame {
  return { sessionId: page.sessionId, frameId: page.targetId };
}

function isSessionRoot(page: Page, sessionId: string, frameId: string): boolean {
  return sessionId === page.sessionId ? frameId === page.targetId : page.oopifSession(frameId) === sessionId;
}

function rootFrameOf(page: Page, sessionId: string): string {
  if (sessionId === page.sessionId) return page.targetId;
  for (const [frameId, s] of page.oopifs()) if (s === sessionId) return frameId;
  throw new CdpdError('TARGET_CLOSED', 'The iframe went away while the command ran.');
}

/** The frame a frame id denotes, as seen from the session that reported it. */
async function frameById(page: Page, sessionId: string, frameId: string): Promise<Frame> {
  const oopif = page.oopifSession(frameId);
  if (oopif) return { sessionId: oopif, frameId };
  if (isSessionRoot(page, sessionId, frameId)) return { sessionId, frameId };
  let contextId = page.mainContext(sessionId, frameId);
  if (contextId === undefined) {
    // No main-world context reported yet: an isolated world still sees the frame's DOM.
    ({ executionContextId: contextId } = await page.sendOn(sessionId, 'Page.createIsolatedWorld', { frameId, worldName: 'cdpd' }));
  }
  return { sessionId, frameId, contextId };
}

interface FrameNode { frame: Protocol.Page.Frame; childFrames?: FrameNode[] }

function* walkTree(node: FrameNode): Generator<Protocol.Page.Frame> {
  yield node.frame;
  for (const c of node.childFrames ?? []) yield* walkTree(c);
}

/** Every frame of the tab with its session, the main frame first, in document order per session. */
export async function allFrames(page: Page): Promise<Array<{ sessionId: string; frame: Protocol.Page.Frame }>> {
  const sessions = [page.sessionId, ...page.oopifs().map(([, s]) => s)];
  const trees = await Promise.all(sessions.map((s) => page.sendOn(s, 'Page.getFrameTree').catch(() => undefined)));
  const out: Array<{ sessionId: string; frame: Protocol.Page.Frame }> = [];
  trees.forEach((t, i) => {
    if (t) for (const frame of walkTree(t.frameTree)) out.push({ sessionId: sessions[i]!, frame });
  });
  return out;
}

/** A frame of a frame tree by id. */
export function findFrame(tree: FrameNode, frameId: string): Protocol.Page.Frame | undefined {
  for (const f of walkTree(tree)) if (f.id === frameId) return f;
  return undefined;
}

/** The document (loaderId) a frame shows now, or undefined when the frame is gone. */
async function loaderOf(page: Page, sessionId: string, frameId: string): Promise<string | undefined> {
  const tree = await page.sendOn(sessionId, 'Page.getFrameTree').catch(() => undefined);
  return tree ? findFrame(tree.frameTree, frameId)?.loaderId : undefined;
}

/** `--frame <selector|@ref|url-substring>`: the iframe an agent means. */
export async function resolveFrame(page: Page, spec: string | undefined): Promise<Frame> {
  if (spec === undefined) return mainFrame(page);
  let owner: Handle | undefined;
  if (parseRef(spec)) owner = await locate(page, spec);
  else {
    try {
      owner = await locate(page, spec);
    } catch (err) {
      if (!(err instanceof CdpdError) || (err.code !== 'ELEMENT_NOT_FOUND' && err.code !== 'USAGE')) throw err;
    }
  }
  if (owner) {
    const { node } = await page.sendOn(owner.sessionId, 'DOM.describeNode', { objectId: owner.objectId });
    if (!node.frameId || !['iframe', 'frame'].includes(node.localName)) {
      throw usage(`--frame ${spec} is a <${node.localName}>, not an iframe`);
    }
    return frameById(page, owner.sessionId, node.frameId);
  }
  const frames = (await allFrames(page)).filter((f) => f.frame.id !== page.targetId);
  const hit = frames.find((f) => f.frame.url.includes(spec));
  if (!hit) {
    const have = frames.map((f) => `  ${f.frame.url}`).join('\n');
    throw new CdpdError('ELEMENT_NOT_FOUND', `No iframe matches --frame ${spec} (a selector, @ref or part of its URL). ` +
      (have ? `Frames of this tab:\n${have}` : 'This tab has no iframes.'));
  }
  return frameById(page, hit.sessionId, hit.frame.id);
}

/** Runtime.evaluate in a frame. */
export function evaluateIn(page: Page, frame: Frame, params: Protocol.Runtime.EvaluateRequest): Promise<Protocol.Runtime.EvaluateResponse> {
  return page.sendOn(frame.sessionId, 'Runtime.evaluate', frame.contextId === undefined ? params : { ...params, contextId: frame.contextId });
}

/** Runs `fn` in a frame with JSON-encoded arguments (never interpolated as code) and returns its value. */
export async function callIn<A extends unknown[], T>(page: Page, frame: Frame, fn: PageScript<A, T>, ...args: A): Promise<T> {
  const expression = `(${fn})(...${JSON.stringify(args)})`;
  const r = await evaluateIn(page, frame, { expression, returnByValue: true, awaitPromise: true, userGesture: true });
  if (r.exceptionDetails) throw jsException(r.exceptionDetails);
  return r.result.value as T;
}

/** Runs `fn` with the element as `this`, JSON arguments, and returns its value. */
export async function callOn<A extends unknown[], T>(page: Page, h: Pick<Handle, 'sessionId' | 'objectId'>,
  fn: PageScript<A, T>, ...args: A): Promise<T> {
  const r = await page.sendOn(h.sessionId, 'Runtime.callFunctionOn', {
    objectId: h.objectId, functionDeclaration: fn, arguments: args.map((value) => ({ value })),
    returnByValue: true, awaitPromise: true, userGesture: true,
  });
  if (r.exceptionDetails) throw jsException(r.exceptionDetails);
  return r.result.value as T;
}

/**
 * The element a selector or ref names. A ref from an earlier document, of a removed node,
 * or never issued is refused with STALE_REF; nothing else is ever picked in its place.
 */
export async function locate(page: Page, spec: string, frame?: Frame): Promise<Handle> {
  const ref = parseRef(spec);
  const prefix = shortId(page.targetId);
  if (ref) {
    const e = page.refs.lookup(ref, prefix);
    const loader = await loaderOf(page, e.sessionId, e.frameId);
    if (loader !== e.loaderId) {
      throw staleRef(ref, prefix, loader ? 'the page has navigated or reloaded since the snapshot that issued it' : 'its frame is gone');
    }
    let objectId: string | undefined;
    try {
      ({ object: { objectId } } = await page.sendOn(e.sessionId, 'DOM.resolveNode', { backendNodeId: e.backendNodeId }));
    } catch (err) {
      if (err instanceof CdpdError && err.code === 'CDP_ERROR') throw staleRef(ref, prefix, 'its element is gone');
      throw err;
    }
    if (!objectId) throw staleRef(ref, prefix, 'its element is gone');
    const h = { sessionId: e.sessionId, frameId: e.frameId, objectId, spec: ref };
    if (!(await callOn(page, h, IS_CONNECTED))) {
      throw staleRef(ref, prefix, 'its element was removed from the page');
    }
    return h;
  }
  const where = frame ?? mainFrame(page);
  const r = await evaluateIn(page, where, { expression: `(${DEEP_QUERY})(${JSON.stringify(spec)})` });
  if (r.exceptionDetails) {
    const err = jsException(r.exceptionDetails);
    if (/SyntaxError|is not a valid selector/.test(err.message)) throw usage(`Invalid CSS selector: ${spec} (refs look like @e12)`);
    throw err;
  }
  if (!r.result.objectId || r.result.subtype === 'null') throw new CdpdError('ELEMENT_NOT_FOUND', `Element not found: ${spec}`);
  return { sessionId: where.sessionId, frameId: where.frameId, objectId: r.result.objectId, spec };
}

function corner(quad: number[]): [number, number] {
  return [Math.min(quad[0]!, quad[2]!, quad[4]!, quad[6]!), Math.min(quad[1]!, quad[3]!, quad[5]!, quad[7]!)];
}

/** The owners of the out-of-process iframes between an element's session and the tab, innermost first. */
async function owners(page: Page, sessionId: string): Promise<Array<{ sessionId: string; backendNodeId: number }>> {
  const out: Array<{ sessionId: string; backendNodeId: number }> = [];
  for (let s = sessionId; s !== page.sessionId;) {
    const parent = page.parentSession(s);
    if (!parent) throw new CdpdError('TARGET_CLOSED', 'The iframe went away while the command ran.');
    const { backendNodeId } = await page.sendOn(parent, 'DOM.getFrameOwner', { frameId: rootFrameOf(page, s) });
    out.push({ sessionId: parent, backendNodeId });
    s = parent;
  }
  return out;
}

function notInteractable(spec: string, why: string): CdpdError {
  return new CdpdError('NOT_INTERACTABLE', `Cannot act on ${spec}: ${why}.`);
}

/**
 * Scrolls an element into view and returns the point, in the tab's CSS pixels, where a
 * real mouse event lands on it; refuses when something else covers that point.
 */
export async function clickPoint(page: Page, h: Handle): Promise<{ x: number; y: number; label: string }> {
  const outer = await owners(page, h.sessionId);
  for (const o of [...outer].reverse()) {
    await page.sendOn(o.sessionId, 'DOM.scrollIntoViewIfNeeded', { backendNodeId: o.backendNodeId }).catch(() => {});
  }
  await page.sendOn(h.sessionId, 'DOM.scrollIntoViewIfNeeded', { objectId: h.objectId }).catch(() => {});
  const p = await callOn(page, h, PROBE);
  if (p.error) throw notInteractable(h.spec, p.error);
  const cover = (by: string) => notInteractable(h.spec, `${p.label} is covered by ${by} at (${Math.round(p.x)}, ${Math.round(p.y)}), ` +
    'which would take the click. Close or move what covers it, or use --js to click without the mouse');
  if (p.covered) throw cover(p.covered);
  const { model } = await page.sendOn(h.sessionId, 'DOM.getBoxModel', { objectId: h.objectId });
  const [bx, by] = corner(model.border);
  let x = p.x - p.left + bx;
  let y = p.y - p.top + by;
  for (const o of outer) {
    const { model: m } = await page.sendOn(o.sessionId, 'DOM.getBoxModel', { backendNodeId: o.backendNodeId });
    x += m.content[0]!;
    y += m.content[1]!;
    const { object } = await page.sendOn(o.sessionId, 'DOM.resolveNode', { backendNodeId: o.backendNodeId });
    const [obx, oby] = corner(m.border);
    const q = await callOn(page, { sessionId: o.sessionId, objectId: object.objectId! }, PROBE, x, y, obx, oby);
    if (q.covered) throw cover(q.covered);
  }
  return { x, y, label: p.label };
}

/** A readable label of an element: `<button id="go"> "Submit"`. */
export function labelOf(page: Page, h: Handle): Promise<string> {
  return callOn(page, h, PROBE).then((p) => p.label);
}

/** Real mouse clicks at a point of the tab. */
export async function mouseClick(page: Page, x: number, y: number, count = 1, button: Protocol.Input.MouseButton = 'left'): Promise<void> {
  await page.send('Input.dispatchMouseEvent', { type: 'mouseMoved', x, y });
  for (let n = 1; n <= count; n++) {
    await page.send('Input.dispatchMouseEvent', { type: 'mousePressed', x, y, button, clickCount: n });
    await page.send('Input.dispatchMouseEvent', { type: 'mouseReleased', x, y, button, clickCount: n });
  }
}
