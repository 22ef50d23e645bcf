/**
 * The check settings as the form edits them: amounts typed in yuan, kept in fen, read by the
 * digits (never through a float), and each field's problem in words. Ranges are core/rules.ts's.
 */
import type { Preferences } from '../../../../electron/contract';
import { CHECK_LIMITS } from '../../../../electron/core/rules';
import type { Dict } from '../../i18n';

/** The defaults of the settings schema (core/settings/schema.ts), for "restore defaults". */
export const CHECK_DEFAULTS = {
  orderLimitFen: 500_000,
  annualLimitFen: 2_600_000,
  sharedIdNames: 3,
  waitingRecheckMinutes: 30,
} as const;

export type ChecksValues = { -readonly [K in keyof typeof CHECK_DEFAULTS]: number };
export type ChecksDraft = Record<keyof ChecksValues, string>;
export type ChecksErrors = Partial<Record<keyof ChecksValues, string>>;

/** 500001 → "5000.01": the amount as the box shows it (no grouping, two decimals). */
export function fenToYuan(fen: number): string {
  const s = String(Math.trunc(fen)).padStart(3, '0');
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}

/** "5,000.01", "¥5000.1", "5000" → fen; null when it is not an amount in yuan with ≤ 2 decimals. */
export function yuanToFen(text: string): number | null {
  const t = text.trim().replace(/^[¥￥]\s*/, '');
  // Grouping commas only where they group thousands.
  if (!/^(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$/.test(t)) return null;
  const [whole = '', part = ''] = t.replace(/,/g, '').split('.');
  if (whole.replace(/^0+/, '').length > 12) return null;
  return Number(whole) * 100 + Number(part.padEnd(2, '0'));
}

export const draftOf = (p: Preferences): ChecksDraft => ({
  orderLimitFen: fenToYuan(p.orderLimitFen ?? CHECK_DEFAULTS.orderLimitFen),
  annualLimitFen: fenToYuan(p.annualLimitFen ?? CHECK_DEFAULTS.annualLimitFen),
  sharedIdNames: String(p.sharedIdNames ?? CHECK_DEFAULTS.sharedIdNames),
  waitingRecheckMinutes: String(p.waitingRecheckMinutes ?? CHECK_DEFAULTS.waitingRecheckMinutes),
});

const wholeNumber = (text: string): number | null => (/^\d{1,6}$/.test(text.trim()) ? Number(text) : null);

/** The values to save, or what is wrong with each field (in the dictionary's language). */
export function readChecks(
  d: ChecksDraft,
  t: Dict['checks'],
): { ok: true; value: ChecksValues } | { ok: false; errors: ChecksErrors } {
  const errors: ChecksErrors = {};
  const amount = (k: 'orderLimitFen' | 'annualLimitFen'): number => {
    const fen = yuanToFen(d[k]);
    const max = CHECK_LIMITS[k].max;
    if (fen === null) errors[k] = t.badYuan;
    else if (fen < CHECK_LIMITS[k].min) errors[k] = t.notPositive;
    else if (fen > max) errors[k] = t.tooLarge(`¥${fenToYuan(max)}`);
    return fen ?? 0;
  };
  const orderLimitFen = amount('orderLimitFen');
  const annualLimitFen = amount('annualLimitFen');
  if (!errors.orderLimitFen && !errors.annualLimitFen && annualLimitFen < orderLimitFen)
    errors.annualLimitFen = t.annualBelowOrder;
  const names = wholeNumber(d.sharedIdNames);
  const { min: nMin, max: nMax } = CHECK_LIMITS.sharedIdNames;
  if (names === null || names < nMin || names > nMax) errors.sharedIdNames = t.badCount(nMin, nMax);
  const minutes = wholeNumber(d.waitingRecheckMinutes);
  const { shortest, max: mMax } = CHECK_LIMITS.waitingRecheckMinutes;
  if (minutes === null || (minutes !== 0 && (minutes < shortest || minutes > mMax)))
    errors.waitingRecheckMinutes = t.badInterval(shortest, mMax);
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    value: {
      orderLimitFen,
      annualLimitFen,
      sharedIdNames: names as number,
      waitingRecheckMinutes: minutes as number,
    },
  };
}
