import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { ordersFromTable, ordersFromText, parseCsv, readOrders } from '../../electron/core/batch';

const enc = (s: string) => new TextEncoder().encode(s);

async function xlsx(rows: (string | number | null)[][], textColumn?: number): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('订单');
  for (const r of rows) ws.addRow(r);
  if (textColumn) ws.getColumn(textColumn).numFmt = '@';
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

describe('text lists', () => {
  it('takes any separators, normalises, deduplicates and reports what is not an id by line', () => {
    const text =
      '订单号\n3000000000000001, 3000000000000002；3000000000000001\r\n１２３４５６７８９０１２３４５６\t订单号:3728150192837465928\n12ab34\n张三 0000\n';
    const got = ordersFromText(text);
    expect(got.orderIds).toEqual([
      '3000000000000001',
      '3000000000000002',
      '1234567890123456',
      '3728150192837465928',
    ]);
    expect(got.duplicates).toBe(1);
    expect(got.invalid).toEqual([
      { line: 4, reason: 'order-id-invalid', preview: '‹6›' },
      // A name beside a number: the line is a record, not an id.
      { line: 5, reason: 'order-id-line-invalid', preview: '‹7›' },
    ]);
  });

  it('keeps ids above 2^53 exactly', () => {
    expect(ordersFromText('9999999999999999999').orderIds).toEqual(['9999999999999999999']);
  });
});

describe('CSV', () => {
  it('parses quotes, doubled quotes, new lines in quotes and guesses the delimiter', () => {
    const rows = parseCsv('\ufeff"a;b";c\r\n"x ""y""\nz";2\n');
    expect(rows).toEqual([
      { line: 1, cells: [{ text: 'a;b' }, { text: 'c' }] },
      { line: 2, cells: [{ text: 'x "y"\nz' }, { text: '2' }] },
    ]);
    expect(parseCsv('a\tb\n1\t2').map((r) => r.cells.length)).toEqual([2, 2]);
  });

  it('finds the order column by its header and reports rows that are not ids', async () => {
    const csv =
      '收件人,订单号,金额\n张三,3000000000000001,12.5\n李四,,3\n王五,bad-id,4\n赵六,3000000000000002,1\n';
    const got = await readOrders({ name: 'list.csv', bytes: enc(csv) });
    expect(got.ok && got.value).toMatchObject({
      orderIds: ['3000000000000001', '3000000000000002'],
      column: { index: 1, name: '订单号' },
      invalid: [{ line: 4, reason: 'order-id-invalid', preview: '‹6›' }],
    });
  });

  it('prefers the column whose cells are ids when several headers mention orders', () => {
    const rows = parseCsv(
      '订单状态,子订单号,Order ID\n已付款,3000000000000001,x\n已发货,3000000000000002,y\n',
    );
    const got = ordersFromTable(rows);
    expect(got.ok && got.value.column).toEqual({ index: 1, name: '子订单号' });
  });

  it('reports the candidates when the choice stays ambiguous, and the columns when there is none', () => {
    const two = ordersFromTable(parseCsv('订单号,主订单号\n3000000000000001,3000000000000009\n'));
    expect(two.ok).toBe(false);
    if (!two.ok) {
      expect(two.error.error.kind).toBe('invalid-input');
      expect(two.error.columns).toEqual(['1: 订单号', '2: 主订单号']);
    }
    const none = ordersFromTable(parseCsv('name,phone\nA,13800000000\n'));
    expect(!none.ok && none.error.columns).toEqual(['1: name', '2: phone']);
  });

  it('takes a column by name, 1-based number or letter, and refuses one that does not exist', () => {
    const rows = parseCsv('a,b\n1,3000000000000001\n2,3000000000000002\n');
    for (const c of ['b', 'B', '2']) {
      const got = ordersFromTable(rows, c);
      expect(got.ok && got.value.orderIds).toEqual(['3000000000000001', '3000000000000002']);
    }
    // With no header, the first row is data.
    const headless = ordersFromTable(parseCsv('x,3000000000000001\ny,3000000000000002\n'), '2');
    expect(headless.ok && headless.value.orderIds).toHaveLength(2);
    expect(ordersFromTable(rows, '9').ok).toBe(false);
    expect(ordersFromTable(rows, 'zz').ok).toBe(false);
  });

  it('reads GB 18030 files as Excel on a Chinese system saves them', async () => {
    // "订单号\n3000000000000001\n" in GBK.
    const gbk = Buffer.concat([
      Buffer.from([0xb6, 0xa9, 0xb5, 0xa5, 0xba, 0xc5]),
      Buffer.from('\n3000000000000001\n'),
    ]);
    const got = await readOrders({ name: 'gbk.csv', bytes: gbk });
    expect(got.ok && got.value).toMatchObject({ orderIds: ['3000000000000001'], column: { name: '订单号' } });
  });
});

describe('XLSX', () => {
  it('reads the order column from text and number cells; refuses numbers that lost digits', async () => {
    const bytes = await xlsx([
      ['收件人', 'Order No.'],
      ['A', '3728150192837465928'],
      ['B', 3000000000000001],
      ['C', Number('3728150192837465928')], // what a sheet holds after typing a long id as a number
      ['D', null],
    ]);
    const got = await readOrders({ name: 'orders.xlsx', bytes });
    expect(got.ok).toBe(true);
    if (!got.ok) return;
    expect(got.value.orderIds).toEqual(['3728150192837465928', '3000000000000001']);
    expect(got.value.invalid).toEqual([
      { line: 4, reason: 'order-id-imprecise', preview: expect.any(String) },
    ]);
  });

  it('says so when the file is not a workbook, and refuses the old .xls format', async () => {
    const bad = await readOrders({ name: 'x.xlsx', bytes: enc('not a zip') });
    expect(!bad.ok && bad.error.error.reason).toBe('usage');
    const old = await readOrders({ name: 'x.xls', bytes: enc('') });
    expect(!old.ok && old.error.error.reason).toBe('usage');
  });
});

describe('every line is accounted for', () => {
  it('a pasted list: headings and label lines are skipped and said so; "ABC" and an Excel-changed number are refused with their reason', () => {
    const got = ordersFromText(
      ['ABC', '3000000000000001', '订单号', 'ABC', '1.23457E+18', '12a', '3000000000000001', ''].join('\n'),
    );
    expect(got.orderIds).toEqual(['3000000000000001']);
    expect(got.duplicates).toBe(1);
    expect(got.skipped).toEqual([
      { line: 1, why: 'heading' },
      { line: 3, why: 'heading' },
    ]);
    expect(got.invalid.map((x) => [x.line, x.reason])).toEqual([
      [4, 'order-id-line-invalid'],
      [5, 'order-id-excel-rounded'],
      [6, 'order-id-invalid'],
    ]);
  });

  it('a column of 19-digit ids Excel rounded is refused as changed by Excel', () => {
    const got = ordersFromText('1234567890123450000\n9876543210987650000\n');
    expect(got.orderIds).toEqual([]);
    expect(got.invalid.map((x) => x.reason)).toEqual(['order-id-excel-rounded', 'order-id-excel-rounded']);
  });

  it('a sheet: the heading row and rows with an empty order id cell are counted, and the column is named', async () => {
    const csv = '收件人,订单号\n甲,3000000000000001\n乙,\n丙,ABC\n';
    const got = await readOrders({ name: 'list.csv', bytes: enc(csv) });
    expect(got.ok && got.value).toMatchObject({
      orderIds: ['3000000000000001'],
      column: { index: 1, name: '订单号' },
      skipped: [
        { line: 1, why: 'heading' },
        { line: 3, why: 'empty-cell' },
      ],
      invalid: [{ line: 4, reason: 'order-id-invalid' }],
    });
  });
});
