/**
 * The `cdp` command line: the grammar of chrome-cdp, generated from the command registry.
 * Arguments are checked before any daemon is contacted; errors map to exit codes in one
 * place (lib/protocol/errors.ts).
 */
import type { CommandDef } from '../lib/commands/types.js';
import { EXIT, exitCodeOf } from '../lib/protocol/errors.js';
import type { Client } from '../lib/client/client.js';
import type { DiscoveryFile } from '../lib/protocol/wire.js';
import { waitForExit } from '../lib/runtime/process.js';
import { mark } from '../lib/runtime/trace.js';
import { bootHooks } from './boot-hooks.js';
import { jsonOutput, textOutput, type Output } from './output.js';
import { parseInvocation } from './parse.js';

async function run(argv: string[], out: () => Output): Promise<number> {
  const parsed = parseInvocation(argv);
  if (parsed === 'done') return EXIT.OK;
  const { def, target, params, options, timeout } = parsed;
  mark('arguments parsed');

  const output = out();
  if (options.header !== undefined) {
    // To the daemon through its environment, never its argv (which ps shows everyone).
    const { headersFromEnv, headersToEnv, parseHeaderLines } = await import('../lib/runtime/headers.js');
    const given = parseHeaderLines((Array.isArray(options.header) ? options.header : [options.header]).map(String), '--header');
    process.env.CDP_HEADERS = headersToEnv({ ...headersFromEnv(process.env), ...given });
  }
  const startOpts = {
    browserUrl: options.browserUrl as string | undefined,
    noLaunch: options.launch === false,
    headed: Boolean(options.headed),
    onNotice: (m: string) => output.notice(m),
  };
  const client = await import('../lib/client/start.js');
  if (options.daemon === false) {
    const { openDirect } = await import('../lib/client/direct.js');
    const session = await openDirect(startOpts);
    try {
      output.result(def.name, await session.call(def.name, params), target);
    } finally {
      await session.close();
    }
    return EXIT.OK;
  }
  if (def.cliMode === 'every-daemon') {
    const daemons = await client.connectAll();
    const statuses = await Promise.all(daemons.map(async (c) => {
      try {
        return await c.call(def.name);
      } catch (err) {
        return { pid: c.welcome.pid, error: (err as Error).message };
      } finally {
        await c.close();
      }
    }));
    output.result(def.name, { daemons: statuses }, target);
    return EXIT.OK;
  }
  if (def.streams || def.cliMode === 'session') {
    // Long-lived sessions take the full ws client; one-shot commands the light one.
    const session = await client.connectOrStart(startOpts);
    if (def.streams) return streamEvents(session, def.name, params, output);
    const { runRepl } = await import('./repl.js');
    try {
      return await runRepl(session, target, client.runtimeDir());
    } finally {
      await session.close();
    }
  }
  const { LiteClient } = await import('../lib/client/lite-client.js');
  const openLite = (d: DiscoveryFile) => LiteClient.open(d.port, d.token, d);
  let session;
  if (def.noStart) {
    const { files } = await client.locate(startOpts);
    session = await client.connectExisting(files, openLite);
    if (!session) {
      output.result(def.name, { stopped: false, detached: null }, target);
      return EXIT.OK;
    }
  } else {
    session = await client.connectOrStart(startOpts, openLite);
  }
  let result: unknown;
  try {
    result = await session.call(def.name, params, responseTimeout(def, timeout));
    mark('answered');
  } finally {
    // Not awaited: the answer prints while the close frame goes out.
    void session.close();
  }
  // `stop` is done when the daemon (and a browser it launched, which it closes first) is gone.
  const stopped = result as { stopped?: boolean; pid?: number };
  if (stopped.stopped === true && typeof stopped.pid === 'number' && !(await waitForExit(stopped.pid, STOP_WAIT_MS))) {
    output.notice(`the daemon (pid ${stopped.pid}) has not exited ${STOP_WAIT_MS / 1000} s after it was asked to; "kill ${stopped.pid}" ends it`);
  }
  output.result(def.name, result, target);
  mark('printed');
  bootHooks()?.warm();
  return EXIT.OK;
}

/** How long `stop` waits for the daemon to exit. */
const STOP_WAIT_MS = 15_000;

/**
 * How long a one-shot command waits for the daemon's answer: CDP_RESPONSE_TIMEOUT, else
 * twice the command's --timeout (or its longest by design), plus 10 s.
 */
function responseTimeout(def: CommandDef, timeout: number | undefined): number {
  const env = Number(process.env.CDP_RESPONSE_TIMEOUT);
  if (Number.isFinite(env) && env > 0) return env;
  return 2 * (timeout ?? def.longestMs ?? 30_000) + 10_000;
}

/** `watch`: prints events until Ctrl-C, SIGTERM, the tab closing, or the daemon going away. */
async function streamEvents(session: Client, cmd: string, params: Record<string, unknown>, output: Output): Promise<number> {
  let stopping = false;
  const ended = new Promise<number>((resolve) => {
    const stop = () => {
      stopping = true;
      resolve(EXIT.OK);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    session.onClose((reason) => {
      if (stopping) return;
      output.error(reason);
      resolve(exitCodeOf(reason));
    });
    session.onEvent((frame) => {
      output.event(frame);
      if (params.all !== true && frame.event === 'target' && frame.data.action === 'destroyed') resolve(EXIT.OK);
    });
  });
  const result = await session.call(cmd, params);
  output.watching(result);
  const code = await ended;
  stopping = true;
  await session.close();
  return code;
}

async function main(): Promise<void> {
  mark('modules initialised');
  const argv = process.argv;
  const wantsJson = argv.includes('--json');
  const out = () => (wantsJson ? jsonOutput : textOutput);
  let code: number;
  try {
    code = await run(argv, out);
  } catch (err) {
    out().error(err);
    code = exitCodeOf(err);
  }
  process.exitCode = code;
}

void main();
