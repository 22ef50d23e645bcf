/**
 * The vault of a data folder, keyed from the OS keychain. The key is made (256 random bits) only
 * when no database exists yet; a database without its key is an error, never a reason to start a
 * new one, because a new key over an existing file would make every record unreadable for good.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ClearanceFailure, clearanceError } from '../errors';
import { fsError } from '../fsutil';
import { VAULT_KEY_ACCOUNT } from '../secrets';
import type { SecretStore } from '../secrets/types';
import type { Vault } from './types';
import { type OpenVaultOptions, openVault } from './vault';

export const VAULT_FILE = 'vault.db';
export const vaultPath = (dataDir: string) => join(dataDir, VAULT_FILE);

/** Any trace of a database (the main file or an orphaned WAL) counts as existing. */
export const vaultExists = (dataDir: string) => {
  const p = vaultPath(dataDir);
  return existsSync(p) || existsSync(`${p}-wal`);
};

const LOCK_STALE_MS = 30_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Two processes starting on a fresh folder (the app and the command) must not each make a key:
 * the loser would store a key that does not open the winner's file. An exclusive lock file
 * serialises first-run creation; the loser then finds the winner's key.
 */
async function withCreateLock<T>(dataDir: string, fn: () => Promise<T>): Promise<T> {
  const lock = join(dataDir, `.${VAULT_FILE}.creating`);
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx', 0o600));
      break;
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw new ClearanceFailure(fsError(err));
      try {
        if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) rmSync(lock, { force: true });
      } catch {
        // gone meanwhile: try again
      }
      if (Date.now() > deadline)
        throw new ClearanceFailure(clearanceError('vault-failed', { detail: 'creation lock busy' }));
      await sleep(100);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
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
  const key = await vaultKeyFrom(secrets);
  if (key) return openVault({ ...rest, path, key });
  if (vaultExists(dataDir)) throw new ClearanceFailure(clearanceError('vault-key'));
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new ClearanceFailure(fsError(err));
  }
  return withCreateLock(dataDir, async () => {
    // Re-check under the lock: another process may have created both meanwhile.
    const theirs = await vaultKeyFrom(secrets);
    if (theirs) return openVault({ ...rest, path, key: theirs });
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
