/**
 * One fast smoke pass of the benchmark code, so `npm run bench` cannot rot. No timing is
 * asserted here: benchmarks are not tests.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chromePath } from './helpers/chrome.js';

const test = suite('bench');
const BENCH = fileURLToPath(new URL('../scripts/bench.mjs', import.meta.url));

test('npm run bench --quick measures every case', async () => {
  chromePath();
  const out = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, [BENCH, '--quick', '--json'], { timeout: 120_000, env: { ...process.env, CHROME_PATH: chromePath(), BENCH_TRACE: '1' } }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
  const { rows, notes } = JSON.parse(out) as { notes: string[]; rows: Array<{ case: string; cdpd: number; baseline: number | null; ratio: number | null; floor: number | null }> };
  const names = rows.map((r) => r.case.split(/[,(]/)[0]!.trim());
  assert.equal(names, ['one-shot cdp eval vs node -e 0', 'cold attach', 'script alternative: cdp eval vs puppeteer-core script', 'cold launch: cdp open',
    'session latency', 'session throughput', 'REPL', 'event stream', 'load: 20 clients × 20 mixed commands over 5 tabs', 'soak 3 s: daemon RSS start / peak / end',
    'soak 3 s: daemon open handles start / peak / end', 'big snapshot', 'snap -i of a 60-card catalogue vs agent-browser snapshot -i', 'many tabs', 'daemon RSS idle', 'daemon RSS']);
  for (const r of rows) {
    assert.ok(Number.isFinite(r.cdpd) && r.cdpd > 0, `${r.case}: ${r.cdpd}`);
    if (r.baseline !== null) assert.ok(Number.isFinite(r.ratio), `${r.case}: ratio`);
  }
  // Every row a target is measured against a floor of has it, measured in the same run.
  for (const name of ['one-shot', 'cold launch', 'session latency', 'session throughput', 'many tabs']) {
    const r = rows.find((x) => x.case.startsWith(name))!;
    assert.ok(Number.isFinite(r.floor) && r.floor! > 0, `${name}: floor ${r.floor}`);
  }
  // No control of the catalogue loses its ref in snap -i.
  const agent = rows.find((r) => r.case.startsWith('snap -i')) as unknown as { note: string };
  const [, refs, controls] = /^(\d+) refs for (\d+) controls/.exec(agent.note) ?? [];
  assert.ok(refs && refs === controls, agent.note);
  const stream = rows.find((r) => r.case.startsWith('event stream')) as unknown as { note: string };
  assert.match(stream.note, /^500 received$/);
  // Where a one-shot and a cold open spend their time is in the output too.
  assert.ok(notes.some((n) => /^one-shot phases, median ms each \(CDP_TRACE=1\): node ready [\d.]+, .*answered [\d.]+/.test(n)), notes.join('\n'));
  assert.ok(notes.some((n) => /^cold open phases, median ms each \(CDP_TRACE=1\): node ready [\d.]+, .*browser spawned [\d.]+, .*daemon ready [\d.]+, .*answered [\d.]+/.test(n)), notes.join('\n'));
  // What remains of the daemon's time under load is in the output, from a profile taken now.
  assert.ok(notes.some((n) => /^daemon profile \(inspector, 1 × 50 concurrent evals, self time\): .*\d%.*; the bundle's top functions: /.test(n)), notes.join('\n'));
});

test.run();
