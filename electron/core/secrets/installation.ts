import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClearanceFailure, clearanceError } from '../errors';
import { fsError } from '../fsutil';
import { ensureDataDir } from '../settings/paths';

export const INSTALLATION_FILE = 'installation-id';
const ID_PATTERN = /^[0-9a-f]{32}$/;

/**
 * The random id of one data folder. Keychain entries are namespaced by it, so two data folders
 * (two `CLEARANCE_DATA_DIR`s, a test run and the real app) never read or overwrite each other's
 * secrets. Created once; a damaged file is never replaced silently, since a new id would orphan
 * every secret stored under the old one.
 */
export function installationId(dataDir: string): string {
  const path = join(dataDir, INSTALLATION_FILE);
  try {
    const existing = readId(path);
    if (existing) return existing;
    ensureDataDir(dataDir);
    const id = randomBytes(16).toString('hex');
    // Write a temp file, then hard-link it into place: link() fails if the name exists, so two
    // processes starting together agree on one id and nobody ever reads a half-written file.
    const tmp = join(dataDir, `.${INSTALLATION_FILE}.${randomBytes(6).toString('hex')}`);
    writeFileSync(tmp, `${id}\n`, { mode: 0o600 });
    try {
      linkSync(tmp, path);
      return id;
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
    } finally {
      rmSync(tmp, { force: true });
    }
    const winner = readId(path);
    if (winner) return winner;
  } catch (err) {
    if (err instanceof ClearanceFailure) throw err;
    throw new ClearanceFailure(fsError(err));
  }
  throw damaged();
}

const damaged = () =>
  new ClearanceFailure(clearanceError('keychain-failed', { detail: `${INSTALLATION_FILE} damaged` }));

function readId(path: string): string | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return null;
    throw err;
  }
  const id = text.trim();
  if (!ID_PATTERN.test(id)) throw damaged();
  return id;
}
