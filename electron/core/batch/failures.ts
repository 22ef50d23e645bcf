/** A batch job's failed orders as an export lists them: each with its failure in words, never personal data. */
import { clearanceError } from '../errors';
import type { FailedOrder } from '../export/types';
import type { JobStore } from './types';

export function batchFailures(store: Pick<JobStore, 'orders'>, jobId: string): FailedOrder[] {
  return store.orders(jobId, ['failed']).map((o): FailedOrder => {
    const e = o.failure
      ? clearanceError(o.failure.reason, {
          orderId: o.orderId,
          ...(o.failure.code !== null ? { code: o.failure.code } : {}),
          ...(o.failure.subCode !== null ? { subCode: o.failure.subCode } : {}),
        })
      : clearanceError('export-failed');
    return { orderId: o.orderId, reason: e.message };
  });
}
