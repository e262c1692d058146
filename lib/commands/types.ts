/**
 * What a command is: data (name, summary, args, options) plus a client-side `parse` that
 * turns argv into wire params, and a daemon-side `run`. The CLI, the help text and the
 * daemon's dispatch are all generated from these declarations.
 */
import type { BrowserConnection } from '../cdp/connection.js';
import type { Page } from '../session/page.js';
import type { Tabs } from '../session/tabs.js';
import type { Caller } from '../session/leases.js';
import type { Abort } from '../runtime/abort.js';

/** A positional argument after the target. */
export interface ArgSpec {
  name: string;
  required?: boolean;
  /** Takes the rest of argv; joined with spaces unless the command says otherwise. */
  variadic?: boolean;
}

/** A command-specific option. */
export interface OptionSpec {
  /** cac-style flags, e.g. `--full` or `--format <fmt>`. */
  flags: string;
  summary: string;
}

/** What a client-side parse may look at besides argv. */
export interface ParseEnv {
  /** The directory the CLI runs in; relative paths resolve against it. */
  cwd: string;
}

/** The daemon-side powers a few commands need (stop, status). */
export interface DaemonControl {
  status(): Record<string, unknown>;
  shutdown(reason: string): void;
}

/** A watch request as the daemon takes it. */
export interface WatchSpec { targetId: string | undefined; kinds: Set<import('../protocol/wire.js').EventKind> }

/** Streaming, which only a daemon connection can do. */
export interface StreamControl {
  /** Starts streaming events tagged with this request's id; returns the subscription id. */
  watch(spec: WatchSpec): string | number;
  /** Ends a subscription of this connection; false if there is none with that id. */
  unwatch(sub: string | number): boolean;
}

/** What `run` gets. */
export interface CommandContext {
  browser: BrowserConnection;
  tabs: Tabs;
  /** The resolved, attached tab of a page command. */
  page: Page;
  /** Aborted when the client that asked goes away. */
  signal: Abort;
  /** Present when running inside the daemon, absent in --no-daemon mode. */
  daemon: DaemonControl | undefined;
  /** Present on a daemon connection. */
  stream: StreamControl | undefined;
  /** Who asked: for tab leases. */
  caller: Caller;
}

/** One command. `P` is its wire params, `R` its structured result. */
export interface CommandDef<P extends object = Record<string, unknown>, R = unknown> {
  name: string;
  aliases?: string[];
  summary: string;
  /** Whether argv starts with a `<target>` prefix. */
  target: 'required' | 'optional' | 'none';
  args: ArgSpec[];
  options?: OptionSpec[];
  /** Never start a daemon for this command (stop, status): with none running, answer locally. */
  noStart?: boolean;
  /** The command streams events after its answer (watch): the CLI keeps the connection open. */
  streams?: boolean;
  /** Only on the wire (unwatch): not a CLI command. */
  wireOnly?: boolean;
  /**
   * An action on the page: its result carries a receipt of what it caused (the page's
   * errors, failed requests) and, asked with --snap, the snapshot diff after it.
   */
  action?: boolean;
  /** Only reads the tab: allowed on a tab another client has leased. */
  reads?: boolean;
  /**
   * How the CLI runs it, when not as a one-shot request to one daemon: `every-daemon`
   * asks each running daemon (status), `session` keeps a full client session open
   * (repl). `streams` commands keep theirs open too.
   */
  cliMode?: 'every-daemon' | 'session';
  /** Only in the CLI (repl): the daemon does not run it. */
  cliOnly?: boolean;
  /**
   * How long the command may run by design when no --timeout says (default 30 s): the
   * one-shot CLI gives up on a silent daemon after twice this, plus 10 s.
   */
  longestMs?: number;
  /** The result as text for people (the CLI, the REPL); JSON when a command has none. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  text?: (result: any, target: string) => string;
  /** argv (after the target) and options → wire params. Throws USAGE errors; runs before any daemon is contacted. */
  parse(args: string[], opts: Record<string, unknown>, env: ParseEnv): P;
  /** Does the work in the daemon (or in-process with --no-daemon). */
  run(ctx: CommandContext, params: P): Promise<R>;
}

/** Declares a command with its types checked. */
export function defineCommand<P extends object, R>(def: CommandDef<P, R>): CommandDef<P, R> {
  return def;
}
