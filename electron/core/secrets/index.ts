import { installationId } from './installation';
import { KeytarSecretStore } from './keytar-store';
import { MemorySecretStore } from './memory-store';
import type { SecretStore } from './types';

export { installationId } from './installation';
export { KEYCHAIN_SERVICE, KeytarSecretStore } from './keytar-store';
export { MemorySecretStore } from './memory-store';
export type { SecretKind, SecretStore } from './types';

/** The keychain entry of the vault's encryption key (one per data folder). */
export const VAULT_KEY_ACCOUNT = 'vault-key';

export type ProfileSecretKind = 'app-secret' | 'session';
export const PROFILE_SECRET_KINDS: readonly ProfileSecretKind[] = ['app-secret', 'session'];

/** The account name of one profile's secret: `profile/<name>/app-secret`, `profile/<name>/session`. */
export function secretAccount(profile: string, kind: ProfileSecretKind): string {
  return `profile/${profile}/${kind}`;
}

/**
 * The secret store of a data folder: `keychain` (the OS keychain, entries namespaced by the
 * folder's installation id) or `memory` (this run only: gone when the process ends). Opening does
 * no I/O; the installation id and keytar are loaded on first use, and failures surface there as
 * `ClearanceFailure`s with `keychain-*` (or disk) reasons.
 */
export function openSecretStore(dataDir: string, mode: 'keychain' | 'memory'): SecretStore {
  if (mode === 'memory') return new MemorySecretStore();
  let id: string | undefined;
  return new KeytarSecretStore(() => {
    id ??= installationId(dataDir);
    return id;
  });
}
