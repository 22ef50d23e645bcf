/**
 * Where the vault's key lives: moved from the keychain to a 0600 key file and back (nothing
 * re-keyed, every record readable after each move), a new key file for a new vault, and the
 * command on a machine with no D-Bus at all (key file, or a throwaway vault for `get --demo`).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliRun, runCli, tempDir } from '../support/cli';
import { keychainSuite } from '../support/keychain';

const { suite: withKeyring } = await keychainSuite('vault key moves with a keyring');

const NO_BUS = {
  DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/cd-no-bus',
  XDG_RUNTIME_DIR: '/nonexistent',
};
const json = (r: CliRun) => JSON.parse(r.stdout.trim().split('\n').at(-1) as string);
const ids = (r: CliRun) => (json(r).rows as { orderId: string }[]).map((x) => x.orderId).sort();

withKeyring('vault key --export / --import', { timeout: 120_000 }, () => {
  const dataDir = tempDir('cd-vkey-');
  const env = { CLEARANCE_DATA_DIR: dataDir };
  const keyFile = join(tempDir('cd-vkey-file-'), 'vault.key');

  it('moves the key to a file and back; the records stay readable after each move', async () => {
    for (const id of ['1460536261312998', '2000000000000002'])
      expect((await runCli(['get', id, '--demo'], env)).code).toBe(0);
    const before = ids(await runCli(['records', 'list', '--json'], env));
    expect(before).toEqual(['1460536261312998', '2000000000000002']);

    const refused = await runCli(['vault', 'key', '--new', keyFile, '--lang', 'en'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('has a vault already');
    expect(existsSync(keyFile)).toBe(false);

    const out = await runCli(['vault', 'key', '--export', keyFile, '--json'], env);
    expect(out.code, out.stderr).toBe(0);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    // The keychain no longer has it: without the file the vault does not open, and says where to look.
    const without = await runCli(['records', 'list', '--json', '--lang', 'en'], env);
    expect(without.code).not.toBe(0);
    expect(json(without).error.message).toContain('CLEARANCE_VAULT_KEY_FILE');
    const withFile = await runCli(['records', 'list', '--json'], {
      ...env,
      CLEARANCE_VAULT_KEY_FILE: keyFile,
    });
    expect(withFile.code, withFile.stderr).toBe(0);
    expect(ids(withFile)).toEqual(before);
    // A second export finds no key in the keychain and leaves the file alone.
    expect((await runCli(['vault', 'key', '--export', join(tempDir(), 'again.key')], env)).code).not.toBe(0);

    const back = await runCli(['vault', 'key', '--import', keyFile, '--json'], env);
    expect(back.code, back.stderr).toBe(0);
    expect(existsSync(keyFile)).toBe(false);
    const after = await runCli(['records', 'list', '--json'], env);
    expect(after.code, after.stderr).toBe(0);
    expect(ids(after)).toEqual(before);
  });

  it('a key file that does not open the vault is refused and the keychain keeps its key', async () => {
    const other = join(tempDir(), 'other.key');
    expect((await runCli(['vault', 'key', '--new', other], { CLEARANCE_DATA_DIR: tempDir() })).code).toBe(0);
    const r = await runCli(['vault', 'key', '--import', other, '--json'], env);
    expect(r.code).not.toBe(0);
    expect(json(r).error.reason).toBe('vault-key');
    expect(existsSync(other)).toBe(true);
    expect((await runCli(['records', 'list', '--json'], env)).code).toBe(0);
  });
});

describe('no D-Bus at all', { timeout: 120_000 }, () => {
  it('get --demo works with a throwaway vault, says so, and leaves the data folder without a vault', async () => {
    const dataDir = tempDir('cd-nobus-');
    const r = await runCli(['get', '1460536261312998', '--demo', '--lang', 'en'], {
      ...NO_BUS,
      CLEARANCE_DATA_DIR: dataDir,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('1460536261312998');
    expect(r.stderr).toContain('throwaway demo vault');
    expect(existsSync(join(dataDir, 'vault.db'))).toBe(false);
    const j = await runCli(['get', '1460536261312998', '--demo', '--json'], {
      ...NO_BUS,
      CLEARANCE_DATA_DIR: dataDir,
    });
    expect(j.code, j.stderr).toBe(0);
    expect(json(j)).toMatchObject({ ok: true, stored: false });
  });

  it('without a key file the message names the two ways', async () => {
    const r = await runCli(['records', 'list', '--json', '--lang', 'en'], {
      ...NO_BUS,
      CLEARANCE_DATA_DIR: tempDir(),
    });
    expect(r.code).toBe(4);
    const e = json(r).error;
    expect(e.reason).toBe('vault-key-nowhere');
    expect(e.message).toContain('Secret Service');
    expect(e.message).toContain('CLEARANCE_VAULT_KEY_FILE');
    expect(e.message).toContain('vault key --new');
  });

  it('with a key file: store, batch, reveal (audited) and audit all work', async () => {
    const dataDir = tempDir('cd-nobus-key-');
    const keyFile = join(tempDir(), 'vault.key');
    const env = { ...NO_BUS, CLEARANCE_DATA_DIR: dataDir, CLEARANCE_VAULT_KEY_FILE: keyFile };
    expect((await runCli(['vault', 'key', '--new', keyFile], env)).code).toBe(0);
    const key = readFileSync(keyFile, 'utf8').trim();
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    // Exclusive: an existing key file is never overwritten.
    expect((await runCli(['vault', 'key', '--new', keyFile], env)).code).toBe(2);
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(key);

    const got = await runCli(['get', '2000000000000002', '--demo', '--json'], env);
    expect(got.code, got.stderr).toBe(0);
    expect(json(got).stored).toBe(true);
    const batch = await runCli(['batch', '-', '--demo', '--json'], env, {
      input: '300000000000000001\n300000000000000002\n',
    });
    expect(batch.code, batch.stderr).toBe(0);
    const list = await runCli(['records', 'list', '--json'], env);
    expect(ids(list)).toEqual(['2000000000000002', '300000000000000001', '300000000000000002']);
    const shown = await runCli(['records', 'show', '2000000000000002', '--reveal', '--json'], env);
    expect(shown.code, shown.stderr).toBe(0);
    const audit = await runCli(['audit', 'list', '--action', 'reveal', '--json'], env);
    expect(audit.stdout).toContain('2000000000000002');
    for (const f of ['vault.db', 'settings.json'])
      if (existsSync(join(dataDir, f))) expect(readFileSync(join(dataDir, f)).includes(key)).toBe(false);
  });
});
