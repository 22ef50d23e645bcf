import keytar from 'keytar';
import { expect, it } from 'vitest';
import {
  installationId,
  KEYCHAIN_SERVICE,
  openSecretStore,
  secretAccount,
  VAULT_KEY_ACCOUNT,
} from '../../electron/core/secrets';
import { openSettings } from '../../electron/core/settings/store';
import { tempDir } from '../support/cli';
import { keychainSuite } from '../support/keychain';

/**
 * Against the real Secret Service (gnome-keyring on a private D-Bus: `npm test` sets it up, see
 * common.md). Outside it these tests skip, and say so, unless CLEARANCE_KEYCHAIN_TESTS=required.
 */
const { suite, why } = await keychainSuite('keychain tests');

const mine = async (dir: string) => {
  const id = installationId(dir);
  return (await keytar.findCredentials(KEYCHAIN_SERVICE)).filter((c) => c.account.startsWith(`${id}/`));
};

suite('KeytarSecretStore on the Secret Service', () => {
  it('is reachable (a required run fails here, loudly, when it is not)', () => {
    expect(why).toBeNull();
  });

  it('store, read back, replace, remove', async () => {
    const dir = tempDir();
    const s = openSecretStore(dir, 'keychain');
    const account = secretAccount('shop', 'app-secret');
    expect(await s.get(account)).toBeNull();
    await s.set(account, 'first-秘密');
    expect(await s.get(account)).toBe('first-秘密');
    await s.set(account, 'second');
    expect(await s.get(account)).toBe('second');
    expect(await mine(dir)).toHaveLength(1);
    expect(await s.delete(account)).toBe(true);
    expect(await s.get(account)).toBeNull();
    expect(await s.delete(account)).toBe(false);
    expect(await mine(dir)).toEqual([]);
  });

  it('entries are service clearance-desk, account <installationId>/<account>', async () => {
    const dir = tempDir();
    const s = openSecretStore(dir, 'keychain');
    await s.set(VAULT_KEY_ACCOUNT, 'k');
    expect(await mine(dir)).toEqual([{ account: `${installationId(dir)}/vault-key`, password: 'k' }]);
    await s.delete(VAULT_KEY_ACCOUNT);
  });

  it('two profiles are isolated', async () => {
    const s = openSecretStore(tempDir(), 'keychain');
    await s.set(secretAccount('a', 'session'), 'session-a');
    await s.set(secretAccount('b', 'session'), 'session-b');
    expect(await s.get(secretAccount('a', 'session'))).toBe('session-a');
    expect(await s.get(secretAccount('b', 'session'))).toBe('session-b');
    await s.delete(secretAccount('a', 'session'));
    expect(await s.get(secretAccount('b', 'session'))).toBe('session-b');
    await s.delete(secretAccount('b', 'session'));
  });

  it('two data folders are isolated, even with the same profile names', async () => {
    const d1 = tempDir();
    const d2 = tempDir();
    const s1 = openSecretStore(d1, 'keychain');
    const s2 = openSecretStore(d2, 'keychain');
    await s1.set(secretAccount('shop', 'app-secret'), 'one');
    expect(await s2.get(secretAccount('shop', 'app-secret'))).toBeNull();
    await s2.set(secretAccount('shop', 'app-secret'), 'two');
    expect(await s1.get(secretAccount('shop', 'app-secret'))).toBe('one');
    await s2.delete(secretAccount('shop', 'app-secret'));
    expect(await s1.get(secretAccount('shop', 'app-secret'))).toBe('one');
    await s1.delete(secretAccount('shop', 'app-secret'));
  });

  it('removing a profile leaves no entry behind', async () => {
    const dir = tempDir();
    const opened = openSettings(dir, openSecretStore(dir, 'keychain'));
    if (!opened.ok) throw new Error(opened.error.reason);
    const settings = opened.value;
    await settings.addProfile({ name: 'a', appKey: 'K' }, { appSecret: 'sa', session: 'ta' });
    await settings.addProfile({ name: 'b', appKey: 'K' }, { appSecret: 'sb', session: 'tb' });
    expect((await mine(dir)).map((c) => c.account.split('/').slice(1).join('/')).sort()).toEqual([
      'profile/a/app-secret',
      'profile/a/session',
      'profile/b/app-secret',
      'profile/b/session',
    ]);
    expect(await settings.views('2025-01-01')).toMatchObject([
      { name: 'a', hasSecret: true, hasSession: true },
      { name: 'b', hasSecret: true, hasSession: true },
    ]);
    await settings.removeProfile('a');
    expect((await mine(dir)).map((c) => c.account.split('/').slice(1).join('/')).sort()).toEqual([
      'profile/b/app-secret',
      'profile/b/session',
    ]);
    await settings.removeProfile('b');
    expect(await mine(dir)).toEqual([]);
  });
});
