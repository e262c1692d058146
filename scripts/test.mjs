// Runs the uvu specs (TypeScript through tsx) and ends with the plain
// "N passed, N failed" line that CI reads.
import { spawn } from 'node:child_process';

const args = ['--import', 'tsx', 'node_modules/uvu/bin.js', 'spec', process.argv[2] ?? '.*', '-i', 'helpers'];
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;
const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env });
// uvu has no per-test timeout: a spec that hangs would hold CI for its whole allowance.
// The suite runs in about two minutes; past CDP_SPEC_TIMEOUT (ms, default 15 min) it fails.
const limit = Number(process.env.CDP_SPEC_TIMEOUT) || 15 * 60_000;
const hung = setTimeout(() => {
  console.log(`\nThe specs did not finish within ${limit} ms: stopped (raise CDP_SPEC_TIMEOUT to wait longer).`);
  child.kill('SIGKILL');
}, limit);
let out = '';
child.stdout.on('data', (d) => {
  process.stdout.write(d);
  out += d;
});
child.on('close', (code) => {
  clearTimeout(hung);
  const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
  const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  const skipped = Number(/Skipped:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  const failed = Math.max(total - passed - skipped, code === 0 ? 0 : 1);
  console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exitCode = code === 0 && total > 0 && failed === 0 ? 0 : 1;
});
