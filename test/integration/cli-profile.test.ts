import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import keytar from 'keytar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../electron/core/demo/simulator';
import { PROFILE_DEFAULTS } from '../../electron/core/rules';
import { installationId, KEYCHAIN_SERVICE } from '../../electron/core/secrets';
import { settingsFilePath } from '../../electron/core/settings/store';
import { CLI, type CliRun, runCli, tempDir } from '../support/cli';
import { keychainSuite } from '../support/keychain';

// Values no output, file or message may ever contain.
const SECRET = `sec-${randomBytes(9).toString('hex')}`;
const SESSION = `ses-${randomBytes(9).toString('hex')}`;
const NEW_SESSION = `ses2-${randomBytes(9).toString('hex')}`;
const VALUES = [SECRET, SESSION, NEW_SESSION];

const { suite: withKeyring, required } = await keychainSuite('CLI profile tests with a keyring');

/** Every file under a folder, as text (the settings file, the installation id, backups…). */
function filesOf(dir: string): { name: string; text: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((p) => statSync(p).isFile())
    .map((p) => ({ name: p, text: readFileSync(p).toString('latin1') + readFileSync(p, 'utf8') }));
}

function expectNoValues(texts: string[]) {
  for (const t of texts)
    for (const v of VALUES)
      expect(t.includes(v), `a secret value leaked into: ${t.slice(0, 80)}`).toBe(false);
}

const one = (r: CliRun) => {
  const lines = r.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0] as string);
};

withKeyring('clearance-desk profile, with the keychain', { timeout: 120_000 }, () => {
  let sim: Simulator;
  const dataDir = tempDir('cd-profile-');
  const env = { CLEARANCE_DATA_DIR: dataDir };
  const outputs: string[] = [];
  const cli = async (args: string[], input?: string, extra: Record<string, string> = {}) => {
    const r = await runCli(args, { ...env, ...extra }, input === undefined ? {} : { input });
    outputs.push(r.stdout, r.stderr);
    return r;
  };
  beforeAll(async () => {
    sim = await startSimulator({
      credentials: { appKey: 'it-app-key', appSecret: SECRET, session: SESSION },
    });
  });
  afterAll(() => sim.close());

  it('add reads the secret (line 1) and session (line 2) from a pipe', async () => {
    const r = await cli(
      ['profile', 'add', 'shop', '--app-key', 'it-app-key', '--gateway', sim.url],
      `${SECRET}\n${SESSION}\n`,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const other = await cli(
      [
        'profile',
        'add',
        'other',
        '--app-key',
        'it-app-key',
        '--gateway',
        sim.url,
        '--display-name',
        '二号店',
        '--lang',
        'en',
      ],
      `${SECRET}\nstale-session\n`,
    );
    expect(other.code).toBe(0);
    expect(other.stdout).toContain('Added account other');
  });

  it('refuses a secret on the command line and an empty secret', async () => {
    expect((await cli(['profile', 'add', 'x', '--app-key', 'k', '--app-secret', 'v'])).code).toBe(2);
    const empty = await cli(['profile', 'add', 'x', '--app-key', 'k', '--gateway', sim.url], '');
    expect(empty.code).toBe(2);
    expect((await cli(['profile', 'add', 'shop', '--app-key', 'k'], `${SECRET}\n`)).code).toBe(2); // exists
  });

  it('list --json shows flags, never values', async () => {
    const r = await cli(['profile', 'list', '--json']);
    expect(r.code).toBe(0);
    const out = one(r);
    expect(out.defaultProfile).toBe('shop');
    expect(out.profiles).toMatchObject([
      {
        name: 'shop',
        appKey: 'it-app-key',
        gateway: sim.url,
        hasSecret: true,
        hasSession: true,
        isDefault: true,
        health: 'ok',
      },
      { name: 'other', displayName: '二号店', hasSecret: true, hasSession: true, isDefault: false },
    ]);
    // Added without --sign-method: the command applies the one set of profile defaults (core/rules.ts).
    expect(out.profiles[1]).toMatchObject({
      signMethod: PROFILE_DEFAULTS.signMethod,
      qps: PROFILE_DEFAULTS.qps,
    });
    for (const p of out.profiles) {
      expect(Object.keys(p)).not.toContain('appSecret');
      expect(Object.keys(p)).not.toContain('session');
    }
  });

  it('test: a good profile passes every check', async () => {
    const r = await cli(['profile', 'test', 'shop', '--json']);
    expect(r.code).toBe(0);
    expect(one(r)).toMatchObject({
      ok: true,
      report: {
        reachable: true,
        signatureAccepted: true,
        sessionValid: true,
        clockWarning: false,
        error: null,
      },
    });
    const text = await cli(['profile', 'test', 'shop', '--lang', 'en']);
    expect(text.stdout).toMatch(/Session\s+valid/);
  });

  it("a profile's secrets never go to a --gateway on another server unless --keep-secrets", async () => {
    const elsewhere = await startSimulator({
      credentials: { appKey: 'it-app-key', appSecret: SECRET, session: SESSION },
    });
    try {
      const cases: { args: string[]; extra: Record<string, string> }[] = [
        { args: ['--gateway', elsewhere.url], extra: {} },
        { args: [], extra: { CLEARANCE_GATEWAY: elsewhere.url } },
      ];
      for (const via of cases) {
        const r = await cli(
          ['get', '2000000000000004', '--profile', 'shop', '--json', '--lang', 'en', ...via.args],
          '',
          via.extra,
        );
        expect(r.code).toBe(2);
        expect(one(r)).toMatchObject({ ok: false, error: { reason: 'gateway-moved' } });
        expect(one(r).error.message).toContain('--keep-secrets');
      }
      expect(elsewhere.calls.length).toBe(0);
      const kept = await cli(
        [
          'get',
          '2000000000000004',
          '--profile',
          'shop',
          '--gateway',
          elsewhere.url,
          '--keep-secrets',
          '--json',
        ],
        '',
      );
      expect(kept.code, kept.stderr).toBe(0);
      expect(elsewhere.calls.length).toBe(1);
      // Its own gateway, spelled out, is no move.
      const own = await cli(
        ['get', '2000000000000004', '--profile', 'shop', '--gateway', sim.url, '--json'],
        '',
      );
      expect(own.code, own.stderr).toBe(0);
    } finally {
      await elsewhere.close();
    }
  });

  it('test: a stale session fails with exit 4 and marks the profile for re-authorisation', async () => {
    const r = await cli(['profile', 'test', 'other', '--lang', 'en']);
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/Signature\s+accepted/);
    expect(r.stdout).toMatch(/Session\s+invalid/);
    expect(r.stderr).toContain('session key');
    const list = await cli(['profile', 'list', '--lang', 'en']);
    expect(list.stdout).toMatch(/other .*re-authorisation needed/);
    expect(list.stderr).toContain('profile set-session other');
  });

  it('get uses --profile, or the default profile, when no CLEARANCE_* variable is set', async () => {
    const named = await cli(['get', '2000000000000004', '--profile', 'shop', '--json']);
    expect(named.code).toBe(0);
    expect(one(named).record.orderId).toBe('2000000000000004');
    const byDefault = await cli(['get', '2000000000000004', '--json']);
    expect(byDefault.code).toBe(0);
    expect(
      (
        await cli(
          ['profile', 'add', 'third', '--app-key', 'it-app-key', '--gateway', sim.url],
          `${SECRET}\nold\n`,
        )
      ).code,
    ).toBe(0);
    const stale = await cli(['get', '2000000000000004', '--profile', 'third', '--json']);
    expect(stale.code).toBe(4);
    expect(one(stale).error.reason).toBe('session-invalid');
    // The refused session marks the profile, as `profile test` does.
    const third = one(await cli(['profile', 'list', '--json'])).profiles.find(
      (p: { name: string }) => p.name === 'third',
    );
    expect(third).toMatchObject({ needsReauth: true, health: 'needs-reauth' });
    expect((await cli(['profile', 'remove', 'third'])).code).toBe(0);
    const missing = await cli(['get', '2000000000000004', '--profile', 'nobody', '--json']);
    expect(missing.code).toBe(2);
    expect(one(missing).error.reason).toBe('profile-not-found');
  });

  it('the CLEARANCE_* variables still win over the default profile', async () => {
    const r = await cli(['get', '2000000000000004', '--json'], undefined, {
      CLEARANCE_GATEWAY: sim.url,
      CLEARANCE_APP_KEY: 'it-app-key',
      CLEARANCE_APP_SECRET: 'wrong',
      CLEARANCE_SESSION: 'wrong',
    });
    expect(r.code).toBe(4);
    expect(one(r).error.reason).toBe('signature-invalid');
  });

  it('set-session replaces the session key and clears the mark', async () => {
    // The simulator accepts one session: give `other` the real one (as after re-authorising).
    const r = await cli(['profile', 'set-session', 'other', '--expires', '2099-12-31'], `${SESSION}\n`);
    expect(r.code).toBe(0);
    const list = one(await cli(['profile', 'list', '--json']));
    expect(list.profiles[1]).toMatchObject({
      name: 'other',
      needsReauth: false,
      health: 'ok',
      sessionExpiresAt: '2099-12-31',
    });
    expect((await cli(['profile', 'test', 'other'])).code).toBe(0);
    const bad = await cli(['profile', 'set-session', 'other'], '');
    expect(bad.code).toBe(2);
    expect(
      (await cli(['profile', 'set-session', 'shop', '--expires', 'soon'], `${NEW_SESSION}\n`)).code,
    ).toBe(2);
  });

  it('use switches the default profile', async () => {
    expect((await cli(['profile', 'use', 'other'])).code).toBe(0);
    expect(one(await cli(['profile', 'list', '--json'])).defaultProfile).toBe('other');
    expect((await cli(['profile', 'use', 'nobody'])).code).toBe(2);
  });

  it('remove deletes the profile and its keychain entries', async () => {
    const id = installationId(dataDir);
    const entries = async () =>
      (await keytar.findCredentials(KEYCHAIN_SERVICE))
        .filter((c) => c.account.startsWith(`${id}/profile/`)) // `get` may also have made the vault's key
        .map((c) => c.account)
        .sort();
    expect(await entries()).toEqual([
      `${id}/profile/other/app-secret`,
      `${id}/profile/other/session`,
      `${id}/profile/shop/app-secret`,
      `${id}/profile/shop/session`,
    ]);
    expect((await cli(['profile', 'remove', 'shop'])).code).toBe(0);
    expect(await entries()).toEqual([`${id}/profile/other/app-secret`, `${id}/profile/other/session`]);
    expect(
      one(await cli(['profile', 'list', '--json'])).profiles.map((p: { name: string }) => p.name),
    ).toEqual(['other']);
    expect((await cli(['profile', 'remove', 'other'])).code).toBe(0);
    expect(await entries()).toEqual([]);
  });

  it('no secret or session value in the data folder or in any output of this run', () => {
    expect(outputs.length).toBeGreaterThan(20);
    expect(existsSync(settingsFilePath(dataDir))).toBe(true);
    expectNoValues(filesOf(dataDir).map((f) => f.text));
    expectNoValues(outputs);
  });
});

/** Spawn the command with exactly this environment (no inherited bus address, no display). */
function bare(args: string[], env: Record<string, string>, input = ''): CliRun {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TZ: process.env.TZ ?? 'UTC', ...env },
    input,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('no keyring reachable', { timeout: 90_000 }, () => {
  const cases: [string, Record<string, string>][] = [
    ['no bus, no display', {}],
    ['a dead bus socket', { DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(tempDir(), 'no-bus')}` }],
  ];

  it.each(cases)(
    '%s: profile add says what is wrong and what to install, exit 4, nothing in plaintext',
    (_, busEnv) => {
      const dataDir = tempDir('cd-nokeyring-');
      const zh = bare(
        ['profile', 'add', 'shop', '--app-key', 'K'],
        { ...busEnv, CLEARANCE_DATA_DIR: dataDir },
        `${SECRET}\n${SESSION}\n`,
      );
      expect(zh.code).toBe(4);
      expect(zh.stderr).toContain('[keychain]');
      expect(zh.stderr).toContain('无法访问系统钥匙串');
      expect(zh.stderr).toContain('gnome-keyring');
      const en = bare(
        ['profile', 'add', 'shop', '--app-key', 'K', '--json', '--lang', 'en'],
        { ...busEnv, CLEARANCE_DATA_DIR: dataDir },
        `${SECRET}\n`,
      );
      expect(en.code).toBe(4);
      const out = JSON.parse(en.stdout);
      expect(out.error).toMatchObject({ kind: 'keychain', reason: 'keychain-unavailable' });
      expect(out.error.message).toMatch(/Secret Service.*gnome-keyring/);
      // Nothing was added, and no file holds a value.
      const settings = settingsFilePath(dataDir);
      if (existsSync(settings)) expect(readFileSync(settings, 'utf8')).not.toContain('"shop"');
      expectNoValues([...filesOf(dataDir).map((f) => f.text), zh.stdout, zh.stderr, en.stdout, en.stderr]);
    },
  );

  it('a profile kept in the settings: get fails clearly, list still lists it with unknown flags', () => {
    const dataDir = tempDir('cd-nokeyring-');
    writeFileSync(
      settingsFilePath(dataDir),
      JSON.stringify({ profiles: [{ name: 'shop', appKey: 'K' }], defaultProfile: 'shop' }),
    );
    const env = { CLEARANCE_DATA_DIR: dataDir, LANG: 'C' };
    const get = bare(['get', '2000000000000004', '--json', '--lang', 'en'], env);
    expect(get.code).toBe(4);
    expect(JSON.parse(get.stdout).error.reason).toBe('keychain-unavailable');
    const list = bare(['profile', 'list', '--json'], env);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).profiles).toMatchObject([
      { name: 'shop', hasSecret: null, hasSession: null, health: null },
    ]);
    const text = bare(['profile', 'list', '--lang', 'en'], env);
    expect(text.stderr).toContain('keychain is not reachable');
  });
});

describe('a damaged settings file', { timeout: 60_000 }, () => {
  it('is set aside with a message; the command goes on with the defaults', () => {
    const dataDir = tempDir('cd-damaged-');
    writeFileSync(settingsFilePath(dataDir), '{ "profiles": [ broken');
    const r = bare(['profile', 'list', '--lang', 'en'], { CLEARANCE_DATA_DIR: dataDir });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /settings file was damaged: it was kept as settings\.damaged-\d{8}T\d{9}Z\.json/,
    );
    expect(readdirSync(dataDir).filter((f) => f.startsWith('settings.damaged-'))).toHaveLength(1);
    const again = bare(['profile', 'list', '--lang', 'en'], { CLEARANCE_DATA_DIR: dataDir });
    expect(again.stderr).toBe('');
  });
});

const tools = ['dbus-run-session', 'gnome-keyring-daemon', 'gdbus'].every(
  (t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0,
);
if (!tools && !required)
  console.warn('locked-keyring test skipped: dbus-run-session, gnome-keyring-daemon or gdbus missing.');

describe.skipIf(!tools && !required)('a locked keyring', () => {
  it('is reported as locked (exit 4), never as a missing secret', () => {
    // Its own private bus and keyring: locking the shared test keyring would disturb other tests.
    const dataDir = tempDir('cd-locked-');
    const runtime = tempDir('cd-locked-run-');
    const script = [
      'set -e',
      'printf %s ci | gnome-keyring-daemon --unlock --components=secrets >/dev/null',
      `printf '%s\\n%s\\n' "$S1" "$S2" | node "$CLI" profile add shop --app-key K --gateway http://127.0.0.1:9/x >/dev/null`,
      'C=$(gdbus call --session --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets --method org.freedesktop.Secret.Service.ReadAlias default | sed -n "s/.*objectpath .\\([^\']*\\).*/\\1/p")',
      'gdbus call --session --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets --method org.freedesktop.Secret.Service.Lock "[\'$C\']" >/dev/null',
      'set +e',
      'node "$CLI" get 2000000000000004 --json --lang en; echo "exit=$?"',
      'node "$CLI" profile set-session shop --json --lang en </dev/null; echo "exit=$?"',
    ].join('\n');
    const r = spawnSync('dbus-run-session', ['--', 'sh', '-c', script], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        XDG_DATA_HOME: tempDir('cd-locked-data-'),
        XDG_RUNTIME_DIR: runtime,
        CLEARANCE_DATA_DIR: dataDir,
        CLI,
        S1: SECRET,
        S2: SESSION,
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const lines = r.stdout.trim().split('\n');
    const get = JSON.parse(lines[0] as string);
    expect(get.error).toMatchObject({ kind: 'keychain', reason: 'keychain-locked' });
    expect(get.error.message).toMatch(/locked/);
    expect(lines[1]).toBe('exit=4');
    expectNoValues([r.stdout, r.stderr, ...filesOf(dataDir).map((f) => f.text)]);
  }, 90_000);
});
