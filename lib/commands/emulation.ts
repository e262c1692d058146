/**
 * Emulation on a tab's session: `viewport` (size, DPR, mobile) and `emulate` (user agent,
 * colour scheme, offline). Overrides last while cdp holds the tab's session.
 */
import { usage } from './args.js';
import { EMULATED, VIEWPORT } from './inpage.js';
import { defineCommand } from './types.js';
import * as v from '../protocol/schema.js';

const SIZE = /^(\d{2,5})x(\d{2,5})$/;

export const viewport = defineCommand({
  name: 'viewport',
  summary: 'set the viewport to <width>x<height> CSS pixels (--dpr, --mobile), or "reset"',
  target: 'required',
  args: [{ name: 'size', required: true }],
  options: [{ flags: '--dpr <n>', summary: 'device pixel ratio (default 1)' }, { flags: '--mobile', summary: 'emulate a mobile device (meta viewport, touch)' }],
  params: () => ({
    reset: v.boolean().opt(),
    width: v.number({ integer: true, min: 1 }).opt(),
    height: v.number({ integer: true, min: 1 }).opt(),
    dpr: v.number({ min: 0.01, max: 10 }).opt(),
    mobile: v.boolean().opt(),
  }),
  text: (r) => `Viewport ${r.width}x${r.height}, DPR ${r.dpr}`,
  parse(args, opts) {
    const [size] = args;
    if (args.length !== 1 || !size) throw usage('viewport takes <width>x<height>, e.g. 1280x720, or reset');
    if (size === 'reset') return { reset: true };
    const m = SIZE.exec(size);
    if (!m) throw usage(`viewport takes <width>x<height>, e.g. 1280x720, got: ${size}`);
    const dpr = opts.dpr === undefined ? 1 : Number(opts.dpr);
    if (!Number.isFinite(dpr) || dpr <= 0 || dpr > 10) throw usage(`--dpr takes a number from 0 to 10, got: ${String(opts.dpr)}`);
    return { width: Number(m[1]), height: Number(m[2]), dpr, ...(opts.mobile ? { mobile: true } : {}) };
  },
  async run(ctx, params) {
    const page = ctx.page;
    if (params.reset) {
      await page.send('Emulation.clearDeviceMetricsOverride');
      await page.send('Emulation.setTouchEmulationEnabled', { enabled: false });
    } else {
      const { width, height, dpr = 1 } = params;
      if (width === undefined || height === undefined) throw usage('viewport takes "width" and "height", or "reset"');
      const mobile = params.mobile === true;
      await page.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: dpr, mobile });
      await page.send('Emulation.setTouchEmulationEnabled', { enabled: mobile });
    }
    return page.call(VIEWPORT);
  },
});

export const emulate = defineCommand({
  name: 'emulate',
  summary: 'emulate a user agent, a colour scheme or being offline on a tab',
  target: 'required',
  args: [],
  options: [
    { flags: '--user-agent <ua>', summary: 'send and report this user agent' },
    { flags: '--media <scheme>', summary: 'prefers-color-scheme: dark, light, or none to stop' },
    { flags: '--offline', summary: 'cut the tab off the network' },
    { flags: '--online', summary: 'put it back' },
  ],
  params: () => ({ userAgent: v.string().opt(), media: v.oneOf(['dark', 'light', 'none']).opt(), offline: v.boolean().opt() }),
  text: (r) => `User agent: ${r.userAgent}\nColour scheme: ${r.media}\n${r.online ? 'Online' : 'Offline'}`,
  parse(_args, opts) {
    const p: { userAgent?: string; media?: 'dark' | 'light' | 'none'; offline?: boolean } = {};
    if (opts.userAgent !== undefined) {
      if (typeof opts.userAgent !== 'string' || !opts.userAgent) throw usage('--user-agent needs a value');
      p.userAgent = opts.userAgent;
    }
    if (opts.media !== undefined) {
      if (!['dark', 'light', 'none'].includes(String(opts.media))) throw usage(`--media takes dark, light or none, got: ${String(opts.media)}`);
      p.media = opts.media as 'dark' | 'light' | 'none';
    }
    if (opts.offline && opts.online) throw usage('--offline or --online, not both');
    if (opts.offline) p.offline = true;
    if (opts.online) p.offline = false;
    if (!Object.keys(p).length) throw usage('emulate takes --user-agent, --media or --offline/--online');
    return p;
  },
  async run(ctx, params) {
    const page = ctx.page;
    if (params.userAgent !== undefined) await page.send('Emulation.setUserAgentOverride', { userAgent: params.userAgent });
    if (params.media !== undefined) {
      const value = params.media === 'none' ? '' : params.media;
      await page.send('Emulation.setEmulatedMedia', { features: [{ name: 'prefers-color-scheme', value }] });
    }
    if (params.offline !== undefined) {
      await page.send('Network.emulateNetworkConditions', { offline: params.offline, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    }
    return page.call(EMULATED);
  },
});
