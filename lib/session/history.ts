/**
 * Event history per tab: bounded rings for console + errors and for network, kept across
 * navigations with a marker, each entry numbered so `--since <id>` can pick up after it.
 */
import { DEFAULT_HISTORY } from '../runtime/settings.js';
import type { PageEvent } from './events.js';

/** Entries kept per ring unless CDP_HISTORY says otherwise. */
export const HISTORY_SIZE = DEFAULT_HISTORY;

/** One history entry. */
export interface Entry {
  /** Increases across the daemon's life; never reused. */
  id: number;
  /** `console`, `error`, `request` (a network record) or `navigation` (the marker). */
  kind: 'console' | 'error' | 'request' | 'navigation';
  /** Wall-clock ms. */
  time: number;
  data: Record<string, unknown>;
  /** A request's headers, post data and peer (`request <t> <#id>`); not listed by `requests`. */
  detail?: Record<string, unknown>;
}

/** A ring buffer that counts what it dropped. */
export class Ring<T> {
  private items: T[] = [];
  private head = 0;
  dropped = 0;
  private readonly capacity: number;
  private readonly onEvict: ((item: T) => void) | undefined;

  constructor(capacity: number, onEvict?: (item: T) => void) {
    this.capacity = Math.max(1, capacity);
    this.onEvict = onEvict;
  }

  push(item: T): void {
    if (this.items.length < this.capacity) {
      this.items.push(item);
      return;
    }
    this.onEvict?.(this.items[this.head]!);
    this.items[this.head] = item;
    this.head = (this.head + 1) % this.capacity;
    this.dropped++;
  }

  /** The entry `pick` finds, newest first. */
  find(pick: (item: T) => boolean): T | undefined {
    for (let i = this.items.length - 1; i >= 0; i--) {
      const item = this.items[(this.head + i) % this.items.length]!;
      if (pick(item)) return item;
    }
    return undefined;
  }

  /** Oldest first. */
  toArray(): T[] {
    return [...this.items.slice(this.head), ...this.items.slice(0, this.head)];
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.dropped = 0;
  }
}

/** The history of one tab. */
export class TabHistory {
  readonly console: Ring<Entry>;
  readonly network: Ring<Entry>;
  private readonly open = new Map<string, Entry>();
  private readonly nextId: () => number;

  constructor(nextId: () => number, size = HISTORY_SIZE) {
    this.nextId = nextId;
    this.console = new Ring(size);
    this.network = new Ring(size, (e) => this.open.delete(String(e.data.requestId)));
  }

  /** Takes in one page event. */
  record(ev: PageEvent): void {
    const time = typeof ev.data.timestamp === 'number' ? ev.data.timestamp : Date.now();
    const entry = (kind: Entry['kind'], data: Record<string, unknown>): Entry => ({ id: this.nextId(), kind, time, data });
    switch (ev.event) {
      case 'console':
      case 'error':
        this.console.push(entry(ev.event, ev.data));
        return;
      case 'navigation':
        if (ev.data.main && !ev.data.sameDocument) {
          const marker = entry('navigation', { url: ev.data.url });
          this.console.push(marker);
          this.network.push({ ...marker });
        }
        return;
      case 'request': {
        const e = entry('request', { ...ev.data, state: 'pending' });
        if (ev.detail) e.detail = { ...ev.detail };
        this.open.set(String(ev.data.requestId), e);
        this.network.push(e);
        return;
      }
      // Headers in: status known, body still coming (it may never end: a stream, a poll).
      // Finished or failed: the record is complete and leaves the open set.
      case 'response':
      case 'requestfinished':
      case 'requestfailed': {
        const id = String(ev.data.requestId);
        const e = this.open.get(id);
        const state = ev.event === 'response' ? 'loading' : ev.event === 'requestfinished' ? 'done' : 'failed';
        const { timestamp: _, ...data } = ev.data;
        if (e) {
          Object.assign(e.data, data, { state });
          if (ev.detail) e.detail = { ...e.detail, ...ev.detail };
        } else {
          const fresh = entry('request', { ...ev.data, state });
          if (ev.detail) fresh.detail = { ...ev.detail };
          this.network.push(fresh);
          if (state === 'loading') this.open.set(id, fresh);
          return;
        }
        if (state !== 'loading') this.open.delete(id);
        return;
      }
      default:
    }
  }
}
