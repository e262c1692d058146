/**
 * Argument helpers shared by the command declarations: usage errors, URL checks, the
 * params fields several commands take. The checks run client-side in a command's `parse`
 * before a daemon is contacted, and in dispatch (through the params shapes) for every
 * request.
 */
import { isAbsolute } from 'node:path';
import { clip, usage } from '../protocol/errors.js';
import * as v from '../protocol/schema.js';

/** A usage error (exit 2): the commands take it from here. */
export { usage };

/** Joins variadic args with single spaces, as chrome-cdp does. */
export function joined(args: string[]): string {
  return args.join(' ');
}

/** Checks a navigation URL: http/https only (plus about:blank where `blank` is allowed). */
export function checkUrl(url: string, blank = false): string {
  if (blank && url === 'about:blank') return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usage(`Invalid URL: ${clip(url)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw usage(`Only http/https URLs allowed, got: ${clip(url)}`);
  }
  return parsed.href;
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

/** A path param: absolute, since the daemon does not run where the client does. */
export const absolutePath = (what = 'the output file'): v.Field<string, false> => v.string().refine((path) => {
  if (!isAbsolute(path)) throw usage(`${what} needs an absolute path, got: ${clip(path)}`);
  return path;
});

/** The `frame` param of commands that take --frame. */
export const frameField = (): v.Field<string, true> => v.string().opt();

/** A URL param: http/https (about:blank too where `blank`), normalised. */
export const urlParam = (blank = false): v.Field<string, false> => v.string({ missing: 'URL required' }).refine((url) => checkUrl(url, blank));
