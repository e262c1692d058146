/**
 * The cdpd library: the same client the CLI uses.
 *
 *   import { connect } from 'cdpd';
 *   const cdp = await connect();
 *   const { pages } = await cdp.call('list');
 */
import type { Client } from './client/client.js';
import { connectOrStart, type StartOptions } from './client/start.js';

export { Client, type Session, type WatchTarget } from './client/client.js';
export type { StartOptions } from './client/start.js';
export { CdpdError, ERROR_CODES, type ErrorCode, type ErrorPayload } from './protocol/errors.js';
export * from './protocol/wire.js';
export { VERSION } from './protocol/version.js';

/** Connects to the daemon for the browser these options find, starting one if needed. */
export function connect(opts: StartOptions = {}): Promise<Client> {
  return connectOrStart(opts);
}
