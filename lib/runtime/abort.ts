/**
 * A cheap cancellation token. It does what AbortSignal does for cdpd (a reason, listeners
 * called once) without EventTarget, whose listener bookkeeping cost more per request than
 * the rest of the daemon's work on it.
 */
export class Abort {
  aborted = false;
  reason: unknown = undefined;
  // Most tokens have one listener at a time (a request's one CDP call): it needs no Set.
  private one: ((reason: unknown) => void) | undefined;
  private more: Set<(reason: unknown) => void> | undefined;

  /** Aborts once with `reason`; later calls do nothing. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const { one, more } = this;
    this.one = undefined;
    this.more = undefined;
    one?.(reason);
    if (more) for (const fn of more) fn(reason);
  }

  /** Calls `fn` with the reason when aborted (at once if already); returns the unsubscribe. */
  onAbort(fn: (reason: unknown) => void): () => void {
    if (this.aborted) {
      fn(this.reason);
      return () => {};
    }
    if (this.one === undefined) this.one = fn;
    else (this.more ??= new Set()).add(fn);
    return () => {
      if (this.one === fn) this.one = undefined;
      else this.more?.delete(fn);
    };
  }
}
