/**
 * `cdp repl [target]`: node's own repl over one client connection. A bare line is
 * JavaScript in the current tab (promises awaited, multi-line input); every CLI command is
 * a dot-command without the target, generated from the registry. With stdin not a TTY it
 * runs the lines as a script and exits at EOF, non-zero if a line failed.
 */
import { createInterface } from 'node:readline';
import { clearLine, cursorTo } from 'node:readline';
import repl from 'node:repl';
import { Script } from 'node:vm';
import { join } from 'node:path';
import type { Client } from '../lib/client/client.js';
import { COMMANDS } from '../lib/commands/registry.js';
import { CdpdError, toCdpdError } from '../lib/protocol/errors.js';
import type { EventFrame } from '../lib/protocol/wire.js';
import { eventLine, formatResult } from './format.js';
import { parseInvocation, shellWords } from './parse.js';

/** True when `code` is a prefix of valid JavaScript: wait for more lines. */
export function incomplete(code: string): boolean {
  const ends = (e: unknown) => e instanceof SyntaxError && /Unexpected end of input|Unterminated template/.test(e.message);
  try {
    new Script(code);
    return false;
  } catch (e) {
    if (e instanceof SyntaxError && /await/.test(e.message)) {
      try {
        new Script(`(async () => {\n${code}\n})`);
        return false;
      } catch (e2) {
        return ends(e2);
      }
    }
    return ends(e);
  }
}

interface ReplState {
  client: Client;
  target: string;
  watchSub: number | string | undefined;
  inflight: number | undefined;
}

async function runLine(state: ReplState, line: string): Promise<string> {
  const text = line.trim();
  if (!text) return '';
  if (text.startsWith('.')) {
    const [name = '', ...words] = shellWords(text.slice(1));
    return runDot(state, name, words);
  }
  if (!state.target) throw new CdpdError('USAGE', 'No tab selected: .use <target> (".list" shows them)');
  return formatResult('eval', await call(state, 'eval', { target: state.target, expression: line }) as never, state.target);
}

async function call(state: ReplState, cmd: string, params: Record<string, unknown>): Promise<unknown> {
  const { id, done } = state.client.start(cmd, params);
  state.inflight = id;
  try {
    return await done;
  } finally {
    state.inflight = undefined;
  }
}

async function runDot(state: ReplState, name: string, words: string[]): Promise<string> {
  if (name === 'use') {
    const prefix = words[0];
    if (!prefix) throw new CdpdError('USAGE', 'usage: .use <target>');
    const { pages } = (await call(state, 'list', {})) as { pages: Array<{ targetId: string; prefix: string; url: string }> };
    const hit = pages.filter((p) => p.targetId.toLowerCase().startsWith(prefix.toLowerCase()));
    if (hit.length !== 1) throw new CdpdError(hit.length ? 'TARGET_AMBIGUOUS' : 'TARGET_NOT_FOUND', `${hit.length ? 'Ambiguous' : 'No target matching'} prefix "${prefix}". Run ".list".`);
    state.target = hit[0]!.prefix;
    return `using ${hit[0]!.prefix}  ${hit[0]!.url}`;
  }
  if (name === 'watch') {
    if (!state.target) throw new CdpdError('USAGE', 'No tab selected: .use <target>');
    if (state.watchSub !== undefined) await call(state, 'unwatch', { sub: state.watchSub });
    const events = words.join(',').split(',').map((s) => s.trim()).filter(Boolean);
    const { id, done } = state.client.start('watch', { target: state.target, ...(events.length ? { events } : {}) });
    state.watchSub = id;
    const r = (await done) as { events: string[] };
    return `watching ${state.target} for ${r.events.join(', ')} (.unwatch to stop)`;
  }
  if (name === 'unwatch') {
    if (state.watchSub === undefined) return 'not watching';
    await call(state, 'unwatch', { sub: state.watchSub });
    state.watchSub = undefined;
    return 'stopped watching';
  }
  const def = COMMANDS.find((c) => !c.wireOnly && !c.streams && !c.cliOnly && (c.name === name || c.aliases?.includes(name)));
  if (!def) throw new CdpdError('USAGE', `Unknown command: .${name}. Type .help for the list.`);
  if (def.target === 'required' && !state.target) throw new CdpdError('USAGE', 'No tab selected: .use <target>');
  // The CLI's own parser, the tab in the target's place: a mistyped option is refused the same way.
  const parsed = parseInvocation(['node', 'cdp', def.name, ...(def.target === 'required' ? [state.target] : []), ...words], 'repl');
  if (parsed === 'done') return '';
  const result = await call(state, def.name, parsed.params);
  return formatResult(def.name, result as never, state.target);
}

/** Runs the REPL until EOF or .exit; resolves with the exit code. */
export async function runRepl(client: Client, target: string, runtime: string): Promise<number> {
  const state: ReplState = { client, target, watchSub: undefined, inflight: undefined };
  if (target) await runDot(state, 'use', [target]);
  return process.stdin.isTTY ? interactive(state, runtime) : script(state);
}

async function script(state: ReplState): Promise<number> {
  state.client.onEvent((f) => process.stdout.write(`${eventLine(f)}\n`));
  let failed = false;
  let buffer = '';
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    buffer = buffer ? `${buffer}\n${line}` : line;
    if (!buffer.trim().startsWith('.') && incomplete(buffer)) continue;
    const code = buffer;
    buffer = '';
    try {
      const out = await runLine(state, code);
      if (out) process.stdout.write(`${out}\n`);
    } catch (err) {
      failed = true;
      process.stderr.write(`Error: ${toCdpdError(err).message}\n`);
    }
  }
  if (buffer.trim()) {
    failed = true;
    process.stderr.write('Error: unexpected end of input (an unfinished statement at EOF)\n');
  }
  return failed ? 1 : 0;
}

function interactive(state: ReplState, runtime: string): Promise<number> {
  const prompt = () => `cdp${state.target ? `:${state.target}` : ''}> `;
  let busy = false;
  const server = repl.start({
    prompt: prompt(),
    terminal: true,
    ignoreUndefined: true,
    preview: false,
    writer: (v: unknown) => String(v),
    completer: (line: string, cb: (err: Error | null, r?: [string[], string]) => void) => {
      complete(state, line).then((r) => cb(null, r), () => cb(null, [[], line]));
    },
    eval: (code, _ctx, _file, cb) => {
      if (incomplete(code)) return cb(new repl.Recoverable(new SyntaxError('Unexpected end of input')), undefined);
      busy = true;
      runLine(state, code.replace(/\n$/, '')).then(
        (out) => cb(null, out === '' ? undefined : out),
        (err: unknown) => {
          const e = toCdpdError(err);
          cb(null, `Error: ${e.message}`);
        },
      ).finally(() => {
        busy = false;
        server.setPrompt(prompt());
      });
    },
  });
  // Ctrl-C cancels the running command, not the REPL; with nothing running, node's own
  // handling (clear the line; twice to exit) applies.
  const nodeSigint = server.listeners('SIGINT') as Array<() => void>;
  server.removeAllListeners('SIGINT');
  server.on('SIGINT', () => {
    if (state.inflight !== undefined) void state.client.call('cancel', { request: state.inflight }).catch(() => {});
    else for (const h of nodeSigint) h.call(server);
  });
  state.client.onEvent((f: EventFrame) => {
    const out = process.stdout;
    if (busy) {
      out.write(`${eventLine(f)}\n`);
      return;
    }
    // Above the prompt, then the prompt and the half-typed line redrawn.
    clearLine(out, 0);
    cursorTo(out, 0);
    out.write(`${eventLine(f)}\n`);
    server.prompt(true);
  });
  const define = (name: string, help: string) => server.defineCommand(name, {
    help,
    action(rest: string) {
      busy = true;
      runDot(state, name, shellWords(rest)).then(
        (out) => out && process.stdout.write(`${out}\n`),
        (err: unknown) => process.stdout.write(`Error: ${toCdpdError(err).message}\n`),
      ).finally(() => {
        busy = false;
        server.setPrompt(prompt());
        server.displayPrompt();
      });
    },
  });
  for (const def of COMMANDS) {
    if (def.wireOnly || def.streams || def.cliOnly) continue;
    for (const name of [def.name, ...(def.aliases ?? [])]) if (name !== 'help') define(name, def.summary);
  }
  define('use', 'switch to another tab: .use <target>');
  define('watch', 'print events of the tab above the prompt: .watch [console,network,…]');
  define('unwatch', 'stop printing events');
  return new Promise((resolve) => {
    server.setupHistory(join(runtime, 'repl_history'), () => {});
    server.on('exit', () => resolve(0));
  });
}

async function complete(state: ReplState, line: string): Promise<[string[], string]> {
  if (line.startsWith('.use ')) {
    const word = line.slice(5);
    const { pages } = (await state.client.call('list', {}).catch(() => ({ pages: [] }))) as { pages: Array<{ prefix: string }> };
    return [pages.map((p) => p.prefix).filter((p) => p.toLowerCase().startsWith(word.toLowerCase())), word];
  }
  if (line.startsWith('.')) {
    const names = ['use', 'watch', 'unwatch', 'exit', 'help', ...COMMANDS.filter((c) => !c.wireOnly && !c.streams && !c.cliOnly).flatMap((c) => [c.name, ...(c.aliases ?? [])])];
    return [names.map((n) => `.${n}`).filter((n) => n.startsWith(line)), line];
  }
  return [[], line];
}
