// Each check before declaring, firing and not firing at its boundary.
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, foldName, runChecks, yuanText } from '../../electron/core/checks';
import type { JoinedOrder } from '../../electron/core/orders/store';
import type { FindingCode } from '../../electron/core/orders/types';

const WANG = { name: '王芳', idNumber: '11010519491231002X', expiry: '20340101' };
const opts = { declarationDate: '2025-06-15', limits: DEFAULT_LIMITS, sheetImported: true };
const codes = (orders: JoinedOrder[], o = opts) => {
  const m = runChecks(orders, o);
  return Object.fromEntries([...m].map(([id, fs]) => [id, fs.map((f) => f.code)])) as Record<
    string,
    FindingCode[]
  >;
};
const order = (
  orderId: string,
  facts: Partial<JoinedOrder['facts']> | null,
  identity = WANG,
): JoinedOrder => ({
  orderId,
  ...(facts ? { facts: { orderId, ...facts } } : {}),
  ...(identity ? { identity } : {}),
});

describe('name-mismatch', () => {
  it('compares after removing spaces and folding full-width to half-width (NFKC)', () => {
    expect(foldName(' 王 芳 ')).toBe(foldName('王芳'));
    expect(foldName('ＷＡＮＧ　Ｆａｎｇ')).toBe(foldName('wang fang'));
    expect(foldName('约翰・史密斯')).toBe(foldName('约翰·史密斯'));
    const c = codes([
      order('1', { consignee: '王 芳' }),
      order('2', { consignee: '王　芳' }),
      order('3', { consignee: '王方' }),
      order('4', {}), // no consignee column: nothing to compare
    ]);
    expect(c['1']).toEqual([]);
    expect(c['2']).toEqual([]);
    expect(c['3']).toEqual(['name-mismatch']);
    expect(c['4']).toEqual([]);
  });
});

describe('over-order-limit', () => {
  it('¥5,000.00 passes, ¥5,000.01 fires', () => {
    const c = codes([
      order('1', { amountFen: 500_000 }),
      order('2', { amountFen: 500_001 }, { ...WANG, idNumber: '110105194912310029' }),
    ]);
    expect(c['1']).toEqual([]);
    expect(c['2']).toEqual(['over-order-limit']);
  });
  it('follows the setting', () => {
    const c = codes([order('1', { amountFen: 100_001 })], {
      ...opts,
      limits: { ...DEFAULT_LIMITS, orderLimitFen: 100_000 },
    });
    expect(c['1']).toEqual(['over-order-limit']);
  });
  it('says the sums in yuan, by the digits', () => {
    expect(yuanText(500_001)).toBe('¥5,000.01');
    expect(yuanText(2_600_000)).toBe('¥26,000.00');
    expect(yuanText(5)).toBe('¥0.05');
    const f = runChecks([order('1', { amountFen: 500_001 })], opts).get('1')?.[0];
    expect(f?.message.zh).toContain('¥5,000.01');
    expect(f?.message.en).toContain('¥5,000.00');
  });
});

describe('over-annual-limit (per ID number, per calendar year in Beijing time)', () => {
  const at = (t: string, fen: number) => ({ amountFen: fen, orderTime: t });
  // Large single orders here, so the per-order limit is out of the way.
  const yearly = { ...opts, limits: { ...DEFAULT_LIMITS, orderLimitFen: 100_000_000 } };
  const yearCodes = (orders: JoinedOrder[]) => codes(orders, yearly);
  it('exactly ¥26,000.00 in a year passes; one fen more fires on the order that takes it over and later ones', () => {
    const pass = yearCodes([
      order('1', at('2025-03-01 10:00:00', 1_300_000)),
      order('2', at('2025-09-01 10:00:00', 1_300_000)),
    ]);
    expect(pass).toEqual({ '1': [], '2': [] });
    const over = yearCodes([
      order('1', at('2025-03-01 10:00:00', 1_300_000)),
      order('3', at('2025-10-01 10:00:00', 100)),
      order('2', at('2025-09-01 10:00:00', 1_300_001)),
    ]);
    expect(over).toEqual({ '1': [], '2': ['over-annual-limit'], '3': ['over-annual-limit'] });
  });
  it('two calendar years are summed apart', () => {
    const c = yearCodes([
      order('1', at('2024-12-31 23:59:59', 2_000_000)),
      order('2', at('2025-01-01 00:00:00', 2_000_000)),
    ]);
    expect(c).toEqual({ '1': [], '2': [] });
  });
  it('New Year is Beijing’s: 23:30 Beijing on 31 Dec is last year, though 15:30 UTC is too; 00:30 Beijing on 1 Jan (16:30 UTC on 31 Dec) is the new year', () => {
    // Order times are Beijing wall-clock (the sheet reader converts zoned times): 2026-01-01 00:30
    // Beijing is 2025-12-31 16:30 UTC, and belongs to 2026.
    const c = yearCodes([
      order('1', at('2025-06-01 10:00:00', 1_600_000)),
      order('2', at('2025-12-31 23:30:00', 1_000_000)),
      order('3', at('2026-01-01 00:30:00', 1_000_001)),
    ]);
    expect(c).toEqual({ '1': [], '2': [], '3': [] });
    const c2 = yearCodes([
      order('1', at('2025-06-01 10:00:00', 1_600_000)),
      order('2', at('2025-12-31 23:30:00', 1_000_001)),
    ]);
    expect(c2['2']).toEqual(['over-annual-limit']);
  });
  it('different people are not summed together', () => {
    const c = yearCodes([
      order('1', at('2025-03-01 10:00:00', 2_000_000)),
      order('2', at('2025-03-02 10:00:00', 2_000_000), { ...WANG, idNumber: '110105194912310029' }),
    ]);
    expect(c).toEqual({ '1': [], '2': [] });
  });
});

describe('shared-id', () => {
  it('fires on every order of an ID number with 3 different consignee names, not with 2', () => {
    const two = codes([
      order('1', { consignee: '王芳' }),
      order('2', { consignee: '王 芳' }),
      order('3', { consignee: '李四' }, { ...WANG, name: '王芳' }),
    ]);
    expect(two['1']).toEqual([]);
    expect(two['3']).toEqual(['name-mismatch']);
    const three = codes([
      order('1', { consignee: '王芳' }),
      order('2', { consignee: '李四' }),
      order('3', { consignee: '张三' }),
    ]);
    expect(three['1']).toEqual(['shared-id']);
    expect(three['2']).toEqual(['name-mismatch', 'shared-id']);
    const f = runChecks(
      [
        order('1', { consignee: '王芳' }),
        order('2', { consignee: '李四' }),
        order('3', { consignee: '张三' }),
      ],
      opts,
    )
      .get('1')
      ?.find((x) => x.code === 'shared-id');
    // Never the full ID number, only its masked form; never a name.
    expect(f?.message.en).toContain('1101**********002X');
    expect(JSON.stringify(f)).not.toContain(WANG.idNumber);
    expect(JSON.stringify(f)).not.toMatch(/王芳|李四|张三/);
  });
});

describe('expires-before-declaration', () => {
  it('an ID good through the declaration day passes; one that ends the day before fires; long-term never', () => {
    const c = codes([
      order('1', {}, { ...WANG, expiry: '20250615' }),
      order('2', {}, { ...WANG, idNumber: '110105194912310029', expiry: '2025.06.14' }),
      order('3', {}, { ...WANG, idNumber: '440304198506123017', expiry: '长期' }),
    ]);
    expect(c).toEqual({ '1': [], '2': ['expires-before-declaration'], '3': [] });
    const later = codes([order('1', {}, { ...WANG, expiry: '20250615' })], {
      ...opts,
      declarationDate: '2025-06-16',
    });
    expect(later['1']).toEqual(['expires-before-declaration']);
  });
});

describe('no-identity / no-sheet-row', () => {
  it('a sheet row without an identity, and an identity without a sheet row once a sheet is imported', () => {
    const noId: JoinedOrder = { orderId: '1', facts: { orderId: '1', consignee: '王芳' } };
    const noRow: JoinedOrder = { orderId: '2', identity: WANG };
    expect(codes([noId, noRow])).toEqual({ '1': ['no-identity'], '2': ['no-sheet-row'] });
    expect(codes([noRow], { ...opts, sheetImported: false })).toEqual({ '2': [] });
  });
});
