import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemorySecretStore } from '../../electron/core/secrets/memory-store';
import { parseServerUrl, teamSecrets } from '../../electron/core/team/config';
import {
  chainHash,
  decodeJoinCode,
  encodeJoinCode,
  idIndex,
  newTeamKey,
  open,
  openText,
  seal,
  teamKeys,
} from '../../electron/core/team/crypto';

const keys = teamKeys(newTeamKey());

describe('team crypto', () => {
  it('seals with a fresh nonce per value and opens only for the same order and field', () => {
    const a = seal(keys, '1460536261312998', 'name', '张三');
    const b = seal(keys, '1460536261312998', 'name', '张三');
    expect(a.equals(b)).toBe(false);
    expect(a.subarray(1, 13).equals(b.subarray(1, 13))).toBe(false);
    expect(openText(keys, '1460536261312998', 'name', a)).toBe('张三');
    expect(() => open(keys, '1460536261312999', 'name', a)).toThrow();
    expect(() => open(keys, '1460536261312998', 'idNumber', a)).toThrow();
    expect(() => open(teamKeys(newTeamKey()), '1460536261312998', 'name', a)).toThrow();
    const flipped = Buffer.from(a);
    flipped[20] = (flipped[20] as number) ^ 1;
    expect(() => open(keys, '1460536261312998', 'name', flipped)).toThrow();
    expect(a.includes(Buffer.from('张三'))).toBe(false);
  });

  it('the blind index is keyed: same number, same index; another key, another index', () => {
    expect(idIndex(keys, '11010519491231002X')).toBe(idIndex(keys, '11010519491231002X'));
    expect(idIndex(keys, '11010519491231002X')).not.toBe(idIndex(keys, '110105194912310029'));
    expect(idIndex(teamKeys(newTeamKey()), '11010519491231002X')).not.toBe(
      idIndex(keys, '11010519491231002X'),
    );
  });

  it('the audit chain hash depends on the previous link and the key', () => {
    const h = chainHash(keys, 'genesis', '["x"]');
    expect(chainHash(keys, 'genesis', '["x"]')).toBe(h);
    expect(chainHash(keys, 'other', '["x"]')).not.toBe(h);
    expect(chainHash(teamKeys(newTeamKey()), 'genesis', '["x"]')).not.toBe(h);
  });

  it('a join code carries team id and key; a typo is caught by its checksum', () => {
    const key = newTeamKey();
    const id = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
    const code = encodeJoinCode(id, key);
    expect(code).toMatch(/^CDT1-[0-9A-Z-]+$/);
    const back = decodeJoinCode(code.toLowerCase());
    expect(back?.teamId).toBe(id);
    expect(back?.key.equals(key)).toBe(true);
    const i = 12;
    const typo = code.slice(0, i) + (code[i] === '7' ? '8' : '7') + code.slice(i + 1);
    expect(decodeJoinCode(typo)).toBeNull();
    expect(decodeJoinCode('hello')).toBeNull();
    expect(decodeJoinCode(code.slice(0, -6))).toBeNull();
  });
});

describe('team server address', () => {
  it('refuses a password in the URL and plain connections to another machine', () => {
    expect(() => parseServerUrl('postgres://u:pw@db.example/team')).toThrow(/password/);
    expect(() => parseServerUrl('postgres://u@db.example/team?sslmode=disable')).toThrow(/TLS/);
    expect(parseServerUrl('postgres://u@db.example/team').tls).toBe(true);
    expect(parseServerUrl('postgres://u@127.0.0.1:5433/team')).toMatchObject({ tls: false, port: 5433 });
    expect(parseServerUrl('postgres://u@localhost/team?sslmode=require').tls).toBe(true);
    expect(() => parseServerUrl('http://u@host/db')).toThrow();
    expect(() => parseServerUrl('postgres://host/db')).toThrow(/user/);
  });
});

describe('team password file', () => {
  it('is read only when nobody but its owner may read it', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cd-team-pw-')), 'pw');
    writeFileSync(file, 'secret-pw\nignored\n', { mode: 0o644 });
    chmodSync(file, 0o644);
    const s = teamSecrets(new MemorySecretStore(), { CLEARANCE_TEAM_PASSWORD_FILE: file });
    await expect(s.password()).rejects.toMatchObject({ error: { reason: 'team-password-file' } });
    chmodSync(file, 0o600);
    await expect(s.password()).resolves.toBe('secret-pw');
    const missing = teamSecrets(new MemorySecretStore(), { CLEARANCE_TEAM_PASSWORD_FILE: `${file}.none` });
    await expect(missing.password()).rejects.toMatchObject({ error: { reason: 'team-password-file' } });
  });

  it('the team key comes from the keychain; without it the desk is told to join again', async () => {
    const store = new MemorySecretStore();
    await expect(teamSecrets(store, {}).key()).rejects.toMatchObject({
      error: { reason: 'team-key-missing' },
    });
    await store.set('team/key', 'ab'.repeat(32));
    expect((await teamSecrets(store, {}).key()).length).toBe(32);
  });
});
