import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Conf from 'conf';
import { describe, expect, it } from 'vitest';
import { ClearanceFailure } from '../../electron/core/errors';
import { MemorySecretStore, secretAccount } from '../../electron/core/secrets';
import type { SecretStore } from '../../electron/core/secrets/types';
import { resolveDataDir } from '../../electron/core/settings/paths';
import { defaultSettings, profileSchema, settingsSchema } from '../../electron/core/settings/schema';
import {
  type ConfLike,
  healthOf,
  needsReauthFor,
  openSettings,
  SettingsStore,
  settingsFilePath,
} from '../../electron/core/settings/store';
import { tempDir } from '../support/cli';

const SECRET = 'app-secret-Zq81';
const SESSION = 'session-key-Wm42';

function open(dir = tempDir(), secrets: SecretStore = new MemorySecretStore(), clock?: () => Date) {
  const r = openSettings(dir, secrets, clock ? { clock } : {});
  if (!r.ok) throw new Error(r.error.reason);
  return r.value;
}

function failureOf(f: () => unknown) {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(ClearanceFailure);
    return (err as ClearanceFailure).error;
  }
  throw new Error('expected a failure');
}

/** A keychain that cannot be reached, as on a Linux box without a Secret Service. */
class DeadStore implements SecretStore {
  readonly label = 'dead';
  private fail(): never {
    throw new ClearanceFailure({
      kind: 'keychain',
      reason: 'keychain-unavailable',
      message: { 'zh-CN': 'x', 'en-US': 'x' },
    });
  }
  async get(): Promise<string | null> {
    this.fail();
  }
  async set(): Promise<void> {
    this.fail();
  }
  async delete(): Promise<boolean> {
    this.fail();
  }
}

describe('resolveDataDir: the folder Electron uses for "Clearance Desk"', () => {
  it('CLEARANCE_DATA_DIR overrides', () => {
    expect(resolveDataDir({ CLEARANCE_DATA_DIR: '/tmp/x' }, 'linux', '/home/u')).toBe('/tmp/x');
  });
  it('Linux: $XDG_CONFIG_HOME or ~/.config', () => {
    expect(resolveDataDir({}, 'linux', '/home/u')).toBe('/home/u/.config/Clearance Desk');
    expect(resolveDataDir({ XDG_CONFIG_HOME: '/cfg' }, 'linux', '/home/u')).toBe('/cfg/Clearance Desk');
  });
  it('macOS: ~/Library/Application Support', () => {
    expect(resolveDataDir({}, 'darwin', '/Users/u')).toBe(
      '/Users/u/Library/Application Support/Clearance Desk',
    );
  });
  it('Windows: %APPDATA%', () => {
    expect(resolveDataDir({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u')).toMatch(
      /AppData.Roaming.Clearance Desk$/,
    );
  });
  it('defaults to the real environment', () => {
    expect(resolveDataDir({ ...process.env, CLEARANCE_DATA_DIR: '/d' })).toBe('/d');
  });
});

describe('schema', () => {
  it('defaults: zh-CN, 30 days, 180 audit days, watermark, images on, qps 10', () => {
    const s = defaultSettings();
    expect(s).toEqual({
      profiles: [],
      defaultProfile: null,
      preferences: {
        language: 'zh-CN',
        retentionDays: 30,
        auditRetentionDays: 180,
        expiringSoonDays: 30,
        watermarkText: '仅供清关使用',
        downloadImagesByDefault: true,
        sessionWarnDays: 7,
        // The checks before declaring: ¥5,000.00 per order, ¥26,000.00 a year, 3 names per ID.
        orderLimitFen: 500_000,
        annualLimitFen: 2_600_000,
        sharedIdNames: 3,
        waitingRecheckMinutes: 30,
      },
    });
    expect(profileSchema.parse({ name: 'a', appKey: 'k' })).toMatchObject({
      gateway: 'production',
      qps: 10,
      needsReauth: false,
    });
  });

  it('accepts the named gateways and URLs, refuses anything else', () => {
    for (const gateway of [
      'production',
      'overseas',
      'demo',
      'https://gw.example.com/router/rest',
      'http://127.0.0.1:8080/x',
    ]) {
      expect(profileSchema.safeParse({ name: 'a', appKey: 'k', gateway }).success).toBe(true);
    }
    for (const gateway of ['prod', 'ftp://x', ''])
      expect(profileSchema.safeParse({ name: 'a', appKey: 'k', gateway }).success).toBe(false);
  });

  it('profile names are ids: no separators, no spaces', () => {
    for (const name of ['shop-1', 'A.b_c', '9'])
      expect(profileSchema.safeParse({ name, appKey: 'k' }).success).toBe(true);
    for (const name of ['', 'a/b', 'a b', '-x', 'x'.repeat(41)])
      expect(profileSchema.safeParse({ name, appKey: 'k' }).success).toBe(false);
  });

  it('drops unknown keys, so a secret written into the file by hand does not survive a read', () => {
    const s = settingsSchema.parse({ profiles: [{ name: 'a', appKey: 'k', appSecret: SECRET }] });
    expect(JSON.stringify(s)).not.toContain(SECRET);
  });

  it('refuses a default profile that does not exist, and duplicate names', () => {
    expect(settingsSchema.safeParse({ defaultProfile: 'x' }).success).toBe(false);
    const p = { name: 'a', appKey: 'k' };
    expect(settingsSchema.safeParse({ profiles: [p, p] }).success).toBe(false);
  });

  it('session expiry must be a real date', () => {
    expect(profileSchema.safeParse({ name: 'a', appKey: 'k', sessionExpiresAt: '2025-02-30' }).success).toBe(
      false,
    );
    expect(profileSchema.safeParse({ name: 'a', appKey: 'k', sessionExpiresAt: '2025-02-28' }).success).toBe(
      true,
    );
  });
});

describe('SettingsStore: profiles', () => {
  it('adds a profile: settings in the file, secrets in the store only; the first becomes default', async () => {
    const secrets = new MemorySecretStore();
    const s = open(tempDir(), secrets);
    await s.addProfile({ name: 'shop', appKey: 'K1' }, { appSecret: SECRET, session: SESSION });
    expect(s.defaultProfile()).toBe('shop');
    expect(await secrets.get(secretAccount('shop', 'app-secret'))).toBe(SECRET);
    expect(await secrets.get(secretAccount('shop', 'session'))).toBe(SESSION);
    const file = readFileSync(s.path, 'utf8');
    expect(file).toContain('"K1"');
    expect(file).not.toContain(SECRET);
    expect(file).not.toContain(SESSION);
    if (process.platform !== 'win32') expect(statSync(s.path).mode & 0o077).toBe(0);
  });

  it('views carry flags and health, never values', async () => {
    const s = open();
    await s.addProfile({ name: 'a', appKey: 'K' }, { appSecret: SECRET, session: SESSION });
    await s.addProfile({ name: 'b', appKey: 'K' }, { appSecret: SECRET });
    const views = await s.views('2025-01-01');
    expect(views.map((v) => [v.name, v.hasSecret, v.hasSession, v.isDefault, v.health])).toEqual([
      ['a', true, true, true, 'ok'],
      ['b', true, false, false, 'missing'],
    ]);
    const text = JSON.stringify(views);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(SESSION);
  });

  it('views say "unknown" (null) rather than failing when the keychain is unreachable', async () => {
    const dir = tempDir();
    const s = open(dir);
    await s.addProfile({ name: 'a', appKey: 'K' }, { appSecret: SECRET });
    const dead = open(dir, new DeadStore());
    expect(await dead.views('2025-01-01')).toMatchObject([
      { name: 'a', hasSecret: null, hasSession: null, health: null },
    ]);
  });

  it('a keychain failure while adding leaves nothing behind', async () => {
    const dir = tempDir();
    const s = open(dir, new DeadStore());
    await expect(s.addProfile({ name: 'a', appKey: 'K' }, { appSecret: SECRET })).rejects.toMatchObject({
      error: { reason: 'keychain-unavailable' },
    });
    expect(s.profiles()).toEqual([]);
    expect(
      existsSync(settingsFilePath(dir)) ? readFileSync(settingsFilePath(dir), 'utf8') : '',
    ).not.toContain(SECRET);
  });

  it('refuses a duplicate name and invalid input without echoing values', async () => {
    const s = open();
    await s.addProfile({ name: 'a', appKey: 'K' });
    await expect(s.addProfile({ name: 'a', appKey: 'K' })).rejects.toMatchObject({
      error: { reason: 'profile-exists' },
    });
    const bad = await s.addProfile({ name: 'a b', appKey: SECRET }).catch((e: ClearanceFailure) => e.error);
    expect(bad).toMatchObject({ reason: 'usage' });
    expect(JSON.stringify(bad)).not.toContain(SECRET);
  });

  it('use, update, remove: removing deletes the secrets and moves the default', async () => {
    const secrets = new MemorySecretStore();
    const s = open(tempDir(), secrets);
    await s.addProfile({ name: 'a', appKey: 'K' }, { appSecret: 'sa', session: 'ta' });
    await s.addProfile({ name: 'b', appKey: 'K' }, { appSecret: 'sb', session: 'tb' });
    s.setDefault('b');
    expect(s.defaultProfile()).toBe('b');
    expect(s.updateProfile('a', { displayName: '店铺 A', gateway: 'overseas' })).toMatchObject({
      displayName: '店铺 A',
      gateway: 'overseas',
    });
    await s.removeProfile('b');
    expect(s.profiles().map((p) => p.name)).toEqual(['a']);
    expect(s.defaultProfile()).toBe('a');
    expect(await secrets.get(secretAccount('b', 'app-secret'))).toBeNull();
    expect(await secrets.get(secretAccount('b', 'session'))).toBeNull();
    expect(await secrets.get(secretAccount('a', 'app-secret'))).toBe('sa');
    await s.removeProfile('a');
    expect(s.defaultProfile()).toBeNull();
    expect(failureOf(() => s.setDefault('zz')).reason).toBe('profile-not-found');
    await expect(s.removeProfile('zz')).rejects.toMatchObject({ error: { reason: 'profile-not-found' } });
  });

  it('a profile whose keychain entries cannot be removed stays listed (no orphaned entry)', async () => {
    const dir = tempDir();
    await open(dir).addProfile({ name: 'a', appKey: 'K' }, { appSecret: SECRET });
    const dead = open(dir, new DeadStore());
    await expect(dead.removeProfile('a')).rejects.toMatchObject({
      error: { reason: 'keychain-unavailable' },
    });
    expect(dead.profiles().map((p) => p.name)).toEqual(['a']);
  });

  it('credentials come from the store; missing ones are named', async () => {
    const s = open();
    await s.addProfile({ name: 'a', appKey: 'K' }, { appSecret: SECRET });
    await expect(s.credentials('a')).rejects.toMatchObject({ error: { reason: 'session-missing' } });
    await s.setSession('a', SESSION);
    expect(await s.credentials('a')).toMatchObject({ appSecret: SECRET, session: SESSION });
    await s.addProfile({ name: 'b', appKey: 'K' });
    await expect(s.credentials('b')).rejects.toMatchObject({ error: { reason: 'secret-missing' } });
  });

  it('preferences are validated', () => {
    const s = open();
    expect(s.setPreferences({ language: 'en-US', retentionDays: 7 })).toMatchObject({
      language: 'en-US',
      retentionDays: 7,
    });
    expect(s.preferences().language).toBe('en-US');
    expect(failureOf(() => s.setPreferences({ retentionDays: 0 })).reason).toBe('usage');
    expect(s.preferences().retentionDays).toBe(7);
  });

  it('works over any Conf-compatible object (electron-store in the app)', async () => {
    const dir = tempDir();
    const conf = new Conf<Record<string, unknown>>({
      cwd: dir,
      configName: 'settings',
    }) as unknown as ConfLike;
    const s = new SettingsStore(conf, new MemorySecretStore());
    await s.addProfile({ name: 'a', appKey: 'K' });
    expect(
      open(dir)
        .profiles()
        .map((p) => p.name),
    ).toEqual(['a']);
  });
});

describe('session health', () => {
  const base = { needsReauth: false };
  it.each([
    [{ ...base }, true, 'ok'],
    [{ ...base }, false, 'missing'],
    [{ needsReauth: true }, true, 'needs-reauth'],
    [{ ...base, sessionExpiresAt: '2025-03-20' }, true, 'ok'],
    [{ ...base, sessionExpiresAt: '2025-03-08' }, true, 'expiring'],
    [{ ...base, sessionExpiresAt: '2025-03-02' }, true, 'expiring'],
    [{ ...base, sessionExpiresAt: '2025-03-01' }, true, 'expired'],
    [{ ...base, sessionExpiresAt: '2024-12-31' }, true, 'expired'],
  ] as const)('%o, stored %s on 2025-03-01 → %s', (p, has, want) => {
    expect(healthOf(p, has, '2025-03-01')).toBe(want);
  });

  it('session errors mark the profile; a new session key clears the mark', async () => {
    const at = new Date('2025-03-01T08:00:00Z');
    const s = open(tempDir(), new MemorySecretStore(), () => at);
    await s.addProfile({ name: 'a', appKey: 'K' }, { appSecret: SECRET, session: SESSION });
    expect(needsReauthFor({ reason: 'session-invalid' })).toBe(true);
    expect(needsReauthFor({ reason: 'session-missing' })).toBe(true);
    expect(needsReauthFor({ reason: 'business' })).toBe(false);
    s.markNeedsReauth('a');
    expect(s.profile('a')).toMatchObject({ needsReauth: true, needsReauthSince: at.toISOString() });
    expect(await s.sessionHealth('a', '2025-03-01')).toBe('needs-reauth');
    s.markNeedsReauth('nobody'); // a profile removed meanwhile: nothing to do, no throw
    await s.setSession('a', 'new-session', '2025-03-05');
    expect(s.profile('a').needsReauth).toBe(false);
    expect(s.profile('a').needsReauthSince).toBeUndefined();
    expect(await s.sessionHealth('a', '2025-03-01')).toBe('expiring');
    await s.setSession('a', 'newer', null);
    expect(s.profile('a').sessionExpiresAt).toBeUndefined();
  });
});

describe('a damaged settings file', () => {
  const backups = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('settings.damaged-'));

  it('not JSON: backed up with a timestamp, defaults loaded, a clear message, no crash', () => {
    const dir = tempDir();
    writeFileSync(settingsFilePath(dir), '{"profiles": [ {"name": "a", "appK');
    const s = open(dir, new MemorySecretStore(), () => new Date('2025-03-01T08:00:00.123Z'));
    expect(s.profiles()).toEqual([]);
    expect(s.recovered?.reason).toBe('settings-damaged');
    expect(backups(dir)).toEqual(['settings.damaged-20250301T080000123Z.json']);
    expect(s.recovered?.message['zh-CN']).toContain('settings.damaged-20250301T080000123Z.json');
    expect(s.recovered?.message['en-US']).toContain('settings.damaged-20250301T080000123Z.json');
    expect(readFileSync(join(dir, backups(dir)[0] as string), 'utf8')).toContain('"appK');
    // The next start is clean: no loop of repairs.
    const again = open(dir);
    expect(again.recovered).toBeNull();
  });

  it('JSON that breaks the schema: same treatment', () => {
    const dir = tempDir();
    writeFileSync(settingsFilePath(dir), JSON.stringify({ profiles: [{ name: 'a b' }], defaultProfile: 3 }));
    const s = open(dir);
    expect(s.recovered?.reason).toBe('settings-damaged');
    expect(backups(dir)).toHaveLength(1);
    expect(s.read()).toEqual(defaultSettings());
  });

  it('damaged while running: the next read repairs it', async () => {
    const dir = tempDir();
    const s = open(dir);
    await s.addProfile({ name: 'a', appKey: 'K' });
    writeFileSync(s.path, '\u0000\u0001binary');
    expect(s.profiles()).toEqual([]);
    expect(s.recovered?.reason).toBe('settings-damaged');
    expect(backups(dir)).toHaveLength(1);
  });

  it('a settings path that is not a file is a clear error, not a crash', () => {
    const dir = tempDir();
    const r = openSettings(join(dir, 'x'), new MemorySecretStore(), {
      create: () => {
        throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
      },
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.kind).toBe('vault');
  });
});
