/**
 * Tabs and the daemon itself: `list`, `open`, `stop`, `status`.
 */
import { CdpdError } from '../protocol/errors.js';
import { checkUrl, durationMs, joined, urlParam, usage } from './args.js';
import * as v from '../protocol/schema.js';
import { DEFAULT_TTL_MS } from '../session/leases.js';
import { navigate, NAV_TIMEOUT_MS } from './navigation.js';
import { defineCommand } from './types.js';
import { shortId } from '../protocol/ids.js';
import { pageTable, statusText } from './text.js';

export const list = defineCommand({
  name: 'list',
  aliases: ['ls'],
  summary: 'open pages: <prefix>  <title>  <url>',
  target: 'none',
  args: [],
  params: () => ({}),
  text: (r) => pageTable(r.pages),
  parse: () => ({}),
  async run(ctx) {
    return { pages: await ctx.tabs.list() };
  },
});

export const open = defineCommand({
  name: 'open',
  summary: 'open a new tab (http/https URL, default about:blank), wait for load, print its prefix',
  target: 'none',
  args: [{ name: 'url' }],
  options: [{ flags: '--background', summary: 'open the tab without bringing it to the front' }],
  params: () => ({ url: urlParam(true).opt(), background: v.boolean().opt() }),
  text: (r) => `Opened new tab: ${r.prefix}  ${r.url}`,
  parse: (args, opts) => ({ url: checkUrl(args.length ? joined(args) : 'about:blank', true), ...(opts.background ? { background: true } : {}) }),
  async run(ctx, params) {
    const url = params.url ?? 'about:blank';
    // Open blank, attach, then navigate: waiting on a load that may already have fired races.
    const { targetId } = await ctx.browser.send('Target.createTarget', { url: 'about:blank', background: params.background === true });
    let title = '';
    let finalUrl = url;
    if (url !== 'about:blank') {
      const page = await ctx.tabs.page(targetId, ctx.signal);
      try {
        ({ url: finalUrl, title } = await navigate(page, url, params.timeout ?? NAV_TIMEOUT_MS));
      } catch (err) {
        if (err instanceof CdpdError) {
          err.message += ` (the tab stays open: ${shortId(targetId)})`;
          err.details = { ...err.details, targetId };
        }
        throw err;
      }
    }
    const pages = await ctx.tabs.list();
    const prefix = pages.find((p) => p.targetId === targetId)?.prefix ?? shortId(targetId);
    return { targetId, prefix, url: finalUrl, title };
  },
});

export const close = defineCommand({
  name: 'close',
  summary: 'close a tab',
  target: 'required',
  args: [],
  params: () => ({}),
  text: (r) => `Closed ${r.prefix}  ${r.url}`,
  parse: () => ({}),
  async run(ctx) {
    const { targetId } = ctx.page;
    const info = await ctx.tabs.resolve(targetId);
    const { success } = await ctx.browser.send('Target.closeTarget', { targetId });
    if (!success) throw new CdpdError('CDP_ERROR', `Chrome did not close the tab ${shortId(targetId)}`);
    // Chrome answers before the tab is gone: wait for it, so a list after this has it not.
    await ctx.tabs.gone(targetId, 5_000);
    return { targetId, prefix: shortId(targetId), url: info.url };
  },
});

export const activate = defineCommand({
  name: 'activate',
  summary: 'bring a tab to the front',
  target: 'required',
  args: [],
  params: () => ({}),
  text: (r) => `Activated ${r.prefix}`,
  parse: () => ({}),
  async run(ctx) {
    const { targetId } = ctx.page;
    await ctx.browser.send('Target.activateTarget', { targetId });
    await ctx.page.send('Page.bringToFront');
    return { targetId, prefix: shortId(targetId) };
  },
});

export const stop = defineCommand({
  name: 'stop',
  summary: 'stop the daemon (closing a browser it launched), or detach from one tab',
  target: 'optional',
  args: [],
  noStart: true,
  params: () => ({}),
  text: (r) => {
      if (r.detached) return `Detached from ${r.detached}`;
      if (r.prefix) return `Not attached to ${r.prefix}`;
      return r.stopped ? `Stopped the daemon (pid ${r.pid})` : 'No daemon running.';
    },
  parse: () => ({}),
  async run(ctx, params) {
    if (params.target !== undefined) {
      const page = await ctx.tabs.resolve(params.target);
      const detached = await ctx.tabs.detach(page.targetId);
      return { stopped: false, detached: detached ? page.prefix : null, prefix: page.prefix };
    }
    if (!ctx.daemon) return { stopped: false, detached: null };
    const { pid } = ctx.daemon.status() as { pid: number };
    // Answer first: the daemon shuts down after the response is on its way.
    setImmediate(() => ctx.daemon?.shutdown('cdp stop'));
    return { stopped: true, pid, detached: null };
  },
});

export const status = defineCommand({
  name: 'status',
  summary: 'daemons, their browsers and attached tabs',
  target: 'none',
  cliMode: 'every-daemon',
  args: [],
  noStart: true,
  params: () => ({}),
  text: (r) => statusText(r.daemons),
  parse: () => ({}),
  async run(ctx) {
    const pages = await ctx.tabs.list();
    const base = ctx.daemon ? ctx.daemon.status() : { pid: process.pid, mode: 'direct' };
    return { ...base, pages: pages.length, attached: pages.filter((p) => p.attached).map(({ prefix, url }) => ({ prefix, url })) };
  },
});

export const repl = defineCommand({
  name: 'repl',
  summary: 'interactive session: JavaScript in the tab, dot-commands (.snap, .nav <url>, .use <t>, .watch)',
  target: 'optional',
  cliMode: 'session',
  args: [],
  cliOnly: true,
  params: () => ({}),
  parse: () => ({}),
  async run() {
    throw new CdpdError('UNKNOWN_COMMAND', 'repl runs in the CLI: "cdp repl [target]"');
  },
});

/** A TTL as `claim --ttl` takes it: 90s, 10m, 1h, or ms. */
function ttlOf(raw: unknown): number {
  if (raw === undefined) return DEFAULT_TTL_MS;
  const n = durationMs(String(raw), 'ms');
  if (n === undefined || n <= 0) throw usage(`--ttl takes a duration (90s, 10m, 1h), got: ${String(raw)}`);
  return n;
}

export const claim = defineCommand({
  name: 'claim',
  summary: "lease a tab to this client (--lease <name>, or this connection): others' actions on it fail, their reads work",
  target: 'required',
  reads: true,
  args: [],
  options: [{ flags: '--ttl <duration>', summary: 'how long the lease lasts (90s, 10m, 1h; default 10m); claiming again renews it' }],
  params: () => ({ ttlMs: v.number({ min: 1 }).opt() }),
  text: (r) => `Claimed ${r.prefix} for ${r.holder} until ${new Date(r.expiresAt).toISOString()}`,
  parse: (_args, opts) => ({ ttlMs: ttlOf(opts.ttl) }),
  run(ctx, params) {
    const lease = ctx.tabs.leases.claim(ctx.page.targetId, ctx.caller, params.ttlMs ?? DEFAULT_TTL_MS);
    return Promise.resolve({ targetId: ctx.page.targetId, prefix: shortId(ctx.page.targetId), holder: lease.holder, expiresAt: lease.expiresAt });
  },
});

export const release = defineCommand({
  name: 'release',
  summary: 'end your lease of a tab (cdp claim)',
  target: 'required',
  reads: true,
  args: [],
  params: () => ({}),
  text: (r) => r.released ? `Released ${r.prefix}` : `${r.prefix} was not leased`,
  parse: () => ({}),
  run(ctx) {
    const released = ctx.tabs.leases.release(ctx.page.targetId, ctx.caller);
    return Promise.resolve({ targetId: ctx.page.targetId, prefix: shortId(ctx.page.targetId), released });
  },
});
