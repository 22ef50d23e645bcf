import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClearanceFailure } from '../../electron/core/errors';
import type { Vault } from '../../electron/core/vault/types';
import { openVault, VAULT_MIGRATIONS } from '../../electron/core/vault/vault';
import { fakeFetch, fakeJpeg, person } from '../support/vault-fetch';

const KEY = 'a1'.repeat(32);
const DAY = 86_400_000;
let now: Date;
let vault: Vault;
let dir: string;
const file = () => join(dir, `vault-${Math.random().toString(36).slice(2)}.db`);
const actor = { osUser: 'tester', host: 'test-host' };

const reason = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    if (err instanceof ClearanceFailure) return err.error.reason;
    throw err;
  }
  return 'no error';
};

beforeEach(() => {
  now = new Date('2025-06-15T04:00:00Z'); // 12:00 in Shanghai
  dir = mkdtempSync(join(tmpdir(), 'cd-vault-'));
  vault = openVault({ path: file(), key: KEY, clock: () => now, actor });
});
afterEach(() => {
  vault.close();
  rmSync(dir, { recursive: true, force: true });
});

const WANG = { name: '王芳', idNumber: '11010519491231002X', expiry: '20340101' };

describe('saveFetch and get', () => {
  it('stores every field, the images as blobs and the raw reply with its digits intact', () => {
    const front = fakeJpeg('front');
    const back = fakeJpeg('back');
    const saved = vault.saveFetch(fakeFetch('3728150192837465928', WANG, { front, back }), 'shop-a', {
      channel: 'cli',
    });
    const got = vault.get('3728150192837465928');
    expect(got).toEqual(saved);
    expect(got).toMatchObject({
      orderId: '3728150192837465928',
      profile: 'shop-a',
      firstFetchedAt: '2025-06-15T04:00:00.000Z',
      fetchedAt: '2025-06-15T04:00:00.000Z',
      name: '王芳',
      idNumber: '11010519491231002X',
      expiry: '20340101',
      idType: 1,
      requestId: 'req-3728150192837465928',
      images: {
        front: { mime: 'image/jpeg', bytes: front.length },
        back: { mime: 'image/jpeg', bytes: back.length },
      },
    });
    expect(got?.validation.warnings).toEqual([]);
    expect(vault.image('3728150192837465928', 'front')).toEqual({ mime: 'image/jpeg', bytes: front });
    expect(vault.image('3728150192837465928', 'back')?.bytes.equals(back)).toBe(true);
    expect(vault.rawReply('3728150192837465928')).toContain('"order_id":3728150192837465928,');
    expect(vault.get('3728150192837465929')).toBeUndefined();
    const [entry] = vault.auditLog({});
    expect(entry).toMatchObject({
      action: 'fetch',
      osUser: 'tester',
      host: 'test-host',
      profile: 'shop-a',
      orderIds: ['3728150192837465928'],
      detail: { channel: 'cli', images: 2, refetch: false },
    });
    expect(JSON.stringify(entry)).not.toContain('王芳');
    expect(JSON.stringify(entry)).not.toContain('11010519491231002X');
  });

  it('keeps a record that fails validation, flagged', () => {
    const r = vault.saveFetch(
      fakeFetch('1460536261312998', { name: '张三', idNumber: '412921198810201123', expiry: '20240101' }),
      'p',
    );
    expect(r.validation.warnings).toEqual(['check-digit', 'expired', 'images-missing']);
    expect(vault.search({ flags: ['invalid'] }).rows.map((x) => x.orderId)).toEqual(['1460536261312998']);
  });

  it('normalises a lower-case x when storing', () => {
    vault.saveFetch(fakeFetch('1', { ...WANG, idNumber: '11010519491231002x' }), 'p');
    expect(vault.get('1')?.idNumber).toBe('11010519491231002X');
    expect(vault.search({ text: '002x' }).total).toBe(1);
  });

  it('a refetch updates the record, keeps the first-fetched time, and keeps photos only of the same person', () => {
    vault.saveFetch(fakeFetch('42', WANG, { front: fakeJpeg('a') }), 'p');
    now = new Date(now.getTime() + DAY);
    const again = vault.saveFetch(fakeFetch('42', { ...WANG, expiry: '长期' }), 'q');
    expect(again).toMatchObject({
      firstFetchedAt: '2025-06-15T04:00:00.000Z',
      fetchedAt: '2025-06-16T04:00:00.000Z',
      profile: 'q',
      expiry: '长期',
    });
    expect(again.images.front).not.toBeNull();
    expect(again.validation.expiry.status).toBe('long-term');
    expect(vault.auditLog({ action: 'fetch' })[0]?.detail).toMatchObject({ refetch: true, images: 0 });
    const other = vault.saveFetch(
      fakeFetch('42', { name: '陈伟', idNumber: '440304198506123017', expiry: '20300101' }),
      'q',
    );
    expect(other.images).toEqual({ front: null, back: null });
    expect(vault.image('42', 'front')).toBeUndefined();
    expect(vault.search({}).total).toBe(1);
  });
});

describe('flags follow today, not the day of the fetch', () => {
  it('expiring becomes expired as the clock moves, in get and in search', () => {
    vault.saveFetch(fakeFetch('7', { ...WANG, expiry: '2025-06-25' }), 'p'); // 10 days ahead
    expect(vault.get('7')?.validation.flags).toMatchObject({ expiring: true, expired: false });
    expect(vault.search({ flags: ['expiring'] }).total).toBe(1);
    expect(vault.search({ flags: ['expired'] }).total).toBe(0);
    now = new Date(now.getTime() + 11 * DAY);
    expect(vault.get('7')?.validation.flags).toMatchObject({ expiring: false, expired: true });
    expect(vault.search({ flags: ['expiring'] }).total).toBe(0);
    expect(vault.search({ flags: ['expired'] }).total).toBe(1);
  });

  it('uses the configured expiring window', () => {
    vault.close();
    vault = openVault({ path: file(), key: KEY, clock: () => now, actor, expiringDays: 5 });
    vault.saveFetch(fakeFetch('7', { ...WANG, expiry: '2025-06-25' }), 'p');
    vault.saveFetch(fakeFetch('8', { ...WANG, expiry: '2025-06-18' }), 'p');
    expect(vault.search({ flags: ['expiring'] }).rows.map((r) => r.orderId)).toEqual(['8']);
    expect(vault.get('7')?.validation.flags.expiring).toBe(false);
  });
});

describe('search', () => {
  beforeEach(() => {
    for (let i = 0; i < 300; i++) {
      now = new Date(Date.parse('2025-06-01T04:00:00Z') + i * 3_600_000); // one an hour
      const images = i % 3 === 0 ? {} : { front: fakeJpeg(String(i)) };
      vault.saveFetch(fakeFetch(String(1000 + i), person(i), images), i % 2 ? 'odd' : 'even');
    }
    vault.saveFetch(fakeFetch('99', WANG), 'even');
    now = new Date('2025-06-15T04:00:00Z');
  });

  it('by order id prefix or suffix, numbers sorted as numbers', () => {
    const r = vault.search({ text: '101', sort: 'orderId', limit: 5 });
    // 1010–1019 start with it, 1101 ends with it.
    expect(r.total).toBe(11);
    expect(r.rows.map((x) => x.orderId)).toEqual(['1010', '1011', '1012', '1013', '1014']);
    expect(vault.search({ sort: 'orderId', limit: 2 }).rows.map((x) => x.orderId)).toEqual(['99', '1000']);
  });

  it('by name substring', () => {
    const target = person(123).name;
    const r = vault.search({ text: target.slice(1), limit: 1000 });
    expect(r.rows.map((x) => x.orderId)).toContain('1123');
    for (const row of r.rows) expect(row.name).toContain(target.slice(1));
    expect(vault.search({ text: '王芳' }).rows.map((x) => x.orderId)).toContain('99');
  });

  it('by the last digits of the ID number', () => {
    const r = vault.search({ text: '1002X', limit: 1000 });
    expect(r.rows.map((x) => x.orderId)).toEqual(['99']);
    const tail = person(250).idNumber.slice(-6);
    const hits = vault.search({ text: tail, limit: 1000 }).rows;
    expect(hits.map((x) => x.orderId)).toContain('1250');
    for (const h of hits) expect(h.idNumber.endsWith(tail) || h.orderId.startsWith(tail)).toBe(true);
  });

  it('by fetch date range, whole Shanghai days whatever the host zone', () => {
    // Shanghai 2025-06-02 is 2025-06-01T16:00Z .. 2025-06-02T16:00Z: hours 12..35 of the loop.
    const day = vault.search({
      fetchedFrom: '2025-06-02',
      fetchedTo: '2025-06-02',
      limit: 100,
      sort: 'fetchedAt',
      order: 'asc',
    });
    expect(day.total).toBe(24);
    expect(day.rows[0]?.orderId).toBe('1012');
    expect(day.rows.at(-1)?.orderId).toBe('1035');
    expect(
      vault.search({ fetchedFrom: '2025-06-01T04:00:00.000Z', fetchedTo: '2025-06-01T05:00:00.000Z' }).total,
    ).toBe(2);
  });

  it('by each flag and by profile, combined with AND', () => {
    const all = [...vault.iterate({})];
    expect(all).toHaveLength(301);
    const expect_ = (pred: (r: (typeof all)[number]) => boolean) =>
      all
        .filter(pred)
        .map((r) => r.orderId)
        .sort();
    const ids = (q: Parameters<Vault['search']>[0]) =>
      vault
        .search({ ...q, limit: 1000 })
        .rows.map((r) => r.orderId)
        .sort();
    expect(ids({ flags: ['expired'] })).toEqual(expect_((r) => r.validation.flags.expired));
    expect(ids({ flags: ['expiring'] })).toEqual(expect_((r) => r.validation.flags.expiring));
    expect(ids({ flags: ['no-images'] })).toEqual(expect_((r) => r.validation.flags.noImages));
    expect(ids({ flags: ['expired'] }).length).toBeGreaterThan(0);
    expect(ids({ flags: ['expiring'] }).length).toBeGreaterThan(0);
    expect(ids({ profile: 'odd' })).toEqual(expect_((r) => r.profile === 'odd'));
    expect(ids({ profile: 'odd', flags: ['no-images', 'expired'] })).toEqual(
      expect_((r) => r.profile === 'odd' && r.validation.flags.noImages && r.validation.flags.expired),
    );
  });

  it('pages without gaps or repeats, sorted either way', () => {
    const seen: string[] = [];
    for (let offset = 0; ; offset += 40) {
      const page = vault.search({ offset, limit: 40, sort: 'fetchedAt', order: 'desc' });
      expect(page.total).toBe(301);
      if (!page.rows.length) break;
      seen.push(...page.rows.map((r) => r.orderId));
    }
    expect(new Set(seen).size).toBe(301);
    expect(seen[0]).toBe('99');
    const expiries = vault
      .search({ sort: 'expiry', order: 'asc', limit: 301 })
      .rows.map((r) => r.validation.expiry.date ?? '');
    expect(expiries).toEqual([...expiries].sort());
  });

  it('iterate streams the same rows as search, in the same order', () => {
    const q = { flags: ['no-images' as const], sort: 'orderId' as const };
    expect([...vault.iterate(q)].map((r) => r.orderId)).toEqual(
      vault.search({ ...q, limit: 1000 }).rows.map((r) => r.orderId),
    );
  });

  it('orderIds lists what iterate would, without reading the records', () => {
    for (const q of [
      { flags: ['no-images' as const], sort: 'orderId' as const },
      { sort: 'fetchedAt' as const, order: 'desc' as const },
    ]) {
      expect(vault.orderIds(q)).toEqual([...vault.iterate(q)].map((r) => r.orderId));
    }
    expect(vault.orderIds({}).length).toBeGreaterThan(1);
  });
});

describe('the name index follows every write', () => {
  it('a refetch with another name, a forget and a purge leave no stale match', () => {
    const names = (text: string) => vault.search({ text }).rows.map((r) => r.orderId);
    vault.saveFetch(fakeFetch('1', WANG), 'p');
    vault.saveFetch(fakeFetch('2', { ...WANG, name: '李四' }), 'p');
    expect(names('芳')).toEqual(['1']);
    vault.saveFetch(fakeFetch('1', { ...WANG, name: '赵敏' }), 'p');
    expect(names('芳')).toEqual([]);
    expect(names('赵敏')).toEqual(['1']);
    vault.forget(['1'], { profile: 'p', channel: 'app' });
    expect(names('赵')).toEqual([]);
    const db = vault.extend('test', []);
    expect(db.prepare('SELECT count(*) AS n FROM name_grams').get()).toEqual({ n: 3 }); // 李, 四, 李四
  });
});

describe('forget, purge and the audit log', () => {
  it('forget removes records and their images and raw replies, audited with the order ids only', () => {
    vault.saveFetch(fakeFetch('1', WANG, { front: fakeJpeg('x') }), 'p');
    vault.saveFetch(fakeFetch('2', WANG), 'p');
    expect(vault.forget(['1', '3'], { profile: 'p', channel: 'app' })).toBe(1);
    expect(vault.get('1')).toBeUndefined();
    expect(vault.image('1', 'front')).toBeUndefined();
    expect(vault.rawReply('1')).toBeUndefined();
    expect(vault.get('2')).toBeDefined();
    expect(vault.auditLog({ action: 'forget' })[0]).toMatchObject({
      orderIds: ['1', '3'],
      profile: 'p',
      detail: { channel: 'app', requested: 2, forgotten: 1 },
    });
  });

  it('purge drops old records, images earlier than text, and old audit entries; audited', () => {
    vault.saveFetch(fakeFetch('1', WANG, { front: fakeJpeg('1') }), 'p'); // day 0
    now = new Date(now.getTime() + 10 * DAY);
    vault.saveFetch(fakeFetch('2', WANG, { front: fakeJpeg('2') }), 'p'); // day 10
    now = new Date(now.getTime() + 25 * DAY); // day 35
    const out = vault.purge({ recordDays: 30, imageDays: 20, auditDays: 30, channel: 'cli' });
    expect(out).toEqual({ records: 1, images: 1, audit: 1 });
    expect(vault.get('1')).toBeUndefined();
    const two = vault.get('2');
    expect(two?.images.front).toBeNull();
    expect(vault.image('2', 'front')).toBeUndefined();
    expect(vault.search({ flags: ['no-images'] }).total).toBe(1);
    const log = vault.auditLog({});
    expect(log.map((e) => e.action)).toEqual(['purge', 'fetch']);
    expect(log[0]).toMatchObject({
      orderIds: ['1'],
      detail: { channel: 'cli', records: 1, images: 1, audit: 1, auto: false },
    });
    expect(log[1]?.orderIds).toEqual(['2']);
  });

  it('an automatic purge that removes nothing leaves no entry; a manual one does', () => {
    vault.saveFetch(fakeFetch('1', WANG), 'p');
    expect(vault.purge({ recordDays: 30, auditDays: 180, channel: 'app', auto: true })).toEqual({
      records: 0,
      images: 0,
      audit: 0,
    });
    expect(vault.auditLog({}).map((e) => e.action)).toEqual(['fetch']);
    vault.purge({ recordDays: 30, auditDays: 180, channel: 'cli' });
    expect(vault.auditLog({}).map((e) => e.action)).toEqual(['purge', 'fetch']);
  });

  it('refuses negative retention', () => {
    expect(reason(() => vault.purge({ recordDays: -1, auditDays: 1, channel: 'x' }))).toBe('usage');
  });

  it('the audit log is append-only even for SQL through extend()', () => {
    vault.audit({
      action: 'reveal',
      profile: 'p',
      orderIds: ['5'],
      detail: { field: 'all', channel: 'cli' },
    });
    const db = vault.extend('probe', []);
    expect(() => db.prepare('UPDATE audit SET action = ?').run('copy')).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit').run()).toThrow(/append-only/);
    expect(() => db.prepare("UPDATE audit_gate SET purge_before = '9999' WHERE id = 1").run()).not.toThrow();
    // Even with the gate opened by hand, only entries older than it could go: none here.
    db.prepare("UPDATE audit_gate SET purge_before = '2000-01-01' WHERE id = 1").run();
    expect(() => db.prepare('DELETE FROM audit').run()).toThrow(/append-only/);
    expect(vault.auditLog({}).map((e) => e.action)).toEqual(['reveal']);
  });

  it('queries the audit log by time, action and order id', () => {
    vault.audit({ action: 'export', profile: null, orderIds: ['1', '2'], detail: { mode: 'pdf' } });
    now = new Date(now.getTime() + 2 * DAY);
    vault.audit({ action: 'copy', profile: null, orderIds: ['2'], detail: {} });
    expect(vault.auditLog({ since: '2025-06-16' }).map((e) => e.action)).toEqual(['copy']);
    expect(vault.auditLog({ until: '2025-06-15' }).map((e) => e.action)).toEqual(['export']);
    expect(vault.auditLog({ orderId: '1' }).map((e) => e.action)).toEqual(['export']);
    expect(vault.auditLog({ orderId: '2' }).map((e) => e.action)).toEqual(['copy', 'export']);
    expect(vault.auditLog({ action: 'copy' })).toHaveLength(1);
    expect(vault.auditLog({ since: '2025-06-17T04:00:00Z' })[0]).toMatchObject({
      at: '2025-06-17T04:00:00.000Z',
    });
  });
});

describe('schema and failures', () => {
  it('extend applies each migration once, in order, and refuses a newer schema', () => {
    const m = [
      'CREATE TABLE jobs (id INTEGER PRIMARY KEY, state TEXT)',
      'ALTER TABLE jobs ADD COLUMN note TEXT',
    ];
    const db = vault.extend('batch', m.slice(0, 1));
    db.prepare('INSERT INTO jobs (state) VALUES (?)').run('queued');
    vault.extend('batch', m);
    vault.extend('batch', m); // nothing to do
    expect(db.prepare('SELECT state, note FROM jobs').all()).toEqual([{ state: 'queued', note: null }]);
    expect(db.prepare('SELECT component, version FROM schema_versions ORDER BY component').all()).toEqual([
      { component: 'batch', version: 2 },
      { component: 'vault', version: VAULT_MIGRATIONS.length },
    ]);
    expect(reason(() => vault.extend('batch', m.slice(0, 1)))).toBe('vault-failed');
    expect(reason(() => vault.extend('vault', []))).toBe('internal');
  });

  it('a failing migration leaves no trace', () => {
    expect(reason(() => vault.extend('broken', ['CREATE TABLE a (x)', 'NOT SQL']))).toBe('vault-failed');
    const db = vault.extend('probe', []);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'a'").get()).toEqual({ n: 0 });
  });

  it('refuses a key that is not 64 hex characters', () => {
    expect(reason(() => openVault({ path: file(), key: 'short' }))).toBe('vault-key');
  });

  it('a full database is the disk-full error and loses nothing', () => {
    vault.saveFetch(fakeFetch('1', WANG), 'p');
    const db = vault.extend('probe', []);
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    expect(
      reason(() => vault.saveFetch(fakeFetch('2', WANG, { front: Buffer.alloc(200_000, 1) }), 'p')),
    ).toBe('disk-full');
    expect(vault.get('1')?.name).toBe('王芳');
    expect(vault.get('2')).toBeUndefined();
    db.pragma('max_page_count = 1073741823');
    vault.saveFetch(fakeFetch('2', WANG), 'p');
    expect(vault.search({}).total).toBe(2);
  });
});
