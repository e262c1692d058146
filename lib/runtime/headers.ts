/**
 * Extra HTTP headers for a remote browser endpoint (a Browserless or Browserbase style
 * service, a Selenium Grid, a Chromium behind an authenticating proxy): sent on the
 * /json/version request and the WebSocket upgrade. From `--header 'Name: value'` and
 * CDP_HEADERS (a JSON object, or `Name: value` lines). They often carry credentials: they
 * reach the daemon through its environment (never its argv, which `ps` shows everyone),
 * and no message, log or status prints their values.
 */
import { CdpdError } from '../protocol/errors.js';

/** One `Name: value` line split at its first colon; undefined when it has no valid name. */
export function headerLine(line: string): { name: string; value: string } | undefined {
  const at = line.indexOf(':');
  const name = at > 0 ? line.slice(0, at).trim() : '';
  if (!name || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) return undefined;
  return { name, value: line.slice(at + 1).trim() };
}

/** Header lines (`Name: value`) as an object; refuses a malformed one without echoing it. */
export function parseHeaderLines(lines: string[], source: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of lines) {
    if (!line.trim()) continue;
    const h = headerLine(line);
    if (!h) throw new CdpdError('USAGE', `${source} takes "Name: value" headers; one is not (its name is missing or has spaces)`);
    out[h.name] = h.value;
  }
  return out;
}

/** The headers CDP_HEADERS gives, if any. */
export function headersFromEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const raw = env.CDP_HEADERS;
  if (!raw || !raw.trim()) return {};
  if (raw.trim().startsWith('{')) {
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch {
      throw new CdpdError('USAGE', 'CDP_HEADERS is neither a JSON object nor "Name: value" lines');
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new CdpdError('USAGE', 'CDP_HEADERS must be a JSON object of header names to values');
    return parseHeaderLines(Object.entries(obj).map(([k, v]) => `${k}: ${String(v)}`), 'CDP_HEADERS');
  }
  return parseHeaderLines(raw.split(/\r?\n/), 'CDP_HEADERS');
}

/** Headers as the CDP_HEADERS value that carries them to the daemon. */
export function headersToEnv(h: Record<string, string>): string {
  return JSON.stringify(h);
}
