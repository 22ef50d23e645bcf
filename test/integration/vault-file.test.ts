// The vault on disk: what the file's raw bytes reveal (nothing), what a wrong or missing key does
// (refuses, leaves the file byte for byte), how the key is made, and schema versions across reopen.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClearanceFailure } from '../../electron/core/errors';
import { MemorySecretStore } from '../../electron/core/secrets/memory-store';
import { openVaultWithKeychain, VAULT_FILE } from '../../electron/core/vault/open';
import { openVault, VAULT_MIGRATIONS } from '../../electron/core/vault/vault';
import { fakeFetch, person } from '../support/vault-fetch';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cd-vault-file-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const key = () => randomBytes(32).toString('hex');
const hash = (p: string) =>
  existsSync(p) ? createHash('sha256').update(readFileSync(p)).digest('hex') : 'absent';
const failReason = async (f: () => unknown) => {
  try {
    await f();
  } catch (err) {
    if (err instanceof ClearanceFailure) return err.error.reason;
    throw err;
  }
  return 'no error';
};

/** A photo-like blob: random bytes behind a JPEG header, so no run of it can occur by chance. */
const photo = () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(20_000)]);

describe('encryption at rest', () => {
  it('the database and its WAL hold no name, ID number or image bytes, while open and after close', () => {
    const path = join(dir, VAULT_FILE);
    const vault = openVault({ path, key: key() });
    const people = Array.from({ length: 40 }, (_, i) => ({
      ...person(i),
      name: `隐私测试${i}号${'甲乙丙丁'[i % 4]}`,
    }));
    const images = people.map(() => ({ front: photo(), back: photo() }));
    for (const [i, p] of people.entries())
      vault.saveFetch(fakeFetch(String(5_000_000 + i), p, images[i]), 'p');
    // Plaintext sanity: the data is really there, through the key.
    expect(vault.get('5000000')?.name).toBe(people[0]?.name);

    const needles: Buffer[] = [
      ...people.flatMap((p) => [
        Buffer.from(p.name, 'utf8'),
        Buffer.from(p.idNumber, 'ascii'),
        Buffer.from(p.name, 'utf16le'),
      ]),
      ...images.flatMap((im) => [im.front.subarray(100, 132), im.back.subarray(5000, 5032)]),
      Buffer.from('ocr_name'),
      Buffer.from('CREATE TABLE'),
    ];
    const scan = () => {
      const files = [path, `${path}-wal`].filter(existsSync).map((f) => readFileSync(f));
      expect(files.reduce((n, b) => n + b.length, 0)).toBeGreaterThan(40 * 40_000);
      for (const bytes of files) for (const n of needles) expect(bytes.includes(n)).toBe(false);
    };
    expect(existsSync(`${path}-wal`)).toBe(true);
    scan();
    vault.close();
    scan();
    expect(statSync(path).mode & 0o077).toBe(0);
  });
});

describe('keys', () => {
  const seed = (path: string, k: string) => {
    const v = openVault({ path, key: k });
    v.saveFetch(fakeFetch('1', person(1)), 'p');
    return v;
  };

  it('a wrong key is refused and the file and its WAL stay byte for byte', async () => {
    const path = join(dir, VAULT_FILE);
    const right = key();
    // A crash-like state: a writer still has it open, so a WAL with committed frames exists.
    const writer = seed(path, right);
    // (The -shm file is SQLite's shared-memory index of the WAL, holding no data: readers update its read marks.)
    const before = [hash(path), hash(`${path}-wal`)];
    expect(before[1]).not.toBe('absent');
    expect(await failReason(() => openVault({ path, key: key() }))).toBe('vault-key');
    expect(await failReason(() => openVault({ path, key: 'zz'.repeat(32) }))).toBe('vault-key');
    expect([hash(path), hash(`${path}-wal`)]).toEqual(before);
    writer.close();
    const closed = [hash(path), hash(`${path}-wal`)];
    expect(await failReason(() => openVault({ path, key: key() }))).toBe('vault-key');
    expect([hash(path), hash(`${path}-wal`)]).toEqual(closed);
    // And the right key still opens everything.
    const again = openVault({ path, key: right });
    expect(again.get('1')?.name).toBe(person(1).name);
    again.close();
  });

  it('a database opened without any key is refused too', () => {
    const path = join(dir, VAULT_FILE);
    seed(path, key()).close();
    const plain = new Database(path, { readonly: true });
    expect(() => plain.prepare('SELECT count(*) FROM sqlite_master').get()).toThrow(/not a database/);
    plain.close();
  });

  it('the keychain path makes a 256-bit key only for a new folder, and reuses it', async () => {
    const secrets = new MemorySecretStore();
    const v1 = await openVaultWithKeychain({ dataDir: dir, secrets });
    v1.saveFetch(fakeFetch('9', person(9)), 'p');
    v1.close();
    const k = await secrets.get('vault-key');
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    const v2 = await openVaultWithKeychain({ dataDir: dir, secrets });
    expect(v2.get('9')?.idNumber).toBe(person(9).idNumber);
    v2.close();
    expect(await secrets.get('vault-key')).toBe(k);
  });

  it('a database whose key is missing from the keychain is an error, never a new key over it', async () => {
    await (await openVaultWithKeychain({ dataDir: dir, secrets: new MemorySecretStore() })).saveFetch(
      fakeFetch('9', person(9)),
      'p',
    );
    const path = join(dir, VAULT_FILE);
    const before = hash(path);
    const empty = new MemorySecretStore();
    expect(await failReason(() => openVaultWithKeychain({ dataDir: dir, secrets: empty }))).toBe('vault-key');
    expect(await empty.get('vault-key')).toBeNull();
    expect(hash(path)).toBe(before);
    // A wrong key in the keychain: same refusal, the stored key is left alone.
    const wrong = new MemorySecretStore();
    await wrong.set('vault-key', key());
    const wrongKey = await wrong.get('vault-key');
    expect(await failReason(() => openVaultWithKeychain({ dataDir: dir, secrets: wrong }))).toBe('vault-key');
    expect(await wrong.get('vault-key')).toBe(wrongKey);
    expect(hash(path)).toBe(before);
  });

  it('two first runs at once agree on one key', async () => {
    const secrets = new MemorySecretStore();
    const [a, b] = await Promise.all([
      openVaultWithKeychain({ dataDir: dir, secrets }),
      openVaultWithKeychain({ dataDir: dir, secrets }),
    ]);
    a.saveFetch(fakeFetch('1', person(1)), 'p');
    expect(b.get('1')?.name).toBe(person(1).name);
    a.close();
    b.close();
  });
});

describe('schema versions across reopen', () => {
  it('keeps versions per component and does not re-run applied migrations', () => {
    const path = join(dir, VAULT_FILE);
    const k = key();
    const m = [
      'CREATE TABLE jobs (id INTEGER PRIMARY KEY)',
      'CREATE TABLE job_items (job INTEGER, order_id TEXT)',
    ];
    const v1 = openVault({ path, key: k });
    v1.extend('batch', m.slice(0, 1)).prepare('INSERT INTO jobs (id) VALUES (7)').run();
    v1.close();
    const v2 = openVault({ path, key: k });
    const db = v2.extend('batch', m);
    expect(db.prepare('SELECT id FROM jobs').all()).toEqual([{ id: 7 }]);
    expect(db.prepare("SELECT version FROM schema_versions WHERE component = 'batch'").get()).toEqual({
      version: 2,
    });
    expect(db.prepare("SELECT version FROM schema_versions WHERE component = 'vault'").get()).toEqual({
      version: VAULT_MIGRATIONS.length,
    });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    v2.close();
  });

  it('refuses a vault written by a newer release, leaving it unchanged', async () => {
    const path = join(dir, VAULT_FILE);
    const k = key();
    const v = openVault({ path, key: k });
    v.extend('probe', []).prepare("UPDATE schema_versions SET version = 99 WHERE component = 'vault'").run();
    v.close();
    const before = hash(path);
    expect(await failReason(() => openVault({ path, key: k }))).toBe('vault-failed');
    expect(hash(path)).toBe(before);
  });
});
