/**
 * Request routing: rules that abort, answer (fulfil) or change the headers of a tab's
 * requests whose URL matches a pattern, through Chrome's Fetch domain. Rules live in the
 * daemon until removed or the daemon exits; an `--all` rule also applies to tabs opened
 * later (cdpd attaches to every page while one exists). The rule added last wins.
 */
import type { Protocol } from 'devtools-protocol';
import type { BrowserConnection, RawEvent } from '../cdp/connection.js';
import type { TabSession } from './tab.js';

type Header = Protocol.Fetch.HeaderEntry;

/** What a rule does to a request it matches. */
export type RouteAction =
  | { kind: 'abort'; reason: Protocol.Network.ErrorReason }
  | { kind: 'fulfill'; status: number; body: string; headers: Header[] }
  | { kind: 'continue'; headers: Header[] };

/** One rule. `target` null: every tab. `internal`: cdpd's own (state load), never listed. */
export interface RouteRule { id: string; target: string | null; pattern: string; action: RouteAction; hits: number; internal?: boolean }

/** The reasons `--abort` takes, as Chrome names them. */
export const ABORT_REASONS: Protocol.Network.ErrorReason[] = ['Failed', 'Aborted', 'TimedOut', 'AccessDenied', 'ConnectionClosed',
  'ConnectionReset', 'ConnectionRefused', 'ConnectionAborted', 'ConnectionFailed', 'NameNotResolved', 'InternetDisconnected',
  'AddressUnreachable', 'BlockedByClient', 'BlockedByResponse'];

/**
 * A glob on the whole URL: `*` any run of characters, `?` one; a pattern with neither
 * matches the URLs that contain it. Also what Chrome's Fetch is told to pause.
 */
export function urlPattern(pattern: string): string {
  return /[*?]/.test(pattern) ? pattern : `*${pattern}*`;
}

function globRegex(glob: string): RegExp {
  let re = '';
  for (const ch of glob) re += ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${re}$`, 's');
}

/** How a routed request is marked in `requests` and `watch`. */
export function routeLabel(r: RouteRule): string {
  const a = r.action;
  return `${r.id} ${a.kind === 'abort' ? `abort ${a.reason}` : a.kind === 'fulfill' ? `fulfill ${a.status}` : 'continue'}`;
}

/** A tab the rules are applied to: its own session and its out-of-process iframes' sessions. */
interface Routed { a: TabSession; fetching: boolean; frames: Set<string> }

/** The rules of one browser connection, and the tabs they are applied to. */
export class Routes {
  private rules: RouteRule[] = [];
  private next = 1;
  private nextInternal = 1;
  private readonly tabs = new Map<string, Routed>();
  private readonly matchers = new Map<string, RegExp>();
  private readonly browser: BrowserConnection;

  constructor(browser: BrowserConnection) {
    this.browser = browser;
  }

  /** The rules, oldest first. */
  list(): RouteRule[] {
    return this.rules.filter((r) => !r.internal).map((r) => ({ ...r }));
  }

  /** Whether a rule applies to every tab, so every page is to be attached. */
  coversAll(): boolean {
    return this.rules.some((r) => r.target === null);
  }

  /** Adds a rule and applies it to the tabs it covers. */
  async add(target: string | null, pattern: string, action: RouteAction, internal = false): Promise<RouteRule> {
    const rule: RouteRule = internal
      ? { id: `internal-${this.nextInternal++}`, target, pattern, action, hits: 0, internal }
      : { id: `r${this.next++}`, target, pattern, action, hits: 0 };
    this.rules.push(rule);
    this.matchers.set(rule.id, globRegex(urlPattern(pattern)));
    await this.applyAll();
    return { ...rule };
  }

  /** Removes one rule by id, or all; the ids removed. */
  async remove(id: string | null): Promise<string[]> {
    const gone = this.rules.filter((r) => id === null || r.id === id).map((r) => r.id);
    this.rules = this.rules.filter((r) => !gone.includes(r.id));
    for (const g of gone) this.matchers.delete(g);
    await this.applyAll();
    return gone;
  }

  /** Called for each tab cdpd attaches: hears its paused requests, applies the rules. */
  async attached(a: TabSession): Promise<void> {
    // Iframes attached before this (auto-attach answers as it is set up) are the tab's too.
    const entry: Routed = { a, fetching: false, frames: new Set(a.childSessions()) };
    this.tabs.set(a.targetId, entry);
    const listener = (e: RawEvent) => {
      // Only what these rules paused: Fetch enabled by someone else (evalraw) is theirs.
      if (e.method === 'Fetch.requestPaused' && entry.fetching) this.paused(a, a.sessionId, e.params as Protocol.Fetch.RequestPausedEvent);
    };
    a.listen(listener);
    a.closed.onAbort(() => {
      if (this.tabs.get(a.targetId) === entry) this.tabs.delete(a.targetId);
    });
    await this.apply(entry);
  }

  /** Called for an out-of-process iframe of a tab as it attaches: the tab's rules apply in it too. */
  frameAttached(a: TabSession, sessionId: string): void {
    const entry = this.tabs.get(a.targetId);
    if (!entry || entry.a !== a) return;
    entry.frames.add(sessionId);
    if (entry.fetching) this.browser.send('Fetch.enable', { patterns: this.patterns(a.targetId) }, sessionId).catch(() => {});
  }

  /** Called for an out-of-process iframe that went away. */
  frameDetached(a: TabSession, sessionId: string): void {
    this.tabs.get(a.targetId)?.frames.delete(sessionId);
  }

  /** A request paused in one of a tab's iframe sessions. */
  framePaused(a: TabSession, e: RawEvent): void {
    const entry = this.tabs.get(a.targetId);
    if (entry?.fetching && e.sessionId && entry.frames.has(e.sessionId)) this.paused(a, e.sessionId, e.params as Protocol.Fetch.RequestPausedEvent);
  }

  private patterns(targetId: string) {
    return [...new Set(this.rulesFor(targetId).map((r) => urlPattern(r.pattern)))].map((urlPattern) => ({ urlPattern, requestStage: 'Request' as const }));
  }

  private applyAll(): Promise<unknown> {
    return Promise.all([...this.tabs.values()].map((t) => this.apply(t).catch(() => {})));
  }

  private rulesFor(targetId: string): RouteRule[] {
    return this.rules.filter((r) => r.target === null || r.target === targetId);
  }

  private async apply(t: Routed): Promise<void> {
    const sessions = [t.a.sessionId, ...t.frames];
    if (!this.rulesFor(t.a.targetId).length) {
      if (t.fetching) {
        t.fetching = false;
        await Promise.all(sessions.map((s) => this.browser.send('Fetch.disable', undefined, s).catch(() => {})));
      }
      return;
    }
    const patterns = this.patterns(t.a.targetId);
    t.fetching = true;
    await Promise.all(sessions.map((s) => this.browser.send('Fetch.enable', { patterns }, s)));
  }

  private paused(a: TabSession, sessionId: string, p: Protocol.Fetch.RequestPausedEvent): void {
    // Not awaited, and errors dropped: the tab or the request may be gone by now.
    const send = (method: string, params: object) => void this.browser.sendRaw(method, params, sessionId).catch(() => {});
    const rules = this.rulesFor(a.targetId);
    let rule: RouteRule | undefined;
    for (let i = rules.length - 1; i >= 0 && !rule; i--) if (this.matchers.get(rules[i]!.id)?.test(p.request.url)) rule = rules[i];
    if (!rule) {
      send('Fetch.continueRequest', { requestId: p.requestId });
      return;
    }
    rule.hits++;
    if (p.networkId) a.markRouted(p.networkId, routeLabel(rule));
    const act = rule.action;
    if (act.kind === 'abort') send('Fetch.failRequest', { requestId: p.requestId, errorReason: act.reason });
    else if (act.kind === 'fulfill') {
      send('Fetch.fulfillRequest', { requestId: p.requestId, responseCode: act.status, responseHeaders: act.headers, body: act.body });
    } else {
      const given = new Set(act.headers.map((h) => h.name.toLowerCase()));
      const headers = Object.entries(p.request.headers).filter(([k]) => !given.has(k.toLowerCase())).map(([name, value]) => ({ name, value: String(value) }));
      send('Fetch.continueRequest', { requestId: p.requestId, headers: [...headers, ...act.headers] });
    }
  }
}
