/**
 * What a command is: data (name, summary, args, options, its params' shape) plus a
 * client-side `parse` that turns argv into wire params, and a daemon-side `run` that gets
 * them checked against the shape. The CLI, the help text and the daemon's dispatch are
 * all generated from these declarations.
 */
import type { BrowserConnection } from '../cdp/connection.js';
import type { Page } from '../session/page.js';
import type { Tabs } from '../session/tabs.js';
import type { Caller } from '../session/leases.js';
import type { Abort } from '../runtime/abort.js';
import type { Infer, Shape } from '../protocol/schema.js';

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
  /** Aborted when the client that asked goes away. */
  signal: Abort;
  /** Present when running inside the daemon, absent in --no-daemon mode. */
  daemon: DaemonControl | undefined;
  /** Present on a daemon connection. */
  stream: StreamControl | undefined;
  /** Who asked: for tab leases. */
  caller: Caller;
}

/** What `run` of a command with a target gets: the resolved, attached tab besides. */
export interface PageContext extends CommandContext {
  page: Page;
}

/** Where a command's target comes from. */
export type TargetUse = 'required' | 'optional' | 'none';

/** The context `run` of a command gets for its kind of target. */
export type ContextFor<T extends TargetUse> = T extends 'required' ? PageContext : CommandContext;

/**
 * Params every command may get besides its own, checked by dispatch: `target` (a command
 * with a target), `timeout` (ms, for its CDP calls and waits), `lease` (who acts) and
 * `snap` (an action's diff after it).
 */
export interface Envelope {
  target?: string;
  timeout?: number;
  lease?: string;
  snap?: boolean;
}

/** The params `run` gets: its own, checked against its shape, and the envelope's. */
export type ParamsOf<S extends Shape> = Infer<S> & Envelope;

/** One command. `S` is the shape of its wire params, `R` its structured result. */
export interface CommandDef<S extends Shape = Shape, R = unknown, T extends TargetUse = TargetUse> {
  name: string;
  aliases?: string[];
  summary: string;
  /** Whether argv starts with a `<target>` prefix (and the params carry `target`). */
  target: T;
  args: ArgSpec[];
  options?: OptionSpec[];
  /**
   * The shape of the command's own wire params, which dispatch checks them against before
   * `run`. A function, called once when first needed: the one-shot CLI, which never
   * checks a shape, pays nothing for building them.
   */
  params: () => S;
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
  parse(args: string[], opts: Record<string, unknown>, env: ParseEnv): Infer<S>;
  /** Does the work in the daemon (or in-process with --no-daemon), with params checked against `params`. */
  run(ctx: ContextFor<T>, params: ParamsOf<S>): Promise<R>;
}

/** Declares a command with its types checked: `run`'s params are what `params` describes. */
export function defineCommand<const S extends Shape, R, T extends TargetUse>(def: CommandDef<S, R, T>): CommandDef<S, R, T> {
  return def;
}

/** Any command, as the registry holds them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommand = CommandDef<any, any, any>;
