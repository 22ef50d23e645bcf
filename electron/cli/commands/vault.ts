/**
 * `vault key`: where the vault's key lives. `--new FILE` makes a key file for a vault yet to be
 * made; `--export FILE` moves an existing vault's key from the keychain to a file, `--import FILE`
 * moves it back. A move copies the same key (nothing is re-keyed), proves the copy opens the vault,
 * and only then removes the original, so no step can leave the vault without its key.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { type ClearanceError, ClearanceFailure, clearanceError, exitCodeFor } from '../../core/errors';
import { keychainStore, readSecretFile, VAULT_KEY_ACCOUNT, writeSecretFile } from '../../core/secrets';
import { resolveDataDir } from '../../core/settings/paths';
import { vaultExists, vaultPath } from '../../core/vault/open';
import { openVault } from '../../core/vault/vault';
import { printError, say } from '../output';
import type { Command } from './types';

const USAGE = 'vault key --new FILE | --export FILE | --import FILE [--json]';
const KEY = /^[0-9a-f]{64}$/;

/** The key opens the vault in this folder (when there is one); a wrong key throws `vault-key`. */
function proveKey(dataDir: string, key: string) {
  if (!KEY.test(key)) throw new ClearanceFailure(clearanceError('vault-key'));
  if (!vaultExists(dataDir)) return;
  openVault({ path: vaultPath(dataDir), key }).close();
}

export const vaultCommand: Command = {
  name: 'vault',
  summary: {
    zh: '本地加密库的密钥：生成密钥文件，或在钥匙串与密钥文件之间移动（不重新加密，不丢数据）',
    en: "The vault's key: make a key file, or move it between the keychain and a key file (no re-keying, nothing lost)",
  },
  usage: USAGE,
  options: {
    new: { type: 'string' },
    export: { type: 'string' },
    import: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ positionals, values, io, env, cwd }) {
    const json = values.json === true;
    const modes = (['new', 'export', 'import'] as const).filter((m) => typeof values[m] === 'string');
    if (positionals.length !== 1 || positionals[0] !== 'key' || modes.length !== 1) {
      printError(io, clearanceError('usage', { detail: USAGE }), json);
      return 2;
    }
    const mode = modes[0] as 'new' | 'export' | 'import';
    const file = resolve(cwd, values[mode] as string);
    const label = `vault key --${mode} FILE`;
    const dataDir = resolveDataDir(env);
    const keychain = keychainStore(dataDir);
    const done = (zh: string, en: string) => {
      if (json) io.stdout(`${JSON.stringify({ ok: true, action: mode, file, dataDir })}\n`);
      else io.stdout(`${say(io, zh, en)}\n`);
      return 0;
    };
    try {
      if (mode === 'new') {
        if (vaultExists(dataDir))
          throw new ClearanceFailure(
            clearanceError('usage', {
              detail: say(
                io,
                '此数据文件夹已有加密库：请用 --export 移出它的密钥',
                'this data folder has a vault already: move its key with --export',
              ),
            }),
          );
        writeSecretFile(file, randomBytes(32).toString('hex'), label, { exclusive: true });
        return done(
          `已生成新的密钥文件 ${file}（权限 0600）。设置 CLEARANCE_VAULT_KEY_FILE=${file} 后，第一条命令会用它建立加密库。请备份此文件：丢失即无法打开加密库。`,
          `Wrote a new key file ${file} (mode 0600). With CLEARANCE_VAULT_KEY_FILE=${file} the first command makes the vault with it. Back the file up: without it the vault cannot be opened.`,
        );
      }
      if (mode === 'export') {
        const key = await keychain.get(VAULT_KEY_ACCOUNT);
        if (!key) throw new ClearanceFailure(clearanceError('vault-key'));
        proveKey(dataDir, key);
        writeSecretFile(file, key, label, { exclusive: true });
        if (readSecretFile(file, label) !== key) {
          rmSync(file, { force: true });
          throw new ClearanceFailure(clearanceError('file-failed', { detail: 'key file did not read back' }));
        }
        await keychain.delete(VAULT_KEY_ACCOUNT);
        return done(
          `加密库的密钥已移到 ${file}（权限 0600），并已从钥匙串删除。今后请设置 CLEARANCE_VAULT_KEY_FILE=${file}；移回钥匙串：vault key --import ${file}`,
          `The vault's key is now in ${file} (mode 0600) and no longer in the keychain. From now on set CLEARANCE_VAULT_KEY_FILE=${file}; to move it back: vault key --import ${file}`,
        );
      }
      const key = readSecretFile(file, label) as string;
      proveKey(dataDir, key);
      const theirs = await keychain.get(VAULT_KEY_ACCOUNT);
      if (theirs && theirs !== key)
        throw new ClearanceFailure(
          clearanceError('usage', {
            detail: say(
              io,
              '钥匙串中已有另一把加密库密钥，未覆盖',
              'the keychain holds a different vault key already; it was not overwritten',
            ),
          }),
        );
      await keychain.set(VAULT_KEY_ACCOUNT, key);
      if ((await keychain.get(VAULT_KEY_ACCOUNT)) !== key)
        throw new ClearanceFailure(
          clearanceError('keychain-failed', { detail: 'vault key did not persist' }),
        );
      rmSync(file, { force: true });
      return done(
        `加密库的密钥已移回钥匙串，密钥文件 ${file} 已删除。请取消设置 CLEARANCE_VAULT_KEY_FILE。`,
        `The vault's key is back in the keychain and the key file ${file} was removed. Unset CLEARANCE_VAULT_KEY_FILE.`,
      );
    } catch (err) {
      if (!(err instanceof ClearanceFailure)) throw err;
      const e: ClearanceError = err.error;
      printError(io, e, json);
      return exitCodeFor(e.kind);
    }
  },
};
