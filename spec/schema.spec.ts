/**
 * Command params as data (lib/protocol/schema.ts), without a browser: what a shape
 * accepts, what it refuses and how it says so; and that PROTOCOL.md names every param of
 * every wire command, so the document client authors read cannot drift from the shapes
 * dispatch checks.
 */
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CdpdError } from '../lib/protocol/errors.js';
import * as v from '../lib/protocol/schema.js';
import { COMMANDS, findCommand, shapeOf } from '../lib/commands/registry.js';

const test = suite('schema');

/** The USAGE message a check throws. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.instance(err, CdpdError);
    assert.is((err as CdpdError).code, 'USAGE');
    return (err as CdpdError).message;
  }
  throw new Error('expected a USAGE error, got none');
}

test('a shape: required and optional fields, kinds, refinements, nothing else', () => {
  const shape = {
    selector: v.string({ missing: 'CSS selector or @ref required' }),
    value: v.string({ empty: true }).opt(),
    depth: v.number({ integer: true, min: 0 }).opt(),
    to: v.oneOf(['top', 'bottom']).opt(),
    by: v.object({ dx: v.number(), dy: v.number() }).opt(),
    url: v.string().refine((u) => u.toLowerCase()).opt(),
  };
  assert.equal(v.checkShape(shape, { selector: '#a', value: '', depth: 2, to: 'top', by: { dx: 0, dy: 5 }, url: 'HTTP://X' }),
    { selector: '#a', value: '', depth: 2, to: 'top', by: { dx: 0, dy: 5 }, url: 'http://x' });
  assert.equal(v.checkShape(shape, { selector: '#a' }), { selector: '#a' });
  assert.is(refusal(() => v.checkShape(shape, {})), 'CSS selector or @ref required');
  assert.is(refusal(() => v.checkShape(shape, { selector: '' })), '"selector" must be a non-empty string');
  assert.is(refusal(() => v.checkShape(shape, { selector: ['a'] })), '"selector" must be a non-empty string');
  assert.is(refusal(() => v.checkShape(shape, { selector: 'a', depth: 1.5 })), '"depth" must be an integer ≥ 0');
  assert.is(refusal(() => v.checkShape(shape, { selector: 'a', depth: -1 })), '"depth" must be an integer ≥ 0');
  assert.is(refusal(() => v.checkShape(shape, { selector: 'a', to: 'middle' })), '"to" must be one of top, bottom');
  assert.is(refusal(() => v.checkShape(shape, { selector: 'a', by: { dx: 1 } })), '"by.dy" required: a number');
  assert.is(refusal(() => v.checkShape(shape, { selector: 'a', by: { dx: 1, dy: 2, dz: 3 } })), 'Unknown param "by.dz": "by" takes dx, dy');
  assert.is(refusal(() => v.checkShape(shape, { selector: 'a', selecter: 'b' })), 'Unknown param "selecter": this command takes selector, value, depth, to, by, url');
  assert.is(refusal(() => v.checkShape(shape, 'params')), 'params must be an object');
  // A name is never echoed whole.
  assert.ok(refusal(() => v.checkShape(shape, { selector: 'a', ['x'.repeat(100_000)]: 1 })).length < 200);
  // What someone else checks passes through.
  assert.equal(v.checkShape(shape, { selector: 'a', target: 'ABCD' }, undefined, new Set(['target'])), { target: 'ABCD', selector: 'a' });
});

test('lists, either, and objects told apart by a tag', () => {
  const shape = {
    values: v.list(v.string({ empty: true }), { min: 1 }),
    sub: v.either(v.number(), v.string()).opt(),
    action: v.tagged('kind', { abort: { reason: v.oneOf(['Failed', 'Aborted']) }, fulfill: { status: v.number({ integer: true, min: 100, max: 599 }) } }).opt(),
  };
  assert.equal(v.checkShape(shape, { values: ['', 'b'], sub: 4, action: { kind: 'fulfill', status: 204 } }),
    { values: ['', 'b'], sub: 4, action: { kind: 'fulfill', status: 204 } });
  assert.is(refusal(() => v.checkShape(shape, { values: [] })), '"values" must be a non-empty array');
  assert.is(refusal(() => v.checkShape(shape, { values: ['a', 3] })), '"values[1]" must be a string');
  assert.is(refusal(() => v.checkShape(shape, { values: ['a'], sub: true })), '"sub" must be a number or a non-empty string');
  assert.is(refusal(() => v.checkShape(shape, { values: ['a'], action: { kind: 'explode' } })), '"action.kind" must be one of abort, fulfill');
  assert.is(refusal(() => v.checkShape(shape, { values: ['a'], action: { kind: 'abort', status: 200 } })), 'Unknown param "action.status": "action" takes reason');
  assert.is(refusal(() => v.checkShape(shape, { values: ['a'], action: { kind: 'fulfill', status: 99 } })), '"action.status" must be an integer ≥ 100 ≤ 599');
});

test('the commands\' own shapes: refinements say what the CLI says', () => {
  const nav = shapeOf(findCommand('nav')!);
  assert.equal(v.checkShape(nav, { url: 'https://example.com' }), { url: 'https://example.com/' });
  assert.is(refusal(() => v.checkShape(nav, { url: 'javascript:alert(1)' })), 'Only http/https URLs allowed, got: javascript:alert(1)');
  assert.is(refusal(() => v.checkShape(nav, {})), 'URL required');
  assert.is(refusal(() => v.checkShape(shapeOf(findCommand('press')!), { key: 'Ctrl+Nope' })), refusal(() => findCommand('press')!.parse(['Ctrl+Nope'], {}, { cwd: '/' })));
  assert.is(refusal(() => v.checkShape(shapeOf(findCommand('shot')!), { path: 'rel.png' })), 'the output file needs an absolute path, got: rel.png');
  // Every command's parse hands dispatch params its own shape takes.
  const samples: Array<[string, string[], Record<string, unknown>]> = [
    ['click', ['#go'], { js: true, frame: 'iframe' }], ['scroll', ['#list', '0', '600'], {}], ['scroll', ['bottom'], {}],
    ['select', ['#s', 'a', 'b'], {}], ['wait', [], { url: '*/done', frame: 'x' }], ['snap', [], { interactive: true, depth: '3', maxChars: '900', diff: true }],
    ['route', ['ABCD1234', '*/api/*'], { status: '204', header: 'x-a: 1' }], ['route', ['*/x'], { all: true, abort: 'Aborted' }],
    ['cookies', ['set', 'sid', 'v'], { sameSite: 'lax', expires: '2000000000' }], ['requests', [], { since: '30s', status: '4xx', type: 'fetch' }],
    ['watch', [], { all: true, events: 'console,network' }], ['evalraw', ['DOM.getDocument', '{"depth":1}'], {}], ['viewport', ['800x600'], { dpr: '2' }],
    ['upload', ['#f', 'a.png'], {}], ['claim', [], { ttl: '90s' }], ['find', ['role', 'button'], { name: 'Save', exact: true }],
  ];
  for (const [name, args, opts] of samples) {
    const def = findCommand(name)!;
    const params = def.parse(args, opts, { cwd: '/tmp' });
    assert.not.throws(() => v.checkShape(shapeOf(def), params), `${name} ${args.join(' ')}`);
  }
});

test('PROTOCOL.md names every param of every wire command', () => {
  const doc = readFileSync(new URL('../PROTOCOL.md', import.meta.url), 'utf8');
  const start = doc.indexOf('## Commands');
  const rows = doc.slice(start, doc.indexOf('\n## ', start + 1)).split('\n').filter((l) => l.startsWith('| `'));
  const missing: string[] = [];
  for (const def of COMMANDS) {
    if (def.cliOnly) continue;
    const row = rows.find((r) => r.split('|')[1]!.includes(`\`${def.name}\``));
    if (!row) {
      missing.push(`${def.name}: no row`);
      continue;
    }
    const cell = row.split('|')[2]!;
    for (const key of [...Object.keys(shapeOf(def)), ...(def.target === 'required' ? ['target'] : [])]) {
      if (!new RegExp(`\\b${key}\\b`).test(cell)) missing.push(`${def.name}: ${key}`);
    }
  }
  assert.equal(missing, []);
});

test.run();
