/**
 * CDP_TRACE=1: the one-shot CLI marks its phases and prints them on stderr as it exits,
 * in ms since the process started (what a slow `cdp` spends its time on; the bench prints
 * the medians). Off, a mark is one property read.
 */
const KEY = Symbol.for('cdpd.trace');
const enabled = Boolean(process.env.CDP_TRACE);

type Marks = Array<[string, number]>;

/** The marks of this process, shared with the entry (cli/boot.ts, a bundle of its own). */
function marks(): Marks {
  const g = globalThis as Record<symbol, Marks | undefined>;
  let list = g[KEY];
  if (!list) {
    const created: Marks = [];
    g[KEY] = list = created;
    process.once('exit', () => {
      created.push(['exit', performance.now()]);
      process.stderr.write(formatTrace(created));
    });
  }
  return list;
}

/** Notes that a phase ended now. */
export function mark(label: string): void {
  if (enabled) marks().push([label, performance.now()]);
}

/** The trace as printed: one line a mark, with the time since the one before. */
export function formatTrace(list: Marks): string {
  let prev = 0;
  const lines = list.map(([label, t]) => {
    const line = `${t.toFixed(1).padStart(7)} ${`+${(t - prev).toFixed(1)}`.padStart(7)}  ${label}`;
    prev = t;
    return line;
  });
  return `cdp trace (ms since the process started):\n${lines.join('\n')}\n`;
}
