import { describe, expect, it } from 'vitest';
import { beijingDay, dateRange } from '../../../renderer/src/views/records/DateFilter';

describe('the records date filter', () => {
  it('counts days in Beijing time, whatever the machine zone', () => {
    // 16:30 UTC is 00:30 the next day in Beijing.
    const late = new Date('2026-03-09T16:30:00Z');
    expect(beijingDay(late)).toBe('2026-03-10');
    expect(dateRange({ kind: 'today', from: '', to: '' }, late)).toEqual({
      fetchedFrom: '2026-03-10',
      fetchedTo: '2026-03-10',
    });
    expect(dateRange({ kind: 'yesterday', from: '', to: '' }, late)).toEqual({
      fetchedFrom: '2026-03-09',
      fetchedTo: '2026-03-09',
    });
  });

  it('a range sends only the days filled in; any date sends nothing', () => {
    expect(dateRange({ kind: 'range', from: '2026-01-01', to: '' })).toEqual({ fetchedFrom: '2026-01-01' });
    expect(dateRange({ kind: 'range', from: '2026-01-01', to: '2026-01-31' })).toEqual({
      fetchedFrom: '2026-01-01',
      fetchedTo: '2026-01-31',
    });
    expect(dateRange({ kind: 'any', from: '2026-01-01', to: '2026-01-31' })).toEqual({});
  });
});
