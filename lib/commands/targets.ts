/**
 * Tabs and the daemon itself: `list`, `open`, `stop`, `status`.
 */
import { CdpdError } from '../protocol/errors.js';
import { checkUrl, joined, timeoutOf } from './args.js';
import { navigate, NAV_TIMEOUT_MS } from './navigation.js';
import { defineCommand } from './types.js';

export const list = defineCommand({
  name: 'list',
  aliases: ['ls'],
  summary: 'open pages: <prefix>  <title>  <url>',
  target: 'none',
  args: [],
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
  parse: (args, opts) => ({ url: checkUrl(args.length ? joined(args) : 'about:blank', true), ...(opts.background ? { background: true } : {}) }),
  async run(ctx, params: { url?: string; timeout?: number; background?: boolean }) {
    const url = checkUrl(typeof params.url === 'string' && params.url ? params.url : 'about:blank', true);
    // Open blank, attach, then navigate: waiting on a load that may already have fired races.
    const { targetId } = await ctx.browser.send('Target.createTarget', { url: 'about:blank', background: params.background === true });
    let title = '';
    let finalUrl = url;
    if (url !== 'about:blank') {
      const page = await ctx.tabs.page(targetId, ctx.signal);
      try {
        ({ url: finalUrl, title } = await navigate(page, url, timeoutOf(params, NAV_TIMEOUT_MS)));
      } catch (err) {
        if (err instanceof CdpdError) {
          err.message += ` (the tab stays open: ${targetId.slice(0, 8)})`;
          err.details = { ...err.details, targetId };
        }
        throw err;
      }
    }
    const pages = await ctx.tabs.list();
    const prefix = pages.find((p) => p.targetId === targetId)?.prefix ?? targetId.slice(0, 8);
    return { targetId, prefix, url: finalUrl, title };
  },
});

export const close = defineCommand({
  name: 'close',
  summary: 'close a tab',
  target: 'required',
  args: [],
  parse: () => ({}),
  async run(ctx) {
    const { targetId } = ctx.page;
    const info = await ctx.tabs.resolve(targetId);
    const { success } = await ctx.browser.send('Target.closeTarget', { targetId });
    if (!success) throw new CdpdError('CDP_ERROR', `Chrome did not close the tab ${targetId.slice(0, 8)}`);
    // Chrome answers before the tab is gone: wait for it, so a list after this has it not.
    await ctx.tabs.gone(targetId, 5_000);
    return { targetId, prefix: targetId.slice(0, 8), url: info.url };
  },
});

export const activate = defineCommand({
  name: 'activate',
  summary: 'bring a tab to the front',
  target: 'required',
  args: [],
  parse: () => ({}),
  async run(ctx) {
    const { targetId } = ctx.page;
    await ctx.browser.send('Target.activateTarget', { targetId });
    await ctx.page.send('Page.bringToFront');
    return { targetId, prefix: targetId.slice(0, 8) };
  },
});

export const stop = defineCommand({
  name: 'stop',
  summary: 'stop the daemon (closing a browser it launched), or detach from one tab',
  target: 'optional',
  args: [],
  noStart: true,
  parse: () => ({}),
  async run(ctx, params: { target?: string }) {
    if (typeof params.target === 'string' && params.target) {
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
  args: [],
  noStart: true,
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
  args: [],
  cliOnly: true,
  parse: () => ({}),
  async run() {
    throw new CdpdError('UNKNOWN_COMMAND', 'repl runs in the CLI: "cdp repl [target]"');
  },
});
