import { describe, expect, it } from 'vitest';
import {
  checkCharacter,
  checkExpiry,
  checkIdNumber,
  credentialTypeLabel,
  maskIdNumber,
  maskName,
  parseExpiry,
  validateIdentity,
} from '../../electron/core/idcard';

/** ISO 7064 MOD 11-2 in its recursive form: an independent second implementation to check against. */
function withCheck(first17: string): string {
  let p = 0;
  for (const d of first17) p = ((p + Number(d)) * 2) % 11;
  const c = (12 - p) % 11;
  return first17 + (c === 10 ? 'X' : String(c));
}

const TODAY = '2025-06-15';

describe('GB 11643 check digit', () => {
  it('accepts 11010519491231002X, the standard example', () => {
    const r = checkIdNumber('11010519491231002X', TODAY);
    expect(r).toMatchObject({
      normalized: '11010519491231002X',
      form: 'resident',
      birthDate: '1949-12-31',
      warnings: [],
    });
  });

  it('rejects the API documentation sample 412921198810201123 (its check character should be 6)', () => {
    expect(checkIdNumber('412921198810201123', TODAY).warnings).toEqual(['check-digit']);
    expect(checkCharacter('41292119881020112')).toBe('6');
    expect(checkIdNumber('412921198810201126', TODAY).warnings).toEqual([]);
  });

  it('agrees with an independent MOD 11-2 on many numbers', () => {
    for (let i = 0; i < 500; i++) {
      const first17 = `110105${1950 + (i % 60)}0${1 + (i % 9)}1${i % 10}${String(i).padStart(3, '0').slice(-3)}`;
      expect(first17).toHaveLength(17);
      expect(first17 + checkCharacter(first17)).toBe(withCheck(first17));
    }
  });

  it('normalises a lower-case x and flags every other wrong check character', () => {
    const r = checkIdNumber('11010519491231002x', TODAY);
    expect(r.normalized).toBe('11010519491231002X');
    expect(r.warnings).toEqual([]);
    for (const c of '0123456789')
      expect(checkIdNumber(`11010519491231002${c}`, TODAY).warnings).toContain('check-digit');
  });

  it('flags numbers that are not 17 digits plus a check character', () => {
    for (const bad of [
      '',
      '110105491231002',
      '1101051949123100',
      '11010519491231002XX',
      '1101051949123100AX',
      '11010519491231002Y',
    ]) {
      expect(checkIdNumber(bad, TODAY)).toMatchObject({ form: 'unknown', warnings: ['id-format'] });
    }
  });
});

describe('birth date', () => {
  it('must be a real date', () => {
    expect(checkIdNumber(withCheck('11010519000230001'), TODAY).warnings).toEqual(['birth-date']); // 30 February
    expect(checkIdNumber(withCheck('11010519491301001'), TODAY).warnings).toEqual(['birth-date']); // month 13
    expect(checkIdNumber(withCheck('11010518991231001'), TODAY).warnings).toEqual(['birth-date']); // before 1900
    expect(checkIdNumber(withCheck('11010520240229001'), TODAY)).toMatchObject({
      birthDate: '2024-02-29',
      warnings: [],
    });
    expect(checkIdNumber(withCheck('11010520230229001'), TODAY).warnings).toEqual(['birth-date']);
  });

  it('must not be in the future (today counts as the past)', () => {
    expect(checkIdNumber(withCheck('11010520991231001'), TODAY).warnings).toEqual(['birth-future']);
    expect(checkIdNumber(withCheck('11010520250616001'), TODAY).warnings).toEqual(['birth-future']);
    expect(checkIdNumber(withCheck('11010520250615001'), TODAY).warnings).toEqual([]);
  });
});

describe('region and forms', () => {
  it('flags a province code that does not exist', () => {
    expect(checkIdNumber(withCheck('10110519491231002'), TODAY).warnings).toEqual(['region']);
    expect(checkIdNumber(withCheck('00110519491231002'), TODAY).warnings).toEqual(['region']);
    expect(checkIdNumber(withCheck('65010519491231002'), TODAY).warnings).toEqual([]);
  });

  it('recognises the Hong Kong, Macau and Taiwan residence permits (810000/820000/830000)', () => {
    for (const p of ['810000', '820000', '830000']) {
      const r = checkIdNumber(withCheck(`${p}19940823002`), TODAY);
      expect(r).toMatchObject({ form: 'hmt-permit', birthDate: '1994-08-23', warnings: [] });
    }
    expect(checkIdNumber('810000199408230021', TODAY)).toMatchObject({ form: 'hmt-permit', warnings: [] });
    expect(checkIdNumber('810000199408230022', TODAY).warnings).toEqual(['check-digit']);
  });

  it('recognises the foreign permanent-residence card (leading 9: province, nationality, birth date)', () => {
    const r = checkIdNumber('911012198501010053', TODAY);
    expect(r).toMatchObject({ form: 'foreign-permanent', birthDate: '1985-01-01', warnings: [] });
    expect(checkIdNumber('911012198501010054', TODAY).warnings).toEqual(['check-digit']);
    // 9 + province 90 does not exist.
    expect(checkIdNumber(withCheck('99010519491231002'), TODAY)).toMatchObject({
      form: 'foreign-permanent',
      warnings: ['region'],
    });
  });
});

describe('expiry', () => {
  it('parses every form the gateway sends', () => {
    expect(parseExpiry('20240101')).toEqual({ kind: 'date', date: '2024-01-01' });
    expect(parseExpiry('2024.01.01')).toEqual({ kind: 'date', date: '2024-01-01' });
    expect(parseExpiry('2024-01-01')).toEqual({ kind: 'date', date: '2024-01-01' });
    expect(parseExpiry('长期')).toEqual({ kind: 'long-term' });
    expect(parseExpiry('00000000')).toEqual({ kind: 'long-term' });
  });

  it('reads the printed range forms by their end date, dashes included', () => {
    expect(parseExpiry('2014.01.01-2034.01.01')).toEqual({ kind: 'date', date: '2034-01-01' });
    expect(parseExpiry('2014-01-01-2034-01-01')).toEqual({ kind: 'date', date: '2034-01-01' });
    expect(parseExpiry('20140101-20340101')).toEqual({ kind: 'date', date: '2034-01-01' });
    expect(parseExpiry('2014.01.01-长期')).toEqual({ kind: 'long-term' });
  });

  it('refuses what is not a real date', () => {
    for (const bad of ['', '2024', '20240230', '2024.13.01', 'soon', '2024/1/1x'])
      expect(parseExpiry(bad)).toEqual({ kind: 'unparsed' });
  });

  it('classes valid, expiring (30 days by default, configurable), expired and long-term against today', () => {
    expect(checkExpiry('20250614', TODAY)).toEqual({ status: 'expired', date: '2025-06-14', daysLeft: -1 });
    expect(checkExpiry('20250615', TODAY)).toMatchObject({ status: 'expiring', daysLeft: 0 });
    expect(checkExpiry('2025.07.15', TODAY)).toMatchObject({ status: 'expiring', daysLeft: 30 });
    expect(checkExpiry('2025-07-16', TODAY)).toMatchObject({ status: 'valid', daysLeft: 31 });
    expect(checkExpiry('2025-07-16', TODAY, 60)).toMatchObject({ status: 'expiring', daysLeft: 31 });
    expect(checkExpiry('2025-07-16', TODAY, 10).status).toBe('valid');
    expect(checkExpiry('长期', TODAY)).toEqual({ status: 'long-term' });
    expect(checkExpiry('00000000', TODAY)).toEqual({ status: 'long-term' });
    expect(checkExpiry('?', TODAY)).toEqual({ status: 'unparsed' });
  });
});

describe('validateIdentity', () => {
  const good = {
    name: '王芳',
    idNumber: '11010519491231002X',
    expiry: '20340101',
    idType: 1,
    hasImages: true,
  };

  it('has no warnings and no flags for a good identity', () => {
    const v = validateIdentity(good, TODAY);
    expect(v.warnings).toEqual([]);
    expect(v.flags).toEqual({ expired: false, expiring: false, invalid: false, noImages: false });
    expect(v.expiry.status).toBe('valid');
  });

  it('keeps and flags the documentation sample: bad check digit, expired', () => {
    const v = validateIdentity({ ...good, idNumber: '412921198810201123', expiry: '20240101' }, TODAY);
    expect(v.warnings).toEqual(['check-digit', 'expired']);
    expect(v.flags).toMatchObject({ invalid: true, expired: true });
  });

  it('flags expiring soon with the configured window, missing images, unknown type, missing name', () => {
    const v = validateIdentity(
      { ...good, expiry: '20250701', idType: 3, hasImages: false, name: ' ' },
      TODAY,
      20,
    );
    expect(v.warnings).toEqual(['name-missing', 'expiring', 'type-unknown', 'images-missing']);
    expect(v.flags).toEqual({ expired: false, expiring: true, invalid: false, noImages: true });
    expect(validateIdentity({ ...good, expiry: '20250701' }, TODAY, 10).flags.expiring).toBe(false);
    // Type 2, the foreign permanent-residence card, is a known type: named, not warned about.
    expect(validateIdentity({ ...good, idType: 2 }, TODAY).warnings).not.toContain('type-unknown');
    expect(credentialTypeLabel(2, 'zh-CN')).toBe('外国人永久居留身份证');
    expect(credentialTypeLabel(2, 'en-US')).toBe('Foreign permanent residence card');
    expect(credentialTypeLabel(7, 'zh-CN')).toBe('类型 7');
  });

  it('accepts a lower-case x and reports long-term validity', () => {
    const v = validateIdentity({ ...good, idNumber: '11010519491231002x', expiry: '长期' }, TODAY);
    expect(v.warnings).toEqual([]);
    expect(v.expiry.status).toBe('long-term');
  });
});

describe('masking', () => {
  it('keeps the first character of a name and four characters at each end of a number', () => {
    expect(maskName('欧阳娜娜')).toBe('欧***');
    expect(maskName('王𪚥')).toBe('王*');
    expect(maskIdNumber('11010519491231002X')).toBe('1101**********002X');
    expect(maskIdNumber('1234')).toBe('****');
  });
});
