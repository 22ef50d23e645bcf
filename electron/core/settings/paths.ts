import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Electron derives the userData folder from package.json's productName; the command must land in the same one. */
export const PRODUCT_NAME = 'Clearance Desk';

/**
 * The data folder shared by the app and the command: `CLEARANCE_DATA_DIR` when set, otherwise the
 * folder Electron's `app.getPath('userData')` gives for "Clearance Desk" on this platform
 * (appData = %APPDATA% on Windows, ~/Library/Application Support on macOS, $XDG_CONFIG_HOME or
 * ~/.config on Linux).
 */
export function resolveDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  const override = env.CLEARANCE_DATA_DIR?.trim();
  if (override) return override;
  return join(appDataDir(env, platform, home), PRODUCT_NAME);
}

function appDataDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, home: string): string {
  if (platform === 'win32') return env.APPDATA || join(home, 'AppData', 'Roaming');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support');
  return env.XDG_CONFIG_HOME || join(home, '.config');
}

/** Names that mark a folder as a data folder of this product (its permissions are ours to tighten). */
const OWN_FILES = ['installation-id', 'settings.json', 'vault.db'];

/**
 * Create the data folder owner-only (0700), whoever comes first (the app, `profile add`, `get`).
 * A data folder left group- or world-readable by an earlier version is tightened; a folder the
 * user pointed at that holds none of our files is left as it is.
 */
export function ensureDataDir(dir: string): void {
  const existed = existsSync(dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const mode = statSync(dir).mode & 0o777;
  if (mode & 0o077 && (!existed || OWN_FILES.some((f) => existsSync(join(dir, f))))) chmodSync(dir, 0o700);
}
