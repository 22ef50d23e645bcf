/** The lookup bar and the card's buttons: fetch an order, reveal, copy and print it (audited). */

import { limitsFrom, orderContext } from '../../core/checks';
import { fetchClearance } from '../../core/gateway/clearance';
import { TopClient } from '../../core/gateway/client';
import { resolveScanned } from '../../core/orders/scan';
import { OrderStore } from '../../core/orders/store';
import type { StoredRecord, Vault } from '../../core/vault/types';
import type { Handlers } from '../ipc';
import type { BackendContext } from './context';
import { guard, refuse } from './reply';
import type { TeamLink } from './team';
import { cardView } from './views';

type LookupHandlers = Pick<Handlers, 'lookup.get' | 'record.reveal' | 'record.copy' | 'record.print'>;

export function lookupHandlers(
  ctx: BackendContext,
  team?: Pick<TeamLink, 'serve' | 'changed'>,
): LookupHandlers {
  const card = (vault: Vault, r: StoredRecord, source: 'vault' | 'gateway') =>
    cardView(r, source, {
      imageUrl: ctx.host.imageUrl,
      demo: ctx.settings.findProfile(r.profile)?.gateway === 'demo',
      // The checks before declaring, as of today (the declaration is today unless an export says otherwise).
      orders: orderContext(vault, [r.orderId], {
        declarationDate: ctx.today(),
        limits: limitsFrom(ctx.settings.preferences()),
      }).get(r.orderId) ?? { findings: [] },
    });
  return {
    'lookup.get': (req) =>
      guard(async () => {
        const vault = await ctx.openVault();
        const orders = new OrderStore(vault);
        // A scanned waybill on the imported sheet opens its order; nothing else that is not an order id goes out.
        const scanned = resolveScanned(orders, req.input);
        if (!scanned.ok) return refuse(scanned.error);
        const id = { value: scanned.orderId };
        const existing = vault.get(id.value);
        if (existing && !req.refresh) return card(vault, existing, 'vault');
        // In a team, an order another desk already fetched comes from the team's copy (audited), not the gateway.
        const shared = existing || req.refresh ? undefined : await team?.serve(id.value);
        if (shared && (!req.needImage || shared.images.front || shared.images.back)) {
          team?.changed();
          return card(vault, shared, 'vault');
        }
        const { profile, options } = await ctx.clientOptions();
        const got = await fetchClearance(new TopClient(options), id.value, {
          needImage: req.needImage,
          // Images take the same way out as the gateway call (system proxy, extra CA).
          ...(ctx.dispatcher ? { imageDispatcher: ctx.dispatcher } : {}),
        });
        if (!got.ok) {
          ctx.learnFrom(got.error, profile);
          // An order of the sheet without an identity yet waits for it (asked again later).
          if (got.error.kind === 'business' && orders.get(id.value))
            orders.wait(id.value, got.error, profile);
          return refuse(got.error);
        }
        ctx.learnFrom(null, profile);
        // The vault keeps stored images on a refetch without them (same person), and audits the fetch.
        const saved = vault.saveFetch(got.value, profile, { channel: 'app' });
        team?.changed();
        return card(vault, saved, 'gateway');
      }),
    'record.reveal': ({ orderId }) =>
      guard(async () => {
        const { vault, record } = await ctx.stored(orderId);
        vault.audit({
          action: 'reveal',
          profile: record.profile,
          orderIds: [orderId],
          detail: { fields: 'name,idNumber', channel: 'app' },
        });
        return { name: record.name, idNumber: record.idNumber };
      }),
    'record.copy': ({ orderId, field }) =>
      guard(async () => {
        const { vault, record } = await ctx.stored(orderId);
        if (field !== 'orderId')
          vault.audit({
            action: 'copy',
            profile: record.profile,
            orderIds: [orderId],
            detail: { field, channel: 'app' },
          });
        return {
          text: field === 'orderId' ? record.orderId : field === 'name' ? record.name : record.idNumber,
        };
      }),
    'record.print': ({ orderId }) =>
      guard(async () => {
        const { vault, record } = await ctx.stored(orderId);
        vault.audit({
          action: 'print',
          profile: record.profile,
          orderIds: [orderId],
          detail: { channel: 'app' },
        });
        return { audited: true as const };
      }),
  };
}
