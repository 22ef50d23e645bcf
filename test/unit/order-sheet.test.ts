// The order sheet as warehouses export it: GB 18030 CSV with Chinese headings, XLSX with English
// ones, unknown columns beside them; amounts exact to the fen; bad rows by row number, nothing half-read.
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { badRowText, parseOrderTime, parseYuan, readSheet } from '../../electron/core/orders/sheet';
import { gb18030 } from '../support/gb18030';

async function xlsx(rows: unknown[][], opts: { textColumns?: number[] } = {}): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('订单');
  for (const r of rows) ws.addRow(r);
  for (const c of opts.textColumns ?? []) ws.getColumn(c).numFmt = '@';
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('parseYuan: yuan → fen by the digits', () => {
  it.each([
    ['5000', 500_000],
    ['5,000.00', 500_000],
    ['5000.01', 500_001],
    ['¥5,000.01', 500_001],
    ['￥５０００．０１元', 500_001],
    ['0.1', 10],
    ['0.10', 10],
    ['12.340', 1234],
    ['26,000.00', 2_600_000],
    ['99999999999.99', 9_999_999_999_999],
  ])('%s → %d', (text, fen) => expect(parseYuan(text)).toBe(fen));
  it.each(['', '-5', '5.001', 'abc', '5,00.00', '1e3', '5.0.0'])('refuses %j', (text) =>
    expect(parseYuan(text)).toBeUndefined(),
  );
  it('never goes through a float: 0.07 + 0.02 style sums stay exact', () => {
    // 0.29 * 100 is 28.999999999999996 in floating point.
    expect(parseYuan('0.29')).toBe(29);
    expect(parseYuan('1.15')).toBe(115);
  });
});

describe('parseOrderTime: Beijing wall-clock', () => {
  it('keeps a time without a zone as Beijing time', () => {
    expect(parseOrderTime('2025-12-31 23:30:00')).toBe('2025-12-31 23:30:00');
    expect(parseOrderTime('2025/1/5 8:05')).toBe('2025-01-05 08:05:00');
    expect(parseOrderTime('2025-06-15')).toBe('2025-06-15 00:00:00');
    expect(parseOrderTime('2025年6月15日 10:00:00')).toBe('2025-06-15 10:00:00');
  });
  it('converts a UTC or offset time to Beijing (New Year in UTC is already 08:00 in Beijing)', () => {
    expect(parseOrderTime('2025-12-31T16:30:00Z')).toBe('2026-01-01 00:30:00');
    expect(parseOrderTime('2025-12-31T15:59:59Z')).toBe('2025-12-31 23:59:59');
    expect(parseOrderTime('2025-12-31T20:00:00-05:00')).toBe('2026-01-01 09:00:00');
  });
  it.each(['2025-02-30 10:00:00', '2025-06-15 24:00:00', 'yesterday', '15/06/2025'])('refuses %j', (t) =>
    expect(parseOrderTime(t)).toBeUndefined(),
  );
});

describe('readSheet', () => {
  it('reads a GB 18030 CSV with Chinese headings and an unknown column', async () => {
    const csv = [
      '交易订单号,物流单号,收货人,手机,实付金额,支付流水号,支付时间,商品名称',
      '3000000000000001,SF1234567890,张 三,13812341234,"5,000.00",P0001,2025-06-15 10:00:00,奶粉',
      '3000000000000002,YT9876543210,李四,13900001111,5000.01,P0002,2025/6/15 11:00,面霜',
    ].join('\r\n');
    const got = await readSheet({ name: '订单.csv', bytes: gb18030(csv) });
    if (!got.ok) throw new Error(JSON.stringify(got));
    expect(got.value.rows).toEqual([
      {
        orderId: '3000000000000001',
        waybill: 'SF1234567890',
        consignee: '张 三',
        phone: '13812341234',
        amountFen: 500_000,
        paymentNo: 'P0001',
        orderTime: '2025-06-15 10:00:00',
      },
      {
        orderId: '3000000000000002',
        waybill: 'YT9876543210',
        consignee: '李四',
        phone: '13900001111',
        amountFen: 500_001,
        paymentNo: 'P0002',
        orderTime: '2025-06-15 11:00:00',
      },
    ]);
    expect(got.value.ignored).toEqual(['商品名称']);
    expect(got.value.columns.consignee).toEqual({ index: 3, name: '收货人' });
  });

  it('reads an XLSX with English headings, numbers and date cells', async () => {
    const bytes = await xlsx(
      [
        ['Order ID', 'Waybill', 'Consignee', 'Phone', 'Amount', 'Payment No.', 'Order time', 'Colour'],
        [
          '3728150192837465928',
          'JD0001',
          'Wang Fang',
          '13812341234',
          5000.01,
          'PAY-1',
          new Date(Date.UTC(2025, 11, 31, 23, 30, 0)),
          'red',
        ],
        [3000000000000003, 'JD0002', '王芳', 13800001111, 120, 'PAY-2', '2026-01-01 00:10:00', 'blue'],
      ],
      { textColumns: [1] },
    );
    const got = await readSheet({ name: 'orders.xlsx', bytes });
    if (!got.ok) throw new Error(JSON.stringify(got));
    expect(got.value.rows[0]).toEqual({
      orderId: '3728150192837465928',
      waybill: 'JD0001',
      consignee: 'Wang Fang',
      phone: '13812341234',
      amountFen: 500_001,
      paymentNo: 'PAY-1',
      // The cell's wall-clock time as written, whatever the test's own time zone.
      orderTime: '2025-12-31 23:30:00',
    });
    expect(got.value.rows[1]).toMatchObject({
      orderId: '3000000000000003',
      phone: '13800001111',
      amountFen: 12_000,
    });
    expect(got.value.ignored).toEqual(['Colour']);
  });

  it('reports every bad row by its number (header = row 1) and imports nothing', async () => {
    const csv = [
      '订单号,收件人,实付金额,下单时间',
      '3000000000000001,张三,100.00,2025-06-15 10:00:00',
      'ABC,李四,100.00,2025-06-15 10:00:00',
      '3000000000000003,王五,1.001,2025-06-15 10:00:00',
      '3000000000000004,赵六,100,2025-02-30 10:00:00',
      ',钱七,100,2025-06-15 10:00:00',
    ].join('\n');
    const got = await readSheet({ name: 's.csv', bytes: Buffer.from(csv) });
    expect(got.ok).toBe(false);
    if (got.ok) return;
    expect(got.badRows).toEqual([
      { row: 3, field: 'orderId', reason: 'order-id-invalid' },
      { row: 4, field: 'amountFen', reason: 'amount-invalid' },
      { row: 5, field: 'orderTime', reason: 'time-invalid' },
      { row: 6, field: 'orderId', reason: 'order-id-missing' },
    ]);
    expect(got.error.error.message['en-US']).toContain('nothing was imported');
    // The message names the row and the rule, never the cell (a name could be in it).
    const texts = got.badRows.map((b) => badRowText(b, 'zh-CN')).join('\n');
    expect(texts).toContain('第 3 行');
    expect(texts).not.toMatch(/李四|ABC/);
  });

  it('refuses an order id a spreadsheet stored as a number past 2^53', async () => {
    const bytes = await xlsx([
      ['订单号', '收件人'],
      [Number('3728150192837465928'), '王芳'], // what a spreadsheet keeps of it
    ]);
    const got = await readSheet({ name: 'x.xlsx', bytes });
    expect(got.ok).toBe(false);
    if (!got.ok) expect(got.badRows).toEqual([{ row: 2, field: 'orderId', reason: 'order-id-imprecise' }]);
  });

  it('asks which column when two could be the order time or none is the order id', async () => {
    const two = '订单号,下单时间,支付时间\n3000000000000001,2025-06-15 10:00:00,2025-06-15 10:05:00\n';
    const a = await readSheet({ name: 'a.csv', bytes: Buffer.from(two) });
    expect(a.ok).toBe(false);
    if (!a.ok) {
      expect(a.error.columns).toEqual(['2: 下单时间 → orderTime', '3: 支付时间 → orderTime']);
      expect(a.error.error.reason).toBe('usage');
    }
    const b = await readSheet({ name: 'a.csv', bytes: Buffer.from(two) }, ['支付时间=orderTime']);
    expect(b.ok && b.value.rows[0]?.orderTime).toBe('2025-06-15 10:05:00');
    // `-` skips a column; the other then stands alone.
    const c = await readSheet({ name: 'a.csv', bytes: Buffer.from(two) }, ['3=-']);
    expect(c.ok && c.value.rows[0]?.orderTime).toBe('2025-06-15 10:00:00');

    const none = await readSheet({ name: 'n.csv', bytes: Buffer.from('单据,姓名\n3000000000000001,张三\n') });
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.error.columns).toEqual(['1: 单据', '2: 姓名']);
    const mapped = await readSheet(
      { name: 'n.csv', bytes: Buffer.from('单据,姓名\n3000000000000001,张三\n') },
      ['A=orderId', '姓名=consignee'],
    );
    expect(mapped.ok && mapped.value.rows).toEqual([{ orderId: '3000000000000001', consignee: '张三' }]);
    const badMap = await readSheet({ name: 'n.csv', bytes: Buffer.from('单据\n1\n') }, ['单据=colour']);
    expect(badMap.ok).toBe(false);
  });

  it('keeps the later row when a sheet lists an order twice', async () => {
    const csv = '订单号,收件人\n3000000000000001,张三\n3000000000000001,张三丰\n';
    const got = await readSheet({ name: 'd.csv', bytes: Buffer.from(csv) });
    expect(got.ok && got.value.rows).toEqual([{ orderId: '3000000000000001', consignee: '张三丰' }]);
    expect(got.ok && got.value.repeated).toBe(1);
  });
});
