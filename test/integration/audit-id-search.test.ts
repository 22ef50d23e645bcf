import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findByIdNumber, searchedIdNumber } from '../../electron/core/vault/id-search';
import type { Vault } from '../../electron/core/vault/types';
import { openVault } from '../../electron/core/vault/vault';
import { fakeFetch } from '../support/vault-fetch';

// Invented people.
const KEY = 'b2'.repeat(32);
const DAY = 86_400_000;
const WANG = { name: '王芳', idNumber: '11010519491231002X', expiry: '20340101' };
const LIU = { name: '刘洋', idNumber: '310115199003074528', expiry: '长期' };
let now: Date;
let vault: Vault;
let dir: string;
let path: string;

beforeEach(() => {
  now = new Date('2025-06-15T04:00:00Z');
  dir = mkdtempSync(join(tmpdir(), 'cd-audit-id-'));
  path = join(dir, 'vault.db');
  vault = openVault({ path, key: KEY, clock: () => now, actor: { osUser: 'amy', host: 'desk-1' } });
});
afterEach(() => {
  vault.close();
  rmSync(dir, { recursive: true, force: true });
});

const actions = (q: Parameters<Vault['auditLog']>[0]) =>
  vault
    .auditLog(q)
    .map((e) => `${e.action}:${e.orderIds.join(',')}`)
    .reverse();

describe('audit search by ID number (keyed hash)', () => {
  it('finds every entry about a person by the full ID number, also after the record was forgotten', () => {
    vault.saveFetch(fakeFetch('1000000000000001', WANG), 'shop', { channel: 'app' });
    vault.saveFetch(fakeFetch('1000000000000002', LIU), 'shop', { channel: 'app' });
    vault.audit({ action: 'reveal', profile: 'shop', orderIds: ['1000000000000001'], detail: {} });
    vault.audit({
      action: 'copy',
      profile: 'shop',
      orderIds: ['1000000000000002'],
      detail: { field: 'name' },
    });
    vault.forget(['1000000000000001'], { profile: 'shop', channel: 'app' });
    expect(vault.get('1000000000000001')).toBeUndefined();

    expect(actions({ idNumber: '11010519491231002X' })).toEqual([
      'fetch:1000000000000001',
      'reveal:1000000000000001',
      'forget:1000000000000001',
    ]);
    // A lower-case x is the same number.
    expect(actions({ idNumber: '11010519491231002x' })).toHaveLength(3);
    expect(actions({ idNumber: '310115199003074528' })).toEqual([
      'fetch:1000000000000002',
      'copy:1000000000000002',
    ]);
    expect(actions({ idNumber: '110105194912310036' })).toEqual([]);
  });

  it('keeps finding entries after the retention purge deleted the record', () => {
    vault.saveFetch(fakeFetch('1000000000000003', WANG), 'shop', { channel: 'app' });
    now = new Date(now.getTime() + 100 * DAY);
    vault.purge({ recordDays: 90, auditDays: 365, channel: 'app' });
    expect(vault.get('1000000000000003')).toBeUndefined();
    expect(actions({ idNumber: '11010519491231002X' })).toEqual([
      'fetch:1000000000000003',
      'purge:1000000000000003',
    ]);
  });

  it('filters by an order-id prefix or suffix, user, desk and dates', () => {
    vault.saveFetch(fakeFetch('3728150192837465928', WANG), 'shop', { channel: 'app' });
    now = new Date(now.getTime() + 2 * DAY);
    vault.saveFetch(fakeFetch('2000000000000002', LIU), 'shop', { channel: 'app' });
    expect(actions({ orderIdPart: '37281' })).toEqual(['fetch:3728150192837465928']);
    expect(actions({ orderIdPart: '465928' })).toEqual(['fetch:3728150192837465928']);
    expect(actions({ orderIdPart: '0002' })).toEqual(['fetch:2000000000000002']);
    expect(actions({ orderIdPart: '999' })).toEqual([]);
    expect(actions({ osUser: 'amy', host: 'desk-1' })).toHaveLength(2);
    expect(actions({ host: 'desk-2' })).toEqual([]);
    expect(actions({ since: '2025-06-16' })).toEqual(['fetch:2000000000000002']);
    expect(actions({ until: '2025-06-15' })).toEqual(['fetch:3728150192837465928']);
  });

  it('stores neither the number nor an unkeyed hash: the key is per vault, in the encrypted meta table', () => {
    vault.saveFetch(fakeFetch('1000000000000001', WANG), 'shop', { channel: 'app' });
    vault.close();
    const db = new Database(path);
    db.pragma(`cipher='sqlcipher'`);
    db.pragma(`key="x'${KEY}'"`);
    const audit = JSON.stringify(db.prepare('SELECT * FROM audit').all());
    const links = db.prepare('SELECT id_hash FROM audit_ids').pluck().all() as string[];
    const key = db.prepare("SELECT value FROM meta WHERE key = 'audit-id-key'").pluck().get() as Buffer;
    db.close();
    expect(audit).not.toContain(WANG.idNumber);
    expect(links).toHaveLength(1);
    expect(links[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(links[0]).not.toContain(WANG.idNumber);
    expect(key).toHaveLength(32);

    // Another vault, another key: the same number hashes differently.
    const other = openVault({ path: join(dir, 'other.db'), key: KEY, clock: () => now });
    other.saveFetch(fakeFetch('1000000000000001', WANG), 'shop', { channel: 'app' });
    other.close();
    const db2 = new Database(join(dir, 'other.db'));
    db2.pragma(`cipher='sqlcipher'`);
    db2.pragma(`key="x'${KEY}'"`);
    const links2 = db2.prepare('SELECT id_hash FROM audit_ids').pluck().all() as string[];
    db2.close();
    expect(links2[0]).not.toBe(links[0]);
    vault = openVault({ path, key: KEY, clock: () => now });
    expect(vault.auditLog({ idNumber: WANG.idNumber })).toHaveLength(1);
  });
});

describe('records search by an order-id suffix', () => {
  it('finds an order by its last digits as well as by its first, through an index', () => {
    vault.saveFetch(fakeFetch('3728150192837465928', WANG), 'shop', { channel: 'app' });
    vault.saveFetch(fakeFetch('2000000000000002', LIU), 'shop', { channel: 'app' });
    const ids = (text: string) => vault.search({ text, limit: 10 }).rows.map((r) => r.orderId);
    expect(ids('465928')).toEqual(['3728150192837465928']);
    expect(ids('37281')).toEqual(['3728150192837465928']);
    expect(ids('0002')).toEqual(['2000000000000002']);
    // The ID number's last digits still match (刘洋's ends in 4528).
    expect(ids('4528')).toEqual(['2000000000000002']);
    expect(ids('777')).toEqual([]);
  });
});

describe('records search by a whole ID number (exact, audited)', () => {
  it('finds exactly the records of that number, and audits the search with its keyed hash only', async () => {
    // A number that shares its last digits with Wang's: the last-digits search finds both, the exact one only hers.
    const TWIN = { name: '赵敏', idNumber: '11010519491231012X', expiry: '20340101' };
    vault.saveFetch(fakeFetch('1000000000000001', WANG), 'shop', { channel: 'app' });
    vault.saveFetch(fakeFetch('1000000000000003', WANG), 'shop', { channel: 'app' });
    vault.saveFetch(fakeFetch('1000000000000002', LIU), 'shop', { channel: 'app' });
    vault.saveFetch(fakeFetch('1000000000000004', TWIN), 'shop', { channel: 'app' });
    expect(vault.search({ text: '1231002X' }).total).toBe(2); // last digits: not exact
    expect(vault.search({ text: '2X' }).total).toBe(3);

    const found = await findByIdNumber(vault, '11010519491231002x', {
      channel: 'cli',
      profile: null,
      query: { sort: 'orderId', order: 'asc' },
    });
    expect(found).toEqual({ orderIds: ['1000000000000001', '1000000000000003'], team: 'off' });
    const entry = vault.auditLog({ action: 'search' })[0];
    expect(entry).toMatchObject({
      orderIds: ['1000000000000001', '1000000000000003'],
      detail: { channel: 'cli', by: 'idNumber', found: 2, team: 'off' },
    });
    expect(JSON.stringify(entry)).not.toContain('1231002');

    // Nobody has this number: nothing found, and the search is still on record for that person.
    const nobody = '110105194912310038';
    expect((await findByIdNumber(vault, nobody, { channel: 'app', profile: 'shop' })).orderIds).toEqual([]);
    expect(actions({ idNumber: nobody })).toEqual(['search:']);
    expect(actions({ idNumber: WANG.idNumber, action: 'search' })).toEqual([
      'search:1000000000000001,1000000000000003',
    ]);
    // Not an ID number: refused without the value in the message.
    await expect(findByIdNumber(vault, '1101051949123', { channel: 'app', profile: null })).rejects.toSatisfy(
      (e: { error?: { reason: string; message: Record<string, string> } }) =>
        e.error?.reason === 'usage' && !JSON.stringify(e.error).includes('1101051949123'),
    );
  });

  it('a search box takes 18 characters with a right check character for an ID number, nothing else', () => {
    expect(searchedIdNumber('11010519491231002x')).toBe('11010519491231002X');
    expect(searchedIdNumber(' 11010519491231002X ')).toBe('11010519491231002X');
    expect(searchedIdNumber('110105194912310021')).toBeNull(); // wrong check character: digits to match
    expect(searchedIdNumber('3728150192837465928')).toBeNull(); // 19 digits: an order id
    expect(searchedIdNumber('002X')).toBeNull();
    expect(searchedIdNumber(undefined)).toBeNull();
  });
});
