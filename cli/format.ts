/**
 * Text for people: one formatter per command, from its structured result. Keeps
 * chrome-cdp's texts where its users rely on them.
 */

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The `list` table: prefix, title cut and padded to 54, url. */
export function pageTable(pages: Any[]): string {
  const width = Math.max(0, ...pages.map((p) => String(p.prefix).length));
  return pages.map((p) => `${String(p.prefix).padEnd(width)}  ${String(p.title).slice(0, 54).padEnd(54)}  ${p.url}`).join('\n');
}

/** An evaluated value as chrome-cdp prints it: JSON for objects, nothing for null/undefined. */
export function formatValue(r: Any): string {
  if (r.description !== undefined) return String(r.description);
  const v = r.value;
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v, null, 2);
  return String(v);
}

function shotText(r: Any, target: string): string {
  const dpr = Number(r.dpr) || 1;
  const lines = [
    String(r.path),
    `Screenshot saved. Device pixel ratio (DPR): ${dpr}`,
    'Coordinate mapping:',
    `  Screenshot pixels ÷ ${dpr} = CSS pixels (clickxy takes CSS pixels).`,
    `  To click at screenshot point (${100 * dpr}, ${200 * dpr}), run: cdp clickxy ${target} 100 200`,
  ];
  if (dpr !== 1) lines.push(`  Multiply screenshot coordinates by ${+(1 / dpr).toFixed(4)} to get CSS pixels.`);
  return lines.join('\n');
}

function netLine(e: Any): string {
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
      `  browser  ${b.product}${b.managed ? ` (managed${b.headless ? ', headless' : ''})` : ''}  ${b.endpoint}`,
      `  clients  ${d.clients}   pages ${d.pages}   attached ${d.attached?.length ?? 0}`,
    ];
    for (const a of d.attached ?? []) lines.push(`    ${a.prefix}  ${a.url}`);
    return lines.join('\n');
  }).join('\n');
}

/** Formats a command's result; `target` is the prefix the user gave. */
export function formatResult(cmd: string, r: Any, target: string): string {
  switch (cmd) {
    case 'list': return pageTable(r.pages);
    case 'open': return `Opened new tab: ${r.prefix}  ${r.url}`;
    case 'snap': return (r.nodes as Any[]).map((n) => `${'  '.repeat(n.depth)}[${n.role}]${n.name ? ` ${n.name}` : ''}${n.value !== undefined ? ` = ${JSON.stringify(n.value)}` : ''}`).join('\n');
    case 'eval': return formatValue(r);
    case 'shot': return shotText(r, target);
    case 'html': return r.html;
    case 'nav': return `Navigated to ${r.url}`;
    case 'net': return (r.entries as Any[]).map(netLine).join('\n');
    case 'click': return `Clicked ${r.tag} ${JSON.stringify(r.text)}`;
    case 'clickxy': return `Clicked at CSS (${r.x}, ${r.y})`;
    case 'type': return `Typed ${r.characters} characters`;
    case 'loadall': return r.complete
      ? `Clicked "${r.selector}" ${r.clicks} time(s) until it disappeared`
      : `Clicked "${r.selector}" ${r.clicks} time(s); it was still there after 5 minutes`;
    case 'evalraw': return JSON.stringify(r, null, 2);
    case 'stop':
      if (r.detached) return `Detached from ${r.detached}`;
      if (r.prefix) return `Not attached to ${r.prefix}`;
      return r.stopped ? `Stopped the daemon (pid ${r.pid})` : 'No daemon running.';
    default: return JSON.stringify(r, null, 2);
  }
}
