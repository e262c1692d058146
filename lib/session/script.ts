/**
 * In-page code as source text: a function expression, typed by what it takes and returns
 * (lib/commands/inpage.ts says why strings, and holds the scripts).
 */
declare const signature: unique symbol;

/** The source of a function that runs in the page, typed by its arguments and result. */
export type PageScript<A extends unknown[], T> = string & { readonly [signature]?: (...args: A) => T };

/** Brands a function's source as a PageScript of the given arguments and result. */
export function script<A extends unknown[], T>(source: string): PageScript<A, T> {
  return source as PageScript<A, T>;
}
