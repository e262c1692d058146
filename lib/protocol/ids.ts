/** The shortest target prefix cdp prints and accepts (chrome-cdp's). */
export const MIN_PREFIX = 8;

/** A target id as cdp names a tab in messages: its first MIN_PREFIX characters. */
export function shortId(targetId: string): string {
  return targetId.slice(0, MIN_PREFIX);
}
