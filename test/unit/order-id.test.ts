import { describe, expect, it } from 'vitest';
import { normalizeOrderId, splitOrderIdList } from '../../electron/core/gateway/order-id';

const accept = (input: string) => {
  const r = normalizeOrderId(input);
  if (!r.ok) throw new Error(`refused ${JSON.stringify(input)}`);
  return r.value;
};

describe('normalizeOrderId', () => {
  it.each([
    ['1460536261312998', '1460536261312998'],
    ['  1460536261312998\r\n', '1460536261312998'],
    ['\t3728150192837465928\n', '3728150192837465928'],
    ['１４６０５３６２６１３１２９９８', '1460536261312998'],
    ['订单号:1460536261312998', '1460536261312998'],
    ['订单号：１４６０５３６２６１３１２９９８', '1460536261312998'],
    ['订单编号 1460536261312998', '1460536261312998'],
    ['Order ID: 1460536261312998', '1460536261312998'],
    ['00001460536261312998', '1460536261312998'],
    ['12345678901234567890', '12345678901234567890'],
  ])('accepts %j as %s', (input, expected) => {
    expect(accept(input)).toBe(expected);
  });

  it('keeps every digit of ids above 2^53', () => {
    expect(accept('9007199254740993')).toBe('9007199254740993');
    expect(Number('9007199254740993').toString()).not.toBe('9007199254740993');
  });

  it.each([
    '',
    '   ',
    'abc',
    '12a45',
    '1460-5362',
    '123456789012345678901',
    '0',
    '000',
    '-1',
    '1.5',
    '1e10',
    '订单号:',
    '①④⑥⓪',
    '1460536261312998②',
    '𝟏𝟒𝟔𝟎𝟓𝟑𝟔𝟐𝟔𝟏𝟑𝟏𝟐𝟗𝟗𝟖',
    '146053626131299²',
    '١٤٦٠٥٣٦٢٦١٣١٢٩٩٨',
    '⑴⑵⑶',
    'Ⅻ',
  ])('refuses %j with an invalid-input error that explains the rule', (input) => {
    const r = normalizeOrderId(input);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.kind).toBe('invalid-input');
      expect(r.error.message['zh-CN']).toContain('1–20 位数字');
      expect(r.error.message['en-US']).toContain('1–20 digits');
    }
  });
});

describe('splitOrderIdList', () => {
  it('splits on any separator people paste', () => {
    expect(splitOrderIdList('1, 2;3\n4\t5，6；7、8 | 9\r\n')).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
    ]);
  });
});

describe('only ASCII and full-width digits are digits', () => {
  it('a list with circled or mathematical digits keeps them as they are, so they are refused', () => {
    expect(splitOrderIdList('①④⑥⓪，𝟏𝟒')).toEqual(['①④⑥⓪', '𝟏𝟒']);
    expect(splitOrderIdList('１２３，４５６')).toEqual(['123', '456']);
  });
});
