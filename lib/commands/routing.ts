/**
 * `route` and `unroute`: the command side of request routing (the rules: lib/session/routes.ts).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Protocol } from 'devtools-protocol';
import { CdpdError } from '../protocol/errors.js';
import { usage } from './args.js';
import { headerLine } from '../runtime/headers.js';
import { ABORT_REASONS, routeLabel, type RouteAction, type RouteRule } from '../session/routes.js';
import { defineCommand } from './types.js';
import * as v from '../protocol/schema.js';
import { ruleLine, type Any } from './text.js';

const headerList = () => v.list(v.object({ name: v.string(), value: v.string({ empty: true }) })).opt();

/** What `route` takes on the wire. */
const ROUTE = () => ({
  list: v.boolean().opt(),
  all: v.boolean().opt(),
  target: v.string().opt(),
  pattern: v.string().opt(),
  action: v.tagged('kind', {
    abort: { reason: v.oneOf(ABORT_REASONS) },
    fulfill: { status: v.number({ integer: true, min: 100, max: 599 }), body: v.string({ empty: true }).opt(), headers: headerList() },
    continue: { headers: headerList() },
  }).opt(),
});

function headers(raw: unknown): Protocol.Fetch.HeaderEntry[] {
  if (raw === undefined) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((raw) => {
    const h = headerLine(String(raw));
    if (!h) throw usage(`--header takes "Name: value", got: ${String(raw)}`);
    return h;
  });
}

/** A rule as `route --list` and `status` show it. */
export function ruleInfo(r: RouteRule) {
  return { id: r.id, target: r.target, pattern: r.pattern, does: routeLabel(r).slice(r.id.length + 1), hits: r.hits };
}

export const route = defineCommand({
  name: 'route',
  summary: 'abort, answer or change the requests whose URL matches: route <target|--all> <pattern> --abort [reason] | --status <n> | --continue; route --list',
  target: 'none',
  args: [{ name: 'target' }, { name: 'pattern', variadic: true }],
  options: [
    { flags: '--all', summary: 'every tab, also tabs opened later (instead of a target)' },
    { flags: '--abort [reason]', summary: `fail the request (default Failed; ${ABORT_REASONS.slice(1, 5).join(', ')}, …)` },
    { flags: '--status <n>', summary: 'answer it with this HTTP status, without asking the server' },
    { flags: '--body <text>', summary: 'with --status: the body of the answer' },
    { flags: '--body-file <file>', summary: 'with --status: the body, read from a file' },
    { flags: '--header <name:value>', summary: 'with --status: a header of the answer; with --continue: one to send (again for more)' },
    { flags: '--continue', summary: 'let it go to the server, with the --header lines set' },
    { flags: '--list', summary: 'the rules in place' },
  ],
  params: ROUTE,
  text: (r) => r.rules ? (r.rules.length ? (r.rules as Any[]).map(ruleLine).join('\n') : 'No route rules.') : `Route ${ruleLine(r.rule)}`,
  parse(args, opts, env) {
    if (opts.list) {
      if (args.length) throw usage('route --list takes nothing else');
      return { list: true };
    }
    const all = opts.all === true;
    const [first, ...rest] = args;
    const target = all ? undefined : first;
    const pattern = (all ? args : rest).join(' ');
    if (!all && !target) throw usage('route takes a target (or --all) and a URL pattern: cdp route <target> "*/api/*" --abort');
    if (!pattern) throw usage('route needs a URL pattern: * for any run of characters ("*/api/*"); without one it matches URLs that contain it');
    const kinds = [opts.abort !== undefined, opts.status !== undefined, opts.continue === true].filter(Boolean).length;
    if (kinds !== 1) throw usage('route takes one of --abort [reason], --status <n> (with --body/--body-file/--header) or --continue (with --header)');
    let action: RouteAction;
    if (opts.abort !== undefined) {
      const want = opts.abort === true ? 'Failed' : String(opts.abort);
      const reason = ABORT_REASONS.find((r) => r.toLowerCase() === want.toLowerCase());
      if (!reason) throw usage(`--abort takes one of ${ABORT_REASONS.join(', ')}, got: ${want}`);
      if (opts.header !== undefined || opts.body !== undefined || opts.bodyFile !== undefined) throw usage('--abort takes no --header or --body');
      action = { kind: 'abort', reason };
    } else if (opts.status !== undefined) {
      const status = Number(opts.status);
      if (!Number.isInteger(status) || status < 100 || status > 599) throw usage(`--status takes an HTTP status (100 to 599), got: ${String(opts.status)}`);
      if (opts.body !== undefined && opts.bodyFile !== undefined) throw usage('--body or --body-file, not both');
      let body = Buffer.from(opts.body === undefined ? '' : String(opts.body));
      if (opts.bodyFile !== undefined) {
        try {
          body = readFileSync(resolve(env.cwd, String(opts.bodyFile)));
        } catch (err) {
          throw new CdpdError('FILE_ERROR', `Cannot read --body-file ${String(opts.bodyFile)}: ${(err as Error).message}`);
        }
      }
      action = { kind: 'fulfill', status, body: body.toString('base64'), headers: headers(opts.header) };
    } else {
      if (opts.body !== undefined || opts.bodyFile !== undefined) throw usage('--continue takes --header, not --body');
      action = { kind: 'continue', headers: headers(opts.header) };
    }
    return { ...(all ? { all } : { target }), pattern, action };
  },
  async run(ctx, params) {
    const routes = ctx.tabs.routes;
    if (params.list) return { rules: routes.list().map(ruleInfo) };
    const a = params.action;
    if (!a || params.pattern === undefined) throw usage('route takes a pattern and an action');
    const action: RouteAction = a.kind === 'abort' ? a
      : a.kind === 'fulfill' ? { kind: 'fulfill', status: a.status, body: a.body ?? '', headers: a.headers ?? [] }
      : { kind: 'continue', headers: a.headers ?? [] };
    let targetId: string | null = null;
    if (!params.all) {
      if (params.target === undefined) throw usage('route takes a target, or all: true');
      targetId = (await ctx.tabs.resolve(params.target)).targetId;
      // A rule changes what the tab gets: like an action, not for a tab another client holds.
      ctx.tabs.leases.check(targetId, ctx.caller, 'route');
      await ctx.tabs.page(targetId, ctx.signal);
    }
    const rule = await routes.add(targetId, params.pattern, action);
    if (params.all) await ctx.tabs.attachAll();
    return { rule: ruleInfo(rule) };
  },
});

export const unroute = defineCommand({
  name: 'unroute',
  summary: 'remove a route rule by its id (r1), or --all of them',
  target: 'none',
  args: [{ name: 'id' }],
  options: [{ flags: '--all', summary: 'every rule' }],
  params: () => ({ id: v.string().opt(), all: v.boolean().opt() }),
  text: (r) => r.removed.length ? `Removed ${r.removed.join(', ')}` : 'No route rules to remove.',
  parse(args, opts) {
    if (opts.all) {
      if (args.length) throw usage('unroute --all takes no id');
      return { all: true };
    }
    if (!args[0]) throw usage('unroute takes a rule id (route --list shows them) or --all');
    return { id: args[0] };
  },
  async run(ctx, params) {
    const gone = await ctx.tabs.routes.remove(params.all ? null : params.id ?? '');
    if (!params.all && !gone.length) {
      throw new CdpdError('NOT_FOUND', `No route rule ${params.id ?? ''} (cdp route --list shows them).`);
    }
    return { removed: gone };
  },
});
