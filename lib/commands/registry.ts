/**
 * Every command, by name and alias: the one list the CLI, help and daemon are built from.
 */
import { shot } from './capture.js';
import { click, clickxy, dialog, loadall, type } from './input.js';
import { nav } from './navigation.js';
import { evalraw, evaluate, html, net, snap } from './perception.js';
import { consoleCmd, errors, requests, unwatch, watch } from './observe.js';
import { list, open, repl, status, stop } from './targets.js';
import type { CommandDef } from './types.js';

/** All commands in help order. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const COMMANDS: ReadonlyArray<CommandDef<any, any>> = [
  list, open, snap, evaluate, shot, html, nav, net, click, clickxy, type, loadall, dialog, evalraw,
  consoleCmd, errors, requests, watch, unwatch, repl, stop, status,
];

const byName = new Map<string, CommandDef<any, any>>();
for (const c of COMMANDS) {
  byName.set(c.name, c);
  for (const a of c.aliases ?? []) byName.set(a, c);
}

/** The command a name or alias denotes. */
export function findCommand(name: string): CommandDef<any, any> | undefined {
  return byName.get(name);
}
