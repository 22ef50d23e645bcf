import { randomBytes } from 'node:crypto';
import { ClearanceFailure, clearanceError, type ErrorReason } from '../errors';
import type { SecretStore } from './types';

export const KEYCHAIN_SERVICE = 'clearance-desk';

/** The part of keytar this store uses (a test can hand in a stand-in). */
export interface KeytarApi {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

export type KeytarLoader = () => Promise<KeytarApi>;

/** keytar is a native module: imported on first use, so a broken build is a keychain error, not a crash at start. */
const loadKeytar: KeytarLoader = async () => {
  const mod = (await import('keytar')) as KeytarApi & { default?: KeytarApi };
  return mod.default ?? mod;
};

export function keychainLabel(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'macOS Keychain';
  if (platform === 'win32') return 'Windows Credential Manager';
  return 'Secret Service (GNOME Keyring / KWallet)';
}

// keytar passes the OS's own words through; these are the ones seen from libsecret/D-Bus,
// macOS Security and Windows Credential Manager.
const UNAVAILABLE =
  /autolaunch D-Bus|org\.freedesktop\.secrets|Could not connect|ServiceUnknown|not provided by any \.service|No such (interface|object)|DBus\.Error\.(NoServer|Spawn|Disconnected|NoReply|TimedOut)|Connection refused|Secret Service/i;
const LOCKED =
  /locked|cancel+ed|dismissed|denied|not allowed|permission|interaction is not allowed|errSecAuthFailed|passphrase|authoriz|-25293|-128\b/i;

/** Keytar's failure as a table entry; the detail is an operation and a short sanitised code, never a value. */
export function keychainFailure(err: unknown, op: string): ClearanceFailure {
  const message = String((err as { message?: unknown })?.message ?? err ?? '');
  let reason: ErrorReason = 'keychain-failed';
  if (UNAVAILABLE.test(message)) reason = 'keychain-unavailable';
  else if (LOCKED.test(message)) reason = 'keychain-locked';
  const code = message
    .replace(/[^\w .:'$-]/g, '')
    .trim()
    .slice(0, 60);
  return new ClearanceFailure(clearanceError(reason, { detail: code ? `${op}: ${code}` : op }));
}

/**
 * Secrets in the OS keychain via keytar: Keychain on macOS, Credential Manager on Windows, the
 * Secret Service (gnome-keyring, KWallet) on Linux. Service `clearance-desk`; each account is
 * `<installationId>/<account>` so two data folders never share an entry. No plaintext fallback:
 * every failure is a `ClearanceFailure` with a `keychain-*` reason.
 */
export class KeytarSecretStore implements SecretStore {
  readonly label: string;
  private api: Promise<KeytarApi> | undefined;

  constructor(
    private readonly namespace: () => string,
    private readonly loader: KeytarLoader = loadKeytar,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {
    this.label = keychainLabel(platform);
  }

  /** The full keychain account name for one of this installation's accounts. */
  entryName(account: string): string {
    return `${this.namespace()}/${account}`;
  }

  private keytar(): Promise<KeytarApi> {
    this.api ??= this.loader().catch((err: unknown) => {
      this.api = undefined; // a later attempt may succeed (e.g. after the keyring daemon starts)
      throw new ClearanceFailure(
        clearanceError('keychain-failed', {
          detail: `keytar did not load: ${(err as { code?: string })?.code ?? 'error'}`,
        }),
      );
    });
    return this.api;
  }

  private async run<T>(
    op: string,
    account: string,
    f: (k: KeytarApi, entry: string) => Promise<T>,
  ): Promise<T> {
    const entry = this.entryName(account);
    const k = await this.keytar();
    try {
      return await f(k, entry);
    } catch (err) {
      throw keychainFailure(err, op);
    }
  }

  get(account: string): Promise<string | null> {
    return this.run('read', account, async (k, e) => {
      const value = await k.getPassword(KEYCHAIN_SERVICE, e);
      if (value === null && this.platform === 'linux') await this.confirmMiss(k);
      return value;
    });
  }

  /**
   * libsecret answers "nothing stored" when the collection is locked and nobody unlocks it (no
   * prompter, prompt dismissed). Mistaking that for "missing" would ask for secrets again, or make
   * the vault a new key; so a miss is confirmed with a probe write, which a locked collection refuses.
   * The probe's name is this process's own: two processes probing one entry at once made one of
   * them fail, which then read as "keychain unreachable".
   */
  private async confirmMiss(k: KeytarApi) {
    const probe = `${this.namespace()}/.probe-${process.pid}-${randomBytes(4).toString('hex')}`;
    await k.setPassword(KEYCHAIN_SERVICE, probe, '1');
    await k.deletePassword(KEYCHAIN_SERVICE, probe);
  }

  set(account: string, value: string): Promise<void> {
    return this.run('write', account, (k, e) => k.setPassword(KEYCHAIN_SERVICE, e, value));
  }

  delete(account: string): Promise<boolean> {
    return this.run('delete', account, (k, e) => k.deletePassword(KEYCHAIN_SERVICE, e));
  }
}
