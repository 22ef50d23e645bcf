import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type ClearanceError, clearanceError } from './errors';
import { diskFull } from './rules';

/** A file appears under its final name complete or not at all (temp file in the same folder, then rename). */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${randomBytes(6).toString('hex')}.partial`);
  try {
    writeFileSync(tmp, data, { mode: 0o600 });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** File-system errors as the table's values: a full disk says so; anything else names its code only. */
export function fsError(err: unknown): ClearanceError {
  if (diskFull(err)) return clearanceError('disk-full');
  return clearanceError('file-failed', { detail: (err as { code?: string }).code ?? 'I/O' });
}
