/**
 * Watch subscriptions: every page event goes to every subscriber that asked for its tab
 * and kind. A subscriber that stops reading never stalls the daemon: once its socket has
 * HIGH_WATER bytes queued, its events are counted instead of queued, and when it has
 * drained to LOW_WATER it gets one `dropped` event with the count. Loss is never silent.
 * A watch of every tab drops across tabs: its `dropped` event names no tab (target null)
 * and counts per tab in `data.targets`.
 */
import type { PageEvent } from '../session/events.js';
import type { Tabs } from '../session/tabs.js';
import type { StreamControl, WatchSpec } from '../commands/types.js';
import type { RequestId } from '../protocol/wire.js';
import type { ClientConnection } from './server.js';

/** Bytes queued for one client before its events are dropped (and counted). */
export const HIGH_WATER = 8 * 1024 * 1024;
/** Bytes queued below which a dropping client is sent its `dropped` count. */
export const LOW_WATER = 1024 * 1024;

interface Sub {
  id: RequestId;
  conn: ClientConnection;
  spec: WatchSpec;
  dropped: number;
  /** For a watch of every tab: what was dropped of each. */
  droppedBy: Map<string, number> | undefined;
  timer: NodeJS.Timeout | undefined;
}

/** All subscriptions of a daemon. */
export class Subscriptions {
  private readonly subs = new Set<Sub>();
  private readonly tabs: Tabs;

  constructor(tabs: Tabs) {
    this.tabs = tabs;
    tabs.onPageEvent((targetId, ev) => this.fanOut(targetId, ev));
  }

  /** The stream control one request of `conn` gets; `id` becomes the subscription id. */
  control(conn: ClientConnection, id: RequestId): StreamControl {
    // A small object per request (every request gets one; few use it): its methods are shared.
    return new Control(this, conn, id);
  }

  /** Starts streaming `spec`'s events to `conn`, tagged `id`. */
  watch(conn: ClientConnection, id: RequestId, spec: WatchSpec): RequestId {
    const sub: Sub = { id, conn, spec, dropped: 0, droppedBy: spec.targetId === undefined ? new Map() : undefined, timer: undefined };
    this.subs.add(sub);
    conn.onClose(() => this.remove(sub));
    this.syncAutoAttach();
    return id;
  }

  /** Ends `conn`'s subscription `subId`; false if it has none by that id. */
  unwatch(conn: ClientConnection, subId: string | number): boolean {
    for (const s of this.subs) {
      if (s.conn === conn && s.id === subId) {
        this.remove(s);
        return true;
      }
    }
    return false;
  }

  /** Subscriptions right now. */
  get count(): number {
    return this.subs.size;
  }

  private remove(sub: Sub): void {
    clearInterval(sub.timer);
    this.subs.delete(sub);
    this.syncAutoAttach();
  }

  private syncAutoAttach(): void {
    this.tabs.attachNewPages([...this.subs].some((s) => s.spec.targetId === undefined));
  }

  private fanOut(targetId: string, ev: PageEvent): void {
    for (const sub of this.subs) {
      if (sub.spec.targetId !== undefined && sub.spec.targetId !== targetId) continue;
      // A watcher of one tab always hears that its tab is gone, and its watch ends.
      const ending = sub.spec.targetId !== undefined && ev.event === 'target' && ev.data.action === 'destroyed';
      if (ending || sub.spec.kinds.has(ev.event)) this.deliver(sub, targetId, ev);
      if (ending) this.remove(sub);
    }
  }

  private deliver(sub: Sub, targetId: string, ev: PageEvent): void {
    if (sub.dropped > 0 || sub.conn.bufferedAmount() > HIGH_WATER) {
      sub.dropped++;
      if (sub.droppedBy) sub.droppedBy.set(targetId, (sub.droppedBy.get(targetId) ?? 0) + 1);
      sub.timer ??= setInterval(() => this.flushDropped(sub), 50);
      return;
    }
    sub.conn.send({ type: 'event', sub: sub.id, target: targetId, event: ev.event, data: ev.data });
  }

  private flushDropped(sub: Sub): void {
    if (sub.conn.bufferedAmount() > LOW_WATER) return;
    clearInterval(sub.timer);
    sub.timer = undefined;
    const count = sub.dropped;
    sub.dropped = 0;
    if (sub.droppedBy) {
      const targets = Object.fromEntries(sub.droppedBy);
      sub.droppedBy.clear();
      sub.conn.send({ type: 'event', sub: sub.id, target: null, event: 'dropped', data: { count, targets } });
    } else {
      sub.conn.send({ type: 'event', sub: sub.id, target: sub.spec.targetId!, event: 'dropped', data: { count } });
    }
  }
}

/** One request's stream control. */
class Control implements StreamControl {
  constructor(private readonly subs: Subscriptions, private readonly conn: ClientConnection, private readonly id: RequestId) {}

  watch(spec: WatchSpec): string | number {
    return this.subs.watch(this.conn, this.id, spec);
  }

  unwatch(sub: string | number): boolean {
    return this.subs.unwatch(this.conn, sub);
  }
}
