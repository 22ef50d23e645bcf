/** The audit viewer and the retention purge. */
import type { Handlers } from '../ipc';
import type { BackendContext } from './context';
import { guard } from './reply';

type AuditHandlers = Pick<Handlers, 'audit.list' | 'vault.purge' | 'vault.purgePreview'>;

const DAY_MS = 86_400_000;

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
    'vault.purgePreview': () =>
      guard(async () => {
        const vault = await ctx.openVault();
        const retentionDays = ctx.settings.preferences().retentionDays;
        // The purge's own cut: records fetched before now minus the retention period (fetchedTo is inclusive).
        const cut = ctx.clock().getTime() - retentionDays * DAY_MS;
        const page = vault.search({
          fetchedTo: new Date(cut - 1).toISOString(),
          sort: 'fetchedAt',
          order: 'asc',
          offset: 0,
          limit: 1,
        });
        return { records: page.total, retentionDays };
      }),
    'vault.purge': () =>
      guard(async () => {
        await ctx.openVault();
        return ctx.desk.applyRetention();
      }),
  };
}
