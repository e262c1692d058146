/**
 * The browser's pages as cdp names them: the view Chrome's discovery events keep (for
 * resolving a prefix without a round trip), the live listing, and prefix resolution.
 */
import type { Protocol } from 'devtools-protocol';
import type { BrowserConnection } from '../cdp/connection.js';
import { CdpdError } from '../protocol/errors.js';
import { MIN_PREFIX } from '../protocol/ids.js';
import { normalizeName } from './outline.js';

type TargetInfo = Protocol.Target.TargetInfo;

/** A page as `list` shows it. */
export interface PageInfo {
  targetId: string;
  /** The shortest unique prefix, at least MIN_PREFIX characters. */
  prefix: string;
  title: string;
  url: string;
  attached: boolean;
  /** Who holds the tab's lease (cdp claim), if anyone. */
  leasedBy?: string;
}

/** Longer than any target id. */
const MAX_PREFIX = 64;

/** Shortest length ≥ MIN_PREFIX at which every id's prefix is unique (case-insensitive). */
export function prefixLength(ids: string[]): number {
  const lower = ids.map((i) => i.toLowerCase());
  const longest = Math.max(MIN_PREFIX, ...lower.map((i) => i.length));
  for (let n = MIN_PREFIX; n <= longest; n++) {
    if (new Set(lower.map((i) => i.slice(0, n))).size === lower.length) return n;
  }
  return longest;
}

/** True for targets `list` shows: pages that are not chrome:// internals. */
export function isUserPage(t: TargetInfo): boolean {
  return t.type === 'page' && !t.url.startsWith('chrome://') && !t.url.startsWith('devtools://');
}

/** What a listing adds to each page: whether cdp holds it, and who leases it. */
export type PageExtras = (targetId: string) => { attached: boolean; leasedBy?: string };

/** The pages of one browser connection. */
export class TargetList {
  /** Targets as Chrome's discovery events describe them: resolves prefixes without a round trip. */
  private readonly known = new Map<string, TargetInfo>();
  private readonly goneWaiters = new Map<string, Array<() => void>>();
  private readonly browser: BrowserConnection;
  private readonly extras: PageExtras;

  constructor(browser: BrowserConnection, extras: PageExtras) {
    this.browser = browser;
    this.extras = extras;
  }

  /** Takes in a target created or changed; returns it as cdp shows it. */
  seen(info: TargetInfo): TargetInfo {
    const t = { ...info, title: normalizeName(info.title) };
    this.known.set(t.targetId, t);
    return t;
  }

  /** Takes in a target destroyed: `gone` waiters for it resolve. */
  destroyed(targetId: string): void {
    this.known.delete(targetId);
    for (const done of this.goneWaiters.get(targetId) ?? []) done();
    this.goneWaiters.delete(targetId);
  }

  /**
   * The open pages, live from Chrome, with their display prefixes. Not from the discovery
   * events: Chrome sends none when a page's title changes.
   */
  async list(): Promise<PageInfo[]> {
    const { targetInfos } = await this.browser.send('Target.getTargets');
    const pages = targetInfos.filter(isUserPage);
    const n = prefixLength(pages.map((p) => p.targetId));
    return pages.map((p) => ({ targetId: p.targetId, prefix: p.targetId.slice(0, n), title: normalizeName(p.title), url: p.url, ...this.extras(p.targetId) }));
  }

  /** Resolves once Chrome has said the target is gone, or after `timeoutMs`. */
  gone(targetId: string, timeoutMs: number): Promise<void> {
    if (!this.known.has(targetId)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const waiters = this.goneWaiters.get(targetId) ?? [];
      waiters.push(done);
      this.goneWaiters.set(targetId, waiters);
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  /**
   * The one page among those discovery told us about that `prefix` names, without a round
   * trip; undefined when none or several do (`resolve` then asks Chrome, so a stale view
   * never decides a miss). A full id (what the library passes) is one Map lookup; a
   * prefix, one pass without copies.
   */
  lookup(prefix: string): TargetInfo | undefined {
    if (prefix.length === 0 || prefix.length > MAX_PREFIX) return undefined;
    let hit = this.known.get(prefix) ?? this.known.get(prefix.toUpperCase());
    if (hit && isUserPage(hit)) return hit;
    hit = undefined;
    const lower = prefix.toLowerCase();
    for (const t of this.known.values()) {
      if (!isUserPage(t) || !t.targetId.toLowerCase().startsWith(lower)) continue;
      if (hit) return undefined;
      hit = t;
    }
    return hit;
  }

  /** The page a prefix names, or an error that lists the candidates. */
  async resolve(prefix: string): Promise<PageInfo> {
    if (typeof prefix !== 'string' || prefix.length === 0) {
      throw new CdpdError('USAGE', 'target ID required. Run "cdp list" first.');
    }
    // No target id is this long: refuse without echoing (or searching with) a huge string.
    if (prefix.length > MAX_PREFIX) {
      throw new CdpdError('TARGET_NOT_FOUND', `No target matching a ${prefix.length}-character prefix: target ids have 32. Run "cdp list".`);
    }
    const hit = this.lookup(prefix);
    if (hit) return { targetId: hit.targetId, prefix: hit.targetId.slice(0, MIN_PREFIX), title: hit.title, url: hit.url, ...this.extras(hit.targetId) };
    const pages = await this.list();
    const p = prefix.toLowerCase();
    const exact = pages.find((x) => x.targetId.toLowerCase() === p);
    if (exact) return exact;
    const matches = pages.filter((x) => x.targetId.toLowerCase().startsWith(p));
    if (matches.length === 1) return matches[0]!;
    const table = (list: PageInfo[]) => list.map((x) => `  ${x.prefix}  ${x.title.slice(0, 54)}  ${x.url}`).join('\n');
    const candidates = (matches.length ? matches : pages).map(({ targetId, prefix: pre, title, url }) => ({ targetId, prefix: pre, title, url }));
    if (matches.length === 0) {
      const hint = pages.length ? `Open pages:\n${table(pages)}` : 'No pages are open: run "cdp open <url>".';
      throw new CdpdError('TARGET_NOT_FOUND', `No target matching prefix "${prefix}". ${hint}`, { candidates });
    }
    throw new CdpdError('TARGET_AMBIGUOUS',
      `Ambiguous prefix "${prefix}" — matches ${matches.length} targets. Use more characters:\n${table(matches)}`, { candidates });
  }
}
