/**
 * The one table of error codes. Every error that crosses the wire or reaches the user
 * carries one of these codes; the CLI maps codes to exit codes here and nowhere else.
 */

/** Exit codes of the CLI: 0 ok, 1 command failed, 2 usage error, 3 browser not reachable. */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2, BROWSER: 3 } as const;

/** Every stable error code, with the exit code it maps to and what it means. */
export const ERROR_CODES = {
  BAD_REQUEST: { exit: EXIT.FAILED, summary: 'a frame that is not a JSON object request' },
  UNKNOWN_COMMAND: { exit: EXIT.USAGE, summary: 'the command name is not one the daemon knows' },
  USAGE: { exit: EXIT.USAGE, summary: 'missing or malformed arguments or params' },
  TARGET_NOT_FOUND: { exit: EXIT.FAILED, summary: 'no open page matches the target prefix' },
  TARGET_AMBIGUOUS: { exit: EXIT.FAILED, summary: 'the prefix matches more than one page' },
  TARGET_LEASED: { exit: EXIT.FAILED, summary: 'another client holds the tab (cdp claim): reads work, actions wait for its release or TTL' },
  TARGET_CLOSED: { exit: EXIT.FAILED, summary: 'the tab closed while the command ran' },
  ELEMENT_NOT_FOUND: { exit: EXIT.FAILED, summary: 'no element matches the selector' },
  STALE_REF: { exit: EXIT.FAILED, summary: 'an element ref from an earlier document, or one no snapshot issued: run `snap` again' },
  NOT_INTERACTABLE: { exit: EXIT.FAILED, summary: 'the element cannot take the action: covered, hidden, disabled or of the wrong kind' },
  JS_EXCEPTION: { exit: EXIT.FAILED, summary: 'the evaluated JavaScript threw' },
  NAVIGATION_FAILED: { exit: EXIT.FAILED, summary: 'the page could not be loaded' },
  DIALOG_OPEN: { exit: EXIT.FAILED, summary: 'a JavaScript dialog blocks the tab: answer it with `cdp dialog`' },
  NO_DIALOG: { exit: EXIT.FAILED, summary: '`cdp dialog` found no dialog open on the tab' },
  CDP_ERROR: { exit: EXIT.FAILED, summary: 'Chrome answered a CDP command with an error' },
  TIMEOUT: { exit: EXIT.FAILED, summary: 'an operation took longer than its timeout' },
  CANCELLED: { exit: EXIT.FAILED, summary: 'the client went away or cancelled the command' },
  NOT_FOUND: { exit: EXIT.FAILED, summary: 'what the command names is not there: a request id past the history, a body Chrome no longer holds' },
  FILE_ERROR: { exit: EXIT.FAILED, summary: 'a file could not be read or written' },
  UNTRUSTED_FILE: { exit: EXIT.FAILED, summary: 'a runtime file has unsafe ownership or permissions' },
  DAEMON_START_FAILED: { exit: EXIT.FAILED, summary: 'the daemon exited before it was ready' },
  DAEMON_GONE: { exit: EXIT.FAILED, summary: 'the daemon connection closed before the answer' },
  BROWSER_NOT_FOUND: { exit: EXIT.BROWSER, summary: 'no browser to attach to and none to launch' },
  BROWSER_UNREACHABLE: { exit: EXIT.BROWSER, summary: 'the browser endpoint does not answer' },
  BROWSER_GONE: { exit: EXIT.BROWSER, summary: 'the browser connection closed' },
  CONSENT_TIMEOUT: { exit: EXIT.BROWSER, summary: 'Chrome did not allow remote debugging in time' },
  INTERNAL: { exit: EXIT.FAILED, summary: 'a bug in cdpd: please report it' },
} as const;

/** A stable error code string. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The JSON form of an error on the wire. */
export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  /** Structured extras, e.g. the candidates of an ambiguous prefix. */
  details?: Record<string, unknown>;
}

/** The longest error message sent on the wire. */
const MAX_MESSAGE = 16_384;

/** An error with a stable code; the only kind cdpd throws on purpose. */
export class CdpdError extends Error {
  readonly code: ErrorCode;
  details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'CdpdError';
    this.code = code;
    this.details = details;
  }

  /** The wire form; a message that echoes a huge input is cut. */
  toPayload(): ErrorPayload {
    const message = this.message.length > MAX_MESSAGE ? `${this.message.slice(0, MAX_MESSAGE)}… (${this.message.length - MAX_MESSAGE} characters cut)` : this.message;
    return this.details ? { code: this.code, message, details: this.details } : { code: this.code, message };
  }

  /** Rebuilds an error received over the wire. */
  static fromPayload(p: ErrorPayload): CdpdError {
    const code = (p.code in ERROR_CODES ? p.code : 'INTERNAL') as ErrorCode;
    return new CdpdError(code, String(p.message), p.details);
  }
}

/** A usage error (exit 2): bad arguments or params. */
export function usage(message: string): CdpdError {
  return new CdpdError('USAGE', message);
}

/** A value as an error message may echo it: never a megabyte of it. */
export function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** The error of a browser connection that closed, the same wherever it is noticed. */
export function browserGone(): CdpdError {
  return new CdpdError('BROWSER_GONE', 'The browser connection closed (Chrome quit or remote debugging was switched off).');
}

/** Any thrown value as a CdpdError (unknown throws become INTERNAL). */
export function toCdpdError(err: unknown): CdpdError {
  if (err instanceof CdpdError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new CdpdError('INTERNAL', message);
}

/** The CLI exit code for an error. */
export function exitCodeOf(err: unknown): number {
  return err instanceof CdpdError ? ERROR_CODES[err.code].exit : EXIT.FAILED;
}
