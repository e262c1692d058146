/**
 * All printing: results, errors and notices. One implementation for people, one for
 * --json (one JSON document on stdout).
 */
import { CdpdError, toCdpdError } from '../lib/protocol/errors.js';
import type { EventFrame } from '../lib/protocol/wire.js';
import { eventLine, formatResult, watchingLine } from './format.js';

/** Where the CLI's words go. */
export interface Output {
  result(cmd: string, result: unknown, target: string): void;
  error(err: unknown): void;
  /** Progress for a person, always on stderr. */
  notice(message: string): void;
  /** A watch has started (its answer). */
  watching(result: unknown): void;
  /** One streamed event. */
  event(frame: EventFrame): void;
}

function write(stream: NodeJS.WriteStream, text: string): void {
  if (text) stream.write(text.endsWith('\n') ? text : `${text}\n`);
}

function errorLine(err: unknown): string {
  const e = err instanceof CdpdError ? err : toCdpdError(err);
  return `Error: ${e.message}`;
}

/** Text for people. */
export const textOutput: Output = {
  result(cmd, result, target) {
    const r = (result ?? {}) as Record<string, unknown>;
    write(process.stdout, formatResult(cmd, r, target));
    const dropped = Number(r.dropped);
    if (dropped > 0) write(process.stderr, `(${dropped} older entries were dropped from this history; raise CDP_HISTORY to keep more)`);
  },
  error: (err) => write(process.stderr, errorLine(err)),
  notice: (m) => write(process.stderr, m),
  watching: (r) => write(process.stderr, watchingLine(r as never)),
  event: (f) => write(process.stdout, eventLine(f)),
};

/** --json: the structured result on stdout; errors also as JSON, with their code. */
export const jsonOutput: Output = {
  result(_cmd, result) {
    write(process.stdout, JSON.stringify(result ?? null, null, 2));
  },
  error(err) {
    const e = toCdpdError(err);
    write(process.stdout, JSON.stringify({ ok: false, error: e.toPayload() }, null, 2));
    write(process.stderr, errorLine(e));
  },
  notice: (m) => write(process.stderr, m),
  watching: () => {},
  // NDJSON: one event a line.
  event: (f) => write(process.stdout, JSON.stringify(f)),
};
