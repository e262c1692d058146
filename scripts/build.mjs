// Bundles the CLI, the daemon and the library with esbuild. The CLI loads only what a
// one-shot command needs: the client and the daemon parts are split into chunks that
// load on demand.
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
// CDPD_OUTDIR and CDPD_VERSION build a copy elsewhere under another version (the
// version-mismatch spec needs a daemon that is not ours).
const outdir = process.env.CDPD_OUTDIR || 'dist';
const version = process.env.CDPD_VERSION || pkg.version;
const isMain = outdir === 'dist';
rmSync(outdir, { recursive: true, force: true });

// CDPD_KEEPNAMES=1 builds as tsx and many bundlers do, with esbuild's keepNames: the spec
// that in-page code survives any build runs against it.
const shared = {
  bundle: true,
  keepNames: process.env.CDPD_KEEPNAMES === '1',
  platform: 'node',
  target: 'node20',
  // ws's optional native helpers are not installed; ws runs without them.
  external: ['bufferutil', 'utf-8-validate'],
  define: { __CDPD_VERSION__: JSON.stringify(version) },
  legalComments: 'none',
  logLevel: 'warning',
};
// The daemon and the library: ES modules, split into chunks that load on demand.
await build({
  ...shared,
  entryPoints: { daemon: 'cli/daemon.ts', index: 'lib/index.ts' },
  outdir,
  splitting: true,
  format: 'esm',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunk-[hash]',
  // ws is CommonJS and require()s node's built-ins.
  banner: { js: "import { createRequire as __cdpdRequire } from 'node:module'; const require = __cdpdRequire(import.meta.url);" },
});
// The CLI: one CommonJS file, dist/cli-main.js. Node 20 starts a CommonJS script sooner
// than the same code as an ES module graph, and a one-shot command pays that on every call.
// What only watch and the REPL need stays uninitialised until they run. Its dynamic imports
// become require() (an import() would start Node's ES module loader, and the entry's
// vm.Script has no loader for it). ws (a dependency, CommonJS) is required from
// node_modules when watch, the REPL or --no-daemon first need it: the one-shot path never
// does, and a third of the bundle was ws that every command loaded from the code cache.
await build({
  ...shared,
  entryPoints: { 'cli-main': 'cli/main.ts' },
  outdir,
  external: [...shared.external, 'ws'],
  format: 'cjs',
  supported: { 'dynamic-import': false },
  define: { ...shared.define, 'import.meta.url': '__cdpdUrl' },
  banner: { js: "const __cdpdUrl = require('node:url').pathToFileURL(__filename).href;" },
});
// cli/boot.ts reads the bundle as latin1, which is only right for ASCII. esbuild escapes
// every non-ASCII character in code (charset ascii); what is left sits in the comments it
// keeps, where an escape changes nothing.
const mainCode = readFileSync(`${outdir}/cli-main.js`, 'utf8')
  .replace(/[^\x00-\x7f]/gu, (c) => [...c].map((u) => `\\u{${u.codePointAt(0).toString(16)}}`).join(''));
writeFileSync(`${outdir}/cli-main.js`, mainCode);
if (/\bimport\(/.test(mainCode.replace(/(["'`]).*?\1/g, ''))) console.warn('warning: dist/cli-main.js still has an import()');
// The entry, dist/cli.js: runs cli-main.js from a V8 code cache named by its content hash.
const { createHash } = await import('node:crypto');
await build({
  ...shared,
  entryPoints: { cli: 'cli/boot.ts' },
  outdir,
  format: 'cjs',
  define: { ...shared.define, __CDPD_MAIN_HASH__: JSON.stringify(createHash('sha256').update(mainCode).digest('hex').slice(0, 16)) },
});
// dist/*.js is CommonJS (the CLI); the ES modules are .mjs.
writeFileSync(`${outdir}/package.json`, `${JSON.stringify({ type: 'commonjs' })}\n`);
// Type declarations for library users.
import { execFileSync } from 'node:child_process';
if (isMain) {
  execFileSync(process.execPath, [new URL('../node_modules/typescript/bin/tsc', import.meta.url).pathname, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  // The declarations describe the ES module library (dist/index.mjs).
  writeFileSync(`${outdir}/types/package.json`, `${JSON.stringify({ type: 'module' })}\n`);
}
// The bin needs its shebang first.
import { chmodSync } from 'node:fs';
const cli = `${outdir}/cli.js`;
writeFileSync(cli, `#!/usr/bin/env node\n${readFileSync(cli, 'utf8')}`);
chmodSync(cli, 0o755);
