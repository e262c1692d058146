/**
 * Capture: `shot`, a PNG of the viewport with the DPR and coordinate mapping.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { CdpdError } from '../protocol/errors.js';
import { runtimeDir } from '../runtime/paths.js';
import { str } from './args.js';
import { defineCommand } from './types.js';

export const shot = defineCommand({
  name: 'shot',
  aliases: ['screenshot'],
  summary: 'PNG of the viewport; prints the path, DPR and coordinate mapping',
  target: 'required',
  args: [{ name: 'file' }],
  parse(args, _opts, env) {
    // Resolved where the CLI runs, not where the daemon happened to start.
    return args[0] ? { path: resolve(env.cwd, args[0]) } : {};
  },
  async run(ctx, params: { path?: string }) {
    const path = params.path === undefined ? join(runtimeDir(), `screenshot-${ctx.page.targetId.slice(0, 8)}.png`)
      : str(params, 'path');
    if (!isAbsolute(path)) throw new CdpdError('USAGE', `shot needs an absolute path, got: ${path}`);
    const dpr = await ctx.page.call(() => window.devicePixelRatio);
    const { data } = await ctx.page.send('Page.captureScreenshot', { format: 'png' });
    const bytes = Buffer.from(data, 'base64');
    const { writeFile } = await import('node:fs/promises'); // not on the CLI's start-up path
    try {
      await writeFile(path, bytes, { mode: 0o600 });
    } catch (err) {
      throw new CdpdError('FILE_ERROR', `Cannot write ${path}: ${(err as Error).message}`);
    }
    return { path, dpr, bytes: bytes.length, width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  },
});
