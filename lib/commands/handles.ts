/**
 * What the element commands share: the element their params name (a @ref or a CSS
 * selector, looked up in `--frame`), how they parse and declare it, and how long an
 * action waits for a navigation it starts.
 */
import { frameOption, joined, usage } from './args.js';
import { locate, resolveFrame, type Handle } from './elements.js';
import { NAV_TIMEOUT_MS } from './navigation.js';
import type { Page } from '../session/page.js';
import * as v from '../protocol/schema.js';

/** `--frame`, for the commands that take a selector: where a CSS selector is looked up (refs know their frame). */
export const FRAME_OPTION = frameOption('look the selector up in');

/** The `selector` param: a CSS selector or a @ref. */
export const selectorField = (): v.Field<string, false> => v.string({ missing: 'CSS selector or @ref required' });

/** The element `spec` names, a CSS selector looked up in `frame` when given. */
export async function element(page: Page, spec: string, frame: string | undefined): Promise<Handle> {
  return locate(page, spec, frame ? await resolveFrame(page, frame) : undefined);
}

/** How long an action waits for a navigation it starts. */
export function actTimeout(params: { timeout?: number }): number {
  return params.timeout ?? NAV_TIMEOUT_MS;
}

export function selectorArgs(args: string[]): { selector: string } {
  const selector = joined(args);
  if (!selector.trim()) throw usage('CSS selector or @ref required');
  return { selector };
}
