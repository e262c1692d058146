/**
 * `cdp`'s entry (dist/cli.js): runs the CLI bundle (dist/cli-main.js) compiled from a V8
 * code cache. Node 20 keeps no compile cache of its own (module.enableCompileCache came in
 * 22.1), and compiling the bundle is a good part of a one-shot command's own time; from
 * the cache it is a fraction of that (CDP_TRACE shows both).
 *
 * The cache is as trusted as code, so it lives with the daemon's files in the private
 * runtime dir, is read only when it is ours, private and no symlink (checkPrivate),
 * and is named by the bundle's content hash: V8 itself only checks the source's length.
 * V8 refuses a cache of another V8 version, other flags, or one that is damaged, and then
 * the bundle compiles as usual. The cache is written once, by the first run that made a
 * daemon round trip (so it holds the functions a one-shot command needs), through a temp
 * file and a rename.
 */
import { readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { checkPrivate } from '../lib/runtime/files.js';
import { runtimeDir } from '../lib/runtime/paths.js';
import { mark, startTrace, type Marks } from '../lib/runtime/trace.js';
import { BOOT, type BootHooks } from './boot-hooks.js';

declare const __CDPD_MAIN_HASH__: string;

const bundle = join(__dirname, 'cli-main.js');
const dir = runtimeDir();
const cacheFile = join(dir, `cli-${__CDPD_MAIN_HASH__}.v8cache`);

/** The trace as CDP_TRACE prints it: one line a mark, with the time since the one before. */
function formatTrace(marks: Marks): string {
  let prev = 0;
  const lines = marks.map(([label, t]) => {
    const line = `${t.toFixed(1).padStart(7)} ${`+${(t - prev).toFixed(1)}`.padStart(7)}  ${label}`;
    prev = t;
    return line;
  });
  return `cdp trace (ms since the process started):\n${lines.join('\n')}\n`;
}

function readCache(): Buffer | undefined {
  try {
    checkPrivate(cacheFile, 'file');
    return readFileSync(cacheFile);
  } catch {
    return undefined; // none yet, or not to be trusted: compile from source
  }
}

function writeCache(data: Buffer): void {
  try {
    checkPrivate(dir, 'directory');
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, data, { mode: 0o600 });
    renameSync(tmp, cacheFile);
    // Caches of other builds are dead weight once a week old (two installs sharing the
    // runtime dir keep theirs).
    const old = Date.now() - 7 * 24 * 3600_000;
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (/^cli-[0-9a-f]+\.v8cache$/.test(name) && path !== cacheFile && statSync(path).mtimeMs < old) unlinkSync(path);
    }
  } catch {
    // no runtime dir yet, or not ours: the next run compiles again
  }
}

if (process.env.CDP_TRACE) {
  const marks = startTrace();
  process.once('exit', () => {
    marks.push(['exit', performance.now()]);
    process.stderr.write(formatTrace(marks));
  });
}
mark('node ready');
const cached = readCache();
mark('code cache read');
// The bundle is ASCII (esbuild escapes the rest), so latin1 reads it without decoding.
const source = readFileSync(bundle, 'latin1');
const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: bundle,
  cachedData: cached,
});
const fromCache = cached !== undefined && script.cachedDataRejected !== true;
mark(fromCache ? 'compiled from the code cache' : 'compiled from source');
let warm = false;
const hooks: BootHooks = { warm: () => (warm = true) };
(globalThis as Record<symbol, unknown>)[BOOT] = hooks;
if (!fromCache) process.once('exit', () => warm && writeCache(script.createCachedData()));

const mod = { exports: {} };
(script.runInThisContext() as (...args: unknown[]) => void)
  .call(mod.exports, mod.exports, createRequire(bundle), mod, bundle, dirname(bundle));
