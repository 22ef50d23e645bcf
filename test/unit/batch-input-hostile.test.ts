import { describe, expect, it } from 'vitest';
import { ordersFromText, readOrders } from '../../electron/core/batch';
import { checkXlsxSize, MAX_LINE_BYTES, MAX_XLSX_UNCOMPRESSED } from '../../electron/core/batch/input';
import { zipBomb } from '../support/zip-bomb';

const enc = (s: string) => new TextEncoder().encode(s);
const text = (name: string, bytes: Uint8Array) => readOrders({ name, bytes });

function utf16(s: string, endian: 'le' | 'be', bom = true): Uint8Array {
  const le = Buffer.from(s, 'utf16le');
  const body = endian === 'le' ? le : Buffer.from(le).swap16();
  const mark = endian === 'le' ? [0xff, 0xfe] : [0xfe, 0xff];
  return new Uint8Array(Buffer.concat([Buffer.from(bom ? mark : []), body]));
}

describe('batch input that is not a list of order ids', () => {
  it('binary garbage: every line with control bytes is reported as not an order id, none is sent', async () => {
    const bytes = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
      Buffer.from('\n\u0000123\u0001456\n'),
    ]);
    const got = await text('orders.txt', bytes);
    expect(got.ok).toBe(true);
    if (!got.ok) return;
    expect(got.value.orderIds).toEqual([]);
    expect(got.value.invalid.length).toBeGreaterThan(0);
    for (const e of got.value.invalid) {
      expect(e.reason).toBe('order-id-line-invalid');
      expect(e.preview).toMatch(/^‹\d+›$/);
      expect(e.line).toBeGreaterThan(0);
    }
  });

  it('a line with a name and an ID number is one invalid line; the ID number is neither sent nor shown', () => {
    const got = ordersFromText('李四 440524188001010014\n3000000000000001\nOrder ID: 3000000000000002\n');
    expect(got.orderIds).toEqual(['3000000000000001', '3000000000000002']);
    expect(got.invalid).toEqual([{ line: 1, reason: 'order-id-line-invalid', preview: '‹21›' }]);
    expect(JSON.stringify(got)).not.toContain('440524188001010014');
  });

  it('a lone name on a later line is reported too; a heading on the first line is not', () => {
    const got = ordersFromText('订单列表\n3000000000000001\n张三\n');
    expect(got.orderIds).toEqual(['3000000000000001']);
    expect(got.invalid).toEqual([{ line: 3, reason: 'order-id-line-invalid', preview: '‹2›' }]);
  });

  it('an 18-digit value that passes the GB 11643 check is masked in the preview', () => {
    const got = ordersFromText('440524188001010014#\n44052418800101001X\n');
    expect(JSON.stringify(got)).not.toContain('440524188001010014');
    expect(JSON.stringify(got)).not.toContain('44052418800101001');
    expect(got.invalid[0]).toMatchObject({ line: 1, preview: '4405**********0014#' });
  });

  it('Excel scientific notation is reported as changed by Excel', () => {
    const got = ordersFromText('1.23457E+18\n3000000000000001\n3.72815E18\n');
    expect(got.orderIds).toEqual(['3000000000000001']);
    expect(got.invalid).toEqual([
      { line: 1, reason: 'order-id-excel-rounded', preview: '1.23457E+18' },
      { line: 3, reason: 'order-id-excel-rounded', preview: '3.72815E18' },
    ]);
  });

  it('long ids that all end in zeros past the 15th digit were rounded by Excel; one such id among others is not', async () => {
    const csv = '订单号\n3728150192837460000\n3728150192837470000\n3728150192837480000\n';
    const got = await text('o.csv', enc(csv));
    expect(got.ok && got.value.orderIds).toEqual([]);
    expect(got.ok && got.value.invalid.map((e) => [e.line, e.reason])).toEqual([
      [2, 'order-id-excel-rounded'],
      [3, 'order-id-excel-rounded'],
      [4, 'order-id-excel-rounded'],
    ]);
    const mixed = ordersFromText('3728150192837465928\n3728150192837460000\n3728150192837471234\n');
    expect(mixed.orderIds).toHaveLength(3);
    expect(mixed.invalid).toEqual([]);
  });

  it('rounded ids are explained: "changed by Excel: format the column as text"', async () => {
    const { ERRORS } = await import('../../electron/core/errors');
    expect(ERRORS['order-id-excel-rounded'].en()).toMatch(/changed by Excel.*format the column as Text/i);
    expect(ERRORS['order-id-excel-rounded'].zh()).toContain('文本');
  });

  it.each([
    ['UTF-16LE with BOM', utf16('订单号,姓名\r\n3000000000000001,张三\r\n', 'le')],
    ['UTF-16BE with BOM', utf16('订单号,姓名\n3000000000000001,张三\n', 'be')],
    ['UTF-16LE without BOM', utf16('订单号,姓名\n3000000000000001,张三\n', 'le', false)],
    [
      'UTF-8 with BOM',
      new Uint8Array(
        Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('订单号,姓名\n3000000000000001,张三\n')]),
      ),
    ],
  ])('a CSV in %s is decoded: column names are not mojibake', async (_what, bytes) => {
    const got = await text('o.csv', bytes);
    expect(got.ok).toBe(true);
    if (!got.ok) return;
    expect(got.value.column?.name).toBe('订单号');
    expect(got.value.orderIds).toEqual(['3000000000000001']);
  });

  it('a UTF-16 text list is decoded too', async () => {
    const got = await text('o.txt', utf16('3000000000000001\n3000000000000002\n', 'le'));
    expect(got.ok && got.value.orderIds).toEqual(['3000000000000001', '3000000000000002']);
  });

  it('a line over the cap is refused with its line number, the others are read', async () => {
    const big = `3000000000000001\n${'1,'.repeat(MAX_LINE_BYTES)}\n3000000000000002\n`;
    const got = await text('o.txt', enc(big));
    expect(got.ok).toBe(true);
    if (!got.ok) return;
    expect(got.value.orderIds).toEqual(['3000000000000001', '3000000000000002']);
    expect(got.value.invalid).toEqual([
      { line: 2, reason: 'input-line-too-long', preview: expect.any(String) },
    ]);
  });

  it('the XLSX cap: a workbook within it is opened, one past it is refused, whatever its headers say', () => {
    const mib = MAX_XLSX_UNCOMPRESSED / 1024 / 1024;
    expect(checkXlsxSize(zipBomb(mib - 1))).toBeUndefined();
    expect(checkXlsxSize(zipBomb(mib + 1))?.reason).toBe('input-too-large');
    expect(checkXlsxSize(zipBomb(mib + 1, { declaredSheetSize: 1024 }))?.reason).toBe('input-too-large');
    expect(checkXlsxSize(zipBomb(2, { declaredSheetSize: 1024 }))?.reason).toBe('input-too-large');
  });
});
