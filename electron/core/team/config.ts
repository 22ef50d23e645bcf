/**
 * Where a desk keeps its team link. `team.json` in the data folder holds the server address
 * (never a password), the TLS settings, the team id and this desk's id. The team key and the
 * database password live in the keychain (accounts `team/key`, `team/password`), or for a
 * headless desk in files named by CLEARANCE_TEAM_KEY_FILE / CLEARANCE_TEAM_PASSWORD_FILE, which
 * are refused unless only their owner may read them.
 */
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientConfig } from 'pg';
import { ClearanceFailure, clearanceError } from '../errors';
import { fsError, writeFileAtomic } from '../fsutil';
import type { SecretStore } from '../secrets/types';

export const TEAM_FILE = 'team.json';
export const TEAM_KEY_ACCOUNT = 'team/key';
export const TEAM_PASSWORD_ACCOUNT = 'team/password';

export interface ServerAddress {
  host: string;
  port: number;
  user: string;
  database: string;
  /** TLS: always with certificate verification when on. */
  tls: boolean;
  /** A CA file (PEM) to trust besides the system's. */
  ca?: string;
}

export interface TeamConfig {
  version: 1;
  teamId: string;
  deskId: string;
  deskLabel: string;
  server: ServerAddress;
  joinedAt: string;
}

const LOOPBACK = (host: string) =>
  host === 'localhost' ||
  host === '::1' ||
  host === '[::1]' ||
  /^127\.\d+\.\d+\.\d+$/.test(host) ||
  host.startsWith('/');

/**
 * `postgres://user@host[:port]/db[?sslmode=…]`. A password in the address is refused (it would
 * end up in shell history and in team.json); a server other than this machine needs TLS with a
 * verified certificate, whatever sslmode says.
 */
export function parseServerUrl(url: string, opts: { ca?: string } = {}): ServerAddress {
  const bad = (detail: string): never => {
    throw new ClearanceFailure(clearanceError('team-server-url', { detail }));
  };
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return bad('URL');
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') bad('postgres://');
  if (u.password) bad('password');
  const user = decodeURIComponent(u.username);
  if (!user) bad('user');
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!database || database.includes('/')) bad('database');
  const host = u.searchParams.get('host') ?? u.hostname;
  if (!host) bad('host');
  const port = u.port ? Number(u.port) : 5432;
  const sslmode = u.searchParams.get('sslmode');
  const loopback = LOOPBACK(host);
  if (!loopback && sslmode && ['disable', 'allow', 'prefer'].includes(sslmode))
    throw new ClearanceFailure(clearanceError('team-tls', { detail: `sslmode=${sslmode}` }));
  const tls = !loopback || (sslmode !== null && !['disable', 'allow', 'prefer'].includes(sslmode));
  return { host, port, user, database, tls, ...(opts.ca ? { ca: opts.ca } : {}) };
}

export const serverLabel = (s: ServerAddress) =>
  `postgres://${s.user}@${s.host.includes(':') ? `[${s.host}]` : s.host}:${s.port}/${s.database}${s.tls ? ' (TLS)' : ''}`;

export function readTeamConfig(dataDir: string): TeamConfig | null {
  let text: string;
  try {
    text = readFileSync(join(dataDir, TEAM_FILE), 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return null;
    throw new ClearanceFailure(fsError(err));
  }
  try {
    const c = JSON.parse(text) as TeamConfig;
    if (c.version !== 1 || !c.teamId || !c.deskId || !c.server) throw new Error('shape');
    return c;
  } catch {
    throw new ClearanceFailure(clearanceError('team-failed', { detail: `${TEAM_FILE} damaged` }));
  }
}

export function writeTeamConfig(dataDir: string, c: TeamConfig): void {
  try {
    writeFileAtomic(join(dataDir, TEAM_FILE), `${JSON.stringify(c, null, 2)}\n`);
  } catch (err) {
    throw new ClearanceFailure(fsError(err));
  }
}

export function removeTeamConfig(dataDir: string): void {
  rmSync(join(dataDir, TEAM_FILE), { force: true });
}

/** A secret file: must be a regular file nobody but its owner may read or write. */
function readOwnerOnly(path: string, reason: 'team-password-file' | 'team-key-missing'): string {
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new ClearanceFailure(clearanceError(reason, { detail: 'not a file' }));
    if ((st.mode & 0o077) !== 0)
      throw new ClearanceFailure(
        clearanceError('team-password-file', { detail: `mode ${(st.mode & 0o777).toString(8)}` }),
      );
    if (typeof process.getuid === 'function' && st.uid !== process.getuid())
      throw new ClearanceFailure(clearanceError('team-password-file', { detail: 'owner' }));
    return readFileSync(path, 'utf8').split(/\r?\n/)[0] ?? '';
  } catch (err) {
    if (err instanceof ClearanceFailure) throw err;
    throw new ClearanceFailure(
      clearanceError('team-password-file', { detail: (err as { code?: string }).code ?? 'read' }),
    );
  }
}

export interface TeamSecrets {
  password(): Promise<string | undefined>;
  key(): Promise<Buffer>;
}

export function teamSecrets(secrets: SecretStore, env: NodeJS.ProcessEnv): TeamSecrets {
  return {
    async password() {
      const file = env.CLEARANCE_TEAM_PASSWORD_FILE;
      if (file) return readOwnerOnly(file, 'team-password-file');
      return (await secrets.get(TEAM_PASSWORD_ACCOUNT)) ?? undefined;
    },
    async key() {
      const file = env.CLEARANCE_TEAM_KEY_FILE;
      const hex = file ? readOwnerOnly(file, 'team-key-missing').trim() : await secrets.get(TEAM_KEY_ACCOUNT);
      if (!hex || !/^[0-9a-f]{64}$/i.test(hex))
        throw new ClearanceFailure(clearanceError('team-key-missing'));
      return Buffer.from(hex, 'hex');
    },
  };
}

/** The pg client settings for a server: short timeouts, TLS with verification when on. */
export function clientConfig(s: ServerAddress, password: string | undefined): ClientConfig {
  let ca: string | undefined;
  if (s.ca) {
    try {
      ca = readFileSync(s.ca, 'utf8');
    } catch (err) {
      throw new ClearanceFailure(fsError(err));
    }
  }
  return {
    host: s.host,
    port: s.port,
    user: s.user,
    database: s.database,
    ...(password !== undefined ? { password } : {}),
    ...(s.tls
      ? { ssl: { rejectUnauthorized: true, ...(ca ? { ca } : {}), servername: s.host } }
      : { ssl: false }),
    connectionTimeoutMillis: 5000,
    statement_timeout: 30_000,
    query_timeout: 60_000,
    application_name: 'clearance-desk',
    keepAlive: true,
  };
}
