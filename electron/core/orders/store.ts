/**
 * The order sheet and the waiting list in the vault (tables of the vault's own schema, v2: the
 * vault forgets and purges them with the record). Personal data: read masked (maskedFacts), shown
 * in full only through `reveal`, which is audited like a record's reveal.
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { ClearanceError } from '../errors';
import { ClearanceFailure } from '../errors';
import { maskName, maskPhone } from '../idcard';
import { noteChange } from '../vault/outbox';
import type { Vault } from '../vault/types';
import { vaultError } from '../vault/vault';
import type { OrderFacts } from './types';

/** A scanned or typed waybill as the index keeps it: NFKC, no spaces, upper case. */
export const waybillKey = (s: string) => s.normalize('NFKC').replace(/\s+/g, '').toUpperCase();

export interface ImportCounts {
  rows: number;
  new: number;
  changed: number;
  unchanged: number;
}

export interface WaitingEntry {
  orderId: string;
  profile: string | null;
  /** The error table's reason of the last answer (`business`) and the platform's err_code. */
  reason: string;
  code: string | null;
  since: string;
  checkedAt: string;
  checks: number;
}

/** An order's sheet row joined with its identity, for the checks. */
export interface JoinedOrder {
  orderId: string;
  facts?: OrderFacts;
  identity?: { name: string; idNumber: string; expiry: string };
}

interface FactsRow {
  order_id: string;
  waybill: string | null;
  consignee: string | null;
  phone: string | null;
  amount_fen: number | null;
  payment_no: string | null;
  order_time: string | null;
}

const FACT_COLUMNS = 'order_id, waybill, consignee, phone, amount_fen, payment_no, order_time';

function toFacts(r: FactsRow): OrderFacts {
  const f: OrderFacts = { orderId: r.order_id };
  if (r.waybill !== null) f.waybill = r.waybill;
  if (r.consignee !== null) f.consignee = r.consignee;
  if (r.phone !== null) f.phone = r.phone;
  if (r.amount_fen !== null) f.amountFen = r.amount_fen;
  if (r.payment_no !== null) f.paymentNo = r.payment_no;
  if (r.order_time !== null) f.orderTime = r.order_time;
  return f;
}

const same = (a: OrderFacts, b: OrderFacts) =>
  a.waybill === b.waybill &&
  a.consignee === b.consignee &&
  a.phone === b.phone &&
  a.amountFen === b.amountFen &&
  a.paymentNo === b.paymentNo &&
  a.orderTime === b.orderTime;

/** The sheet row as cards and lists show it: consignee and phone masked. */
export function maskedFacts(f: OrderFacts): OrderFacts {
  const out: OrderFacts = { ...f };
  if (f.consignee !== undefined) out.consignee = maskName(f.consignee);
  if (f.phone !== undefined) out.phone = maskPhone(f.phone);
  return out;
}

/** Record a "no identity yet" answer for an order (inside the caller's transaction, if any). */
export function noteWaiting(
  db: Database,
  orderId: string,
  failure: { reason: string; code?: string | number | null | undefined },
  profile: string | null,
  at: string,
): void {
  db.prepare(
    `INSERT INTO order_waiting (order_id, profile, reason, code, since, checked_at, checks) VALUES (?, ?, ?, ?, ?, ?, 1)
     ON CONFLICT(order_id) DO UPDATE SET reason = excluded.reason, code = excluded.code, profile = excluded.profile,
       checked_at = excluded.checked_at, checks = order_waiting.checks + 1`,
  ).run(orderId, profile, failure.reason, failure.code == null ? null : String(failure.code), at, at);
}

/**
 * A sheet row pulled from the team, stored as an import would (no audit, no outbox note: it came
 * from another desk), or removed when the team forgot it. Inside the caller's transaction.
 */
export function applyTeamSheetRow(db: Database, orderId: string, facts: OrderFacts | null, at: string): void {
  if (!facts) {
    db.prepare('DELETE FROM order_facts WHERE order_id = ?').run(orderId);
    return;
  }
  db.prepare(
    `INSERT INTO order_facts (order_id, waybill, waybill_key, consignee, phone, amount_fen, payment_no, order_time,
       source, imported_at, updated_at)
     VALUES (@orderId, @waybill, @waybillKey, @consignee, @phone, @amountFen, @paymentNo, @orderTime, 'team', @at, @at)
     ON CONFLICT(order_id) DO UPDATE SET waybill = excluded.waybill, waybill_key = excluded.waybill_key,
       consignee = excluded.consignee, phone = excluded.phone, amount_fen = excluded.amount_fen,
       payment_no = excluded.payment_no, order_time = excluded.order_time, source = excluded.source,
       updated_at = excluded.updated_at`,
  ).run({
    orderId,
    waybill: facts.waybill ?? null,
    waybillKey: facts.waybill ? waybillKey(facts.waybill) : null,
    consignee: facts.consignee ?? null,
    phone: facts.phone ?? null,
    amountFen: facts.amountFen ?? null,
    paymentNo: facts.paymentNo ?? null,
    orderTime: facts.orderTime ?? null,
    at,
  });
}

/** A sheet row as stored, for the team's push (undefined once forgotten). */
export function sheetRowOf(
  db: Database,
  orderId: string,
): { facts: OrderFacts; updatedAt: string } | undefined {
  const r = db
    .prepare(`SELECT ${FACT_COLUMNS}, updated_at FROM order_facts WHERE order_id = ?`)
    .get(orderId) as (FactsRow & { updated_at: string }) | undefined;
  return r ? { facts: toFacts(r), updatedAt: r.updated_at } : undefined;
}

export class OrderStore {
  readonly db: Database;
  private readonly clock: () => Date;
  private readonly st;

  constructor(
    private readonly vault: Vault,
    opts: { clock?: () => Date } = {},
  ) {
    // The tables are the vault's own (migration v2); no migrations of this component's.
    this.db = vault.extend('orders', []);
    this.clock = opts.clock ?? (() => new Date());
    const db = this.db;
    this.st = {
      get: db.prepare(`SELECT ${FACT_COLUMNS} FROM order_facts WHERE order_id = ?`),
      upsert:
        db.prepare(`INSERT INTO order_facts (order_id, waybill, waybill_key, consignee, phone, amount_fen,
          payment_no, order_time, source, imported_at, updated_at)
        VALUES (@orderId, @waybill, @waybillKey, @consignee, @phone, @amountFen, @paymentNo, @orderTime, @source, @at, @at)
        ON CONFLICT(order_id) DO UPDATE SET waybill = excluded.waybill, waybill_key = excluded.waybill_key,
          consignee = excluded.consignee, phone = excluded.phone, amount_fen = excluded.amount_fen,
          payment_no = excluded.payment_no, order_time = excluded.order_time, source = excluded.source,
          updated_at = excluded.updated_at`),
      touch: db.prepare('UPDATE order_facts SET updated_at = ? WHERE order_id = ?'),
      byWaybill: db.prepare('SELECT order_id FROM order_facts WHERE waybill_key = ? ORDER BY order_id'),
      count: db.prepare('SELECT count(*) FROM order_facts'),
      any: db.prepare('SELECT 1 FROM order_facts LIMIT 1'),
      withoutIdentity: db.prepare(
        `SELECT f.order_id FROM order_facts f WHERE NOT EXISTS (SELECT 1 FROM records r WHERE r.order_id = f.order_id)
         ORDER BY f.imported_at, f.order_id`,
      ),
      waiting: db.prepare(
        'SELECT order_id, profile, reason, code, since, checked_at, checks FROM order_waiting ORDER BY since, order_id',
      ),
      isWaiting: db.prepare('SELECT 1 FROM order_waiting WHERE order_id = ?'),
    };
  }

  private now() {
    return this.clock().toISOString();
  }

  private write<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn).immediate();
    } catch (err) {
      throw err instanceof ClearanceFailure ? err : new ClearanceFailure(vaultError(err));
    }
  }

  private read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw err instanceof ClearanceFailure ? err : new ClearanceFailure(vaultError(err));
    }
  }

  /**
   * Store a sheet's rows, all or none: a row for an order already on file replaces it. Audited
   * ('import', with the order ids and counts; never the rows' contents).
   */
  import(rows: OrderFacts[], by: { source: string; profile: string | null; channel: string }): ImportCounts {
    const at = this.now();
    return this.write(() => {
      const counts: ImportCounts = { rows: rows.length, new: 0, changed: 0, unchanged: 0 };
      for (const f of rows) {
        const before = this.st.get.get(f.orderId) as FactsRow | undefined;
        if (before && same(toFacts(before), f)) {
          counts.unchanged++;
          this.st.touch.run(at, f.orderId);
          continue;
        }
        if (before) counts.changed++;
        else counts.new++;
        this.st.upsert.run({
          orderId: f.orderId,
          waybill: f.waybill ?? null,
          waybillKey: f.waybill ? waybillKey(f.waybill) : null,
          consignee: f.consignee ?? null,
          phone: f.phone ?? null,
          amountFen: f.amountFen ?? null,
          paymentNo: f.paymentNo ?? null,
          orderTime: f.orderTime ?? null,
          source: by.source.slice(0, 200),
          at,
        });
        // In a team, the new or changed row goes to the other desks.
        noteChange(this.db, 'sheet', f.orderId, at);
      }
      this.vault.audit({
        action: 'import',
        profile: by.profile,
        orderIds: rows.map((r) => r.orderId),
        detail: {
          channel: by.channel,
          source: by.source.split(/[\\/]/).pop() ?? '',
          rows: counts.rows,
          new: counts.new,
          changed: counts.changed,
          unchanged: counts.unchanged,
        },
      });
      return counts;
    });
  }

  get(orderId: string): OrderFacts | undefined {
    return this.read(() => {
      const r = this.st.get.get(orderId) as FactsRow | undefined;
      return r ? toFacts(r) : undefined;
    });
  }

  /** The sheet row in full, audited as a reveal (consignee and phone). */
  reveal(orderId: string, by: { profile: string | null; channel: string }): OrderFacts | undefined {
    const f = this.get(orderId);
    if (!f) return undefined;
    this.vault.audit({
      action: 'reveal',
      profile: by.profile,
      orderIds: [orderId],
      detail: { fields: 'consignee,phone', channel: by.channel, source: 'order-sheet' },
    });
    return f;
  }

  /** The orders whose waybill is this scanned value (several when the sheet repeats a waybill). */
  byWaybill(scanned: string): string[] {
    const k = waybillKey(scanned);
    if (!k) return [];
    return this.read(() => this.st.byWaybill.pluck().all(k) as string[]);
  }

  count(): number {
    return this.read(() => this.st.count.pluck().get() as number);
  }

  /** Whether any sheet has been imported (cheaper than a count). */
  any(): boolean {
    return this.read(() => this.st.any.get() !== undefined);
  }

  /** Orders on the sheet whose identity the vault does not have yet, in import order. */
  withoutIdentity(): string[] {
    return this.read(() => this.st.withoutIdentity.pluck().all() as string[]);
  }

  /** Keep an order on the waiting list (the gateway said it has no identity yet). */
  wait(orderId: string, error: Pick<ClearanceError, 'reason' | 'code'>, profile: string | null): void {
    this.write(() => noteWaiting(this.db, orderId, error, profile, this.now()));
  }

  isWaiting(orderId: string): boolean {
    return this.read(() => this.st.isWaiting.get(orderId) !== undefined);
  }

  waiting(): WaitingEntry[] {
    return this.read(() =>
      (
        this.st.waiting.all() as {
          order_id: string;
          profile: string | null;
          reason: string;
          code: string | null;
          since: string;
          checked_at: string;
          checks: number;
        }[]
      ).map((r) => ({
        orderId: r.order_id,
        profile: r.profile,
        reason: r.reason,
        code: r.code,
        since: r.since,
        checkedAt: r.checked_at,
        checks: r.checks,
      })),
    );
  }

  /** Sheet rows and identities of these orders (either may be missing). */
  joined(orderIds: string[]): JoinedOrder[] {
    return this.read(() => {
      const rec = this.db.prepare('SELECT name, id_number, expiry FROM records WHERE order_id = ?');
      return [...new Set(orderIds)].map((orderId) => {
        const j: JoinedOrder = { orderId };
        const f = this.st.get.get(orderId) as FactsRow | undefined;
        if (f) j.facts = toFacts(f);
        const r = rec.get(orderId) as { name: string; id_number: string; expiry: string } | undefined;
        if (r) j.identity = { name: r.name, idNumber: r.id_number, expiry: r.expiry };
        return j;
      });
    });
  }

  /** Every order with the same ID number as these (for the per-person checks), with its sheet row. */
  peers(idNumbers: string[]): JoinedOrder[] {
    return this.read(() => {
      const q =
        this.db.prepare(`SELECT r.order_id AS rid, r.name, r.id_number, r.expiry, f.${FACT_COLUMNS.split(', ').join(', f.')}
        FROM records r LEFT JOIN order_facts f ON f.order_id = r.order_id WHERE r.id_rev = ?`);
      const out: JoinedOrder[] = [];
      for (const id of new Set(idNumbers)) {
        for (const row of q.all([...id].reverse().join('')) as (FactsRow & {
          rid: string;
          name: string;
          id_number: string;
          expiry: string;
        })[]) {
          const j: JoinedOrder = {
            orderId: row.rid,
            identity: { name: row.name, idNumber: row.id_number, expiry: row.expiry },
          };
          if (row.order_id !== null) j.facts = toFacts(row);
          out.push(j);
        }
      }
      return out;
    });
  }

  /** Every order the vault knows of (a record, a sheet row or both), one pass, for `check --all`. */
  *all(opts: { sheetOnly?: boolean } = {}): IterableIterator<JoinedOrder> {
    const cols = FACT_COLUMNS.split(', ')
      .map((c) => `f.${c}`)
      .join(', ');
    const withRecords = this.db.prepare(
      `SELECT f.order_id AS fid, ${cols}, r.name, r.id_number, r.expiry FROM order_facts f
       LEFT JOIN records r ON r.order_id = f.order_id`,
    );
    const recordsOnly = this.db.prepare(
      `SELECT r.order_id AS rid, r.name, r.id_number, r.expiry FROM records r
       WHERE NOT EXISTS (SELECT 1 FROM order_facts f WHERE f.order_id = r.order_id)`,
    );
    type Row = FactsRow & { name: string | null; id_number: string | null; expiry: string | null };
    for (const row of withRecords.iterate() as IterableIterator<Row>) {
      const j: JoinedOrder = { orderId: row.order_id, facts: toFacts(row) };
      if (row.id_number !== null)
        j.identity = { name: row.name ?? '', idNumber: row.id_number, expiry: row.expiry ?? '' };
      yield j;
    }
    if (opts.sheetOnly) return;
    for (const row of recordsOnly.iterate() as IterableIterator<{
      rid: string;
      name: string;
      id_number: string;
      expiry: string;
    }>) {
      yield { orderId: row.rid, identity: { name: row.name, idNumber: row.id_number, expiry: row.expiry } };
    }
  }
}
