/**
 * Tab leases, for several agents on one browser: `claim` gives a tab to one client (a
 * library connection, or a `--lease <name>` the CLI passes); the others' actions on it
 * fail with TARGET_LEASED naming the holder, while their reads still work. A lease ends
 * with `release`, its TTL, or, when it is a connection's, that connection closing.
 */
import { CdpdError } from '../protocol/errors.js';
import { shortId } from '../protocol/ids.js';

/** Who sends a command: its connection, and the lease name it gave, if any. */
export interface Caller {
  /** Unique per connection (per process for --no-daemon). */
  conn: string;
  /** A lease name (`--lease`), which outlives connections. */
  lease?: string | undefined;
  /** Called when the connection closes. */
  onClose(fn: () => void): void;
}

/** One lease. */
export interface Lease { holder: string; name?: string; conn?: string; expiresAt: number }

/** How long a lease lasts unless --ttl says. */
export const DEFAULT_TTL_MS = 10 * 60_000;

/** The leases of one browser connection's tabs. */
export class Leases {
  private readonly byTarget = new Map<string, Lease>();

  /** The live lease of a tab, if any. */
  get(targetId: string): Lease | undefined {
    const l = this.byTarget.get(targetId);
    if (l && l.expiresAt <= Date.now()) {
      this.byTarget.delete(targetId);
      return undefined;
    }
    return l;
  }

  /** Whether `caller` holds `l`. */
  private holds(l: Lease, caller: Caller): boolean {
    return l.name !== undefined ? caller.lease === l.name : l.conn === caller.conn;
  }

  /** Gives the tab to `caller` for `ttlMs` (again: renews); refuses when another holds it. */
  claim(targetId: string, caller: Caller, ttlMs: number): Lease {
    const have = this.get(targetId);
    if (have && !this.holds(have, caller)) throw leased(targetId, have);
    const lease: Lease = caller.lease !== undefined
      ? { holder: caller.lease, name: caller.lease, expiresAt: Date.now() + ttlMs }
      : { holder: `connection ${caller.conn}`, conn: caller.conn, expiresAt: Date.now() + ttlMs };
    this.byTarget.set(targetId, lease);
    if (lease.conn !== undefined && !have) {
      caller.onClose(() => {
        if (this.byTarget.get(targetId)?.conn === caller.conn) this.byTarget.delete(targetId);
      });
    }
    return { ...lease };
  }

  /** Ends the caller's lease of the tab; false when there was none. */
  release(targetId: string, caller: Caller): boolean {
    const have = this.get(targetId);
    if (!have) return false;
    if (!this.holds(have, caller)) throw leased(targetId, have);
    this.byTarget.delete(targetId);
    return true;
  }

  /** Refuses a command that changes the tab unless the caller holds its lease (or none does). */
  check(targetId: string, caller: Caller | undefined, cmd: string): void {
    const have = this.get(targetId);
    if (have && !(caller && this.holds(have, caller))) throw leased(targetId, have, cmd);
  }
}

function leased(targetId: string, l: Lease, cmd?: string): CdpdError {
  const prefix = shortId(targetId);
  const until = new Date(l.expiresAt).toISOString();
  return new CdpdError('TARGET_LEASED',
    `Tab ${prefix} is leased by ${JSON.stringify(l.holder)} until ${until}${cmd ? `: ${cmd} changes the tab, so it waits for the lease to end` : ''}. ` +
    'Reads (snap, get, requests, …) still work; the holder ends it with cdp release, or it runs out.',
    { holder: l.holder, expiresAt: l.expiresAt });
}
