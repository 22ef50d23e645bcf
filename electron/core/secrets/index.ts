import { FileSecretStore, secretFilesFrom } from './file-store';
import { installationId } from './installation';
import { KeytarSecretStore } from './keytar-store';
import { MemorySecretStore } from './memory-store';
import type { SecretStore } from './types';

export {
  FileSecretStore,
  readSecretFile,
  SECRET_FILE_VARS,
  secretFilesFrom,
  writeSecretFile,
} from './file-store';
export { installationId } from './installation';
export { KEYCHAIN_SERVICE, KeytarSecretStore } from './keytar-store';
export { MemorySecretStore } from './memory-store';
export type { SecretKind, SecretStore } from './types';

/** The keychain entry of the vault's encryption key (one per data folder). */
export const VAULT_KEY_ACCOUNT = 'vault-key';

export type ProfileSecretKind = 'app-secret' | 'session' | 'refresh-token';
export const PROFILE_SECRET_KINDS: readonly ProfileSecretKind[] = ['app-secret', 'session', 'refresh-token'];

/** The account name of one profile's secret: `profile/<name>/app-secret`, `…/session`, `…/refresh-token`. */
export function secretAccount(profile: string, kind: ProfileSecretKind): string {
  return `profile/${profile}/${kind}`;
}

/**
 * The secret store of a data folder: `keychain` (the OS keychain, entries namespaced by the
 * folder's installation id) or `memory` (this run only: gone when the process ends). Opening does
 * no I/O; the installation id and keytar are loaded on first use, and failures surface there as
 * `ClearanceFailure`s with `keychain-*` (or disk) reasons.
 */
export function openSecretStore(
  dataDir: string,
  mode: 'keychain' | 'memory',
  env?: NodeJS.ProcessEnv,
): SecretStore {
  const inner = mode === 'memory' ? new MemorySecretStore() : keychainStore(dataDir);
  // Files named by CLEARANCE_*_FILE take the place of the keychain for what they name (servers without a Secret Service).
  const files = env ? secretFilesFrom(env) : {};
  return Object.keys(files).length ? new FileSecretStore(inner, files) : inner;
}

/** The OS keychain of a data folder, never routed to files (`vault key --export/--import` move between the two). */
export function keychainStore(dataDir: string): SecretStore {
  let id: string | undefined;
  return new KeytarSecretStore(() => {
    id ??= installationId(dataDir);
    return id;
  });
}
