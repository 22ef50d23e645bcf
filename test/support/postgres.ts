/**
 * A real PostgreSQL for tests: a temp cluster made with initdb as the `postgres` user (the server
 * refuses to run as root), listening on 127.0.0.1 on a free port with its socket in a private
 * folder, password (scram) authentication, and the roles a team uses:
 *   - `team_admin`: owns the schema (runs `team init`), may create roles;
 *   - `desk_user`: a desk's login, made a member of `clearance_desk` after init (as an admin would).
 * Without the binaries the suite is skipped and says so loudly.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';

/** Debian's newest installed server (`postgresql` depends on the current major, 15 on bookworm). */
function findBin(): string {
  const root = '/usr/lib/postgresql';
  try {
    const majors = readdirSync(root)
      .filter((d) => /^\d+$/.test(d) && Number(d) >= 13 && existsSync(`${root}/${d}/bin/initdb`))
      .sort((x, y) => Number(y) - Number(x));
    if (majors[0]) return `${root}/${majors[0]}/bin`;
  } catch {
    // no PostgreSQL at all
  }
  return `${root}/15/bin`;
}
const BIN = findBin();

export const PG_AVAILABLE = existsSync(`${BIN}/initdb`) && existsSync(`${BIN}/pg_ctl`);

export function pgSuite(name: string): typeof describe {
  if (PG_AVAILABLE) return describe;
  console.warn(
    `\n!!! ${name}: SKIPPED — PostgreSQL binaries not found in ${BIN} (apt-get install postgresql) !!!\n`,
  );
  return describe.skip as unknown as typeof describe;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface TestPostgres {
  port: number;
  socketDir: string;
  dataDir: string;
  adminUrl: string;
  deskUrl: string;
  /** Passwords are in owner-only files, as a headless desk keeps them. */
  adminPasswordFile: string;
  deskPasswordFile: string;
  /** SQL as the superuser (psql over the socket); returns stdout. */
  psql(sql: string): string;
  pgDump(): string;
  stop(): void;
  start(): void;
  destroy(): void;
}

const asPostgres = (cmd: string, args: string[], opts: { input?: string } = {}) =>
  execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], {
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(opts.input !== undefined ? { input: opts.input } : {}),
  });

export async function startPostgres(): Promise<TestPostgres> {
  const root = mkdtempSync(join(tmpdir(), 'cd-pg-'));
  chmodSync(root, 0o755);
  const dataDir = join(root, 'data');
  const socketDir = join(root, 'sock');
  execFileSync('mkdir', ['-p', socketDir]);
  execFileSync('chown', ['-R', 'postgres:postgres', root]);
  asPostgres(`${BIN}/initdb`, [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
  ]);
  const port = await freePort();
  const start = () => {
    asPostgres(`${BIN}/pg_ctl`, [
      '-D',
      dataDir,
      '-w',
      '-t',
      '30',
      '-l',
      join(root, 'log'),
      '-o',
      `-k ${socketDir} -c listen_addresses=127.0.0.1 -p ${port} -c fsync=off`,
      'start',
    ]);
  };
  start();
  const psql = (sql: string) =>
    asPostgres(
      `${BIN}/psql`,
      ['-h', socketDir, '-p', String(port), '-U', 'postgres', '-d', 'team', '-v', 'ON_ERROR_STOP=1', '-qAt'],
      {
        input: sql,
      },
    );
  asPostgres(
    `${BIN}/psql`,
    [
      '-h',
      socketDir,
      '-p',
      String(port),
      '-U',
      'postgres',
      '-d',
      'postgres',
      '-v',
      'ON_ERROR_STOP=1',
      '-qAt',
    ],
    {
      input: `CREATE ROLE team_admin LOGIN CREATEROLE PASSWORD 'admin-pw';
CREATE ROLE desk_user LOGIN PASSWORD 'desk-pw';
CREATE DATABASE team OWNER team_admin;
REVOKE ALL ON DATABASE team FROM PUBLIC;
GRANT CONNECT ON DATABASE team TO desk_user;`,
    },
  );
  const file = (name: string, value: string) => {
    const p = join(root, name);
    writeFileSync(p, `${value}\n`, { mode: 0o600 });
    return p;
  };
  const adminPasswordFile = file('admin.pw', 'admin-pw');
  const deskPasswordFile = file('desk.pw', 'desk-pw');
  return {
    port,
    socketDir,
    dataDir,
    adminUrl: `postgres://team_admin@127.0.0.1:${port}/team`,
    deskUrl: `postgres://desk_user@127.0.0.1:${port}/team`,
    adminPasswordFile,
    deskPasswordFile,
    psql,
    pgDump: () =>
      asPostgres(`${BIN}/pg_dump`, ['-h', socketDir, '-p', String(port), '-U', 'postgres', '-d', 'team']),
    stop: () => {
      asPostgres(`${BIN}/pg_ctl`, ['-D', dataDir, '-w', '-m', 'fast', 'stop']);
    },
    start,
    destroy: () => {
      spawnSync(
        'runuser',
        ['-u', 'postgres', '--', `${BIN}/pg_ctl`, '-D', dataDir, '-w', '-m', 'immediate', 'stop'],
        {
          stdio: 'ignore',
        },
      );
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * The command's environment for one desk of a test team: its data folder, a demo gateway's
 * credentials, and the team password of the owner (who ran `team init`) or of a desk, from its
 * owner-only file.
 */
export function teamDeskEnv(
  db: TestPostgres,
  dir: string,
  who: 'admin' | 'desk',
  gateway: { url: string; credentials: { appKey: string; appSecret: string; session: string } },
): Record<string, string> {
  return {
    CLEARANCE_DATA_DIR: dir,
    CLEARANCE_GATEWAY: gateway.url,
    CLEARANCE_APP_KEY: gateway.credentials.appKey,
    CLEARANCE_APP_SECRET: gateway.credentials.appSecret,
    CLEARANCE_SESSION: gateway.credentials.session,
    CLEARANCE_LANG: 'en',
    CLEARANCE_TEAM_PASSWORD_FILE: who === 'admin' ? db.adminPasswordFile : db.deskPasswordFile,
  };
}
