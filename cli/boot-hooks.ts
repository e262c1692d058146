/** What the entry (cli/boot.ts) offers the CLI bundle it runs. */
export const BOOT = Symbol.for('cdpd.boot');

export interface BootHooks {
  /** This run made a one-shot daemon round trip: its compiled code is worth caching. */
  warm(): void;
}

/** The entry's hooks, when the CLI runs under it (not in specs that import it). */
export function bootHooks(): BootHooks | undefined {
  return (globalThis as Record<symbol, unknown>)[BOOT] as BootHooks | undefined;
}
