/**
 * Files the daemon writes for a command (screenshots, PDFs, bodies, HAR, state): private
 * to the user, whatever was there before.
 */
import { CdpdError } from '../protocol/errors.js';

/** Writes `data` to `path` as 0600 (an existing file's mode too); FILE_ERROR when it cannot. */
export async function writePrivateFile(path: string, data: string | Buffer): Promise<void> {
  const { writeFile, chmod } = await import('node:fs/promises'); // not on the CLI's start-up path
  try {
    await writeFile(path, data, { mode: 0o600 });
    await chmod(path, 0o600);
  } catch (err) {
    throw new CdpdError('FILE_ERROR', `Cannot write ${path}: ${(err as Error).message}`);
  }
}
