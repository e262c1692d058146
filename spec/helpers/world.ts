/**
 * What most specs run against: the shared Chromium, a fixture server (and a second one on
 * localhost, for cross-origin cases, when asked), and one Sandbox whose daemon uses that
 * Chromium. Set up before a suite's first test, torn down after its last.
 */
import type { Test } from 'uvu';
import { sharedChrome, type Chrome } from './chrome.js';
import { openTab, Sandbox, type RunResult } from './cli.js';
import { startFixture, type Fixture } from './fixture.js';

/** One suite's world; its parts exist once the suite's `before` has run. */
export class World {
  private parts: { chrome: Chrome; fx: Fixture; other: Fixture | undefined; sb: Sandbox } | undefined;

  constructor(test: Test, private readonly second: boolean) {
    test.before(async () => {
      const chrome = await sharedChrome();
      const fx = await startFixture();
      const other = second ? await startFixture('localhost') : undefined;
      this.parts = { chrome, fx, other, sb: new Sandbox({ CDP_PORT_FILE: chrome.portFile }) };
    });
    test.after(async () => {
      await this.parts?.sb.cleanup();
      await this.parts?.fx.close();
      await this.parts?.other?.close();
    });
  }

  private get set(): NonNullable<World['parts']> {
    if (!this.parts) throw new Error('the world is set up in the suite\'s before hook: use it from tests');
    return this.parts;
  }

  get chrome(): Chrome {
    return this.set.chrome;
  }

  get fx(): Fixture {
    return this.set.fx;
  }

  /** The second fixture server, on localhost (asked for with `second`). */
  get other(): Fixture {
    if (!this.second) throw new Error('this world has no second fixture server: ask for it with world(test, { second: true })');
    return this.set.other!;
  }

  get sb(): Sandbox {
    return this.set.sb;
  }

  /** Runs `cdp <args>` in the sandbox. */
  readonly cdp = (...args: string[]): Promise<RunResult> => this.sb.run(args);

  /** Opens the fixture's `path` in a new tab; the tab's prefix. */
  readonly openTab = (path: string): Promise<string> => openTab(this.sb, this.fx.url(path));
}

/** The world of `test`'s suite. */
export function world(test: Test, opts: { second?: boolean } = {}): World {
  return new World(test, opts.second === true);
}
