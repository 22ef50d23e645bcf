import type { ErrorReason } from '../errors';
import type { PlatformError } from './envelope';

export type RetryAdvice =
  | { retry: 'no' }
  | { retry: 'backoff' }
  /** Wait the ban out (seconds from the gateway's sub_msg), then try again. */
  | { retry: 'ban'; seconds: number };

export interface Classification {
  reason: ErrorReason;
  advice: RetryAdvice;
}

/** Bans longer than this are a spent quota (daily limits are announced the same way), not a pause. */
const QUOTA_BAN_SECONDS = 3600;
const DEFAULT_BAN_SECONDS = 1;

/** "This ban will last for 71 more seconds" (some gateways omit "for"); also "还有 N 秒". */
export function banSeconds(subMsg: string | undefined): number | undefined {
  if (!subMsg) return undefined;
  const m = /(\d+)\s*more\s*seconds?/i.exec(subMsg) ?? /(\d+)\s*秒/.exec(subMsg);
  return m ? Number(m[1]) : undefined;
}

const THROTTLE_CODES = new Set([4, 5, 6, 7, 8]);
const PERMISSION_CODES = new Set([11, 12, 13, 42]);

/**
 * Map a platform `error_response` to this product's reasons and a retry decision. The sub_code
 * is more specific than the code, so it is read first.
 */
export function classifyPlatformError(e: PlatformError): Classification {
  const sub = e.subCode ?? '';
  const code = e.code ?? -1;

  if (sub.startsWith('accesscontrol.') || THROTTLE_CODES.has(code)) {
    const seconds = banSeconds(e.subMsg) ?? DEFAULT_BAN_SECONDS;
    if (seconds > QUOTA_BAN_SECONDS) return { reason: 'quota-exhausted', advice: { retry: 'no' } };
    return { reason: 'throttled', advice: { retry: 'ban', seconds } };
  }
  if (sub === 'invalid-sessionkey' || sub.startsWith('isv.session') || code === 27) {
    return { reason: 'session-invalid', advice: { retry: 'no' } };
  }
  if (sub.includes('timestamp')) return { reason: 'timestamp-invalid', advice: { retry: 'no' } };
  if (sub.startsWith('isp.')) return { reason: 'transient', advice: { retry: 'backoff' } };
  if (sub.startsWith('isv.permission') || sub.includes('permission-denied')) {
    return { reason: 'permission', advice: { retry: 'no' } };
  }
  if (sub.startsWith('isv.')) return { reason: 'argument-invalid', advice: { retry: 'no' } };

  switch (code) {
    case 24:
    case 25:
      return { reason: 'signature-invalid', advice: { retry: 'no' } };
    case 26:
      return { reason: 'session-missing', advice: { retry: 'no' } };
    case 28:
    case 29:
      return { reason: 'app-key-invalid', advice: { retry: 'no' } };
    case 30:
    case 31:
    case 32:
      return { reason: 'timestamp-invalid', advice: { retry: 'no' } };
    case 10:
    case 15:
      return { reason: 'transient', advice: { retry: 'backoff' } };
    case 40:
    case 41:
    case 43:
      return { reason: 'argument-invalid', advice: { retry: 'no' } };
  }
  if (PERMISSION_CODES.has(code)) return { reason: 'permission', advice: { retry: 'no' } };
  return { reason: 'platform-other', advice: { retry: 'no' } };
}
