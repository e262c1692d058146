/**
 * The request side of a daemon connection, whatever carries the frames (`ws` for the
 * library, REPL and watch; lib/client/lite-client.ts for one-shot commands): ids, answers matched
 * to their requests, streamed events, and every pending call rejected when it closes.
 */
import { browserGone, CdpdError } from '../protocol/errors.js';
import { CLOSE, type DaemonFrame, type EventFrame, type RequestId, type ResponseFrame, type WelcomeFrame } from '../protocol/wire.js';

/** The daemon's first frame after auth, or the DAEMON_GONE error saying what came instead. */
export function parseWelcome(text: string): WelcomeFrame {
  let frame: DaemonFrame;
  try {
    frame = JSON.parse(text) as DaemonFrame;
  } catch {
    throw new CdpdError('DAEMON_GONE', 'The daemon sent a frame that is not JSON.');
  }
  if (!('type' in frame) || frame.type !== 'welcome') throw new CdpdError('DAEMON_GONE', 'The daemon did not welcome us.');
  return frame;
}

interface Pending { resolve(v: unknown): void; reject(e: unknown): void }

/** Requests in flight on one connection. */
export class Requests {
  private readonly pending = new Map<RequestId, Pending>();
  private readonly eventListeners = new Set<(e: EventFrame) => void>();
  private readonly sendText: (text: string) => void;
  private nextId = 1;
  /** Set once the connection has closed. */
  closeError: CdpdError | undefined;

  constructor(sendText: (text: string) => void) {
    this.sendText = sendText;
  }

  /** Sends a request; hands back its id at once (to `cancel` it), and its answer. */
  start(cmd: string, params: Record<string, unknown>): { id: number; done: Promise<unknown> } {
    const id = this.nextId++;
    if (this.closeError) return { id, done: Promise.reject(this.closeError) };
    const done = new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.sendText(JSON.stringify({ id, cmd, params }));
    });
    return { id, done };
  }

  /** Fails one pending call with `err` (its answer, if it comes later, is dropped). */
  expire(id: RequestId, err: CdpdError): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.reject(err);
  }

  /** Listens to streamed events; returns the unsubscribe. */
  onEvent(fn: (e: EventFrame) => void): () => void {
    this.eventListeners.add(fn);
    return () => this.eventListeners.delete(fn);
  }

  /** Takes in one text frame from the daemon. */
  receive(text: string): void {
    let frame: DaemonFrame;
    try {
      frame = JSON.parse(text) as DaemonFrame;
    } catch {
      return;
    }
    if ('type' in frame && frame.type === 'event') {
      for (const l of this.eventListeners) l(frame);
      return;
    }
    const res = frame as ResponseFrame;
    const p = res.id === null ? undefined : this.pending.get(res.id);
    if (!p) return;
    this.pending.delete(res.id!);
    if (res.ok) p.resolve(res.result);
    else p.reject(CdpdError.fromPayload(res.error));
  }

  /** The connection failed: every pending call, and every later one, rejects with `err`. */
  fail(err: CdpdError): void {
    this.closeError ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  /** The connection closed: every pending call rejects with why, which is returned. */
  closed(code: number, reason: string): CdpdError {
    const err = code === CLOSE.BROWSER_GONE ? browserGone() : new CdpdError('DAEMON_GONE',
      `Connection to the daemon closed before the answer (code ${code}${reason ? `: ${reason}` : ''}). Run the command again; "cdp status" shows the daemon.`,
      { closeCode: code });
    this.fail(err);
    return err;
  }
}
