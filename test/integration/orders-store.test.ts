// The order sheet in a real SQLCipher vault: joined with identities, found by waybill, re-imported
// with counts, checked, forgotten and purged with the record, audited without its contents.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkAll, orderContext } from '../../electron/core/checks';
import { maskPhone } from '../../electron/core/idcard';
import { readSheet } from '../../electron/core/orders/sheet';
import { maskedFacts, OrderStore } from '../../electron/core/orders/store';
import type { OrderFacts } from '../../electron/core/orders/types';
import { ORDERS_MIGRATION } from '../../electron/core/vault/migrations';
import type { Vault } from '../../electron/core/vault/types';
import { openVault, VAULT_MIGRATIONS } from '../../electron/core/vault/vault';
import { gb18030 } from '../support/gb18030';
import { fakeFetch } from '../support/vault-fetch';

const KEY = 'b2'.repeat(32);
const DAY = 86_400_000;
let now: Date;
let vault: Vault;
let dir: string;
let path: string;
const by = { source: 'orders.csv', profile: 'demo', channel: 'test' };

const WANG = { name: '王芳', idNumber: '11010519491231002X', expiry: '20340101' };
const CHEN = { name: '陈伟', idNumber: '440304198506123017', expiry: '2023.06.30' };

const CSV = [
  '订单号,运单号,收件人,电话,支付金额,支付单号,下单时间,备注',
  '3000000000000001,SF100,王 芳,13812341234,"5,000.00",P1,2025-06-15 10:00:00,',
  '3000000000000002,SF200,王方,13812345678,5000.01,P2,2025-06-15 11:00:00,加急',
  '3000000000000003,SF300,陈伟,13900001111,10,P3,2025-06-15 12:00:00,',
  '3000000000000004,SF300,李四,13900002222,10,P4,2025-06-15 12:30:00,',
].join('\r\n');

async function sheetRows(bytes: Buffer, name: string): Promise<OrderFacts[]> {
  const got = await readSheet({ name, bytes });
  if (!got.ok) throw new Error(JSON.stringify(got));
  return got.value.rows;
}

beforeEach(() => {
  now = new Date('2025-06-15T04:00:00Z');
  dir = mkdtempSync(join(tmpdir(), 'cd-orders-'));
  path = join(dir, 'vault.db');
  vault = openVault({ path, key: KEY, clock: () => now, actor: { osUser: 't', host: 'h' } });
});
afterEach(() => {
  vault.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('import and join', () => {
  it('imports a GB 18030 sheet, joins it with the identities, and counts a re-import', async () => {
    const store = new OrderStore(vault, { clock: () => now });
    const rows = await sheetRows(gb18030(CSV), 'orders.csv');
    expect(store.import(rows, by)).toEqual({ rows: 4, new: 4, changed: 0, unchanged: 0 });
    vault.saveFetch(fakeFetch('3000000000000001', WANG), 'demo');
    vault.saveFetch(fakeFetch('3000000000000002', WANG), 'demo');
    const joined = store.joined(['3000000000000001', '3000000000000009']);
    expect(joined[0]?.facts?.consignee).toBe('王 芳');
    expect(joined[0]?.identity?.name).toBe('王芳');
    expect(joined[1]).toEqual({ orderId: '3000000000000009' });
    expect(store.withoutIdentity()).toEqual(['3000000000000003', '3000000000000004']);

    // An XLSX of the same day: one row changed (amount), one unchanged, one new.
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('s');
    ws.addRow(['Order ID', 'Waybill', 'Consignee', 'Phone', 'Amount', 'Payment No.', 'Order time', 'Note']);
    ws.addRow(['3000000000000001', 'SF100', '王 芳', '13812341234', '5000', 'P1', '2025-06-15 10:00:00', '']);
    ws.addRow([
      '3000000000000002',
      'SF200',
      '王方',
      '13812345678',
      '4999.99',
      'P2',
      '2025-06-15 11:00:00',
      '',
    ]);
    ws.addRow(['3000000000000005', 'SF500', '赵敏', '13700000000', '1', 'P5', '2025-06-15 13:00:00', '']);
    const again = await sheetRows(Buffer.from(await wb.xlsx.writeBuffer()), 'orders.xlsx');
    expect(store.import(again, { ...by, source: 'orders.xlsx' })).toEqual({
      rows: 3,
      new: 1,
      changed: 1,
      unchanged: 1,
    });
    expect(store.get('3000000000000002')?.amountFen).toBe(499_999);
    expect(store.count()).toBe(5);

    const audit = vault.auditLog({ action: 'import' });
    expect(audit.map((a) => a.detail)).toEqual([
      expect.objectContaining({ source: 'orders.xlsx', rows: 3, new: 1, changed: 1, unchanged: 1 }),
      expect.objectContaining({ source: 'orders.csv', rows: 4, new: 4 }),
    ]);
    expect(JSON.stringify(audit)).not.toMatch(/王|陈伟|138\d{8}/);
  });

  it('masks the phone and the consignee like an identity; revealing is audited', async () => {
    const store = new OrderStore(vault);
    store.import(await sheetRows(gb18030(CSV), 'orders.csv'), by);
    const f = store.get('3000000000000001') as OrderFacts;
    expect(maskedFacts(f)).toMatchObject({ consignee: '王**', phone: '138****1234', waybill: 'SF100' });
    expect(maskPhone('13812341234')).toBe('138****1234');
    expect(maskPhone('+86 138 1234 1234')).toBe('+86138****1234');
    expect(maskPhone('1234')).toBe('****');
    expect(store.reveal('3000000000000001', { profile: 'demo', channel: 'test' })?.phone).toBe('13812341234');
    expect(vault.auditLog({ action: 'reveal' })[0]).toMatchObject({
      orderIds: ['3000000000000001'],
      detail: { fields: 'consignee,phone' },
    });
  });

  it('keeps the sheet inside the encrypted file only', async () => {
    const store = new OrderStore(vault);
    store.import(await sheetRows(gb18030(CSV), 'orders.csv'), by);
    vault.close();
    const bytes = readFileSync(path);
    for (const needle of ['13812341234', 'SF100', '王方'])
      expect(bytes.includes(Buffer.from(needle))).toBe(false);
    vault = openVault({ path, key: KEY, clock: () => now });
  });
});

describe('waybill lookup', () => {
  it('finds one order, several, or none; scanner noise and case are ignored', async () => {
    const store = new OrderStore(vault);
    store.import(await sheetRows(gb18030(CSV), 'orders.csv'), by);
    expect(store.byWaybill('SF100')).toEqual(['3000000000000001']);
    expect(store.byWaybill(' sf100\r\n')).toEqual(['3000000000000001']);
    expect(store.byWaybill('ＳＦ１００')).toEqual(['3000000000000001']);
    expect(store.byWaybill('SF300')).toEqual(['3000000000000003', '3000000000000004']);
    expect(store.byWaybill('SF999')).toEqual([]);
    expect(store.byWaybill('')).toEqual([]);
  });
});

describe('checks over the vault', () => {
  it('orderContext gives the sheet row and the findings; the annual sum counts the person’s other orders', async () => {
    const store = new OrderStore(vault);
    store.import(await sheetRows(gb18030(CSV), 'orders.csv'), by);
    vault.saveFetch(fakeFetch('3000000000000001', WANG), 'demo');
    vault.saveFetch(fakeFetch('3000000000000002', WANG), 'demo');
    vault.saveFetch(fakeFetch('3000000000000003', CHEN), 'demo');
    vault.saveFetch(fakeFetch('3000000000000099', WANG), 'demo'); // no sheet row
    const ctx = orderContext(
      vault,
      ['3000000000000001', '3000000000000002', '3000000000000003', '3000000000000004'],
      {
        declarationDate: '2025-06-15',
      },
    );
    expect(ctx.get('3000000000000001')?.order?.waybill).toBe('SF100');
    expect(ctx.get('3000000000000001')?.findings).toEqual([]);
    expect(ctx.get('3000000000000002')?.findings.map((f) => f.code)).toEqual([
      'name-mismatch',
      'over-order-limit',
    ]);
    expect(ctx.get('3000000000000003')?.findings.map((f) => f.code)).toEqual(['expires-before-declaration']);
    expect(ctx.get('3000000000000004')?.findings.map((f) => f.code)).toEqual(['no-identity']);

    // A lower annual limit: the second order of the same person takes it over, though only it is asked about.
    const one = orderContext(vault, ['3000000000000002'], {
      declarationDate: '2025-06-15',
      limits: { annualLimitFen: 900_000 },
    });
    expect(one.get('3000000000000002')?.findings.map((f) => f.code)).toContain('over-annual-limit');

    const all = checkAll(vault, { declarationDate: '2025-06-15' });
    expect(all.get('3000000000000099')?.map((f) => f.code)).toEqual(['no-sheet-row']);
    expect(all.size).toBe(5);
    const sheet = checkAll(vault, { declarationDate: '2025-06-15', sheetOnly: true });
    expect([...sheet.keys()].sort()).toEqual([
      '3000000000000001',
      '3000000000000002',
      '3000000000000003',
      '3000000000000004',
    ]);
    expect(JSON.stringify([...all.values()])).not.toContain(WANG.idNumber);
  });
});

describe('forget, purge, waiting', () => {
  it('forgetting an order forgets its sheet row (with or without a record)', async () => {
    const store = new OrderStore(vault);
    store.import(await sheetRows(gb18030(CSV), 'orders.csv'), by);
    vault.saveFetch(fakeFetch('3000000000000001', WANG), 'demo');
    expect(vault.forget(['3000000000000001', '3000000000000003'], { profile: 'demo', channel: 'test' })).toBe(
      1,
    );
    expect(store.get('3000000000000001')).toBeUndefined();
    expect(store.get('3000000000000003')).toBeUndefined();
    expect(store.byWaybill('SF100')).toEqual([]);
    expect(store.count()).toBe(2);
    expect(vault.auditLog({ action: 'forget' })[0]?.detail).toMatchObject({ forgotten: 1, sheetRows: 2 });
  });

  it('purging a record purges its sheet row; a sheet row without a record goes when as old', async () => {
    const store = new OrderStore(vault, { clock: () => now });
    store.import(await sheetRows(gb18030(CSV), 'orders.csv'), by);
    vault.saveFetch(fakeFetch('3000000000000001', WANG), 'demo');
    store.wait('3000000000000003', { reason: 'business', code: 'X' }, 'demo');
    store.wait('3000000000000004', { reason: 'business', code: 'X' }, 'demo');
    now = new Date(now.getTime() + 10 * DAY);
    vault.saveFetch(fakeFetch('3000000000000002', WANG), 'demo'); // fresh record
    store.wait('3000000000000005', { reason: 'business', code: 'X' }, 'demo');
    now = new Date(now.getTime() + 25 * DAY);
    const out = vault.purge({ recordDays: 30, auditDays: 365, channel: 'test' });
    expect(out.records).toBe(1);
    expect(store.get('3000000000000001')).toBeUndefined(); // with its record
    expect(store.get('3000000000000002')).toBeDefined(); // its record is young
    expect(store.get('3000000000000003')).toBeUndefined(); // no record, 35 days old
    // Waiting entries as old as a record would be go too; a younger one stays.
    expect(store.waiting().map((w) => w.orderId)).toEqual(['3000000000000005']);
    expect(vault.auditLog({ action: 'purge' })[0]?.detail).toMatchObject({ records: 1, sheetRows: 3 });
  });

  it('an order leaves the waiting list when its identity arrives', () => {
    const store = new OrderStore(vault);
    store.wait('3000000000000001', { reason: 'business', code: 'CERTIFY_INFO_NOT_FOUND' }, 'demo');
    store.wait('3000000000000001', { reason: 'business', code: 'CERTIFY_INFO_NOT_FOUND' }, 'demo');
    store.wait('3000000000000002', { reason: 'business' }, 'demo');
    expect(store.waiting().map((w) => [w.orderId, w.checks, w.code])).toEqual([
      ['3000000000000001', 2, 'CERTIFY_INFO_NOT_FOUND'],
      ['3000000000000002', 1, null],
    ]);
    vault.saveFetch(fakeFetch('3000000000000001', WANG), 'demo');
    expect(store.waiting().map((w) => w.orderId)).toEqual(['3000000000000002']);
  });
});

describe('schema', () => {
  it('a vault from before the order sheet gains its tables on opening and keeps its records', () => {
    vault.saveFetch(fakeFetch('3000000000000001', WANG), 'demo');
    const db = vault.extend('probe', []);
    db.exec(`DROP TABLE order_facts; DROP TABLE order_waiting;
      UPDATE schema_versions SET version = ${VAULT_MIGRATIONS.indexOf(ORDERS_MIGRATION)} WHERE component = 'vault';`);
    vault.close();
    vault = openVault({ path, key: KEY, clock: () => now });
    expect(vault.get('3000000000000001')?.name).toBe('王芳');
    expect(new OrderStore(vault).count()).toBe(0);
  });
});
