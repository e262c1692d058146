/**
 * Page events: CDP events of an attached tab turned into the protocol's kinds
 * (console, error, request, response, requestfinished, requestfailed, navigation, load,
 * dialog). Pure per-tab state: requests in flight, so a response carries its method and a
 * finished request its size and timing.
 *
 * A response is reported when its headers arrive (Network.responseReceived), not when its
 * body ends: a body the page never reads, an event stream or a long poll may never end.
 * Its size and duration follow in `requestfinished` at Network.loadingFinished.
 */
import type { Protocol } from 'devtools-protocol';
import type { RawEvent } from '../cdp/connection.js';
import type { EventKind } from '../protocol/wire.js';

/**
 * One page event as the protocol carries it. `detail` is what a tab's history keeps of a
 * request beyond what watchers get (headers, post data, the peer): `request <t> <#id>`.
 */
export interface PageEvent { event: EventKind; data: Record<string, unknown>; detail?: Record<string, unknown> }

/** Where translated events go: a CDP event may stand for none, one or two. */
export type EventSink = (ev: PageEvent) => void;

/** Event groups a watcher may name, besides the kinds themselves. */
export const EVENT_GROUPS: Record<string, EventKind[]> = {
  console: ['console'],
  error: ['error'],
  errors: ['error'],
  network: ['request', 'response', 'requestfailed'],
  request: ['request'],
  response: ['response'],
  requestfinished: ['requestfinished'],
  requestfailed: ['requestfailed'],
  nav: ['navigation', 'load'],
  navigation: ['navigation'],
  load: ['load'],
  dialog: ['dialog'],
  target: ['target'],
};

/**
 * Kinds a watcher gets only by naming them: `requestfinished` repeats every response with
 * its size and timing, which most watchers do not want twice.
 */
const BY_NAME_ONLY = new Set<EventKind>(['requestfinished']);

/** Expands kinds and groups; undefined or empty means every kind but those asked for by name. Unknown names throw. */
export function expandKinds(names: readonly string[] | undefined): Set<EventKind> {
  if (!names || names.length === 0) return new Set(Object.values(EVENT_GROUPS).flat().filter((k) => !BY_NAME_ONLY.has(k)));
  const out = new Set<EventKind>();
  for (const n of names) {
    const kinds = EVENT_GROUPS[n.trim().toLowerCase()];
    if (!kinds) throw new Error(`unknown event kind "${n}": use ${Object.keys(EVENT_GROUPS).filter((k) => k !== 'errors').join(', ')}`);
    for (const k of kinds) out.add(k);
  }
  return out;
}

/** A RemoteObject as console text, the way DevTools shows simple values. */
export function remoteText(o: Protocol.Runtime.RemoteObject): string {
  if (o.type === 'string') return String(o.value);
  if (o.unserializableValue !== undefined) return o.unserializableValue;
  if (o.type === 'undefined') return 'undefined';
  if (o.value !== undefined && (o.type !== 'object' || o.value === null)) return String(o.value);
  if (o.preview && o.type === 'object' && !o.subtype) {
    const props = o.preview.properties.map((p) => `${p.name}: ${p.type === 'string' ? JSON.stringify(p.value) : p.value}`);
    return `{${props.join(', ')}${o.preview.overflow ? ', …' : ''}}`;
  }
  return o.description ?? o.type;
}

/** Resource types that stay open for good: they count against neither network idle nor an action's receipt wait. */
export const LONG_LIVED = new Set(['EventSource', 'WebSocket']);

/** What a request's record keeps of its response besides status and type. */
function responseDetail(r: Protocol.Network.Response): Record<string, unknown> {
  const d: Record<string, unknown> = { responseHeaders: r.headers };
  if (r.remoteIPAddress) d.remoteAddress = `${r.remoteIPAddress}:${r.remotePort ?? ''}`;
  if (r.protocol) d.protocol = r.protocol;
  if (r.fromDiskCache || r.fromServiceWorker || r.fromPrefetchCache) d.cached = r.fromServiceWorker ? 'service worker' : 'cache';
  return d;
}

interface InFlight {
  method: string; url: string; type: string; start: number;
  status?: number; statusText?: string; mimeType?: string;
  /** True once its `response` went out. */
  answered?: boolean;
  /** The route rule that handled it (`r1 abort Failed`). */
  routed?: string;
}

/** Translates one tab's CDP events; one instance per attached tab. */
export class EventTranslator {
  private readonly requests = new Map<string, InFlight>();
  /** Wall-clock ms of CDP's monotonic seconds, fixed by the first event that has both. */
  private clockOffset: number | undefined;
  url = '';
  /** Requests that count against network idle (not streams, not data: URLs), and when that set last changed. */
  private readonly busy = new Set<string>();
  private busyChangedAt = Date.now();

  /** How long no request that counts has been in flight (0 while one is): what `wait --idle` waits on. */
  networkQuietFor(now = Date.now()): number {
    return this.busy.size ? 0 : now - this.busyChangedAt;
  }

  private settled(requestId: string): void {
    if (this.busy.delete(requestId)) this.busyChangedAt = Date.now();
  }
  /** Routed requests whose request event has not come yet (Fetch can pause one before it). */
  private readonly routedEarly = new Map<string, string>();

  /** Marks a request as handled by a route rule: its later events carry `routed`. */
  markRouted(requestId: string, label: string): void {
    const r = this.requests.get(requestId);
    if (r) r.routed = label;
    else {
      if (this.routedEarly.size > 1000) this.routedEarly.clear();
      this.routedEarly.set(requestId, label);
    }
  }

  /** Hands `sink` the protocol events a CDP event stands for, if any. */
  translate(e: RawEvent, sink: EventSink): void {
    const ev = this.one(e, sink);
    if (ev) sink(ev);
  }

  private one(e: RawEvent, sink: EventSink): PageEvent | undefined {
    switch (e.method) {
      case 'Runtime.consoleAPICalled': {
        const p = e.params as Protocol.Runtime.ConsoleAPICalledEvent;
        const frame = p.stackTrace?.callFrames[0];
        return {
          event: 'console',
          data: {
            level: p.type === 'warning' ? 'warn' : p.type,
            text: p.args.map(remoteText).join(' '),
            url: frame?.url ?? '', line: frame ? frame.lineNumber + 1 : 0, column: frame ? frame.columnNumber + 1 : 0,
            timestamp: Math.round(p.timestamp),
          },
        };
      }
      case 'Runtime.exceptionThrown': {
        const { exceptionDetails: d, timestamp } = e.params as Protocol.Runtime.ExceptionThrownEvent;
        const desc = d.exception?.description;
        return {
          event: 'error',
          data: {
            message: desc ? desc.split('\n')[0] : d.exception?.value !== undefined ? `Uncaught ${String(d.exception.value)}` : d.text,
            stack: desc ?? '', url: d.url ?? '', line: d.lineNumber + 1, column: d.columnNumber + 1, timestamp: Math.round(timestamp),
          },
        };
      }
      case 'Network.requestWillBeSent': {
        const p = e.params as Protocol.Network.RequestWillBeSentEvent;
        this.clockOffset ??= p.wallTime * 1000 - p.timestamp * 1000;
        // A redirect reuses the request id: the hop before it ends here, with its 3xx.
        const hop = p.redirectResponse && this.requests.get(p.requestId);
        if (hop && p.redirectResponse) {
          Object.assign(hop, { status: p.redirectResponse.status, statusText: p.redirectResponse.statusText, mimeType: p.redirectResponse.mimeType });
          sink(this.response(p.requestId, hop, p.timestamp, responseDetail(p.redirectResponse)));
          sink(this.finished(p.requestId, hop, p.timestamp, p.redirectResponse.encodedDataLength));
        }
        if (!LONG_LIVED.has(p.type ?? '') && !p.request.url.startsWith('data:')) {
          this.busy.add(p.requestId);
          this.busyChangedAt = Date.now();
        }
        const r: InFlight = { method: p.request.method, url: p.request.url, type: p.type ?? 'Other', start: p.timestamp };
        const routed = this.routedEarly.get(p.requestId);
        if (routed) {
          r.routed = routed;
          this.routedEarly.delete(p.requestId);
        }
        this.requests.set(p.requestId, r);
        const detail: Record<string, unknown> = { requestHeaders: p.request.headers, startedAt: this.wall(p.timestamp) };
        if (p.request.postData !== undefined) detail.postData = p.request.postData;
        else if (p.request.hasPostData) detail.hasPostData = true;
        return { event: 'request', data: { requestId: p.requestId, method: r.method, url: r.url, resourceType: r.type, timestamp: this.wall(p.timestamp) }, detail };
      }
      case 'Network.responseReceived': {
        const p = e.params as Protocol.Network.ResponseReceivedEvent;
        const r = this.requests.get(p.requestId);
        if (!r || r.answered) return undefined;
        Object.assign(r, { status: p.response.status, statusText: p.response.statusText, mimeType: p.response.mimeType });
        return this.response(p.requestId, r, p.timestamp, responseDetail(p.response));
      }
      case 'Network.loadingFinished': {
        const p = e.params as Protocol.Network.LoadingFinishedEvent;
        this.settled(p.requestId);
        const r = this.requests.get(p.requestId);
        if (!r) return undefined;
        this.requests.delete(p.requestId);
        // Served with no responseReceived (a memory-cache hit, say): its response is now.
        if (!r.answered) sink(this.response(p.requestId, r, p.timestamp));
        return this.finished(p.requestId, r, p.timestamp, p.encodedDataLength);
      }
      case 'Network.loadingFailed': {
        const p = e.params as Protocol.Network.LoadingFailedEvent;
        this.settled(p.requestId);
        const r = this.requests.get(p.requestId);
        this.requests.delete(p.requestId);
        return {
          event: 'requestfailed',
          data: {
            requestId: p.requestId, method: r?.method ?? '', url: r?.url ?? '', resourceType: p.type, errorText: p.errorText,
            canceled: Boolean(p.canceled), status: r?.status ?? 0, ...(r?.routed ? { routed: r.routed } : {}),
            duration: r ? Math.round((p.timestamp - r.start) * 1000) : 0, timestamp: this.wall(p.timestamp),
          },
        };
      }
      case 'Page.frameNavigated': {
        const { frame, type } = e.params as Protocol.Page.FrameNavigatedEvent;
        const main = !frame.parentId;
        if (main) this.url = frame.url;
        return { event: 'navigation', data: { frameId: frame.id, url: frame.url, main, type: type ?? 'Navigation', timestamp: Date.now() } };
      }
      case 'Page.navigatedWithinDocument': {
        const p = e.params as Protocol.Page.NavigatedWithinDocumentEvent;
        return { event: 'navigation', data: { frameId: p.frameId, url: p.url, main: undefined, sameDocument: true, timestamp: Date.now() } };
      }
      case 'Page.loadEventFired': {
        const p = e.params as Protocol.Page.LoadEventFiredEvent;
        return { event: 'load', data: { url: this.url, timestamp: this.wall(p.timestamp) } };
      }
      case 'Page.javascriptDialogOpening': {
        const p = e.params as Protocol.Page.JavascriptDialogOpeningEvent;
        return { event: 'dialog', data: { type: p.type, message: p.message, url: p.url, defaultPrompt: p.defaultPrompt ?? '', timestamp: Date.now() } };
      }
      default:
        return undefined;
    }
  }

  private response(requestId: string, r: InFlight, at: number, detail?: Record<string, unknown>): PageEvent {
    r.answered = true;
    return {
      ...(detail ? { detail } : {}),
      event: 'response',
      data: {
        requestId, method: r.method, url: r.url, resourceType: r.type, status: r.status ?? 0,
        statusText: r.statusText ?? '', mimeType: r.mimeType ?? '', timestamp: this.wall(at), ...(r.routed ? { routed: r.routed } : {}),
      },
    };
  }

  private finished(requestId: string, r: InFlight, at: number, size: number): PageEvent {
    return {
      event: 'requestfinished',
      data: {
        requestId, method: r.method, url: r.url, resourceType: r.type, status: r.status ?? 0,
        statusText: r.statusText ?? '', mimeType: r.mimeType ?? '', size,
        duration: Math.round((at - r.start) * 1000), timestamp: this.wall(at), ...(r.routed ? { routed: r.routed } : {}),
      },
    };
  }

  private wall(monotonicSeconds: number): number {
    return this.clockOffset === undefined ? Date.now() : Math.round(this.clockOffset + monotonicSeconds * 1000);
  }
}
