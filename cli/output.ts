/**
 * All printing: results, errors and notices. One implementation for people, one for
 * --json (one JSON document on stdout).
 */
import { CdpdError, toCdpdError } from '../lib/protocol/errors.js';
import { formatResult, statusText } from './format.js';

/** Where the CLI's words go. */
export interface Output {
  result(cmd: string, result: unknown, target: string): void;
  error(err: unknown): void;
  /** Progress for a person, always on stderr. */
  notice(message: string): void;
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
    write(process.stdout, cmd === 'status' ? statusText(r.daemons as never) : formatResult(cmd, r, target));
  },
  error: (err) => write(process.stderr, errorLine(err)),
  notice: (m) => write(process.stderr, m),
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
};
