// The built command with a real data folder and keychain (inside the private bus): import a GB 18030
// sheet, re-import it, refuse a bad one by rows, look up by waybill, send the sheet to a batch,
// see the waiting list, run the checks, forget an order with its sheet row.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSample } from '../../electron/core/demo/samples';
import { CLI as cli, syncCli } from '../support/cli';
import { gb18030 } from '../support/gb18030';

const _root = new URL('../..', import.meta.url).pathname;
const required = process.env.CLEARANCE_KEYCHAIN_TESTS === 'required';
const haveBus = Boolean(process.env.DBUS_SESSION_BUS_ADDRESS) || process.platform !== 'linux';
if (!haveBus && !required) console.warn('orders-cli: skipped, no D-Bus session with a Secret Service');

let dataDir: string;
let work: string;
const { run, json } = syncCli(() => ({ dataDir, cwd: work }));

const GEN = '3000000000000201'; // a generated demo person; the sheet gives another name
const genName = findSample(GEN)?.name as string;
const WANG = '3728150192837465928'; // 王芳, valid
const CHEN = '2000000000000001'; // 陈伟, ID expired 2023-06-30
const NONE = '5000000000000001'; // the demo gateway has no identity for it

describe.skipIf(!haveBus && !required)('orders and check commands', { timeout: 240_000 }, () => {
  beforeAll(() => {
    if (!existsSync(cli)) throw new Error('build first: node scripts/build.mjs');
    dataDir = mkdtempSync(join(tmpdir(), 'cd-orders-cli-'));
    work = mkdtempSync(join(tmpdir(), 'cd-orders-work-'));
    const rows = [
      '交易订单号,运单号,收货人,手机,实付金额,支付单号,下单时间,仓库',
      `${GEN},SF200,${genName}丰,13812341234,100.00,P1,2025-06-15 10:00:00,A`,
      `${WANG},SF100,王 芳,13812345678,"5,000.00",P2,2025-06-15 10:01:00,A`,
      `${CHEN},SF300,陈伟,13900001111,5000.01,P3,2025-06-15 10:02:00,B`,
      `${NONE},SF300,李四,13900002222,1,P4,2025-06-15 10:03:00,B`,
    ];
    writeFileSync(join(work, 'sheet.csv'), gb18030(rows.join('\r\n')));
    writeFileSync(
      join(work, 'bad.csv'),
      gb18030(['订单号,实付金额', `${GEN},1.00`, 'x12,1.00', `${WANG},一百`].join('\n')),
    );
  }, 60_000);
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('imports, then counts a re-import as unchanged', () => {
    const a = json(['orders', 'import', 'sheet.csv']);
    expect(a.code).toBe(0);
    expect(a.body).toMatchObject({ ok: true, rows: 4, new: 4, changed: 0, unchanged: 0, ignored: ['仓库'] });
    expect(a.body.withoutIdentity).toBe(4);
    const b = json(['orders', 'import', 'sheet.csv']);
    expect(b.body).toMatchObject({ rows: 4, new: 0, changed: 0, unchanged: 4 });
  });

  it('refuses a sheet with bad rows by row number and keeps what was there', () => {
    const r = json(['orders', 'import', 'bad.csv']);
    expect(r.code).toBe(2);
    expect(r.body.badRows.map((b: { row: number; field: string }) => [b.row, b.field])).toEqual([
      [3, 'orderId'],
      [4, 'amountFen'],
    ]);
    expect(r.out).not.toContain('一百');
    const human = run(['orders', 'import', 'bad.csv']);
    expect(human.err).toContain('Row 3');
  });

  it('get by a scanned waybill opens that order; several are listed; an unknown value is not sent', () => {
    const one = json(['get', 'sf100', '--demo']);
    expect(one.code).toBe(0);
    expect(one.body.record.orderId).toBe(WANG);
    const several = run(['get', 'SF300', '--demo']);
    expect(several.code).toBe(2);
    expect(several.err).toContain(CHEN);
    expect(several.err).toContain(NONE);
    const unknown = run(['get', 'SF999', '--demo']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('neither a waybill');
  });

  it('sends the sheet’s orders without an identity to a batch; the one with none waits', () => {
    const r = json(['orders', 'import', 'sheet.csv', '--lookup', '--demo']);
    expect(r.body).toMatchObject({ status: 'finished', total: 3 });
    expect(r.body.counts).toMatchObject({ done: 2, failed: 1 });
    expect(r.code).toBe(3); // a business failure, as `batch` says it
    const w = json(['orders', 'waiting']);
    expect(w.body.waiting.map((x: { orderId: string }) => x.orderId)).toEqual([NONE]);
    const again = json(['orders', 'recheck', '--demo']);
    expect(again.body.total).toBe(1);
    expect(json(['orders', 'waiting']).body.waiting[0].checks).toBe(2);
    expect(json(['batch', '--sheet', '--demo']).body.total).toBe(1);
  });

  it('check: each finding by its order; --strict exits 3; one clean order exits 0', () => {
    const all = json(['check', '--all', '--date', '2025-06-16']);
    expect(all.code).toBe(0);
    const codes = (id: string) =>
      all.body.findings
        .filter((f: { orderId: string }) => f.orderId === id)
        .map((f: { code: string }) => f.code);
    expect(codes(GEN)).toEqual(['name-mismatch']);
    expect(codes(WANG)).toEqual([]);
    expect(codes(CHEN)).toEqual(['over-order-limit', 'expires-before-declaration']);
    expect(codes(NONE)).toEqual(['no-identity']);
    expect(all.out).not.toContain(genName);
    expect(run(['check', '--all', '--strict']).code).toBe(3);
    const one = json(['check', '--order', WANG, '--strict']);
    expect(one.code).toBe(0);
    expect(one.body).toMatchObject({ orders: 1, findings: [] });
    expect(run(['check', '--date', '2025-02-30']).code).toBe(2);
  });

  it('forgetting an order forgets its sheet row and its place on the waiting list', () => {
    expect(run(['records', 'forget', NONE]).code).toBe(0);
    expect(json(['orders', 'waiting']).body.waiting).toEqual([]);
    const several = run(['get', 'SF300', '--demo', '--no-store']);
    // Only CHEN is left on SF300 now: the waybill opens it.
    expect(several.code).toBe(0);
    expect(several.out).toContain(CHEN);
  });
});
