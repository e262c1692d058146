/**
 * Every setting the environment gives, with its default, in one place (README's
 * Environment table lists them). Read when asked, so a test's environment counts.
 */
import { envNumber } from './paths.js';

/** Entries kept per tab and ring when CDP_HISTORY does not say. */
export const DEFAULT_HISTORY = 1000;

export const settings = {
  /** CDP_LAUNCH_TIMEOUT: ms a managed browser has to open its debugging port. */
  launchTimeoutMs: () => envNumber('CDP_LAUNCH_TIMEOUT', 30_000),
  /** CDP_CONSENT_TIMEOUT: ms to wait for Chrome's "Allow remote debugging?". */
  consentTimeoutMs: () => envNumber('CDP_CONSENT_TIMEOUT', 120_000),
  /** CDP_IDLE_TIMEOUT: ms without a client before the daemon exits. */
  idleTimeoutMs: () => envNumber('CDP_IDLE_TIMEOUT', 20 * 60_000),
  /** CDP_START_TIMEOUT: ms a client waits for a daemon to come up. */
  startTimeoutMs: () => envNumber('CDP_START_TIMEOUT', 45_000),
  /** CDP_HISTORY: entries kept per tab and ring. */
  historySize: () => Math.floor(envNumber('CDP_HISTORY', DEFAULT_HISTORY)),
};
