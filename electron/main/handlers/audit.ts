/** The audit viewer and the retention purge. */
import type { Handlers } from '../ipc';
import type { BackendContext } from './context';
import { guard } from './reply';

type AuditHandlers = Pick<Handlers, 'audit.list' | 'vault.purge'>;

export function auditHandlers(ctx: BackendContext): AuditHandlers {
  return {
    'audit.list': (q) =>
      guard(async () =>
        (await ctx.openVault()).auditLog({
          ...(q.since ? { since: q.since } : {}),
          ...(q.until ? { until: q.until } : {}),
          ...(q.action ? { action: q.action } : {}),
          ...(q.orderId ? { orderId: q.orderId } : {}),
          ...(q.orderIdPart ? { orderIdPart: q.orderIdPart } : {}),
          ...(q.idNumber ? { idNumber: q.idNumber } : {}),
          ...(q.osUser ? { osUser: q.osUser } : {}),
          ...(q.host ? { host: q.host } : {}),
          limit: q.limit,
        }),
      ),
    'vault.purge': () =>
      guard(async () => {
        await ctx.openVault();
        return ctx.desk.applyRetention();
      }),
  };
}
