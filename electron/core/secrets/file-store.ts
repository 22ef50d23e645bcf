/**
 * Secrets from files, for machines without a Secret Service (servers, containers, systemd units
 * with `LoadCredential=`). Each variable names one file holding one secret:
 *   CLEARANCE_APP_SECRET_FILE     the App Secret
 *   CLEARANCE_SESSION_FILE        the session key (replaced in place by `profile authorize` / `refresh`)
 *   CLEARANCE_REFRESH_TOKEN_FILE  the refresh token (written by `profile authorize` / `refresh`)
 *   CLEARANCE_VAULT_KEY_FILE      the vault's key (`vault key --new FILE` / `--export FILE`)
 * A file is read only when it belongs to this user and nobody else may read or write it; a refusal
 * names the variable, never the content. Everything not named by a variable stays in the keychain.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ClearanceFailure, clearanceError } from '../errors';
import { fsError } from '../fsutil';
import type { SecretStore } from './types';

export const SECRET_FILE_VARS = {
  appSecret: 'CLEARANCE_APP_SECRET_FILE',
  session: 'CLEARANCE_SESSION_FILE',
  refreshToken: 'CLEARANCE_REFRESH_TOKEN_FILE',
  vaultKey: 'CLEARANCE_VAULT_KEY_FILE',
} as const;

export type SecretFileKind = keyof typeof SECRET_FILE_VARS;
export type SecretFiles = Partial<Record<SecretFileKind, string>>;

/** The files the environment names (blank values ignored). */
export function secretFilesFrom(env: NodeJS.ProcessEnv): SecretFiles {
  const out: SecretFiles = {};
  for (const [kind, name] of Object.entries(SECRET_FILE_VARS) as [SecretFileKind, string][]) {
    const v = env[name]?.trim();
    if (v) out[kind] = v;
  }
  return out;
}

const MAX_BYTES = 16 * 1024;

const unsafe = (envVar: string) =>
  new ClearanceFailure(clearanceError('secret-file-unsafe', { detail: envVar }));
const unreadable = (envVar: string) =>
  new ClearanceFailure(clearanceError('secret-file-unreadable', { detail: envVar }));

/** Owned by this user, no access for group or others (checked on the open descriptor, so no race). */
function checkSafe(fd: number, envVar: string) {
  if (process.platform === 'win32' || typeof process.getuid !== 'function') return;
  const st = fstatSync(fd);
  if (!st.isFile()) throw unreadable(envVar);
  if (st.uid !== process.getuid() || (st.mode & 0o077) !== 0) throw unsafe(envVar);
}

/**
 * One secret from a file: surrounding white space (a final newline) dropped. A missing file is
 * `null` when `missingOk`, else a refusal naming the variable.
 */
export function readSecretFile(
  path: string,
  envVar: string,
  opts: { missingOk?: boolean } = {},
): string | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOCTTY ?? 0));
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT' && opts.missingOk) return null;
    throw unreadable(envVar);
  }
  try {
    checkSafe(fd, envVar);
    const buf = Buffer.alloc(MAX_BYTES + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      if (n > MAX_BYTES) throw unreadable(envVar);
    }
    const value = buf.subarray(0, n).toString('utf8').trim();
    if (!value || /[\r\n]/.test(value)) throw unreadable(envVar);
    return value;
  } catch (err) {
    if (err instanceof ClearanceFailure) throw err;
    throw unreadable(envVar);
  } finally {
    closeSync(fd);
  }
}

/**
 * Write one secret to a file, mode 0600. `exclusive`: the file must not exist yet (O_EXCL), so an
 * existing key is never overwritten; otherwise the file is replaced atomically (a temp file in the
 * same folder, then rename), and an existing file must itself pass the safety check first.
 */
export function writeSecretFile(
  path: string,
  value: string,
  envVar: string,
  opts: { exclusive: boolean },
): void {
  const data = `${value}\n`;
  if (opts.exclusive) {
    let fd: number;
    try {
      fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    } catch (err) {
      if ((err as { code?: string }).code === 'EEXIST')
        throw new ClearanceFailure(clearanceError('usage', { detail: `${envVar}: the file exists already` }));
      throw new ClearanceFailure(fsError(err));
    }
    try {
      writeSync(fd, data);
    } catch (err) {
      closeSync(fd);
      rmSync(path, { force: true });
      throw new ClearanceFailure(fsError(err));
    }
    closeSync(fd);
    return;
  }
  readSecretFile(path, envVar, { missingOk: true }); // an existing file must be ours and private
  const tmp = join(dirname(path), `.${randomBytes(6).toString('hex')}.secret.partial`);
  try {
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      writeSync(fd, data);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new ClearanceFailure(fsError(err));
  }
}

type Route = { kind: SecretFileKind; path: string; envVar: string };

/**
 * A secret store that reads (and, for the session and refresh token, writes) the files the
 * environment names, and hands everything else to the keychain. On such a machine the files serve
 * every profile of the data folder: one account per server.
 */
export class FileSecretStore implements SecretStore {
  readonly label: string;

  constructor(
    private readonly inner: SecretStore,
    private readonly files: SecretFiles,
  ) {
    this.label = `${Object.keys(files)
      .map((k) => SECRET_FILE_VARS[k as SecretFileKind])
      .join(', ')} + ${inner.label}`;
  }

  private route(account: string): Route | null {
    let kind: SecretFileKind | null = null;
    if (account === 'vault-key') kind = 'vaultKey';
    else if (/^profile\/[^/]+\/app-secret$/.test(account)) kind = 'appSecret';
    else if (/^profile\/[^/]+\/session$/.test(account)) kind = 'session';
    else if (/^profile\/[^/]+\/refresh-token$/.test(account)) kind = 'refreshToken';
    const path = kind ? this.files[kind] : undefined;
    return kind && path ? { kind, path, envVar: SECRET_FILE_VARS[kind] } : null;
  }

  /** Whether an account's secret comes from a file (the CLI says where a new session went). */
  fileFor(account: string): string | null {
    return this.route(account)?.envVar ?? null;
  }

  async get(account: string): Promise<string | null> {
    const r = this.route(account);
    if (!r) return this.inner.get(account);
    // The App Secret and the vault key must be there; the tokens appear with the first authorisation.
    return readSecretFile(r.path, r.envVar, { missingOk: r.kind === 'session' || r.kind === 'refreshToken' });
  }

  async set(account: string, value: string): Promise<void> {
    const r = this.route(account);
    if (!r) return this.inner.set(account, value);
    if (r.kind === 'appSecret' || r.kind === 'vaultKey') {
      throw new ClearanceFailure(
        clearanceError('usage', { detail: `${r.envVar}: this secret is read from its file; edit the file` }),
      );
    }
    writeSecretFile(r.path, value, r.envVar, { exclusive: false });
  }

  async delete(account: string): Promise<boolean> {
    // The files belong to whoever set the variables up; removing a profile leaves them.
    if (this.route(account)) return false;
    return this.inner.delete(account);
  }
}
