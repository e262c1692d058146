/**
 * What the element commands share: the element their params name (a @ref or a CSS
 * selector, looked up in `--frame`), how they parse it, and how long an action waits for
 * a navigation it starts.
 */
import { frameOption, joined, str, timeoutOf, usage } from './args.js';
import { locate, resolveFrame, type Handle } from './elements.js';
import { NAV_TIMEOUT_MS } from './navigation.js';
import type { CommandContext } from './types.js';

/** `--frame`, for the commands that take a selector: where a CSS selector is looked up (refs know their frame). */
export const FRAME_OPTION = frameOption('look the selector up in');

/** The element a command's params name, looked up in its `--frame`. */
export async function element(ctx: CommandContext, params: { frame?: unknown }, key = 'selector', what = 'selector or @ref'): Promise<Handle> {
  const spec = str(params as Record<string, unknown>, key, what);
  const frame = typeof params.frame === 'string' && params.frame ? await resolveFrame(ctx.page, params.frame) : undefined;
  return locate(ctx.page, spec, frame);
}

export function actTimeout(params: { timeout?: unknown }): number {
  return timeoutOf(params, NAV_TIMEOUT_MS);
}

export function selectorArgs(args: string[]): { selector: string } {
  const selector = joined(args);
  if (!selector.trim()) throw usage('CSS selector or @ref required');
  return { selector };
}
