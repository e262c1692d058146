/**
 * One parser for a command line, the CLI's and the REPL's dot-commands alike: cac declares
 * the options from the registry, checks unknown options and missing values, and the
 * command's own `parse` turns what is left into wire params.
 */
import { cac } from 'cac';
import { COMMANDS, findCommand } from '../lib/commands/registry.js';
import type { CommandDef } from '../lib/commands/types.js';
import { CdpdError } from '../lib/protocol/errors.js';
import { VERSION } from '../lib/protocol/version.js';

/** A command line taken apart. */
export interface Invocation {
  def: CommandDef;
  target: string;
  /** The wire params, the target and --timeout included. */
  params: Record<string, unknown>;
  /** cac's options, global ones included. */
  options: Record<string, unknown>;
  timeout: number | undefined;
}

/** Where the command line comes from: the REPL takes only --timeout of the global options. */
export type Scope = 'cli' | 'repl';

const SNAP_FLAG = ['--snap', 'after the action, print what changed on the page (snap --diff against the last snapshot\'s options, -i if none)'] as const;
const TIMEOUT_FLAG = ['--timeout <ms>', 'per-command CDP timeout in ms (env CDP_TIMEOUT; default 15000, navigation 30000)'] as const;

/**
 * The cac CLI. With a known command in argv only that one is declared: declaring all of
 * them costs the one-shot path more than the rest of its parsing.
 */
function buildCli(argv: string[], scope: Scope) {
  const cli = cac('cdp');
  const named = argv.slice(2).map((a) => findCommand(a)).find((d) => d && !d.wireOnly);
  if (scope === 'cli') {
    cli.option('--json', 'print one JSON document on stdout')
      .option('--browser-url <url>', 'browser to use: ws://…/devtools/browser/… or http://host:port (env CDP_URL)')
      .option('--no-daemon', 'run over a direct browser connection, without the daemon')
      .option('--no-launch', 'never launch a managed browser')
      .option('--headed', 'launch the managed browser with a window')
      .option('--lease <name>', 'act as the holder of this lease name (cdp claim): actions on a tab it holds go through')
      .option('--header <name:value>', 'an HTTP header for a remote browser endpoint (again for more; env CDP_HEADERS)');
  }
  cli.option(...TIMEOUT_FLAG);
  for (const def of named ? [named] : COMMANDS) {
    if (def.wireOnly) continue;
    const aliases = def.aliases?.length ? ` (alias: ${def.aliases.join(', ')})` : '';
    const cmd = cli.command(`${def.name} ${usageArgs(def)}`.trim(), def.summary + aliases);
    for (const a of def.aliases ?? []) cmd.alias(a);
    for (const o of def.options ?? []) cmd.option(o.flags, o.summary);
    if (def.action) cmd.option(SNAP_FLAG[0], SNAP_FLAG[1]);
  }
  cli.help();
  cli.version(VERSION);
  return cli;
}

function usageArgs(def: CommandDef): string {
  const parts: string[] = [];
  if (def.target === 'required') parts.push('<target>');
  if (def.target === 'optional') parts.push('[target]');
  // Declared optional for cac so that our own parse gives chrome-cdp's messages.
  for (const a of def.args) parts.push(a.variadic ? `[...${a.name}]` : `[${a.name}]`);
  return parts.join(' ');
}

function timeoutOption(opts: Record<string, unknown>): number | undefined {
  const raw = opts.timeout ?? process.env.CDP_TIMEOUT;
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new CdpdError('USAGE', `--timeout must be a positive number of ms, got: ${String(raw)}`);
  return n;
}

/**
 * Parses `argv` (`[node, cdp, command, …]`). Returns 'done' when cac answered it itself
 * (--help, --version, or no command: the help). Throws USAGE errors, before any daemon
 * is contacted.
 */
export function parseInvocation(argv: string[], scope: Scope = 'cli'): Invocation | 'done' {
  const cli = buildCli(argv, scope);
  let parsed: { args: ReadonlyArray<string>; options: Record<string, unknown> };
  try {
    parsed = cli.parse(argv, { run: false });
    // run: false skips cac's own checks; make them, so a typo is not taken as an argument.
    cli.matchedCommand?.checkUnknownOptions();
    cli.matchedCommand?.checkOptionValue();
  } catch (err) {
    throw new CdpdError('USAGE', `${(err as Error).message}. Put arguments that start with - after "--".`);
  }
  const { options } = parsed;
  if (options.help || options.version) return 'done';
  const name = cli.matchedCommandName;
  if (!name) {
    if (!parsed.args.length) {
      cli.outputHelp();
      return 'done';
    }
    throw new CdpdError('USAGE', `Unknown command: ${parsed.args[0]}. Run "cdp --help" for the list.`);
  }
  const def = findCommand(name);
  if (!def || def.wireOnly) throw new CdpdError('USAGE', `Unknown command: ${name}. Run "cdp --help" for the list.`);
  const positional = [...parsed.args, ...((options['--'] as string[] | undefined) ?? [])];
  let target = '';
  if (def.target !== 'none') {
    target = positional.shift() ?? '';
    if (def.target === 'required' && !target) throw new CdpdError('USAGE', 'target ID required. Run "cdp list" first.');
  }
  const params: Record<string, unknown> = { ...def.parse(positional, options, { cwd: process.cwd() }) };
  if (target) params.target = target;
  if (def.action && options.snap) params.snap = true;
  if (options.lease !== undefined) {
    if (typeof options.lease !== 'string' || !options.lease) throw new CdpdError('USAGE', '--lease takes a name');
    params.lease = options.lease;
  }
  const timeout = timeoutOption(options);
  if (timeout !== undefined) params.timeout = timeout;
  return { def, target, params, options, timeout };
}

/**
 * A REPL line's words as a shell would split them: on whitespace, except inside '…' or
 * "…", with \ escaping the next character (outside single quotes).
 */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let has = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < text.length) word += text[++i];
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      has = true;
    } else if (ch === '\\' && i + 1 < text.length) {
      word += text[++i];
      has = true;
    } else if (/\s/.test(ch)) {
      if (has || word) words.push(word);
      word = '';
      has = false;
    } else {
      word += ch;
    }
  }
  if (has || word) words.push(word);
  return words;
}
