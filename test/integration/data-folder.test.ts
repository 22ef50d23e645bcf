/**
 * The data folder as several processes meet it: six built commands started at once on a brand-new
 * folder all succeed and end up with one vault key (none says "vault key missing or wrong", no
 * lookup is lost); the folder is owner-only whoever creates it; a vault whose key is not in this
 * keychain exits 4 (a keychain problem), as the README's exit table says.
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import keytar from 'keytar';
import { expect, it } from 'vitest';
import { SAMPLE_ORDERS } from '../../electron/core/demo/samples';
import { installationId, KEYCHAIN_SERVICE, VAULT_KEY_ACCOUNT } from '../../electron/core/secrets';
import { CLI, type CliRun, outputOf, runCli, tempDir } from '../support/cli';
import { keychainSuite } from '../support/keychain';

const { suite } = await keychainSuite('data folder tests');

const ORDERS = SAMPLE_ORDERS.slice(0, 6).map((o) => o.orderId);

/** Every process released at the same moment: each waits for a byte on stdin before it starts. */
function startTogether(commands: string[][], env: Record<string, string>): Promise<CliRun[]> {
  const keep = ['PATH', 'HOME', 'DBUS_SESSION_BUS_ADDRESS', 'XDG_RUNTIME_DIR', 'XDG_DATA_HOME', 'TZ', 'LANG'];
  const base = Object.fromEntries(
    keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k] as string]),
  );
  const gate = "process.stdin.once('data',()=>{process.stdin.pause();import(process.argv[1]);})";
  const children = commands.map((args) =>
    spawn(process.execPath, ['-e', gate, CLI, ...args], { env: { ...base, ...env } }),
  );
  const done = children.map(outputOf);
  // Let every node start up, then open the gate for all of them in one go.
  setTimeout(() => {
    for (const c of children) c.stdin.end('go');
  }, 600);
  return Promise.all(done);
}

suite('the data folder under several processes', { timeout: 180_000 }, () => {
  it('six commands on a fresh data folder at once: all succeed, one vault key, no lookup lost', async () => {
    for (let round = 0; round < 3; round++) {
      const dataDir = join(tempDir('cd-race-'), 'data'); // not there yet: the first one creates it
      const env = { CLEARANCE_DATA_DIR: dataDir, CLEARANCE_LANG: 'en' };
      const runs = await startTogether(
        ORDERS.map((id) => ['get', id, '--demo', '--json']),
        env,
      );
      runs.forEach((r, i) => {
        expect(r.stderr, `round ${round}, process ${i}`).not.toMatch(/vault|keychain/i);
        expect(r.code, `round ${round}, process ${i}: ${r.stdout.slice(0, 300)}`).toBe(0);
        expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, stored: true });
      });
      const id = installationId(dataDir);
      expect(await keytar.getPassword(KEYCHAIN_SERVICE, `${id}/${VAULT_KEY_ACCOUNT}`)).toMatch(
        /^[0-9a-f]{64}$/,
      );
      // The probe entries were each process's own and are all gone again.
      const left = (await keytar.findCredentials(KEYCHAIN_SERVICE)).filter((c) =>
        c.account.startsWith(`${id}/`),
      );
      expect(left.map((c) => c.account)).toEqual([`${id}/${VAULT_KEY_ACCOUNT}`]);
      const list = await runCli(['records', 'list', '--json', '--limit', '50'], env);
      expect(list.code, list.stderr).toBe(0);
      const stored = (JSON.parse(list.stdout).rows as { orderId: string }[]).map((r) => r.orderId);
      expect(new Set(stored)).toEqual(new Set(ORDERS));
    }
  });

  it('the data folder is 0700 and its files 0600, whether `profile add` or `get` creates it', async () => {
    for (const first of [
      ['profile', 'add', 'shop', '--app-key', 'k', '--gateway', 'demo'],
      ['get', ORDERS[0] as string, '--demo', '--json'],
    ]) {
      const dataDir = join(tempDir('cd-mode-'), 'nested', 'data');
      const env = { CLEARANCE_DATA_DIR: dataDir, CLEARANCE_LANG: 'en' };
      const r = await runCli(first, env, { input: 'secret-value\nsession-value\n' });
      expect(r.code, r.stderr).toBe(0);
      const again = await runCli(['get', ORDERS[1] as string, '--demo', '--json'], env);
      expect(again.code, again.stderr).toBe(0);
      expect((statSync(dataDir).mode & 0o777).toString(8)).toBe('700');
      const files = readdirSync(dataDir);
      expect(files).toContain('installation-id');
      expect(files).toContain('vault.db');
      for (const f of files) {
        const mode = statSync(join(dataDir, f)).mode & 0o777;
        expect(`${f} ${mode.toString(8)}`).toBe(`${f} 600`);
      }
    }
  });
});
