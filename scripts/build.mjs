// Bundles the CLI, the daemon and the library with esbuild. The CLI loads only what a
// one-shot command needs: the client and the daemon parts are split into chunks that
// load on demand.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

await build({
  entryPoints: { cli: 'cli/main.ts', daemon: 'cli/daemon.ts', index: 'lib/index.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[hash]',
  external: ['bufferutil', 'utf-8-validate'],
  define: { __CDPD_VERSION__: JSON.stringify(pkg.version) },
  // chrome-remote-interface and ws are CommonJS and require() node's built-ins.
  banner: { js: "import { createRequire as __cdpdRequire } from 'node:module'; const require = __cdpdRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
});
// Type declarations for library users.
import { execFileSync } from 'node:child_process';
execFileSync(process.execPath, [new URL('../node_modules/typescript/bin/tsc', import.meta.url).pathname, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
// The bin needs its shebang first.
import { chmodSync, writeFileSync } from 'node:fs';
const cli = new URL('../dist/cli.js', import.meta.url);
writeFileSync(cli, `#!/usr/bin/env node\n${readFileSync(cli, 'utf8')}`);
chmodSync(cli, 0o755);
