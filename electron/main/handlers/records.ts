/** The records list: search, select-all ids, forget. Rows are masked. */
import type { Handlers } from '../ipc';
import type { BackendContext } from './context';
import { guard } from './reply';
import { recordRow, vaultQuery } from './views';

type RecordsHandlers = Pick<Handlers, 'records.search' | 'records.ids' | 'records.forget'>;

export function recordsHandlers(ctx: BackendContext): RecordsHandlers {
  return {
    'records.search': (q) =>
      guard(async () => {
        const page = (await ctx.openVault()).search({ ...vaultQuery(q), offset: q.offset, limit: q.limit });
        return { rows: page.rows.map(recordRow), total: page.total };
      }),
    'records.ids': (q) => guard(async () => ({ orderIds: (await ctx.openVault()).orderIds(vaultQuery(q)) })),
    'records.forget': ({ orderIds }) =>
      guard(async () => ({
        count: (await ctx.openVault()).forget(orderIds, { profile: ctx.activeProfileName(), channel: 'app' }),
      })),
  };
}
