/**
 * "Do not ship this parcel as is": the lookup outcomes a packer must act on, in one place, so the
 * card banner, the recent-scans strip and the sound agree.
 */
import type { CardView } from '../../electron/contract';
import type { ClearanceError } from './api';

export type Problem = 'expired' | 'invalidId' | 'unknownOrder';
export type ScanState = 'ok' | 'problem' | 'failed';

/** The ID-number warnings that make customs refuse the declaration. */
const INVALID_ID_CODES = new Set(['check-digit', 'id-format', 'birth-date', 'birth-future', 'region']);

export function cardProblem(card: CardView): Problem | null {
  if (card.expiry.status === 'expired') return 'expired';
  if (card.warnings.some((w) => INVALID_ID_CODES.has(w.code))) return 'invalidId';
  return null;
}

export function errorProblem(error: ClearanceError): Problem | null {
  return error.kind === 'business' ? 'unknownOrder' : null;
}

/** Every problem of a card (an expired card can also have a bad check digit). */
export function cardProblems(card: CardView): Problem[] {
  const out: Problem[] = [];
  if (card.expiry.status === 'expired') out.push('expired');
  if (card.warnings.some((w) => INVALID_ID_CODES.has(w.code))) out.push('invalidId');
  return out;
}

export interface RecentScan {
  orderId: string;
  state: ScanState;
  /** Why, when the state is not ok: a problem, or the error kind of a failure. */
  problem: Problem | null;
  errorKind: ClearanceError['kind'] | null;
  at: number;
}

export const RECENT_MAX = 20;

/** The newest first, one row per order (a rescan moves it up), at most RECENT_MAX. */
export function addRecent(list: RecentScan[], scan: RecentScan): RecentScan[] {
  return [scan, ...list.filter((s) => s.orderId !== scan.orderId)].slice(0, RECENT_MAX);
}
