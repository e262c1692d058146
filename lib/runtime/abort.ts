/**
 * A cheap cancellation token. It does what AbortSignal does for cdpd (a reason, listeners
 * called once) without EventTarget, whose listener bookkeeping cost more per request than
 * the rest of the daemon's work on it.
 */
export class Abort {
  aborted = false;
  reason: unknown = undefined;
  private listeners: Set<(reason: unknown) => void> | undefined;

  /** Aborts once with `reason`; later calls do nothing. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners) for (const fn of listeners) fn(reason);
  }

  /** Calls `fn` with the reason when aborted (at once if already); returns the unsubscribe. */
  onAbort(fn: (reason: unknown) => void): () => void {
    if (this.aborted) {
      fn(this.reason);
      return () => {};
    }
    (this.listeners ??= new Set()).add(fn);
    return () => {
      this.listeners?.delete(fn);
    };
  }
}
