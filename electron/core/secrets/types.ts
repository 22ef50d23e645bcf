/**
 * Where secrets live: the OS keychain in the app and the command, memory in unit tests (and in
 * the explicit "this run only" mode). Implementations throw `ClearanceFailure` with a `keychain-*`
 * reason when the store cannot be reached, is locked, or refuses access; never a plaintext fallback.
 */
export type SecretKind = 'app-secret' | 'session' | 'vault-key';

export interface SecretStore {
  /** Human name for messages: "GNOME Keyring", "macOS Keychain", "memory (this run only)". */
  readonly label: string;
  get(account: string): Promise<string | null>;
  set(account: string, value: string): Promise<void>;
  /** True when something was deleted. */
  delete(account: string): Promise<boolean>;
}
