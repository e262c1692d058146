/**
 * Every command, by name and alias: the one list the CLI, help and daemon are built from.
 */
import { pdf, shot } from './capture.js';
import { emulate, viewport } from './emulation.js';
import { check, fill, select, uncheck, upload } from './forms.js';
import { click, clickxy, dblclick, dialog, drag, hover, loadall, press, scroll, type } from './input.js';
import { back, forward, nav, reload } from './navigation.js';
import { wait } from './wait.js';
import { evalraw, evaluate, html, net } from './perception.js';
import { snap } from './snapshot.js';
import { find, get, is } from './query.js';
import { cookies, request, storage } from './network.js';
import { state } from './state.js';
import { route, unroute } from './routing.js';
import { har } from './har.js';
import { consoleCmd, errors, requests, unwatch, watch } from './observe.js';
import { activate, claim, close, list, open, release, repl, status, stop } from './targets.js';
import type { AnyCommand } from './types.js';
import type { Shape } from '../protocol/schema.js';

/** All commands in help order. */
export const COMMANDS: ReadonlyArray<AnyCommand> = [
  list, open, close, activate, claim, release, snap, get, is, find, evaluate, shot, pdf, html, nav, back, forward, reload, net,
  click, dblclick, hover, fill, type, press, select, check, uncheck, scroll, upload, drag, clickxy, loadall, wait, dialog,
  viewport, emulate, evalraw, consoleCmd, errors, requests, request, har, cookies, storage, state, route, unroute, watch, unwatch, repl, stop, status,
];

const byName = new Map<string, AnyCommand>();
for (const c of COMMANDS) {
  byName.set(c.name, c);
  for (const a of c.aliases ?? []) byName.set(a, c);
}

/** The command a name or alias denotes. */
export function findCommand(name: string): AnyCommand | undefined {
  return byName.get(name);
}

const shapes = new WeakMap<AnyCommand, Shape>();

/** A command's params shape, made on first use. */
export function shapeOf(def: AnyCommand): Shape {
  const have = shapes.get(def);
  if (have) return have;
  const shape: Shape = def.params();
  shapes.set(def, shape);
  return shape;
}
