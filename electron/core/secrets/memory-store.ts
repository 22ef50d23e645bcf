import type { SecretStore } from './types';

/**
 * Secrets in process memory: the twin of the keychain store for unit tests, and the explicit
 * "this run only" mode, where secrets vanish when the process ends and are never written anywhere.
 */
export class MemorySecretStore implements SecretStore {
  readonly label = 'memory (this run only)';
  private readonly values = new Map<string, string>();

  async get(account: string) {
    return this.values.get(account) ?? null;
  }

  async set(account: string, value: string) {
    this.values.set(account, value);
  }

  async delete(account: string) {
    return this.values.delete(account);
  }
}
