/**
 * Argument helpers shared by the command declarations: usage errors, URL and number
 * checks. Everything here runs client-side before a daemon is contacted, and again in the
 * daemon for clients that skip the CLI.
 */
import { CdpdError } from '../protocol/errors.js';

/** A usage error (exit 2). */
export function usage(message: string): CdpdError {
  return new CdpdError('USAGE', message);
}

/** Joins variadic args with single spaces, as chrome-cdp does. */
export function joined(args: string[]): string {
  return args.join(' ');
}

/** A string param, or a usage error naming it. */
export function str(params: Record<string, unknown>, key: string, what = key): string {
  const v = params[key];
  if (typeof v !== 'string' || v.length === 0) throw usage(`${what} required`);
  return v;
}

/** A finite number param (or undefined), else a usage error. */
export function num(params: Record<string, unknown>, key: string): number | undefined {
  const v = params[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw usage(`"${key}" must be a number`);
  return v;
}

/** Checks a navigation URL: http/https only (plus about:blank where `blank` is allowed). */
export function checkUrl(url: string, blank = false): string {
  if (blank && url === 'about:blank') return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usage(`Invalid URL: ${url}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw usage(`Only http/https URLs allowed, got: ${url}`);
  }
  return parsed.href;
}

/** The per-request timeout in ms from the `timeout` param, if a usable one was given. */
export function timeoutParam(params: { timeout?: unknown }): number | undefined {
  const t = params.timeout;
  return typeof t === 'number' && Number.isFinite(t) && t > 0 ? t : undefined;
}

/** `--frame <selector|@ref|url-substring>`, with what it does for one command. */
export function frameOption(does: string): { flags: string; summary: string } {
  return { flags: '--frame <frame>', summary: `${does} this iframe: a selector, @ref or part of its URL` };
}

/** The `--frame` option as wire params (none when not given). */
export function frameParam(opts: Record<string, unknown>): { frame?: string } {
  const f = opts.frame;
  if (f === undefined) return {};
  if (typeof f !== 'string' || !f) throw usage('--frame needs a selector, @ref or part of the iframe URL');
  return { frame: f };
}

/** A per-request timeout in ms from the `timeout` param, or the fallback. */
export function timeoutOf(params: { timeout?: unknown }, fallback: number): number {
  return timeoutParam(params) ?? fallback;
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A duration (`90s`, `5m`, `1h`, `250ms`) in ms, or undefined when `text` is not one. A
 * bare number counts in `bare` units when given, else it is not a duration.
 */
export function durationMs(text: string, bare?: 'ms'): number | undefined {
  const d = DURATION.exec(text.trim());
  if (!d || (!d[2] && !bare)) return undefined;
  return Number(d[1]) * UNIT_MS[d[2] ?? bare!]!;
}
