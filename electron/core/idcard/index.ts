/**
 * Credential checks a customs broker would make before filing: GB 11643 structure and check digit,
 * birth date, region prefix, the residence-permit and foreign permanent-residence forms, expiry.
 * Pure functions of their input and "today" (a Shanghai calendar date), so they behave the same
 * in the vault, the UI, the command and the tests, whatever the host's time zone.
 */
import type { Lang } from '../errors';
import type { ExpiryStatus } from '../rules';

export type IdForm = 'resident' | 'hmt-permit' | 'foreign-permanent' | 'unknown';
export type { ExpiryStatus };

export const WARNINGS = {
  'id-format': {
    zh: '证件号码不是 18 位（17 位数字加校验位）',
    en: 'The ID number is not 18 characters (17 digits and a check character)',
  },
  'check-digit': {
    zh: '证件号码校验位不正确，海关可能拒收',
    en: 'The check digit of the ID number is wrong; customs may reject it',
  },
  'birth-date': {
    zh: '证件号码中的出生日期无效',
    en: 'The birth date inside the ID number is not a real date',
  },
  'birth-future': {
    zh: '证件号码中的出生日期在未来',
    en: 'The birth date inside the ID number is in the future',
  },
  region: { zh: '证件号码的地区代码不存在', en: 'The region code of the ID number does not exist' },
  'expiry-unparsed': { zh: '无法识别证件有效期', en: 'The ID expiry date could not be read' },
  expired: { zh: '证件已过期，海关可能拒收', en: 'The ID card has expired; customs may reject it' },
  expiring: { zh: '证件即将过期', en: 'The ID card expires soon' },
  'type-unknown': { zh: '未知的证件类型', en: 'Unknown credential type' },
  'name-missing': { zh: '缺少姓名', en: 'The name is missing' },
  'images-missing': { zh: '没有证件照片', en: 'No ID images' },
} as const;
export type WarningCode = keyof typeof WARNINGS;

export const warningText = (code: WarningCode, lang: Lang) =>
  lang === 'zh-CN' ? WARNINGS[code].zh : WARNINGS[code].en;

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

/** ISO 7064 MOD 11-2 check character for the first 17 digits of a GB 11643 number. */
export function checkCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (WEIGHTS[i] as number);
  return CHECK_CHARS[sum % 11] as string;
}

/** Province-level codes of GB/T 2260, plus 71 (Taiwan) and 81/82/83 (residence permits). */
const PROVINCES = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61,
  62, 63, 64, 65, 71, 81, 82, 83,
]);

export function normalizeIdNumber(id: string): string {
  return id.trim().replace(/x$/, 'X');
}

export interface IdNumberCheck {
  normalized: string;
  form: IdForm;
  /** YYYY-MM-DD when the embedded birth date is real. */
  birthDate?: string;
  warnings: WarningCode[];
}

function realDate(y: number, m: number, d: number): string | undefined {
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return undefined;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Structure, check digit, birth date and region of an 18-character ID number. `today`: YYYY-MM-DD. */
export function checkIdNumber(id: string, today: string): IdNumberCheck {
  const normalized = normalizeIdNumber(id);
  if (!/^\d{17}[\dX]$/.test(normalized)) return { normalized, form: 'unknown', warnings: ['id-format'] };
  const warnings: WarningCode[] = [];
  const form: IdForm = normalized.startsWith('9')
    ? 'foreign-permanent'
    : /^8[123]0000/.test(normalized)
      ? 'hmt-permit'
      : 'resident';
  if (checkCharacter(normalized) !== normalized[17]) warnings.push('check-digit');
  // The 2023 foreign permanent-residence card: 9 + issuing province (2) + nationality (3) + birth date.
  const province = Number(form === 'foreign-permanent' ? normalized.slice(1, 3) : normalized.slice(0, 2));
  if (!PROVINCES.has(province)) warnings.push('region');
  const birthDate = realDate(
    Number(normalized.slice(6, 10)),
    Number(normalized.slice(10, 12)),
    Number(normalized.slice(12, 14)),
  );
  if (!birthDate || birthDate < '1900-01-01') warnings.push('birth-date');
  else if (birthDate > today) warnings.push('birth-future');
  const out: IdNumberCheck = { normalized, form, warnings };
  if (birthDate) out.birthDate = birthDate;
  return out;
}

export type ParsedExpiry = { kind: 'date'; date: string } | { kind: 'long-term' } | { kind: 'unparsed' };

/**
 * Expiry as the gateway and its sibling APIs send it: `YYYYMMDD`, `YYYY.MM.DD`, `YYYY-MM-DD`,
 * `长期` or `00000000` (long-term), and the printed range form `YYYY.MM.DD-YYYY.MM.DD`.
 */
export function parseExpiry(raw: string): ParsedExpiry {
  // The longest real form is a printed range (about 25 characters): a longer text is no expiry,
  // and is not worth normalising (a gateway could send megabytes).
  if (raw.length > MAX_EXPIRY_LENGTH) return { kind: 'unparsed' };
  const s = raw.normalize('NFKC').trim();
  // A range's start is a full date in any of the forms (dashes included), so split after it, not at the last dash.
  const range = /^\d{4}[.\-/]?\d{2}[.\-/]?\d{2}\s*[-~至]\s*(.+)$/.exec(s);
  // One range at most: its end is a single date or long-term, never another range.
  return range ? single(range[1] as string) : single(s);
}

const MAX_EXPIRY_LENGTH = 64;

function single(s: string): ParsedExpiry {
  if (s === '长期' || s === '長期' || /^0{8}$/.test(s) || /^long[- ]?term$/i.test(s))
    return { kind: 'long-term' };
  const m = /^(\d{4})[.\-/]?(\d{2})[.\-/]?(\d{2})$/.exec(s);
  if (!m) return { kind: 'unparsed' };
  const date = realDate(Number(m[1]), Number(m[2]), Number(m[3]));
  return date ? { kind: 'date', date } : { kind: 'unparsed' };
}

const DAY_MS = 86_400_000;
const daysBetween = (from: string, to: string) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);

export interface ExpiryCheck {
  status: ExpiryStatus;
  date?: string;
  /** Days from today to the expiry date (negative once expired). */
  daysLeft?: number;
}

/** The card is good through its expiry date; `expiringDays` ahead of it, it is "expiring". */
export function checkExpiry(raw: string, today: string, expiringDays = 30): ExpiryCheck {
  const p = parseExpiry(raw);
  if (p.kind !== 'date') return { status: p.kind };
  const daysLeft = daysBetween(today, p.date);
  const status: ExpiryStatus = daysLeft < 0 ? 'expired' : daysLeft <= expiringDays ? 'expiring' : 'valid';
  return { status, date: p.date, daysLeft };
}

/** Credential types: 1 is the only one seen (resident ID card); others are shown by number. */
/** The gateway's credential types: 1 resident ID card, 2 foreign permanent-residence card. */
export const KNOWN_CREDENTIAL_TYPES: readonly number[] = [1, 2];

export function credentialTypeLabel(type: number | null, lang: Lang): string {
  if (type === 1) return lang === 'zh-CN' ? '居民身份证' : 'Resident ID card';
  if (type === 2) return lang === 'zh-CN' ? '外国人永久居留身份证' : 'Foreign permanent residence card';
  if (type === null) return lang === 'zh-CN' ? '类型未知' : 'Type unknown';
  return lang === 'zh-CN' ? `类型 ${type}` : `Type ${type}`;
}

export const ID_FORM_LABELS: Record<IdForm, { zh: string; en: string }> = {
  resident: { zh: '居民身份证号码', en: 'Resident ID number' },
  'hmt-permit': { zh: '港澳台居民居住证号码', en: 'HK/Macau/Taiwan residence permit number' },
  'foreign-permanent': { zh: '外国人永久居留身份证号码', en: 'Foreign permanent residence ID number' },
  unknown: { zh: '无法识别的号码', en: 'Unrecognised number' },
};

export interface IdentityValidation {
  form: IdForm;
  birthDate?: string;
  expiry: ExpiryCheck;
  warnings: WarningCode[];
  /** Search flags, derived here so that the vault, the command and the UI agree. */
  flags: { expired: boolean; expiring: boolean; invalid: boolean; noImages: boolean };
}

export interface ValidationInput {
  name: string;
  idNumber: string;
  expiry: string;
  idType: number | null;
  hasImages: boolean;
}

export function validateIdentity(v: ValidationInput, today: string, expiringDays = 30): IdentityValidation {
  const id = checkIdNumber(v.idNumber, today);
  const expiry = checkExpiry(v.expiry, today, expiringDays);
  const warnings: WarningCode[] = [...id.warnings];
  if (!v.name.trim()) warnings.push('name-missing');
  if (expiry.status === 'unparsed') warnings.push('expiry-unparsed');
  if (expiry.status === 'expired') warnings.push('expired');
  if (expiry.status === 'expiring') warnings.push('expiring');
  if (v.idType === null || !KNOWN_CREDENTIAL_TYPES.includes(v.idType)) warnings.push('type-unknown');
  if (!v.hasImages) warnings.push('images-missing');
  const out: IdentityValidation = {
    form: id.form,
    expiry,
    warnings,
    flags: {
      expired: expiry.status === 'expired',
      expiring: expiry.status === 'expiring',
      invalid: id.warnings.length > 0,
      noImages: !v.hasImages,
    },
  };
  if (id.birthDate) out.birthDate = id.birthDate;
  return out;
}

/** 张三 → 张*, 欧阳娜娜 → 欧***; a name is masked to its first character. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length === 0) return '';
  return chars[0] + '*'.repeat(Math.max(1, chars.length - 1));
}

/** 11010519491231002X → 1101**********002X: the first four and last four stay. */
export function maskIdNumber(id: string): string {
  const chars = [...id.trim()];
  if (chars.length <= 8) return '*'.repeat(chars.length);
  return chars.slice(0, 4).join('') + '*'.repeat(chars.length - 8) + chars.slice(-4).join('');
}

/**
 * 13812341234 → 138****1234, +86 138 1234 1234 → +86138****1234: the first three and last four
 * digits of the number stay (what couriers print on a waybill); a short number is masked whole.
 */
export function maskPhone(phone: string): string {
  const t = phone.normalize('NFKC').replace(/[\s\-()]/g, '');
  const m = /^(\+?\d{1,3}?)?(\d{11})$/.exec(t);
  const core = m ? (m[2] as string) : t;
  const prefix = m ? (m[1] ?? '') : '';
  const chars = [...core];
  if (chars.length < 8) return '*'.repeat(chars.length);
  return prefix + chars.slice(0, 3).join('') + '*'.repeat(chars.length - 7) + chars.slice(-4).join('');
}
