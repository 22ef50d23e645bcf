import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClearanceFailure } from '../../electron/core/errors';
import {
  installationId,
  KEYCHAIN_SERVICE,
  MemorySecretStore,
  openSecretStore,
  secretAccount,
  VAULT_KEY_ACCOUNT,
} from '../../electron/core/secrets';
import { INSTALLATION_FILE } from '../../electron/core/secrets/installation';
import { type KeytarApi, KeytarSecretStore, keychainFailure } from '../../electron/core/secrets/keytar-store';
import { tempDir } from '../support/cli';

const SECRET = 'S3cr3t-value-never-shown';

/** A keytar stand-in: a map, or a function that fails with the OS's words. */
function fakeKeytar(fail?: string): KeytarApi & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  const guard = () => {
    if (fail) throw new Error(fail);
  };
  return {
    entries,
    async getPassword(s, a) {
      guard();
      return entries.get(`${s}|${a}`) ?? null;
    },
    async setPassword(s, a, p) {
      guard();
      entries.set(`${s}|${a}`, p);
    },
    async deletePassword(s, a) {
      guard();
      return entries.delete(`${s}|${a}`);
    },
  };
}

async function failureOf(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ClearanceFailure);
    return (err as ClearanceFailure).error;
  }
  throw new Error('expected a failure');
}

describe('keychain failures are table entries', () => {
  it.each([
    ['Cannot autolaunch D-Bus without X11 $DISPLAY', 'keychain-unavailable'],
    ['The name org.freedesktop.secrets was not provided by any .service files', 'keychain-unavailable'],
    ['Could not connect: No such file or directory', 'keychain-unavailable'],
    ['Cannot create an item in a locked collection', 'keychain-locked'],
    ['The operation was cancelled', 'keychain-locked'],
    ['User canceled the operation.', 'keychain-locked'],
    ['Access is denied.', 'keychain-locked'],
    ['User interaction is not allowed.', 'keychain-locked'],
    ['Something odd happened (0x1234)', 'keychain-failed'],
  ])('%s → %s', (message, reason) => {
    const e = keychainFailure(new Error(message), 'read').error;
    expect(e.reason).toBe(reason);
    expect(e.kind).toBe('keychain');
    expect(e.message['zh-CN']).toMatch(/钥匙串/);
    expect(e.message['en-US']).toMatch(/keychain/);
  });

  it('the Linux message says what to install', () => {
    const e = keychainFailure(new Error('Cannot autolaunch D-Bus without X11 $DISPLAY'), 'write').error;
    expect(e.message['en-US']).toContain('gnome-keyring');
    expect(e.message['zh-CN']).toContain('gnome-keyring');
  });

  it('the detail of an unknown failure is short and holds no value', () => {
    const e = keychainFailure(new Error(`weird <${'x'.repeat(200)}> state`), 'write').error;
    expect(e.message['en-US'].length).toBeLessThan(140);
  });
});

describe('KeytarSecretStore', () => {
  it('namespaces every account by the installation id under service clearance-desk', async () => {
    const k = fakeKeytar();
    const store = new KeytarSecretStore(
      () => 'abc123',
      async () => k,
    );
    await store.set(secretAccount('shop', 'app-secret'), SECRET);
    expect([...k.entries.keys()]).toEqual([`${KEYCHAIN_SERVICE}|abc123/profile/shop/app-secret`]);
    expect(await store.get(secretAccount('shop', 'app-secret'))).toBe(SECRET);
    expect(await store.get(secretAccount('shop', 'session'))).toBeNull();
    expect(await store.delete(secretAccount('shop', 'app-secret'))).toBe(true);
    expect(await store.delete(secretAccount('shop', 'app-secret'))).toBe(false);
  });

  it('two installations never see each other', async () => {
    const k = fakeKeytar();
    const a = new KeytarSecretStore(
      () => 'a',
      async () => k,
    );
    const b = new KeytarSecretStore(
      () => 'b',
      async () => k,
    );
    await a.set(VAULT_KEY_ACCOUNT, 'key-a');
    await b.set(VAULT_KEY_ACCOUNT, 'key-b');
    expect(await a.get(VAULT_KEY_ACCOUNT)).toBe('key-a');
    expect(await b.get(VAULT_KEY_ACCOUNT)).toBe('key-b');
  });

  it('a keytar that fails maps to keychain-unavailable, and the value is not in the error', async () => {
    const store = new KeytarSecretStore(
      () => 'a',
      async () => fakeKeytar('Cannot autolaunch D-Bus without X11 $DISPLAY'),
    );
    const e = await failureOf(store.set('x', SECRET));
    expect(e.reason).toBe('keychain-unavailable');
    expect(JSON.stringify(e)).not.toContain(SECRET);
  });

  it('a native module that does not load is a keychain error, not a crash, and is retried later', async () => {
    let attempts = 0;
    const store = new KeytarSecretStore(
      () => 'a',
      async () => {
        attempts++;
        if (attempts === 1)
          throw Object.assign(new Error('invalid ELF header'), { code: 'ERR_DLOPEN_FAILED' });
        return fakeKeytar();
      },
    );
    const e = await failureOf(store.get('x'));
    expect(e.reason).toBe('keychain-failed');
    expect(e.message['en-US']).toContain('ERR_DLOPEN_FAILED');
    expect(await store.get('x')).toBeNull();
    expect(attempts).toBe(2);
  });

  it('on Linux a miss is confirmed: a locked collection reads as "nothing" but refuses the probe write', async () => {
    const k = fakeKeytar();
    k.setPassword = async () => {
      throw new Error('Cannot create an item in a locked collection');
    };
    const linux = new KeytarSecretStore(
      () => 'a',
      async () => k,
      'linux',
    );
    expect((await failureOf(linux.get('vault-key'))).reason).toBe('keychain-locked');
    const mac = new KeytarSecretStore(
      () => 'a',
      async () => k,
      'darwin',
    );
    expect(await mac.get('vault-key')).toBeNull();
  });

  it('on Linux a confirmed miss leaves no probe entry behind', async () => {
    const k = fakeKeytar();
    const linux = new KeytarSecretStore(
      () => 'a',
      async () => k,
      'linux',
    );
    expect(await linux.get('x')).toBeNull();
    expect(k.entries.size).toBe(0);
  });

  it('labels the keychain of each platform', () => {
    const load = async () => fakeKeytar();
    expect(new KeytarSecretStore(() => 'a', load, 'darwin').label).toMatch(/macOS Keychain/);
    expect(new KeytarSecretStore(() => 'a', load, 'win32').label).toMatch(/Credential Manager/);
    expect(new KeytarSecretStore(() => 'a', load, 'linux').label).toMatch(/Secret Service/);
  });
});

describe('installation id', () => {
  it('is created once, random, and kept', () => {
    const a = tempDir();
    const b = tempDir();
    const idA = installationId(a);
    expect(idA).toMatch(/^[0-9a-f]{32}$/);
    expect(installationId(a)).toBe(idA);
    expect(readFileSync(join(a, INSTALLATION_FILE), 'utf8').trim()).toBe(idA);
    expect(installationId(b)).not.toBe(idA);
  });

  it('creates the data folder when missing', () => {
    const dir = join(tempDir(), 'nested', 'data');
    expect(installationId(dir)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('a damaged file is reported, never silently replaced (that would orphan every secret)', () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, INSTALLATION_FILE), 'garbage');
    expect(() => installationId(dir)).toThrow(ClearanceFailure);
    expect(readFileSync(join(dir, INSTALLATION_FILE), 'utf8')).toBe('garbage');
  });
});

describe('openSecretStore', () => {
  it('memory mode keeps values for the process only', async () => {
    const s = openSecretStore(tempDir(), 'memory');
    expect(s).toBeInstanceOf(MemorySecretStore);
    await s.set(secretAccount('p', 'session'), 'v');
    expect(await s.get(secretAccount('p', 'session'))).toBe('v');
  });

  it('keychain mode does no I/O until used', () => {
    const dir = join(tempDir(), 'not-yet');
    const s = openSecretStore(dir, 'keychain');
    expect(s).toBeInstanceOf(KeytarSecretStore);
    expect(() => readFileSync(join(dir, INSTALLATION_FILE))).toThrow();
  });

  it('account names are per profile and kind', () => {
    expect(secretAccount('a', 'app-secret')).not.toBe(secretAccount('a', 'session'));
    expect(secretAccount('a', 'session')).not.toBe(secretAccount('b', 'session'));
    expect(VAULT_KEY_ACCOUNT).toBe('vault-key');
  });
});
