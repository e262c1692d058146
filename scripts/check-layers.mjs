// The layer check: folders are layers, and each may import only from the ones below it.
//   lib/protocol, lib/runtime  ← lib/cdp ← lib/commands ← lib/daemon
//                                        ← lib/client (direct mode runs commands in-process)
//   cli/ talks to the daemon only through lib/client; cli/daemon.ts is the daemon's entry.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

const ALLOWED = {
  'lib/protocol': ['lib/protocol'],
  'lib/runtime': ['lib/runtime', 'lib/protocol'],
  'lib/cdp': ['lib/cdp', 'lib/runtime', 'lib/protocol'],
  'lib/session': ['lib/session', 'lib/cdp', 'lib/runtime', 'lib/protocol'],
  'lib/commands': ['lib/commands', 'lib/session', 'lib/cdp', 'lib/runtime', 'lib/protocol'],
  'lib/daemon': ['lib/daemon', 'lib/commands', 'lib/session', 'lib/cdp', 'lib/runtime', 'lib/protocol'],
  'lib/client': ['lib/client', 'lib/commands', 'lib/session', 'lib/cdp', 'lib/runtime', 'lib/protocol'],
  lib: ['lib/client', 'lib/protocol'],
  cli: ['cli', 'lib/client', 'lib/commands', 'lib/session', 'lib/protocol'],
};
// Files with a reason to reach further, and the layers they may add.
const EXTRA = {
  'cli/daemon.ts': ['lib/daemon', 'lib/cdp', 'lib/runtime'],
  // The entry reads its code cache from the runtime dir, and starts CDP_TRACE.
  'cli/boot.ts': ['lib/runtime'],
  // CDP_TRACE marks.
  'cli/main.ts': ['lib/runtime'],
};
// Nothing under lib/ prints or exits: all printing goes through cli/output.ts.
const FORBIDDEN_IN_LIB = [/\bconsole\.(log|error|warn|info)\(/, /\bprocess\.exit\(/, /\bprocess\.stdout\.write\(/];

const files = [];
const walk = (d) => {
  for (const n of readdirSync(d)) {
    const p = join(d, n);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.ts')) files.push(p);
  }
};
walk('lib');
walk('cli');

const layerOf = (file) => {
  const parts = file.split('/');
  if (parts[0] === 'cli') return 'cli';
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : 'lib';
};

const problems = [];
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const layer = layerOf(file);
  const allowed = [...ALLOWED[layer], ...(EXTRA[file] ?? [])];
  for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
    const spec = m[1] ?? m[2];
    const target = normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts');
    const tl = layerOf(relative('.', target));
    if (!allowed.includes(tl)) problems.push(`${file}: imports ${spec} (${tl}), which ${layer} may not`);
  }
  if (file.startsWith('lib/')) {
    for (const re of FORBIDDEN_IN_LIB) if (re.test(text)) problems.push(`${file}: ${re} is for cli/ only`);
  }
}
if (problems.length) {
  console.error(`Layer check failed:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`layers ok (${files.length} files)`);
