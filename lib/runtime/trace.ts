/**
 * CDP_TRACE=1: the one-shot CLI marks its phases (ms since the process started). The CLI's
 * entry (cli/boot.ts) starts the trace and prints it as the process exits; library code
 * only marks, and a mark with no trace started is one property read.
 */
const KEY = Symbol.for('cdpd.trace');

/** The marks of this process: [label, ms since the process started]. */
export type Marks = Array<[string, number]>;

const slot = globalThis as Record<symbol, Marks | undefined>;

/** Starts the trace of this process, shared by every bundle in it; hands back its marks. */
export function startTrace(): Marks {
  return (slot[KEY] ??= []);
}

/** Notes that a phase ended now. */
export function mark(label: string): void {
  slot[KEY]?.push([label, performance.now()]);
}
