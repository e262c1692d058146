/**
 * The one-shot CLI's daemon session over LiteSocket: auth, the welcome checked against the
 * discovery file, and requests by id (lib/client/requests.ts).
 */
import { CdpdError } from '../protocol/errors.js';
import type { WelcomeFrame } from '../protocol/wire.js';
import { mark } from '../runtime/trace.js';
import { LiteSocket } from './lite.js';
import { parseWelcome, Requests } from './requests.js';

/** What the discovery file says the daemon is; its welcome must agree. */
export interface Expected { protocol: number; version: string }

/**
 * The one-shot CLI's session: the auth frame and the first request go out with the
 * upgrade request, in one round trip; the welcome and the answer are checked as they come.
 */
export class LiteClient {
  private readonly sock: LiteSocket;
  private readonly requests: Requests;
  private welcome: WelcomeFrame | undefined;

  private constructor(sock: LiteSocket, expected: Expected | undefined) {
    this.sock = sock;
    this.requests = new Requests((text) => sock.sendText(text));
    sock.handle((text) => {
      if (this.welcome) return this.requests.receive(text);
      try {
        this.welcome = parseWelcome(text);
        mark('welcomed');
        if (expected && (this.welcome.protocol !== expected.protocol || this.welcome.version !== expected.version)) {
          throw new CdpdError('DAEMON_GONE', `The daemon says it is version ${this.welcome.version} (protocol ${this.welcome.protocol}), not what its discovery file says. Run "cdp stop" and try again.`);
        }
      } catch (err) {
        this.requests.fail(err as CdpdError);
        void sock.close(1002);
      }
    }, (code, reason) => {
      if (sock.failure) this.requests.fail(sock.failure);
      else if (!this.welcome) this.requests.fail(new CdpdError('DAEMON_GONE', `The daemon refused the connection (close code ${code}).`, { closeCode: code }));
      else this.requests.closed(code, reason);
    });
  }

  /**
   * Connects to a daemon on 127.0.0.1:`port` and sends the auth frame; resolves once the
   * TCP connection stands, so a call can follow in the same round trip.
   */
  static async open(port: number, token: string, expected?: Expected, timeoutMs = 5000): Promise<LiteClient> {
    const sock = await LiteSocket.connect(port, timeoutMs);
    sock.sendText(JSON.stringify({ type: 'auth', token }));
    return new LiteClient(sock, expected);
  }

  /**
   * Runs a command; rejects with the daemon's CdpdError, or with why the connection failed,
   * or after `timeoutMs` without an answer (a wedged daemon never leaves the CLI hanging).
   */
  call(cmd: string, params: Record<string, unknown> = {}, timeoutMs?: number): Promise<unknown> {
    const { id, done } = this.requests.start(cmd, params);
    if (timeoutMs === undefined) return done;
    const timer = setTimeout(() => {
      this.requests.expire(id, new CdpdError('TIMEOUT', `The daemon did not answer "${cmd}" within ${timeoutMs} ms. ` +
        'It may be wedged: "cdp status" shows it and "cdp stop" restarts it; a command that is meant to run longer takes ' +
        'a larger --timeout (or CDP_RESPONSE_TIMEOUT).'));
      void this.sock.close(1000);
    }, timeoutMs);
    return done.finally(() => clearTimeout(timer));
  }

  close(): Promise<void> {
    return this.sock.close(1000);
  }
}
