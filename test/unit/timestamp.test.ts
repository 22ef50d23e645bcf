import { describe, expect, it } from 'vitest';
import {
  parseShanghaiTimestamp,
  shanghaiDate,
  shanghaiTimestamp,
} from '../../electron/core/gateway/timestamp';

describe('Shanghai timestamps', () => {
  it(`formats an instant in GMT+8 whatever the host zone (TZ=${process.env.TZ ?? 'unset'})`, () => {
    // 2016-01-01 04:00:00 UTC is noon in Shanghai.
    expect(shanghaiTimestamp(new Date(Date.UTC(2016, 0, 1, 4, 0, 0)))).toBe('2016-01-01 12:00:00');
  });

  it('crosses the date line correctly: 20:30 UTC is the next morning in Shanghai', () => {
    expect(shanghaiTimestamp(new Date(Date.UTC(2026, 11, 31, 20, 30, 5)))).toBe('2027-01-01 04:30:05');
    expect(shanghaiDate(new Date(Date.UTC(2026, 11, 31, 20, 30, 5)))).toBe('2027-01-01');
  });

  it('is unaffected by daylight saving in the host zone (New York switches on 2026-03-08)', () => {
    expect(shanghaiTimestamp(new Date(Date.UTC(2026, 2, 8, 6, 59, 59)))).toBe('2026-03-08 14:59:59');
    expect(shanghaiTimestamp(new Date(Date.UTC(2026, 2, 8, 7, 0, 0)))).toBe('2026-03-08 15:00:00');
  });

  it('parses its own output back to the same instant and refuses other forms', () => {
    const at = new Date(Date.UTC(2025, 5, 30, 16, 1, 2));
    expect(parseShanghaiTimestamp(shanghaiTimestamp(at))?.getTime()).toBe(at.getTime());
    expect(parseShanghaiTimestamp('2025-06-31 00:00:00')).toBeUndefined();
    expect(parseShanghaiTimestamp('2025-06-30T00:00:00')).toBeUndefined();
  });
});
