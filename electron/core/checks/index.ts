/**
 * The checks before declaring: one engine for the card, the records list, `clearance-desk check`
 * and the export. Pure over the joined order facts and identities (sheet row + vault record) and
 * a declaration date; the per-person rules (annual limit, shared ID) look at every order of the
 * same ID number, which `orderContext` fetches from the vault. Findings name the order and the
 * rule, never a name or a full ID number.
 */
import { shanghaiDate } from '../gateway/timestamp';
import { maskIdNumber, parseExpiry } from '../idcard';
import { type JoinedOrder, OrderStore } from '../orders/store';
import type { Finding, FindingCode, OrderFacts } from '../orders/types';
import { FINDING_CODES } from '../rules';
import { isoDateSchema } from '../settings/schema';
import type { Vault } from '../vault/types';

/** The declaration day given (a command's `--date`), or today in Beijing; null if not YYYY-MM-DD. */
export function declarationDateFrom(given: unknown, now = new Date()): string | null {
  const date = given === undefined ? shanghaiDate(now) : String(given);
  return isoDateSchema.safeParse(date).success ? date : null;
}

export interface CheckLimits {
  /** One order over this (fen) fires over-order-limit; equal passes. */
  orderLimitFen: number;
  /** A person's orders in one calendar year (Beijing) summing over this (fen) fire over-annual-limit. */
  annualLimitFen: number;
  /** One ID number on orders with at least this many different consignee names fires shared-id. */
  sharedIdNames: number;
}

export const DEFAULT_LIMITS: CheckLimits = {
  orderLimitFen: 500_000,
  annualLimitFen: 2_600_000,
  sharedIdNames: 3,
};

export interface CheckOptions {
  /** YYYY-MM-DD (Beijing): the day of the declaration (default: the export day / today). */
  declarationDate: string;
  limits: CheckLimits;
  /**
   * no-sheet-row only makes sense once a sheet has been imported at all: without any, every
   * record would be flagged.
   */
  sheetImported: boolean;
}

/** Consignee names as compared: NFKC (full-width → half-width), no spaces, one middle dot. */
export function foldName(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/[\s\u200b\ufeff]+/g, '')
    .replace(/[·・•‧∙･]/g, '·')
    .toLowerCase();
}

/** ¥5,000.01 from 500001 fen, by the digits. */
export function yuanText(fen: number): string {
  const neg = fen < 0;
  const s = String(Math.abs(Math.trunc(fen))).padStart(3, '0');
  const whole = s.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}¥${whole}.${s.slice(-2)}`;
}

type Msg = { zh: string; en: string };
const finding = (orderId: string, code: FindingCode, message: Msg): Finding => ({ orderId, code, message });

/** Checks on one order by itself (everything but the per-person rules). */
function ownFindings(o: JoinedOrder, opts: CheckOptions): Finding[] {
  const out: Finding[] = [];
  const f = o.facts;
  const id = o.identity;
  if (f && !id)
    out.push(
      finding(o.orderId, 'no-identity', {
        zh: `订单 ${o.orderId} 在订单表中，但还没有清关身份信息`,
        en: `Order ${o.orderId} is on the order sheet but has no clearance identity yet`,
      }),
    );
  if (id && !f && opts.sheetImported)
    out.push(
      finding(o.orderId, 'no-sheet-row', {
        zh: `订单 ${o.orderId} 有身份信息，但不在已导入的订单表中`,
        en: `Order ${o.orderId} has an identity but no row on the imported order sheet`,
      }),
    );
  if (f?.consignee !== undefined && id && foldName(f.consignee) !== foldName(id.name))
    out.push(
      finding(o.orderId, 'name-mismatch', {
        zh: `订单 ${o.orderId}：订单表的收件人与证件姓名不一致`,
        en: `Order ${o.orderId}: the consignee on the order sheet is not the name on the ID`,
      }),
    );
  if (f?.amountFen !== undefined && f.amountFen > opts.limits.orderLimitFen)
    out.push(
      finding(o.orderId, 'over-order-limit', {
        zh: `订单 ${o.orderId}：实付 ${yuanText(f.amountFen)}，超过单笔限额 ${yuanText(opts.limits.orderLimitFen)}`,
        en: `Order ${o.orderId}: paid ${yuanText(f.amountFen)}, over the per-order limit of ${yuanText(opts.limits.orderLimitFen)}`,
      }),
    );
  if (id) {
    const e = parseExpiry(id.expiry);
    if (e.kind === 'date' && e.date < opts.declarationDate)
      out.push(
        finding(o.orderId, 'expires-before-declaration', {
          zh: `订单 ${o.orderId}：证件于 ${e.date} 到期，早于申报日 ${opts.declarationDate}`,
          en: `Order ${o.orderId}: the ID expires on ${e.date}, before the declaration date ${opts.declarationDate}`,
        }),
      );
  }
  return out;
}

/** The per-person rules over all orders of one ID number (`orders` all share it). */
function personFindings(idNumber: string, orders: JoinedOrder[], opts: CheckOptions): Finding[] {
  const out: Finding[] = [];
  const masked = maskIdNumber(idNumber);
  const names = new Set(
    orders.map((o) => o.facts?.consignee).filter((n): n is string => n !== undefined && foldName(n) !== ''),
  );
  const folded = new Set([...names].map(foldName));
  if (folded.size >= opts.limits.sharedIdNames) {
    for (const o of orders)
      out.push(
        finding(o.orderId, 'shared-id', {
          zh: `订单 ${o.orderId}：证件 ${masked} 用于 ${orders.length} 个订单，收件人有 ${folded.size} 个不同姓名`,
          en: `Order ${o.orderId}: ID ${masked} is on ${orders.length} orders with ${folded.size} different consignee names`,
        }),
      );
  }
  // Calendar years in Beijing time: order times are kept as Beijing wall-clock, so the year is its prefix.
  const byYear = new Map<string, { o: JoinedOrder; f: OrderFacts }[]>();
  for (const o of orders) {
    const f = o.facts;
    if (f?.amountFen === undefined || !f.orderTime) continue;
    const year = f.orderTime.slice(0, 4);
    const list = byYear.get(year) ?? [];
    list.push({ o, f });
    byYear.set(year, list);
  }
  for (const [year, list] of byYear) {
    list.sort((a, b) =>
      (a.f.orderTime as string) < (b.f.orderTime as string)
        ? -1
        : (a.f.orderTime as string) > (b.f.orderTime as string)
          ? 1
          : a.o.orderId.localeCompare(b.o.orderId),
    );
    let sum = 0;
    for (const { o, f } of list) {
      sum += f.amountFen as number;
      // The order that takes the person over the limit, and every later one that year.
      if (sum > opts.limits.annualLimitFen)
        out.push(
          finding(o.orderId, 'over-annual-limit', {
            zh: `订单 ${o.orderId}：证件 ${masked} 在 ${year} 年的订单累计 ${yuanText(sum)}，超过年度限额 ${yuanText(opts.limits.annualLimitFen)}`,
            en: `Order ${o.orderId}: ID ${masked} reaches ${yuanText(sum)} in ${year}, over the annual limit of ${yuanText(opts.limits.annualLimitFen)}`,
          }),
        );
    }
  }
  return out;
}

const ORDER = new Map(FINDING_CODES.map((c, i) => [c, i]));
const byCode = (a: Finding, b: Finding) => (ORDER.get(a.code) ?? 0) - (ORDER.get(b.code) ?? 0);

/**
 * Findings per order over a closed set of orders: the per-person rules see only the orders given,
 * so give every order of each person involved (`orderContext` does).
 */
export function runChecks(orders: Iterable<JoinedOrder>, opts: CheckOptions): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  const people = new Map<string, JoinedOrder[]>();
  const add = (f: Finding) => {
    const list = out.get(f.orderId);
    if (list) list.push(f);
    else out.set(f.orderId, [f]);
  };
  for (const o of orders) {
    if (!out.has(o.orderId)) out.set(o.orderId, []);
    for (const f of ownFindings(o, opts)) add(f);
    if (o.identity) {
      const id = o.identity.idNumber.trim().toUpperCase();
      const list = people.get(id);
      if (list) list.push(o);
      else people.set(id, [o]);
    }
  }
  for (const [id, list] of people) for (const f of personFindings(id, list, opts)) add(f);
  for (const list of out.values()) list.sort(byCode);
  return out;
}

export interface OrderContext {
  order?: OrderFacts;
  findings: Finding[];
}

/**
 * Each order's sheet row and findings, as the export and the card need them. The per-person rules
 * count every order of the same ID number in the vault, not only the ones asked for.
 */
export function orderContext(
  vault: Vault,
  orderIds: string[],
  opts: { declarationDate: string; limits?: Partial<CheckLimits> },
): Map<string, OrderContext> {
  const store = new OrderStore(vault);
  const options: CheckOptions = {
    declarationDate: opts.declarationDate,
    limits: { ...DEFAULT_LIMITS, ...opts.limits },
    sheetImported: store.any(),
  };
  const asked = store.joined(orderIds);
  const ids = asked.flatMap((o) => (o.identity ? [o.identity.idNumber] : []));
  const set = new Map<string, JoinedOrder>();
  for (const p of store.peers(ids)) set.set(p.orderId, p);
  for (const o of asked) set.set(o.orderId, o);
  const found = runChecks(set.values(), options);
  const out = new Map<string, OrderContext>();
  for (const o of asked) {
    const ctx: OrderContext = { findings: found.get(o.orderId) ?? [] };
    if (o.facts) ctx.order = o.facts;
    out.set(o.orderId, ctx);
  }
  return out;
}

/**
 * The findings of one order just fetched, whether or not its record was kept: the fetched
 * identity stands in for the stored one, beside the order's sheet row and every other order of
 * the same ID number. Without a vault (nothing imported, nothing stored) only the identity's own
 * checks can fire.
 */
export function checkFetched(
  vault: Vault | undefined,
  identity: { orderId: string; name: string; idNumber: string; expiry: string },
  opts: { declarationDate: string; limits?: Partial<CheckLimits> },
): Finding[] {
  const store = vault ? new OrderStore(vault) : undefined;
  const options: CheckOptions = {
    declarationDate: opts.declarationDate,
    limits: { ...DEFAULT_LIMITS, ...opts.limits },
    sheetImported: store?.any() ?? false,
  };
  const own: JoinedOrder = { orderId: identity.orderId, identity };
  const facts = store?.get(identity.orderId);
  if (facts) own.facts = facts;
  const set = new Map<string, JoinedOrder>();
  for (const p of store?.peers([identity.idNumber]) ?? []) set.set(p.orderId, p);
  set.set(own.orderId, own);
  return runChecks(set.values(), options).get(own.orderId) ?? [];
}

/** Every order the vault knows of (or only the sheet's), checked in one pass. */
export function checkAll(
  vault: Vault,
  opts: { declarationDate: string; limits?: Partial<CheckLimits>; sheetOnly?: boolean },
): Map<string, Finding[]> {
  const store = new OrderStore(vault);
  const options: CheckOptions = {
    declarationDate: opts.declarationDate,
    limits: { ...DEFAULT_LIMITS, ...opts.limits },
    sheetImported: store.any(),
  };
  if (!opts.sheetOnly) return runChecks(store.all(), options);
  // The sheet's orders, with every other order of their people for the per-person rules.
  const sheet = [...store.all({ sheetOnly: true })];
  const set = new Map<string, JoinedOrder>();
  for (const p of store.peers(sheet.flatMap((o) => (o.identity ? [o.identity.idNumber] : []))))
    set.set(p.orderId, p);
  for (const o of sheet) set.set(o.orderId, o);
  const all = runChecks(set.values(), options);
  return new Map(sheet.map((o) => [o.orderId, all.get(o.orderId) ?? []]));
}

/** The limits in the settings' preferences. */
export const limitsFrom = (p: { orderLimitFen: number; annualLimitFen: number; sharedIdNames: number }) => ({
  orderLimitFen: p.orderLimitFen,
  annualLimitFen: p.annualLimitFen,
  sharedIdNames: p.sharedIdNames,
});

/** orderContext as the export's per-order lookup (core/export vaultSource's `facts`). */
export function contextLookup(
  vault: Vault,
  orderIds: string[],
  opts: { declarationDate: string; limits?: Partial<CheckLimits> },
): (orderId: string) => OrderContext | undefined {
  const m = orderContext(vault, orderIds, opts);
  return (orderId) => m.get(orderId);
}
