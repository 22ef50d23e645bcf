/**
 * `profile authorize` / `profile refresh` end to end: the built command against the demo gateway
 * on loopback (real HTTP, real signatures), once with the keychain and once on a machine with no
 * D-Bus at all, where every secret lives in a 0600 file. Tokens must never show up in output, in
 * the data folder, or anywhere but their one home.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USER, type Simulator, startSimulator } from '../../electron/core/demo/simulator';
import { CLI, type CliRun, outputOf, tempDir } from '../support/cli';
import { keychainSuite } from '../support/keychain';

const SECRET = `sec-${randomBytes(9).toString('hex')}`;
const ORDER = '3728150192837465928';

const { suite: withKeyring } = await keychainSuite('CLI authorize tests with a keyring');

/** The environment the command gets: nothing of the host's but PATH/HOME/TZ, plus the bus when asked. */
function baseEnv(keyring: boolean): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'TZ', 'LANG']) if (process.env[k]) env[k] = process.env[k] as string;
  if (keyring)
    for (const k of ['DBUS_SESSION_BUS_ADDRESS', 'XDG_RUNTIME_DIR', 'XDG_DATA_HOME'])
      if (process.env[k]) env[k] = process.env[k] as string;
  return env;
}

function start(args: string[], env: Record<string, string>): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [CLI, ...args], { env, cwd: tempDir('cd-auth-cwd-') });
}

/** Wait until the command prints the authorize URL on stderr. */
function authorizeUrlOf(child: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const t = setTimeout(() => reject(new Error(`no URL in: ${seen}`)), 15_000);
    child.stderr.on('data', (d) => {
      seen += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)/.exec(seen);
      if (m) {
        clearTimeout(t);
        resolve(m[1] as string);
      }
    });
  });
}

function allFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((n) => join(dir, n))
    .filter((p) => statSync(p).isFile());
}

type Mode = { name: string; keyring: boolean };
const MODES: Mode[] = [
  { name: 'with the keychain', keyring: true },
  { name: 'with no D-Bus at all, secrets from 0600 files', keyring: false },
];

for (const mode of MODES) {
  const suite = mode.keyring ? withKeyring : describe;
  suite(`profile authorize / refresh, ${mode.name}`, { timeout: 120_000 }, () => {
    let sim: Simulator;
    const root = tempDir('cd-auth-');
    const dataDir = join(root, 'data');
    const secretsDir = join(root, 'secrets');
    const files = {
      CLEARANCE_APP_SECRET_FILE: join(secretsDir, 'app-secret'),
      CLEARANCE_SESSION_FILE: join(secretsDir, 'session'),
      CLEARANCE_REFRESH_TOKEN_FILE: join(secretsDir, 'refresh-token'),
      CLEARANCE_VAULT_KEY_FILE: join(secretsDir, 'vault-key'),
    };
    const env: Record<string, string> = {
      ...baseEnv(mode.keyring),
      CLEARANCE_DATA_DIR: dataDir,
      ...(mode.keyring
        ? {}
        : { ...files, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/cd-no-bus', XDG_RUNTIME_DIR: root }),
    };
    if (!mode.keyring) delete env.DISPLAY;
    const outputs: string[] = [];
    const cli = async (args: string[], input = '') => {
      const child = start(args, env);
      const done = outputOf(child);
      child.stdin.end(input);
      const r = await done;
      outputs.push(r.stdout, r.stderr);
      return r;
    };
    const json = (r: CliRun) => JSON.parse(r.stdout.trim().split('\n').at(-1) as string);
    const settingsText = () => readFileSync(join(dataDir, 'settings.json'), 'utf8');

    beforeAll(async () => {
      sim = await startSimulator({
        credentials: { appKey: 'it-app-key', appSecret: SECRET, session: 'unused-session' },
      });
      if (!mode.keyring) {
        const { mkdirSync } = await import('node:fs');
        mkdirSync(secretsDir, { mode: 0o700 });
        writeFileSync(files.CLEARANCE_APP_SECRET_FILE, `${SECRET}\n`, { mode: 0o600 });
        const k = await cli(['vault', 'key', '--new', files.CLEARANCE_VAULT_KEY_FILE]);
        expect(k.code, k.stderr).toBe(0);
        expect(statSync(files.CLEARANCE_VAULT_KEY_FILE).mode & 0o777).toBe(0o600);
      }
      const input = mode.keyring ? `${SECRET}\n\n` : '';
      const r = await cli(['profile', 'add', 'shop', '--app-key', 'it-app-key', '--gateway', sim.url], input);
      expect(r.code, r.stderr).toBe(0);
    });
    afterAll(() => sim?.close());

    it('a lookup before authorising is refused as "no session"', async () => {
      const r = await cli(['get', ORDER, '--profile', 'shop', '--json']);
      expect(r.code).toBe(4);
      expect(json(r).error.reason).toBe('session-missing');
    });

    it('authorises with a pasted code; the expiries and the nick are shown; the new session works', async () => {
      const before = Date.now();
      const r = await cli(['profile', 'authorize', 'shop', `--code=${sim.issueCode()}`, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const out = json(r);
      expect(out).toMatchObject({ ok: true, profile: 'shop', userNick: DEMO_USER.nick, refreshable: true });
      const exp = Date.parse(out.expiresAt);
      expect(exp - before).toBeGreaterThan(30 * 86_400_000 - 60_000);
      expect(exp - before).toBeLessThan(30 * 86_400_000 + 60_000);
      expect(out.expiresAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
      expect(out.w2ExpiresAt).toBeTruthy();

      const got = await cli(['get', ORDER, '--profile', 'shop', '--json']);
      expect(got.code, got.stderr).toBe(0);
      expect(json(got)).toMatchObject({ ok: true, stored: true });

      const list = await cli(['profile', 'list', '--json']);
      const p = json(list).profiles[0];
      expect(p).toMatchObject({ health: 'ok', hasSession: true, hasRefreshToken: true, sessionDaysLeft: 29 });
      expect(p.authorization.userNick).toBe(DEMO_USER.nick);
      const human = await cli(['profile', 'list', '--lang', 'en']);
      expect(human.stdout).toMatch(/expires in 29 days \(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \(UTC\+8\)\)/);
      expect(human.stdout).toContain(`authorised as ${DEMO_USER.nick}`);
    });

    it('a code that begins with a dash: `--code=-…` authorises; `--code -…` is a usage error naming the fix', async () => {
      // The gateway's codes are base64url: one in 64 begins with "-", which a flag parser takes for a flag.
      let code = sim.issueCode();
      while (!code.startsWith('-')) code = sim.issueCode();
      const spaced = await cli(['profile', 'authorize', 'shop', '--code', code, '--lang', 'en']);
      expect(spaced.code).toBe(2);
      expect(spaced.stderr).toContain('--code=');
      const joined = await cli(['profile', 'authorize', 'shop', `--code=${code}`, '--json']);
      expect(joined.code, joined.stdout).toBe(0);
    });

    it('a used code is refused with a clear message and nothing stored changes', async () => {
      const code = sim.issueCode();
      const first = await cli(['profile', 'authorize', 'shop', `--code=${code}`, '--json']);
      expect(first.code).toBe(0);
      const settings = settingsText();
      const session = mode.keyring ? null : readFileSync(files.CLEARANCE_SESSION_FILE, 'utf8');
      const again = await cli(['profile', 'authorize', 'shop', `--code=${code}`, '--lang', 'en']);
      expect(again.code).toBe(4);
      expect(again.stderr).toContain('authorisation code is wrong, already used or expired');
      expect(again.stderr).toContain('clearance-desk profile authorize shop');
      expect(settingsText()).toBe(settings);
      if (session !== null) expect(readFileSync(files.CLEARANCE_SESSION_FILE, 'utf8')).toBe(session);
      const got = await cli(['get', ORDER, '--profile', 'shop', '--json', '--no-store']);
      expect(got.code, got.stderr).toBe(0);
    });

    it('authorises through the loopback callback; a callback with the wrong state is refused and the wait goes on', async () => {
      const child = start(
        ['profile', 'authorize', 'shop', '--redirect-uri', 'http://127.0.0.1:0/cb', '--no-browser', '--json'],
        env,
      );
      const done = outputOf(child);
      const url = new URL(await authorizeUrlOf(child));
      expect(url.searchParams.get('client_id')).toBe('it-app-key');
      expect(url.searchParams.get('response_type')).toBe('code');
      expect(url.searchParams.get('view')).toBe('web');
      const state = url.searchParams.get('state') as string;
      expect(state).toMatch(/^[0-9a-f]{32}$/);
      const callback = new URL(url.searchParams.get('redirect_uri') as string);
      expect(callback.hostname).toBe('127.0.0.1');
      expect(callback.port).not.toBe('0');

      const forged = new URL(callback);
      forged.searchParams.set('code', sim.issueCode());
      forged.searchParams.set('state', 'not-the-state');
      const refused = await fetch(forged);
      expect(refused.status).toBe(400);
      expect(await refused.text()).toContain('refused');

      // The browser's trip: the stand-in page redirects to the listener with a code and our state.
      const landed = await fetch(url);
      expect(landed.status).toBe(200);
      const page = await landed.text();
      expect(page).toContain('可以关闭此页');
      expect(page).toContain('you can close this tab');
      child.stdin.end();
      const r = await done;
      outputs.push(r.stdout, r.stderr);
      expect(r.code, r.stderr).toBe(0);
      expect(json(r)).toMatchObject({ ok: true, profile: 'shop' });
      // The listener is gone once it has its code.
      await expect(fetch(callback)).rejects.toThrow();
    });

    /** `profile authorize` with a callback on another host: the platform's redirect is followed by hand. */
    const authorizeByPaste = async () => {
      const child = start(
        [
          'profile',
          'authorize',
          'shop',
          '--redirect-uri',
          'https://example.com/callback',
          '--no-browser',
          '--json',
        ],
        env,
      );
      const done = outputOf(child);
      const hop = await fetch(new URL(await authorizeUrlOf(child)), { redirect: 'manual' });
      return { child, done, hop };
    };

    it('a pasted landed URL with a foreign state is refused', async () => {
      const { child, done, hop } = await authorizeByPaste();
      expect(hop.status).toBe(302);
      const landed = new URL(hop.headers.get('location') as string);
      expect(landed.origin).toBe('https://example.com');
      landed.searchParams.set('state', 'forged');
      child.stdin.end(`${landed}\n`);
      const r = await done;
      outputs.push(r.stdout, r.stderr);
      expect(r.code).toBe(4);
      expect(json(r).error.reason).toBe('auth-state-mismatch');
    });

    it('a pasted landed URL with our state authorises', async () => {
      const { child, done, hop } = await authorizeByPaste();
      child.stdin.end(`${hop.headers.get('location')}\n`);
      const r = await done;
      outputs.push(r.stdout, r.stderr);
      expect(r.code, r.stderr).toBe(0);
    });

    it('refresh renews the session (the old refresh token is spent); the new session works', async () => {
      const r = await cli(['profile', 'refresh', 'shop', '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(json(r)).toMatchObject({ ok: true, action: 'refresh', refreshable: true });
      const got = await cli(['get', ORDER, '--profile', 'shop', '--json', '--no-store']);
      expect(got.code, got.stderr).toBe(0);
      const list = json(await cli(['profile', 'list', '--json']));
      expect(list.profiles[0].authorization.via).toBe('refresh');
    });

    it('a refused refresh says "re-authorise", is not retried, and changes nothing', async () => {
      sim.setAuth({ refresh: 'refused' });
      const settings = settingsText();
      const calls = sim.calls.length;
      const r = await cli(['profile', 'refresh', 'shop', '--lang', 'en']);
      expect(r.code).toBe(4);
      expect(r.stderr).toContain('refused to renew');
      expect(r.stderr).toContain('profile authorize');
      expect(sim.calls.length - calls).toBe(1);
      expect(settingsText()).toBe(settings);
      sim.setAuth({ refresh: 'allowed' });
      const got = await cli(['get', ORDER, '--profile', 'shop', '--json', '--no-store']);
      expect(got.code, got.stderr).toBe(0);
    });

    it('a session close to its expiry is flagged ahead (the preference: 7 days)', async () => {
      sim.setAuth({ lifetimes: { expiresIn: 3 * 86_400 + 3600, r2ExpiresIn: 3 * 86_400 + 3600 } });
      const r = await cli(['profile', 'authorize', 'shop', `--code=${sim.issueCode()}`, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const human = await cli(['profile', 'list', '--lang', 'en']);
      expect(human.stdout).toContain('expiring soon');
      expect(human.stdout).toContain('expires in 3 days');
      expect(human.stderr).toContain('clearance-desk profile refresh shop');
      sim.setAuth({ lifetimes: { expiresIn: 30 * 86_400, r2ExpiresIn: 30 * 86_400 } });
    });

    it('a refused session marks the profile, and the advice is to authorise', async () => {
      const got = await cli(['get', '9000000000000027', '--profile', 'shop', '--json']);
      expect(got.code).toBe(4);
      const list = await cli(['profile', 'list', '--lang', 'en']);
      expect(list.stdout).toContain('re-authorise');
      expect(list.stderr).toContain('clearance-desk profile authorize shop');
      const r = await cli(['profile', 'authorize', 'shop', `--code=${sim.issueCode()}`]);
      expect(r.code, r.stderr).toBe(0);
      expect(json(await cli(['profile', 'list', '--json'])).profiles[0].health).toBe('ok');
    });

    it('with secrets from files: records, reveal (audited), export and audit work', async () => {
      const reveal = await cli(['records', 'show', ORDER, '--reveal', '--json']);
      expect(reveal.code, reveal.stderr).toBe(0);
      const audit = await cli(['audit', 'list', '--action', 'reveal', '--json']);
      expect(audit.code, audit.stderr).toBe(0);
      expect(audit.stdout).toContain(ORDER);
      const out = tempDir('cd-auth-export-');
      const ex = await cli(['export', '--order', ORDER, '--pdf', join(out, 'x.pdf'), '--json']);
      expect(ex.code, ex.stderr).toBe(0);
    });

    it('no token appears in any output, log or file of the data folder', () => {
      const tokens = [...sim.issuedTokens];
      expect(tokens.length).toBeGreaterThan(4);
      for (const t of outputs) for (const tok of tokens) expect(t.includes(tok)).toBe(false);
      for (const f of allFiles(dataDir)) {
        const bytes = readFileSync(f);
        for (const tok of tokens) expect(bytes.includes(tok), `${f} holds a token`).toBe(false);
        expect(bytes.includes(SECRET)).toBe(false);
      }
      if (!mode.keyring) {
        // Their one home: the 0600 files the variables name.
        const session = readFileSync(files.CLEARANCE_SESSION_FILE, 'utf8').trim();
        expect(tokens).toContain(session);
        for (const f of Object.values(files)) expect(statSync(f).mode & 0o077).toBe(0);
      }
    });
  });
}

describe('secret files are refused unless private', () => {
  it('a group-readable file is refused, naming the variable and never the content', async () => {
    const dir = tempDir('cd-secret-file-');
    const file = join(dir, 'secret');
    writeFileSync(file, 'the-secret-value\n', { mode: 0o600 });
    chmodSync(file, 0o640);
    const child = start(['get', ORDER, '--json', '--gateway', 'https://gw.example/router/rest'], {
      ...baseEnv(false),
      CLEARANCE_DATA_DIR: join(dir, 'data'),
      CLEARANCE_APP_KEY: 'k',
      CLEARANCE_APP_SECRET_FILE: file,
      CLEARANCE_SESSION: 's',
    });
    const done = outputOf(child);
    child.stdin.end();
    const r = await done;
    expect(r.code).toBe(4);
    const e = JSON.parse(r.stdout).error;
    expect(e.reason).toBe('secret-file-unsafe');
    expect(e.message).toContain('CLEARANCE_APP_SECRET_FILE');
    expect(r.stdout + r.stderr).not.toContain('the-secret-value');
  });
});
