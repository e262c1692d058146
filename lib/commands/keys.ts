/**
 * Keys and chords for `press`: `Enter`, `Tab`, `Control+A`, `Shift+Tab`, `a`, `F5`, as
 * real key events (rawKeyDown/keyDown, keyUp) with the codes a page reads.
 */
import type { Protocol } from 'devtools-protocol';
import { usage } from './args.js';

interface KeyDef { key: string; code: string; keyCode: number; text?: string; location?: number }

const NAMED: Record<string, KeyDef> = {
  Enter: { key: 'Enter', code: 'Enter', keyCode: 13, text: '\r' },
  Tab: { key: 'Tab', code: 'Tab', keyCode: 9 },
  Escape: { key: 'Escape', code: 'Escape', keyCode: 27 },
  Backspace: { key: 'Backspace', code: 'Backspace', keyCode: 8 },
  Delete: { key: 'Delete', code: 'Delete', keyCode: 46 },
  Insert: { key: 'Insert', code: 'Insert', keyCode: 45 },
  Space: { key: ' ', code: 'Space', keyCode: 32, text: ' ' },
  ArrowUp: { key: 'ArrowUp', code: 'ArrowUp', keyCode: 38 },
  ArrowDown: { key: 'ArrowDown', code: 'ArrowDown', keyCode: 40 },
  ArrowLeft: { key: 'ArrowLeft', code: 'ArrowLeft', keyCode: 37 },
  ArrowRight: { key: 'ArrowRight', code: 'ArrowRight', keyCode: 39 },
  Home: { key: 'Home', code: 'Home', keyCode: 36 },
  End: { key: 'End', code: 'End', keyCode: 35 },
  PageUp: { key: 'PageUp', code: 'PageUp', keyCode: 33 },
  PageDown: { key: 'PageDown', code: 'PageDown', keyCode: 34 },
  Control: { key: 'Control', code: 'ControlLeft', keyCode: 17, location: 1 },
  Shift: { key: 'Shift', code: 'ShiftLeft', keyCode: 16, location: 1 },
  Alt: { key: 'Alt', code: 'AltLeft', keyCode: 18, location: 1 },
  Meta: { key: 'Meta', code: 'MetaLeft', keyCode: 91, location: 1 },
};
for (let i = 1; i <= 12; i++) NAMED[`F${i}`] = { key: `F${i}`, code: `F${i}`, keyCode: 111 + i };

const ALIASES: Record<string, string> = {
  ctrl: 'Control', control: 'Control', shift: 'Shift', alt: 'Alt', option: 'Alt', meta: 'Meta', cmd: 'Meta', command: 'Meta',
  esc: 'Escape', return: 'Enter', up: 'ArrowUp', down: 'ArrowDown', left: 'ArrowLeft', right: 'ArrowRight', del: 'Delete', space: 'Space',
};

/** Modifier bits as CDP takes them. */
const MODIFIER_BIT: Record<string, number> = { Alt: 1, Control: 2, Meta: 4, Shift: 8 };

const PUNCTUATION: Record<string, [string, number]> = {
  '-': ['Minus', 189], '=': ['Equal', 187], '[': ['BracketLeft', 219], ']': ['BracketRight', 221], '\\': ['Backslash', 220],
  ';': ['Semicolon', 186], "'": ['Quote', 222], ',': ['Comma', 188], '.': ['Period', 190], '/': ['Slash', 191], '`': ['Backquote', 192],
};

function keyDef(name: string): KeyDef {
  const named = NAMED[name] ?? NAMED[ALIASES[name.toLowerCase()] ?? ''] ??
    Object.values(NAMED).find((k) => k.key.toLowerCase() === name.toLowerCase() && k.key.length > 1);
  if (named) return named;
  if ([...name].length === 1) {
    const ch = name;
    const up = ch.toUpperCase();
    if (/[a-z]/i.test(ch)) return { key: ch, code: `Key${up}`, keyCode: up.charCodeAt(0), text: ch };
    if (/[0-9]/.test(ch)) return { key: ch, code: `Digit${ch}`, keyCode: ch.charCodeAt(0), text: ch };
    const p = PUNCTUATION[ch];
    return p ? { key: ch, code: p[0], keyCode: p[1], text: ch } : { key: ch, code: '', keyCode: 0, text: ch };
  }
  throw usage(`Unknown key "${name}". Keys: Enter, Tab, Escape, Backspace, Delete, Space, ArrowUp/Down/Left/Right, Home, End, ` +
    'PageUp, PageDown, F1-F12, a single character, and chords like Control+A or Shift+Tab');
}

/** One chord: its modifiers and its key. */
export interface Chord { modifiers: string[]; key: KeyDef }

/** Parses `Control+Shift+K`, `Enter`, `+` or `a`. */
export function parseChord(text: string): Chord {
  const parts = text === '+' ? ['+'] : text.split('+');
  if (parts.some((p) => p === '')) throw usage(`Malformed key chord "${text}" (write it like Control+A)`);
  const names = parts.map((p) => keyDef(p));
  const key = names.pop()!;
  const modifiers = names.map((k) => {
    if (!(k.key in MODIFIER_BIT)) throw usage(`"${k.key}" is not a modifier in "${text}" (modifiers: Control, Shift, Alt, Meta)`);
    return k.key;
  });
  return { modifiers, key };
}

type KeyEvent = Protocol.Input.DispatchKeyEventRequest;

/** The key events of a chord, in order: modifiers down, the key down and up, modifiers up. */
export function chordEvents({ modifiers, key }: Chord): KeyEvent[] {
  const events: KeyEvent[] = [];
  let bits = 0;
  const base = (k: KeyDef) => ({ key: k.key, code: k.code, windowsVirtualKeyCode: k.keyCode, nativeVirtualKeyCode: k.keyCode, location: k.location ?? 0 });
  for (const m of modifiers) {
    bits |= MODIFIER_BIT[m]!;
    events.push({ type: 'rawKeyDown', modifiers: bits, ...base(NAMED[m]!) });
  }
  const shifted = bits === MODIFIER_BIT.Shift && key.text && /^[a-z]$/.test(key.text);
  const k = shifted ? { ...key, key: key.key.toUpperCase(), text: key.text!.toUpperCase() } : key;
  // Text only when no command modifier is held: Control+A selects, it does not type "a".
  const text = bits & ~MODIFIER_BIT.Shift! ? undefined : k.text;
  events.push(text ? { type: 'keyDown', modifiers: bits, text, unmodifiedText: key.text, ...base(k) } : { type: 'rawKeyDown', modifiers: bits, ...base(k) });
  events.push({ type: 'keyUp', modifiers: bits, ...base(k) });
  for (const m of [...modifiers].reverse()) {
    bits &= ~MODIFIER_BIT[m]!;
    events.push({ type: 'keyUp', modifiers: bits, ...base(NAMED[m]!) });
  }
  return events;
}
