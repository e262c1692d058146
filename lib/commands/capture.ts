/**
 * Capture: `shot` (the viewport, the full page, or one element; png, jpeg or webp) with
 * the DPR and coordinate mapping, and `pdf`.
 */
import { join, resolve } from 'node:path';
import { CdpdError } from '../protocol/errors.js';
import { runtimeDir } from '../runtime/paths.js';
import { absolutePath, usage } from './args.js';
import * as v from '../protocol/schema.js';
import { callOn, locate } from './elements.js';
import { DEVICE_PIXEL_RATIO, DOCUMENT_BOX } from './inpage.js';
import type { Page } from '../session/page.js';
import { writePrivateFile } from './files.js';
import { defineCommand } from './types.js';
import { shortId } from '../protocol/ids.js';
import { shotText } from './text.js';

const FORMATS = ['png', 'jpeg', 'webp'] as const;
type Format = (typeof FORMATS)[number];

const SHOT = () => ({
  path: absolutePath().opt(),
  full: v.boolean().opt(),
  selector: v.string().opt(),
  format: v.oneOf(FORMATS).opt(),
  quality: v.number({ integer: true, min: 0, max: 100 }).opt(),
});

/** What `shot` takes. */
export type ShotParams = v.Infer<ReturnType<typeof SHOT>>;

function outPath(page: Page, given: string | undefined, name: string): string {
  return given ?? join(runtimeDir(), `${name}-${shortId(page.targetId)}`);
}

export const shot = defineCommand({
  name: 'shot',
  aliases: ['screenshot'],
  summary: 'screenshot of the viewport (--full: whole page, --selector: one element); prints the path, DPR and coordinate mapping',
  target: 'required',
  reads: true,
  args: [{ name: 'file' }],
  options: [
    { flags: '--full', summary: 'the whole page, beyond the viewport' },
    { flags: '--selector <sel>', summary: 'only this element (CSS selector or @ref)' },
    { flags: '--format <fmt>', summary: 'png (default), jpeg or webp' },
    { flags: '--quality <n>', summary: 'jpeg/webp quality, 0-100' },
  ],
  params: SHOT,
  text: (r, target) => shotText(r, target),
  parse(args, opts, env) {
    const p: ShotParams = {};
    // Resolved where the CLI runs, not where the daemon happened to start.
    if (args[0]) p.path = resolve(env.cwd, args[0]);
    if (opts.full) p.full = true;
    if (opts.selector !== undefined) {
      if (typeof opts.selector !== 'string' || !opts.selector) throw usage('--selector needs a CSS selector or @ref');
      p.selector = opts.selector;
    }
    if (p.full && p.selector) throw usage('--full and --selector do not go together');
    if (opts.format !== undefined) {
      if (!FORMATS.includes(opts.format as Format)) throw usage(`--format takes png, jpeg or webp, got: ${String(opts.format)}`);
      p.format = opts.format as Format;
    }
    if (opts.quality !== undefined) {
      const q = Number(opts.quality);
      if (!Number.isInteger(q) || q < 0 || q > 100) throw usage(`--quality takes 0-100, got: ${String(opts.quality)}`);
      if ((p.format ?? 'png') === 'png') throw usage('--quality goes with --format jpeg or webp');
      p.quality = q;
    }
    return p;
  },
  async run(ctx, params) {
    const page = ctx.page;
    const format: Format = params.format ?? 'png';
    const path = outPath(page, params.path, 'screenshot') + (params.path === undefined ? `.${format === 'jpeg' ? 'jpg' : format}` : '');
    const dpr = await page.call(DEVICE_PIXEL_RATIO);
    const req: Parameters<Page['send']>[1] & object = { format };
    if (params.quality !== undefined && format !== 'png') Object.assign(req, { quality: params.quality });
    let css: { width: number; height: number } | undefined;
    if (params.full) {
      const m = await page.send('Page.getLayoutMetrics');
      const { width, height } = m.cssContentSize;
      css = { width: Math.ceil(width), height: Math.ceil(height) };
      Object.assign(req, { captureBeyondViewport: true, clip: { x: 0, y: 0, width: css.width, height: css.height, scale: 1 } });
    } else if (params.selector !== undefined) {
      const h = await locate(page, params.selector);
      if (h.sessionId !== page.sessionId) throw usage('shot --selector takes elements of the page itself, not of an out-of-process iframe');
      await page.send('DOM.scrollIntoViewIfNeeded', { objectId: h.objectId }).catch(() => {});
      const box = await callOn(page, h, DOCUMENT_BOX);
      if (box.width <= 0 || box.height <= 0) throw new CdpdError('NOT_INTERACTABLE', `Cannot capture ${params.selector}: it has no size (hidden or empty).`);
      css = { width: Math.round(box.width), height: Math.round(box.height) };
      Object.assign(req, { captureBeyondViewport: true, clip: { ...box, scale: 1 } });
    }
    const { data } = await page.send('Page.captureScreenshot', req as never);
    const bytes = Buffer.from(data, 'base64');
    await writePrivateFile(path, bytes);
    const png = format === 'png' && bytes.length > 24;
    const width = png ? bytes.readUInt32BE(16) : Math.round((css?.width ?? 0) * dpr) || undefined;
    const height = png ? bytes.readUInt32BE(20) : Math.round((css?.height ?? 0) * dpr) || undefined;
    return { path, dpr, format, bytes: bytes.length, width, height, full: params.full === true };
  },
});

export const pdf = defineCommand({
  name: 'pdf',
  summary: 'print the page to a PDF file (headless Chromium only)',
  target: 'required',
  reads: true,
  args: [{ name: 'file' }],
  options: [{ flags: '--landscape', summary: 'landscape pages' }, { flags: '--background', summary: 'print background graphics' }],
  params: () => ({ path: absolutePath().opt(), landscape: v.boolean().opt(), background: v.boolean().opt() }),
  text: (r) => `${r.path}\nPDF saved: ${r.pages} page(s), ${r.bytes} bytes`,
  parse: (args, opts, env) => ({
    ...(args[0] ? { path: resolve(env.cwd, args[0]) } : {}),
    ...(opts.landscape ? { landscape: true } : {}), ...(opts.background ? { background: true } : {}),
  }),
  async run(ctx, params) {
    const path = outPath(ctx.page, params.path, 'page') + (params.path === undefined ? '.pdf' : '');
    let data: string;
    try {
      ({ data } = await ctx.page.send('Page.printToPDF', { landscape: params.landscape === true, printBackground: params.background === true }));
    } catch (err) {
      if (err instanceof CdpdError && err.code === 'CDP_ERROR') {
        throw new CdpdError('CDP_ERROR', `Chrome cannot print this tab to PDF (${err.message}): printing works in headless Chromium, not in a windowed Chrome.`);
      }
      throw err;
    }
    const bytes = Buffer.from(data, 'base64');
    await writePrivateFile(path, bytes);
    const pages = (bytes.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    return { path, bytes: bytes.length, pages };
  },
});
