/**
 * `wait`: until an element appears (or is gone), text shows, the URL matches, the
 * network is idle, an expression is truthy, or a number of milliseconds has passed.
 */
import { CdpdError } from '../protocol/errors.js';
import { frameField, frameOption, frameParam, usage } from './args.js';
import * as v from '../protocol/schema.js';
import { callIn, evaluateIn, locate, resolveFrame, type Frame } from './elements.js';
import { HAS_TEXT, HREF, SELECTOR_VISIBLE } from './inpage.js';
import { jsException, type Page } from '../session/page.js';
import { parseRef } from '../session/refs.js';
import { defineCommand } from './types.js';

/** Default wait (ms); --timeout raises it. */
export const WAIT_TIMEOUT_MS = 30_000;
/** How often a condition is checked. */
const POLL_MS = 100;
/** Quiet time without requests that counts as network idle. */
export const IDLE_MS = 500;

/** What `wait` waits for: one of `ms`, `selector`, `text`, `url`, `idle`, `js`. */
const WAIT = () => ({
  ms: v.number({ min: 0 }).opt(),
  selector: v.string().opt(),
  text: v.string().opt(),
  gone: v.boolean().opt(),
  url: v.string().refine((u) => (urlMatcher(u), u)).opt(),
  idle: v.boolean().opt(),
  js: v.string().opt(),
  frame: frameField(),
});

/** What `wait` waits for. */
export type WaitParams = v.Infer<ReturnType<typeof WAIT>>;

/** `--url`: a glob (`*` any run of characters), a /regex/, or else a substring. */
export function urlMatcher(pattern: string): (url: string) => boolean {
  const re = /^\/(.+)\/([imsu]*)$/.exec(pattern);
  if (re) {
    let rx: RegExp;
    try {
      rx = new RegExp(re[1]!, re[2]);
    } catch {
      throw usage(`--url ${pattern} is not a valid regular expression`);
    }
    return (u) => rx.test(u);
  }
  if (pattern.includes('*')) {
    const rx = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    return (u) => rx.test(u);
  }
  return (u) => u.includes(pattern);
}

/** Errors while a document is being swapped out: the condition is checked again. */
function transient(err: unknown): boolean {
  return err instanceof CdpdError && (err.code === 'CDP_ERROR' || err.code === 'ELEMENT_NOT_FOUND');
}

function describe(p: WaitParams): string {
  if (p.selector !== undefined) return `${p.selector}${p.gone ? ' to be gone' : ''}`;
  if (p.text !== undefined) return `text ${JSON.stringify(p.text)}${p.gone ? ' to be gone' : ''}`;
  if (p.url !== undefined) return `the URL to match ${p.url}`;
  if (p.idle) return 'the network to be idle';
  return `${p.js} to be truthy`;
}

async function check(page: Page, frame: Frame, p: WaitParams): Promise<unknown> {
  if (p.selector !== undefined) {
    if (parseRef(p.selector)) {
      // A ref is one element: present while it is connected and its document stands.
      try {
        await locate(page, p.selector);
        return !p.gone;
      } catch (err) {
        if (err instanceof CdpdError && err.code === 'STALE_REF') {
          if (p.gone) return true;
          throw err;
        }
        throw err;
      }
    }
    const found = await callIn(page, frame, SELECTOR_VISIBLE, p.selector);
    return p.gone ? !found : found;
  }
  if (p.text !== undefined) {
    const found = await callIn(page, frame, HAS_TEXT, p.text);
    return p.gone ? !found : found;
  }
  if (p.url !== undefined) {
    const matches = urlMatcher(p.url);
    const url = await callIn(page, frame, HREF);
    return matches(url) ? url : false;
  }
  if (p.idle) {
    return page.networkQuietFor() >= IDLE_MS;
  }
  const r = await evaluateIn(page, frame, { expression: p.js!, awaitPromise: true, returnByValue: true, replMode: true });
  if (r.exceptionDetails) throw jsException(r.exceptionDetails);
  return r.result.value;
}

export const wait = defineCommand({
  name: 'wait',
  summary: 'wait for --selector, --text, --url, --idle, --js, or a number of ms (--gone: until absent)',
  target: 'required',
  reads: true,
  args: [{ name: 'ms' }],
  options: [
    { flags: '--selector <sel>', summary: 'until this CSS selector (or @ref) is visible' },
    { flags: '--text <text>', summary: 'until the page shows this text' },
    { flags: '--gone', summary: 'with --selector or --text: until it is no longer there' },
    { flags: '--url <pattern>', summary: 'until the URL matches: a substring, a glob with *, or /regex/' },
    { flags: '--idle', summary: `until no request has been in flight for ${IDLE_MS} ms` },
    { flags: '--js <expr>', summary: 'until this expression is truthy' },
    frameOption('check in'),
  ],
  params: WAIT,
  text: (r) => `Waited ${r.waited} ms for ${r.for}${r.url ? `: ${r.url}` : ''}`,
  parse(args, opts) {
    const p: WaitParams = {};
    const conds = ['selector', 'text', 'url', 'idle', 'js'].filter((k) => opts[k] !== undefined && opts[k] !== false);
    if (args.length > 1) throw usage('wait takes at most one number of ms');
    if (args.length) {
      const ms = Number(args[0]);
      if (!Number.isFinite(ms) || ms < 0) throw usage(`wait takes a number of ms, got: ${args[0]}`);
      p.ms = ms;
    }
    if (conds.length + (p.ms === undefined ? 0 : 1) !== 1) {
      throw usage('wait takes one of: a number of ms, --selector, --text, --url, --idle, --js');
    }
    for (const k of ['selector', 'text', 'url', 'js'] as const) {
      if (opts[k] === undefined) continue;
      if (typeof opts[k] !== 'string' && typeof opts[k] !== 'number') throw usage(`--${k} needs a value`);
      p[k] = String(opts[k]);
    }
    if (opts.idle) p.idle = true;
    if (opts.gone) {
      if (p.selector === undefined && p.text === undefined) throw usage('--gone goes with --selector or --text');
      p.gone = true;
    }
    if (p.url !== undefined) urlMatcher(p.url);
    return { ...p, ...frameParam(opts) };
  },
  async run(ctx, params) {
    const started = Date.now();
    const conds = (['ms', 'selector', 'text', 'url', 'js'] as const).filter((k) => params[k] !== undefined).length + (params.idle ? 1 : 0);
    if (conds !== 1) throw usage('wait takes one of: ms, selector, text, url, idle, js');
    if (params.ms !== undefined) {
      await ctx.page.guard(new Promise((r) => setTimeout(r, params.ms)));
      return { waited: Date.now() - started, for: `${params.ms} ms` };
    }
    const timeout = params.timeout ?? WAIT_TIMEOUT_MS;
    const what = describe(params);
    const frameSpec = params.frame;
    for (;;) {
      let value: unknown;
      try {
        // The frame is found again each time: a navigation replaces its context.
        const frame = await resolveFrame(ctx.page, frameSpec);
        value = await check(ctx.page, frame, params);
      } catch (err) {
        if (!transient(err)) throw err;
      }
      if (value) {
        const out: Record<string, unknown> = { waited: Date.now() - started, for: what };
        if (typeof value === 'string') out.url = value;
        if (params.js !== undefined) out.value = value;
        return out;
      }
      if (Date.now() - started >= timeout) {
        throw new CdpdError('TIMEOUT', `Timed out after ${timeout} ms waiting for ${what} (raise with --timeout)`);
      }
      await ctx.page.guard(new Promise((r) => setTimeout(r, POLL_MS)));
    }
  },
});
