/**
 * Text for people: a command's result through its own formatter (`text` on its
 * declaration; JSON when it has none), then an action's receipt. The pieces they are
 * made of, and the lines of streamed events, are in lib/commands/text.ts.
 */
import { findCommand } from '../lib/commands/registry.js';
import { snapText, type Any } from '../lib/commands/text.js';

export { eventLine, watchingLine } from '../lib/commands/text.js';

/** Formats a command's result, with an action's receipt after it; `target` is the prefix the user gave. */
export function formatResult(cmd: string, r: Any, target: string): string {
  const text = findCommand(cmd)?.text;
  return (text ? text(r, target) : JSON.stringify(r, null, 2)) + receiptText(r);
}

/** Lines of a receipt past which it says how many more there were. */
const RECEIPT_LINES = 5;

/** What an action caused besides its own line: page errors, failed requests, the snap diff. */
function receiptText(r: Any): string {
  let out = '';
  const list = (items: Any[] | undefined, line: (x: Any) => string, more: string) => {
    if (!items?.length) return;
    for (const x of items.slice(0, RECEIPT_LINES)) out += `\n${line(x)}`;
    if (items.length > RECEIPT_LINES) out += `\n… and ${items.length - RECEIPT_LINES} more (${more})`;
  };
  list(r.errors, (e) => `Page error: ${e.message}${e.url ? `  (${e.url}:${e.line})` : ''}`, 'cdp console');
  list(r.failedRequests, (f) => `Request failed: ${f.method} ${f.status || f.errorText}${f.status && f.errorText ? ` ${f.errorText}` : ''}  ${f.url}`, 'cdp requests');
  if (r.snap) out += `\n${snapText(r.snap)}`;
  return out;
}
