/**
 * What a scanned value is: a waybill on the imported sheet (checked first: waybills are often all
 * digits and would pass for an order id), else an order id, else nothing the gateway should see.
 */
import { type ClearanceError, clearanceError } from '../errors';
import { normalizeOrderId } from '../gateway/order-id';
import type { OrderStore } from './store';

export type Scanned =
  | { ok: true; orderId: string; via: 'waybill' | 'order-id' }
  | { ok: false; orderIds: string[]; error: ClearanceError };

export function resolveScanned(store: OrderStore | undefined, input: string): Scanned {
  const hits = store ? store.byWaybill(input) : [];
  if (hits.length === 1) return { ok: true, orderId: hits[0] as string, via: 'waybill' };
  if (hits.length > 1)
    return {
      ok: false,
      orderIds: hits,
      error: clearanceError('waybill-several', {
        detail: hits.slice(0, 20).join(', ') + (hits.length > 20 ? ` … +${hits.length - 20}` : ''),
      }),
    };
  const id = normalizeOrderId(input);
  if (id.ok) return { ok: true, orderId: id.value, via: 'order-id' };
  // Not an order id either: say so plainly (with a sheet loaded, it may have been a waybill).
  return {
    ok: false,
    orderIds: [],
    error: store?.any() ? clearanceError('scan-unknown') : id.error,
  };
}
