/**
 * What happened on a page: `console`, `errors` and `requests` read a tab's history;
 * `watch` and `unwatch` stream its events live.
 */
import { CdpdError } from '../protocol/errors.js';
import { durationMs, usage } from './args.js';
import { expandKinds } from '../session/events.js';
import type { Entry, Ring } from '../session/history.js';
import { defineCommand } from './types.js';
import * as v from '../protocol/schema.js';
import { entryLine, type Any } from './text.js';

/** Where a history read starts: after an entry id, or from a time (ms); and whether to empty it after. */
const SINCE = () => ({ sinceId: v.number({ integer: true, min: 0 }).opt(), sinceTime: v.number().opt(), clear: v.boolean().opt() });

/** Where a history read starts. */
export type Since = Omit<v.Infer<ReturnType<typeof SINCE>>, 'clear'>;


/** `--since`: an entry id (e.g. 42), a duration back from now (30s, 5m), or a date. */
export function parseSince(raw: unknown, now = Date.now()): Since {
  if (raw === undefined || raw === true) return {};
  const text = String(raw).trim();
  if (/^\d+$/.test(text) && Number(text) < 1e12) return { sinceId: Number(text) };
  const d = durationMs(text);
  if (d !== undefined) return { sinceTime: now - d };
  const t = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(t)) throw usage(`--since takes an entry id (42), a duration (30s, 5m) or a date, got: ${text}`);
  return { sinceTime: t };
}

function list(raw: unknown): string[] | undefined {
  if (raw === undefined || raw === true || raw === '') return undefined;
  return String(raw).split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
}

function since(params: Since, e: Entry): boolean {
  if (params.sinceId !== undefined && e.id <= params.sinceId) return false;
  if (params.sinceTime !== undefined && e.time < params.sinceTime) return false;
  return true;
}

function read(ring: Ring<Entry>, params: Since & { clear?: boolean }, keep: (e: Entry) => boolean) {
  const entries = ring.toArray().filter((e) => since(params, e) && keep(e)).map(({ detail: _, ...e }) => e);
  const dropped = ring.dropped;
  if (params.clear) ring.clear();
  return { entries, dropped };
}

const SINCE_OPTS = [
  { flags: '--since <when>', summary: 'only entries after an entry id, or newer than a duration (30s, 5m) or a date' },
  { flags: '--clear', summary: 'empty this history after reading it' },
];

export const consoleCmd = defineCommand({
  name: 'console',
  summary: 'console messages and uncaught errors the tab logged, also before cdp attached',
  target: 'required',
  reads: true,
  args: [],
  options: [{ flags: '--level <levels>', summary: 'only these levels, comma-separated (log, info, warn, error, debug, …)' }, ...SINCE_OPTS],
  params: () => ({ ...SINCE(), levels: v.list(v.string()).opt() }),
  text: (r) => (r.entries as Any[]).map(entryLine).join('\n'),
  parse: (_args, opts) => ({ ...parseSince(opts.since), levels: list(opts.level), clear: Boolean(opts.clear) }),
  async run(ctx, params) {
    const levels = params.levels?.length ? new Set(params.levels) : undefined;
    const history = await ctx.tabs.history(ctx.page.targetId);
    return read(history.console, params, (e) => {
      if (!levels || e.kind === 'navigation') return true;
      return levels.has(e.kind === 'error' ? 'error' : String(e.data.level));
    });
  },
});

export const errors = defineCommand({
  name: 'errors',
  summary: 'uncaught exceptions of the tab',
  target: 'required',
  reads: true,
  args: [],
  options: SINCE_OPTS,
  params: SINCE,
  text: (r) => (r.entries as Any[]).map(entryLine).join('\n'),
  parse: (_args, opts) => ({ ...parseSince(opts.since), clear: Boolean(opts.clear) }),
  async run(ctx, params) {
    const history = await ctx.tabs.history(ctx.page.targetId);
    return read(history.console, params, (e) => e.kind === 'error');
  },
});

/** `--status`: 404, 4xx, or a comparison like >=400. */
export function statusFilter(raw: string): (status: number) => boolean {
  const m = /^(\d)xx$/i.exec(raw);
  if (m) return (s) => Math.floor(s / 100) === Number(m[1]);
  const c = /^(>=|<=|>|<)?(\d{3})$/.exec(raw);
  if (!c) throw usage(`--status takes a code (404), a class (4xx) or a comparison (>=400), got: ${raw}`);
  const n = Number(c[2]);
  const ops: Record<string, (s: number) => boolean> = { '>=': (s) => s >= n, '<=': (s) => s <= n, '>': (s) => s > n, '<': (s) => s < n, '': (s) => s === n };
  return ops[c[1] ?? '']!;
}

export const requests = defineCommand({
  name: 'requests',
  summary: 'network requests of the tab: method, status, type, size, time, url',
  target: 'required',
  reads: true,
  args: [],
  options: [
    { flags: '--type <types>', summary: 'only these resource types, comma-separated (document, xhr, fetch, script, image, …)' },
    { flags: '--status <code>', summary: 'only this status: 404, 4xx or >=400' },
    { flags: '--failed', summary: 'only requests that failed (no response)' },
    ...SINCE_OPTS,
  ],
  params: () => ({
    ...SINCE(),
    types: v.list(v.string()).opt(),
    status: v.string().refine((s) => (statusFilter(s), s)).opt(),
    failed: v.boolean().opt(),
  }),
  text: (r) => (r.entries as Any[]).map(entryLine).join('\n'),
  parse(_args, opts) {
    if (opts.status !== undefined) statusFilter(String(opts.status));
    return { ...parseSince(opts.since), types: list(opts.type), status: opts.status === undefined ? undefined : String(opts.status), failed: Boolean(opts.failed), clear: Boolean(opts.clear) };
  },
  async run(ctx, params) {
    const types = params.types?.length ? new Set(params.types) : undefined;
    const status = params.status ? statusFilter(params.status) : undefined;
    const filtered = Boolean(types || status || params.failed);
    const history = await ctx.tabs.history(ctx.page.targetId);
    return read(history.network, params, (e) => {
      if (e.kind === 'navigation') return !filtered;
      if (types && !types.has(String(e.data.resourceType).toLowerCase())) return false;
      if (params.failed && e.data.state !== 'failed') return false;
      if (status && ((e.data.state !== 'done' && e.data.state !== 'loading') || !status(Number(e.data.status)))) return false;
      return true;
    });
  },
});

/** The event kinds `events` names (groups expanded), or a USAGE error. */
function kindsOf(events: string[] | undefined): ReturnType<typeof expandKinds> {
  try {
    return expandKinds(events);
  } catch (err) {
    throw usage((err as Error).message);
  }
}

export const watch = defineCommand({
  name: 'watch',
  summary: 'stream page events until Ctrl-C: console, error, network, nav, dialog, target',
  target: 'optional',
  reads: true,
  args: [],
  options: [
    { flags: '--all', summary: 'every tab, also tabs opened later' },
    { flags: '--events <kinds>', summary: 'comma-separated kinds or groups (console,error,network,nav,dialog,target; requestfinished adds sizes and timings); default all but requestfinished' },
  ],
  streams: true,
  params: () => ({ all: v.boolean().opt(), events: v.list(v.string()).refine((e) => (kindsOf(e), e)).opt() }),
  parse(_args, opts) {
    const events = list(opts.events);
    kindsOf(events);
    return { all: Boolean(opts.all), ...(events ? { events } : {}) };
  },
  async run(ctx, params) {
    if (!ctx.stream) throw new CdpdError('USAGE', 'watch needs the daemon: it cannot run with --no-daemon');
    const kinds = kindsOf(params.events);
    let targetId: string | undefined;
    let targets: string[];
    if (params.all) {
      ctx.tabs.attachNewPages(true);
      targets = await ctx.tabs.attachAll();
    } else {
      if (params.target === undefined) throw usage('watch needs a target, or --all for every tab');
      targetId = (await ctx.tabs.resolve(params.target)).targetId;
      await ctx.tabs.history(targetId); // attaches, so events flow
      targets = [targetId];
    }
    const sub = ctx.stream.watch({ targetId, kinds });
    return { sub, targets, events: [...kinds] };
  },
});

export const unwatch = defineCommand({
  name: 'unwatch',
  summary: 'end a watch subscription of this connection (protocol only)',
  target: 'none',
  wireOnly: true,
  args: [{ name: 'sub', required: true }],
  params: () => ({ sub: v.either(v.number(), v.string()) }),
  parse: (args) => ({ sub: /^\d+$/.test(args[0] ?? '') ? Number(args[0]) : args[0] ?? '' }),
  async run(ctx, params) {
    if (!ctx.stream) throw new CdpdError('USAGE', 'unwatch needs the daemon');
    return { unwatched: ctx.stream.unwatch(params.sub) };
  },
});
