/**
 * Exact search by a full ID number: the vault's records with that number (an index lookup on the
 * reversed number), and in team mode the team's too — found on the server by the blind index and
 * brought into this vault (each such read audited as a `fetch` from the team). The search itself
 * is audited (`search`): the entry carries the number only as the vault's keyed hash, so
 * `audit list --id-number` later shows who looked that person up, also when nothing was found.
 * The number is never part of an error, a log line or the entry's detail.
 */
import { ClearanceFailure, clearanceError } from '../errors';
import { checkCharacter, normalizeIdNumber } from '../idcard';
import { ID_NUMBER_PATTERN } from '../rules';
import type { RecordQuery, StoredRecord, Vault } from './types';

/** What a team offers the search (core/team/team.ts `Team`); structural, so the vault needs no team import. */
export interface TeamIdSource {
  ordersWithId(idNumber: string): Promise<string[]>;
  serve(orderId: string, channel: string): Promise<StoredRecord | undefined>;
}

/** A full ID number in its stored form, or null: 17 digits and a check character (not verified). */
export function idNumberText(text: string): string | null {
  const t = normalizeIdNumber(text);
  return ID_NUMBER_PATTERN.test(t) ? t : null;
}

/**
 * What a search box takes for an ID number rather than digits to match: 18 characters whose check
 * character is right (so the first 18 digits of a longer order id are rarely taken for one).
 */
export function searchedIdNumber(text: string | undefined): string | null {
  const t = text === undefined ? null : idNumberText(text);
  return t && checkCharacter(t.slice(0, 17)) === t[17] ? t : null;
}

export type TeamSearch = 'off' | 'searched' | 'unreachable';

export async function findByIdNumber(
  vault: Vault,
  idNumber: string,
  o: {
    channel: string;
    profile: string | null;
    team?: TeamIdSource | null | undefined;
    /** Further filters and the order (the list's flags, dates, sort). */
    query?: Omit<RecordQuery, 'text' | 'idNumber' | 'offset' | 'limit'>;
  },
): Promise<{ orderIds: string[]; team: TeamSearch }> {
  const id = idNumberText(idNumber);
  if (!id)
    throw new ClearanceFailure(
      clearanceError('usage', { detail: 'ID number: 17 digits and a check character' }),
    );
  let team: TeamSearch = 'off';
  if (o.team) {
    try {
      const held = await o.team.ordersWithId(id);
      for (const orderId of held) if (!vault.get(orderId)) await o.team.serve(orderId, o.channel);
      team = 'searched';
    } catch (err) {
      if (!(err instanceof ClearanceFailure)) throw err;
      team = 'unreachable'; // this desk's own records still answer
    }
  }
  const orderIds = vault.orderIds({ ...(o.query ?? {}), idNumber: id });
  vault.audit(
    {
      action: 'search',
      profile: o.profile,
      orderIds,
      detail: { channel: o.channel, by: 'idNumber', found: orderIds.length, team },
    },
    { idNumbers: [id] },
  );
  return { orderIds, team };
}
