import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkCharacter,
  checkExpiry,
  checkIdNumber,
  maskIdNumber,
  parseExpiry,
  validateIdentity,
} from '../../electron/core/idcard';
import { params, quick, timeout } from './runs';

const TODAY = '2026-12-01';
const anyText = fc.string({ unit: 'binary', maxLength: 80 });
const date = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const sep = fc.constantFrom('', '.', '-', '/');
const printed = fc.tuple(date, sep).map(([d, s]) => d.replaceAll('-', s));

/** 17 digits and their true check character: a structurally valid ID number. */
const validId = fc
  .tuple(
    fc.constantFrom('11', '31', '44', '65', '81', '83'),
    fc.stringMatching(/^\d{4}$/),
    date,
    fc.stringMatching(/^\d{3}$/),
  )
  .map(([p, area, d, seq]) => {
    const first17 = `${p}${area}${d.replaceAll('-', '')}${seq}`;
    return first17 + checkCharacter(first17);
  });

describe('expiry parsing (property)', () => {
  it(
    'any text: never throws, quickly, and gives one of the three kinds',
    () => {
      fc.assert(
        fc.property(anyText, (s) => {
          const p = quick(500, () => parseExpiry(s));
          expect(['date', 'long-term', 'unparsed']).toContain(p.kind);
          const c = checkExpiry(s, TODAY);
          expect(['valid', 'expiring', 'expired', 'long-term', 'unparsed']).toContain(c.status);
        }),
        params(),
      );
    },
    timeout(),
  );

  it(
    'long hostile expiries (repeated ranges, 100 KB) are unparsed, never a stack overflow',
    () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 100_000 }), printed, (n, d) => {
          const s = `${d}-`.repeat(n - 1) + d;
          const p = quick(2000, () => parseExpiry(s));
          // One date, or one range: anything longer is no expiry.
          expect(p.kind).toBe(n <= 2 ? 'date' : 'unparsed');
        }),
        params(0.2),
      );
    },
    timeout(50),
  );

  it(
    'every printed form of a real date parses back to that date; a range to its end',
    () => {
      fc.assert(
        fc.property(printed, date, fc.constantFrom('-', ' - ', '~', '至'), (p, start, dash) => {
          const iso = (s: string) => s.replace(/[./-]/g, '').replace(/^(\d{4})(\d{2})(\d{2})$/, '$1-$2-$3');
          expect(parseExpiry(p)).toEqual({ kind: 'date', date: iso(p) });
          expect(parseExpiry(`${start.replaceAll('-', '.')}${dash}${p}`)).toEqual({
            kind: 'date',
            date: iso(p),
          });
          expect(parseExpiry(`${start.replaceAll('-', '.')}${dash}长期`)).toEqual({ kind: 'long-term' });
        }),
        params(),
      );
    },
    timeout(),
  );
});

describe('ID validation (property)', () => {
  it(
    'any text: never throws; the warnings are known codes; masking keeps the length and hides the middle',
    () => {
      fc.assert(
        fc.property(anyText, (s) => {
          const c = quick(500, () => checkIdNumber(s, TODAY));
          expect(c.warnings.every((w) => typeof w === 'string')).toBe(true);
          const m = maskIdNumber(s);
          expect([...m].length).toBe([...s.trim()].length);
          const v = validateIdentity(
            { name: s, idNumber: s, expiry: s, idType: null, hasImages: false },
            TODAY,
          );
          expect(typeof v.flags.invalid).toBe('boolean');
        }),
        params(),
      );
    },
    timeout(),
  );

  it(
    'a valid number passes its check digit; changing any one digit fails it',
    () => {
      fc.assert(
        fc.property(
          validId,
          fc.integer({ min: 0, max: 16 }),
          fc.integer({ min: 1, max: 9 }),
          (id, at, plus) => {
            expect(checkIdNumber(id, TODAY).warnings).not.toContain('check-digit');
            const changed = `${id.slice(0, at)}${(Number(id[at]) + plus) % 10}${id.slice(at + 1)}`;
            expect(checkIdNumber(changed, TODAY).warnings).toContain('check-digit');
            expect(maskIdNumber(id)).toBe(`${id.slice(0, 4)}${'*'.repeat(10)}${id.slice(-4)}`);
          },
        ),
        params(),
      );
    },
    timeout(),
  );
});
