/**
 * Private files in the runtime dir: created 0700/0600, written atomically, and trusted
 * only when they are ours, private and not symlinks.
 */
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { CdpdError } from '../protocol/errors.js';

const isPosix = process.platform !== 'win32';

/** Creates the runtime dir (0700) if needed and refuses one that is not private. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  checkPrivate(dir, 'directory');
}

/** Throws UNTRUSTED_FILE unless `path` is ours, not a symlink, and closed to others. */
export function checkPrivate(path: string, kind: 'directory' | 'file'): void {
  if (!isPosix) return;
  const st = lstatSync(path);
  const uid = process.getuid?.();
  if (st.isSymbolicLink()) {
    throw new CdpdError('UNTRUSTED_FILE', `Refusing ${kind} ${path}: it is a symlink. Remove it, or set CDP_RUNTIME_DIR to a private directory.`);
  }
  if (uid !== undefined && st.uid !== uid) {
    throw new CdpdError('UNTRUSTED_FILE', `Refusing ${kind} ${path}: it belongs to uid ${st.uid}, not to you (uid ${uid}).`);
  }
  if ((st.mode & 0o077) !== 0) {
    const mode = (st.mode & 0o777).toString(8);
    const fix = kind === 'directory' ? 700 : 600;
    throw new CdpdError('UNTRUSTED_FILE', `Refusing ${kind} ${path}: others can access it (mode ${mode}). Run: chmod ${fix} ${path}`);
  }
}

/** Reads a private file, or returns undefined when it does not exist. */
export function readPrivate(path: string): string | undefined {
  try {
    checkPrivate(path, 'file');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return readFileSync(path, 'utf8');
}

/** Writes a file 0600 through a temp name and a rename, so readers never see half of it. */
export function writePrivateAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Unlinks a file, ignoring one that is already gone. */
export function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/** True when a process with this pid exists (and we may signal it). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
