/**
 * The vault of a data folder, keyed from the OS keychain. The key is made (256 random bits) only
 * when no database exists yet; a database without its key is an error, never a reason to start a
 * new one, because a new key over an existing file would make every record unreadable for good.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { ClearanceFailure, clearanceError } from '../errors';
import { fsError } from '../fsutil';
import { VAULT_KEY_ACCOUNT } from '../secrets';
import type { SecretStore } from '../secrets/types';
import { ensureDataDir } from '../settings/paths';
import type { Vault } from './types';
import { type OpenVaultOptions, openVault } from './vault';

export const VAULT_FILE = 'vault.db';
export const vaultPath = (dataDir: string) => join(dataDir, VAULT_FILE);

/** Any trace of a database (the main file or an orphaned WAL) counts as existing. */
export const vaultExists = (dataDir: string) => {
  const p = vaultPath(dataDir);
  return existsSync(p) || existsSync(`${p}-wal`);
};

/** A database another process has finished creating: it has pages (an empty file is still being made). */
const vaultReady = (dataDir: string) => {
  try {
    return statSync(vaultPath(dataDir)).size > 0;
  } catch {
    return false;
  }
};

const CREATE_LOCK_WAIT_MS = 15_000;

/**
 * Two processes starting on a fresh folder (the app and the command, or several commands) must
 * not each make a key or each initialise the file: the loser would hold a key, or an SQLCipher
 * salt, that does not open the winner's file ("vault key missing or wrong"). Creation runs under
 * an exclusive SQLite lock on an empty side file: the OS drops it when its holder dies, even by
 * SIGKILL, so there is no stale lock to guess about.
 */
async function withCreateLock<T>(dataDir: string, fn: () => Promise<T>): Promise<T> {
  const path = join(dataDir, `.${VAULT_FILE}.creating`);
  let db: Database.Database;
  try {
    closeSync(openSync(path, 'a', 0o600));
    db = new Database(path);
  } catch (err) {
    throw new ClearanceFailure(fsError(err));
  }
  // Polled, never a blocking busy wait: the holder may be this very process, awaiting the keychain.
  const deadline = Date.now() + CREATE_LOCK_WAIT_MS;
  for (;;) {
    try {
      db.exec('BEGIN EXCLUSIVE');
      break;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) {
        db.close();
        throw new ClearanceFailure(clearanceError('vault-failed', { detail: 'creation lock busy' }));
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  try {
    return await fn();
  } finally {
    try {
      db.exec('COMMIT');
    } finally {
      db.close();
    }
  }
}

/** The vault key from the store; an unreachable keychain names both places a key can live. */
async function vaultKeyFrom(secrets: SecretStore): Promise<string | null> {
  try {
    return await secrets.get(VAULT_KEY_ACCOUNT);
  } catch (err) {
    if (err instanceof ClearanceFailure && err.error.reason === 'keychain-unavailable')
      throw new ClearanceFailure(clearanceError('vault-key-nowhere'));
    throw err;
  }
}

export async function openVaultWithKeychain(
  opts: { dataDir: string; secrets: SecretStore } & Omit<OpenVaultOptions, 'path' | 'key'>,
): Promise<Vault> {
  const { dataDir, secrets, ...rest } = opts;
  const path = vaultPath(dataDir);
  // The common case, an existing vault, takes no lock.
  if (vaultReady(dataDir)) {
    const key = await vaultKeyFrom(secrets);
    if (key) return openVault({ ...rest, path, key });
  }
  try {
    ensureDataDir(dataDir);
  } catch (err) {
    throw new ClearanceFailure(fsError(err));
  }
  return withCreateLock(dataDir, async () => {
    // Decided only under the lock: another process may be half-way through creating both.
    const key = await vaultKeyFrom(secrets);
    if (key) return openVault({ ...rest, path, key });
    if (vaultExists(dataDir)) throw new ClearanceFailure(clearanceError('vault-key'));
    const fresh = randomBytes(32).toString('hex');
    // Key first, file second: a crash in between leaves a key and no file, which is harmless.
    await secrets.set(VAULT_KEY_ACCOUNT, fresh);
    const stored = await secrets.get(VAULT_KEY_ACCOUNT);
    if (stored !== fresh)
      throw new ClearanceFailure(clearanceError('keychain-failed', { detail: 'vault key did not persist' }));
    return openVault({ ...rest, path, key: fresh });
  });
}
