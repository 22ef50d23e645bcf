/**
 * The composition root of core: one data folder, its secret store, its settings and its vault,
 * as the app's main process, the command and the test harness all need them. Opening is cheap;
 * the vault (keychain access, decryption, migrations, the retention purge) opens on first use.
 */
import { ClearanceFailure, clearanceError } from './errors';
import { fsError } from './fsutil';
import { openSecretStore } from './secrets';
import type { SecretStore } from './secrets/types';
import { ensureDataDir, resolveDataDir } from './settings/paths';
import { type ConfLike, openSettings, type SettingsStore } from './settings/store';
import { openVaultWithKeychain } from './vault/open';
import type { Vault } from './vault/types';

export interface Desk {
  dataDir: string;
  secrets: SecretStore;
  settings: SettingsStore;
  /** The vault, opened on the first call (then the same one); the retention purge runs right after opening. */
  vault(): Promise<Vault>;
  /** Apply the retention settings now (records, images, audit entries past their age); audited when it removes anything. */
  applyRetention(): Promise<{ records: number; images: number; audit: number }>;
  close(): void;
}

export interface OpenDeskOptions {
  env: NodeJS.ProcessEnv;
  /** 'keychain' (default): the OS keychain; 'memory': this run only (a vault made so is unreadable next run). */
  secretsMode?: 'keychain' | 'memory';
  /** Who is acting, for the audit log: 'app' or 'cli'. */
  channel?: string;
  /** Repeat the retention purge this often while open (the app); the timer never keeps the process alive. */
  retentionEveryMs?: number;
  /** The app hands in electron-store here; Node uses `conf`. */
  createSettings?: (o: { cwd: string; configName: string }) => ConfLike;
  clock?: () => Date;
}

/** Throws `ClearanceFailure` (settings unreadable, disk) — callers at a boundary turn it into a value. */
export function openDesk(opts: OpenDeskOptions): Desk {
  const dataDir = resolveDataDir(opts.env);
  try {
    ensureDataDir(dataDir);
  } catch (err) {
    throw new ClearanceFailure(fsError(err));
  }
  const secrets = openSecretStore(dataDir, opts.secretsMode ?? 'keychain', opts.env);
  const opened = openSettings(dataDir, secrets, {
    ...(opts.createSettings ? { create: opts.createSettings } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  if (!opened.ok) throw new ClearanceFailure(opened.error);
  const settings = opened.value;
  const channel = opts.channel ?? 'app';
  let vault: Promise<Vault> | undefined;
  let openVaultNow: Vault | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const retention = (v: Vault) => {
    // A damaged vault is read-only: purging is a write, and waits until it is restored.
    if (v.isDamaged()) return { records: 0, images: 0, audit: 0 };
    const p = settings.preferences();
    return v.purge({
      recordDays: p.retentionDays,
      ...(p.imageRetentionDays !== undefined ? { imageDays: p.imageRetentionDays } : {}),
      auditDays: p.auditRetentionDays,
      channel,
      auto: true,
    });
  };

  const desk: Desk = {
    dataDir,
    secrets,
    settings,
    vault() {
      vault ??= (async () => {
        const v = await openVaultWithKeychain({
          dataDir,
          secrets,
          expiringDays: settings.preferences().expiringSoonDays,
          ...(opts.clock ? { clock: opts.clock } : {}),
        });
        if (closed) {
          v.close();
          throw new ClearanceFailure(clearanceError('internal', { detail: 'desk closed' }));
        }
        openVaultNow = v;
        try {
          retention(v);
        } catch (err) {
          v.close();
          openVaultNow = undefined;
          throw err;
        }
        if (opts.retentionEveryMs) {
          timer = setInterval(() => {
            try {
              retention(v);
            } catch {
              // A busy or full disk now is retried at the next tick; the app reports vault errors where they matter.
            }
          }, opts.retentionEveryMs);
          timer.unref();
        }
        return v;
      })().catch((err: unknown) => {
        vault = undefined; // a later call may succeed (keychain unlocked, disk freed)
        throw err;
      });
      return vault;
    },
    async applyRetention() {
      return retention(await desk.vault());
    },
    close() {
      closed = true;
      if (timer) clearInterval(timer);
      openVaultNow?.close();
      openVaultNow = undefined;
    },
  };
  return desk;
}
