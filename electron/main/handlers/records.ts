/** The records list: search (a full ID number exactly, audited), select-all ids, forget. Rows are masked. */
import type { FindingCode } from '../../contract';
import { checkAll, limitsFrom } from '../../core/checks';
import { findByIdNumber, searchedIdNumber } from '../../core/vault/id-search';
import type { Vault } from '../../core/vault/types';
import type { Handlers } from '../ipc';
import type { BackendContext } from './context';
import { guard } from './reply';
import type { TeamLink } from './team';
import { recordRow, vaultQuery } from './views';

type RecordsHandlers = Pick<Handlers, 'records.search' | 'records.ids' | 'records.forget'>;

export function recordsHandlers(ctx: BackendContext, team?: Pick<TeamLink, 'idSource'>): RecordsHandlers {
  /** A full ID number typed in the search box: the exact, audited search (and the team's records). */
  const byIdNumber = async (vault: Vault, idNumber: string, q: Parameters<typeof vaultQuery>[0]) => {
    const { text: _t, ...filters } = vaultQuery(q);
    return findByIdNumber(vault, idNumber, {
      channel: 'app',
      profile: ctx.activeProfileName(),
      team: await team?.idSource(),
      query: filters,
    });
  };
  /** The list's ids in its order, narrowed to the orders with this finding of the checks before declaring. */
  const withFinding = (vault: Vault, ids: string[], code: FindingCode) => {
    const found = checkAll(vault, {
      declarationDate: ctx.today(),
      limits: limitsFrom(ctx.settings.preferences()),
    });
    return ids.filter((id) => found.get(id)?.some((f) => f.code === code));
  };
  return {
    'records.search': (q) =>
      guard(async () => {
        const vault = await ctx.openVault();
        const idNumber = searchedIdNumber(q.text);
        if (idNumber) {
          const found = await byIdNumber(vault, idNumber, q);
          const ids = q.finding ? withFinding(vault, found.orderIds, q.finding) : found.orderIds;
          const rows = ids.slice(q.offset, q.offset + q.limit).flatMap((id) => {
            const r = vault.get(id);
            return r ? [recordRow(r)] : [];
          });
          return { rows, total: ids.length, idNumber: { team: found.team } };
        }
        if (q.finding) {
          const ids = withFinding(vault, vault.orderIds(vaultQuery(q)), q.finding);
          const rows = ids.slice(q.offset, q.offset + q.limit).flatMap((id) => {
            const r = vault.get(id);
            return r ? [recordRow(r)] : [];
          });
          return { rows, total: ids.length };
        }
        const page = vault.search({ ...vaultQuery(q), offset: q.offset, limit: q.limit });
        return { rows: page.rows.map(recordRow), total: page.total };
      }),
    'records.ids': (q) =>
      guard(async () => {
        const vault = await ctx.openVault();
        const idNumber = searchedIdNumber(q.text);
        const ids = idNumber
          ? (await byIdNumber(vault, idNumber, q)).orderIds
          : vault.orderIds(vaultQuery(q));
        return { orderIds: q.finding ? withFinding(vault, ids, q.finding) : ids };
      }),
    'records.forget': ({ orderIds }) =>
      guard(async () => ({
        count: (await ctx.openVault()).forget(orderIds, { profile: ctx.activeProfileName(), channel: 'app' }),
      })),
  };
}
