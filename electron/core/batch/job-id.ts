import { randomBytes } from 'node:crypto';
import { shanghaiDate } from '../gateway/timestamp';

/** `20250314-3fa9c1`: sorts by day and is short enough to type after `batch --resume`. */
export function newJobId(at: Date): string {
  return `${shanghaiDate(at).replace(/-/g, '')}-${randomBytes(3).toString('hex')}`;
}

export const JOB_ID_PATTERN = /^\d{8}-[0-9a-f]{6}$/;
