/**
 * Text for people: the pieces the commands' own formatters (their `text`) are made of,
 * and the lines of streamed events. Keeps chrome-cdp's texts where its users rely on them.
 */
import { shortId } from '../protocol/ids.js';
import { snapLine } from '../session/outline.js';

export type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The `list` table: prefix, title cut and padded to 54, url. */
export function pageTable(pages: Any[]): string {
  const width = Math.max(0, ...pages.map((p) => String(p.prefix).length));
  return pages.map((p) => `${String(p.prefix).padEnd(width)}  ${String(p.title).slice(0, 54).padEnd(54)}  ${p.url}${p.leasedBy ? `  [leased by ${p.leasedBy}]` : ''}`).join('\n');
}

/** An evaluated value as chrome-cdp prints it: JSON for objects, nothing for null/undefined. */
export function formatValue(r: Any): string {
  if (r.description !== undefined) return String(r.description);
  const v = r.value;
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v, null, 2);
  return String(v);
}

export function shotText(r: Any, target: string): string {
  const dpr = Number(r.dpr) || 1;
  const size = r.width && r.height ? ` ${r.width}x${r.height} px` : '';
  const lines = [
    String(r.path),
    `Screenshot saved. Device pixel ratio (DPR): ${dpr}`,
    'Coordinate mapping:',
    `  Screenshot pixels ÷ ${dpr} = CSS pixels (clickxy takes CSS pixels).`,
    `  To click at screenshot point (${100 * dpr}, ${200 * dpr}), run: cdp clickxy ${target} 100 200`,
  ];
  if (dpr !== 1) lines.push(`  Multiply screenshot coordinates by ${+(1 / dpr).toFixed(4)} to get CSS pixels.`);
  if (size) lines.push(`Image: ${String(r.format ?? 'png')},${size}${r.full ? ', full page' : ''}`);
  return lines.join('\n');
}

export function netLine(e: Any): string {
  const size = e.size ? `${e.size}B` : '?B';
  return `${String(e.duration).padStart(5)}ms  ${size.padStart(9)}  ${String(e.type).padEnd(8)}  ${String(e.name).slice(0, 120)}`;
}

/** `status`: one block per daemon. */
export function statusText(daemons: Any[]): string {
  if (!daemons.length) return 'No daemon running.';
  return daemons.map((d) => {
    if (d.error) return `daemon pid ${d.pid}: ${d.error}`;
    const b = d.browser ?? {};
    const lines = [
      `daemon pid ${d.pid}  cdpd ${d.version}  port ${d.port}  since ${d.startedAt}`,
      `  browser  ${b.product}${b.managed ? ` (managed${b.headless ? ', headless' : ''})` : ''}${b.pid ? `  pid ${b.pid}` : ''}  ${b.endpoint}`,
      `  clients  ${d.clients}   pages ${d.pages}   attached ${d.attached?.length ?? 0}`,
    ];
    for (const a of d.attached ?? []) lines.push(`    ${a.prefix}  ${a.url}`);
    if (d.routes?.length) lines.push(`  routes   ${d.routes.length}`, ...(d.routes as Any[]).map((r) => `    ${ruleLine(r)}`));
    return lines.join('\n');
  }).join('\n');
}

/** Local wall-clock time as HH:MM:SS.mmm. */
export function clock(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export function where(d: Any): string {
  return d.url ? `  (${d.url}:${d.line}${d.column ? `:${d.column}` : ''})` : '';
}

export function bytes(n: unknown): string {
  const v = Number(n);
  if (!Number.isFinite(v) || v <= 0) return '?B';
  return v < 1024 ? `${v}B` : v < 1024 * 1024 ? `${(v / 1024).toFixed(1)}kB` : `${(v / 1048576).toFixed(1)}MB`;
}

/** A route rule: id, where, pattern, what it does, how often it did. */
export function ruleLine(r: Any): string {
  return `${r.id}  ${r.target === null ? 'all tabs' : shortId(String(r.target))}  ${r.pattern}  ${r.does}  (${r.hits} hit${r.hits === 1 ? '' : 's'})`;
}

/** One network record: method, status, type, mime, size, time, url, and the rule that routed it. */
export function requestText(d: Any): string {
  return requestLine(d) + (d.routed ? `  (routed: ${d.routed})` : '');
}

export function requestLine(d: Any): string {
  const type = String(d.resourceType ?? '').toLowerCase();
  if (d.state === 'failed') return `${d.method} FAILED ${d.errorText}${d.canceled ? ' (canceled)' : ''}  ${type}  ${d.url}`;
  if (d.state === 'pending') return `${d.method} ...  ${type}  ${d.url}  (pending)`;
  if (d.state === 'loading') return `${d.method} ${d.status}  ${type}  ${d.mimeType}  (loading)  ${d.url}`;
  return `${d.method} ${d.status}  ${type}  ${d.mimeType}  ${bytes(d.size)}  ${d.duration}ms  ${d.url}`;
}

/** One history entry. */
export function entryLine(e: Any): string {
  const d = e.data;
  const t = clock(e.time);
  switch (e.kind) {
    case 'navigation': return `${t} --- navigated to ${d.url} ---`;
    case 'error': return `${t} [error] ${d.message}${where(d)}`;
    case 'request': return `${t} #${e.id} ${requestText(d)}`;
    default: return `${t} [${d.level}] ${d.text}${where(d)}`;
  }
}

/** One streamed event, readable at a glance. */
export function eventLine(f: Any): string {
  const d = f.data;
  const head = `${clock(typeof d.timestamp === 'number' ? d.timestamp : Date.now())} ${f.target === null ? 'all tabs' : shortId(String(f.target))}`;
  switch (f.event) {
    case 'console': return `${head} console.${d.level} ${d.text}${where(d)}`;
    case 'error': return `${head} error ${d.message}${where(d)}`;
    case 'request': return `${head} request ${d.method} ${d.url}`;
    case 'response': return `${head} response ${d.method} ${d.status}  ${String(d.resourceType ?? '').toLowerCase()}  ${d.mimeType}  ${d.url}${d.routed ? `  (routed: ${d.routed})` : ''}`;
    case 'requestfinished': return `${head} requestfinished ${requestText({ ...d, state: 'done' })}`;
    case 'requestfailed': return `${head} requestfailed ${requestText({ ...d, state: 'failed' })}`;
    case 'navigation': return `${head} navigation ${d.url}${d.main === false ? ' (frame)' : ''}${d.sameDocument ? ' (same document)' : ''}`;
    case 'load': return `${head} load ${d.url}`;
    case 'dialog': return `${head} dialog ${d.type} ${JSON.stringify(d.message)}`;
    case 'target': return `${head} target ${d.action}${d.url ? ` ${d.url}` : ''}`;
    case 'dropped': return `${head} dropped ${d.count} events (this watcher fell behind)`;
    default: return `${head} ${f.event} ${JSON.stringify(d)}`;
  }
}

/** The line `watch` prints on stderr once it is subscribed. */
export function watchingLine(r: Any): string {
  const n = r.targets?.length ?? 0;
  return `watching ${n} tab${n === 1 ? '' : 's'} for ${r.events.join(', ')} (Ctrl-C to stop)`;
}

/** What an action caused: where the page went, or the dialog it opened. */
export function outcome(r: Any, target: string): string {
  if (r.dialog) {
    const d = r.dialog;
    return `\nA ${d.type} dialog opened: ${JSON.stringify(d.message)}. It blocks the page: cdp dialog ${target} accept${d.type === 'prompt' ? ' [text]' : ''}, or cdp dialog ${target} dismiss`;
  }
  if (r.navigated) {
    const n = r.navigated;
    return `\nNavigated to ${n.url}${n.title ? ` (${JSON.stringify(n.title)})` : ''}${n.loading ? ', still loading' : ''}`;
  }
  return '';
}

export function headerLines(h: Any | null | undefined): string[] {
  return Object.entries(h ?? {}).map(([k, v]) => `  ${k}: ${String(v).replace(/\n/g, `\n  ${k}: `)}`);
}

/** One cookie a line: name=value, where it applies, its flags, when it ends. */
export function cookiesText(r: Any): string {
  if (r.op === 'set') return `Set cookie ${r.name} for ${r.url}`;
  if (r.op === 'clear') return r.cleared === 'all' ? 'Cleared every cookie of the browser' : `Cleared ${r.cleared} cookie(s) of ${r.url}`;
  const list = r.cookies as Any[];
  if (!list.length) return `No cookies for ${r.url}`;
  return list.map((c) => {
    const flags = [c.httpOnly && 'HttpOnly', c.secure && 'Secure', c.sameSite && `SameSite=${c.sameSite}`].filter(Boolean).join(' ');
    const ends = c.session ? 'session' : `expires ${new Date(c.expires * 1000).toISOString()}`;
    return `${c.name}=${c.value}  ${c.domain}${c.path}${flags ? `  ${flags}` : ''}  ${ends}`;
  }).join('\n');
}

/** `storage`: key=value lines, one value, or what was done. */
export function storageText(r: Any): string {
  const where = `${r.kind}Storage of ${r.origin}`;
  if (r.items) return r.items.length ? (r.items as Array<[string, string]>).map(([k, v]) => `${k}=${v}`).join('\n') : `${where} is empty`;
  if ('value' in r) return r.value === null ? '' : String(r.value);
  if (r.op === 'set') return `Set ${r.key} in ${where}`;
  if (r.op === 'remove') return `Removed ${r.key} from ${where}`;
  return `Cleared ${where}`;
}

/** `request`: one request whole. */
export function requestWhole(r: Any): string {
  const lines = [`#${r.id} ${requestText(r)}`];
  const peer = [r.remoteAddress, r.protocol, r.cached && `from ${r.cached}`].filter(Boolean).join(', ');
  if (peer) lines.push(`Peer: ${peer}`);
  lines.push('Request headers:', ...headerLines(r.requestHeaders));
  if (r.postData !== undefined) lines.push(`Request body (${Buffer.byteLength(String(r.postData))} bytes):`, String(r.postData));
  if (r.responseHeaders) lines.push('Response headers:', ...headerLines(r.responseHeaders));
  const b = r.body;
  if (b?.saved) lines.push(`Response body saved: ${b.saved} (${b.bytes} bytes)`);
  else if (b?.text !== undefined) lines.push(`Response body (${b.bytes} bytes):`, b.text);
  else if (b) lines.push(`Response body: ${b.bytes} bytes of binary (--out <file> saves it, --json gives it as base64)`);
  else lines.push(`Response body: none, ${r.bodyMissing}`);
  return lines.join('\n');
}

/** `get`: the value as it is; a list one per line, a box as JSON, a missing attribute as nothing. */
export function getText(r: Any): string {
  const v = r.value;
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.join('\n');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** The diff as text: a summary line, then `+`, `-` and `~` lines in page order, indented as in the snapshot. */
export function diffText(d: Any): string {
  if (!d.lines.length) return 'No change since the last snapshot.';
  const head = `${d.added} added, ${d.removed} removed, ${d.changed} changed since the last snapshot:`;
  return [head, ...(d.lines as Any[]).map((l) => `${l.op} ${snapLine(l.node)}`)].join('\n');
}

/** Why a --diff gives the whole snapshot instead. */
export function fullBecause(base: string): string {
  if (base === 'navigated') return 'The page is a new document since the last snapshot (it navigated or reloaded): the full snapshot follows.';
  if (base === 'too-many') return `Too many lines changed since the last snapshot: the full snapshot follows.`;
  return 'No earlier snapshot of this view of the tab: the full snapshot follows.';
}

export function snapText(r: Any): string {
  if (r.diff?.base === 'same') return diffText(r.diff);
  if (r.diff) return `${fullBecause(r.diff.base)}\n${snapText({ ...r, diff: undefined })}`;
  const text = (r.nodes as Any[]).map((n) => snapLine(n as never)).join('\n');
  const t = r.truncated;
  if (!t) return text;
  return `${text}\n… truncated: ${t.shownNodes} of ${t.totalNodes} lines, ${t.shownChars} of ${t.totalChars} characters shown ` +
    '(raise --max-chars, or narrow with -i, --depth or --selector)';
}
