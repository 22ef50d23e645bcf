/**
 * Outbox push and pull. Push: the outbox's notes (records, order-sheet rows, their tombstones,
 * audit entries) go up in chunks, each chunk one server
 * transaction; every change carries its client-made id, recorded in `applied_changes` with
 * ON CONFLICT DO NOTHING, so a chunk sent twice (a crash after the server's commit and before
 * this desk removed the notes) is applied once. The notes are removed only after the commit.
 * Pull: records, sheet rows and audit entries with a server sequence number above what this desk has seen,
 * in order, each page applied locally in one transaction together with the new cursor.
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { Client } from 'pg';
import { ClearanceFailure, clearanceError } from '../errors';
import type { ClearanceFetch } from '../gateway/clearance';
import type { ImageMime } from '../gateway/images';
import { applyTeamSheetRow, sheetRowOf } from '../orders/store';
import type { OrderFacts } from '../orders/types';
import type { OutboxKind } from '../vault/outbox';
import type { Vault } from '../vault/types';
import type { TeamConfig } from './config';
import { chainHash, idIndex, open, openText, seal, type TeamKeys } from './crypto';
import { NOTIFY_CHANNEL } from './schema';

export interface SyncContext {
  pg: Client;
  db: Database;
  vault: Vault;
  keys: TeamKeys;
  config: TeamConfig;
}

interface OutboxRow {
  seq: number;
  change_id: string;
  kind: OutboxKind;
  ref: string;
  at: string;
}

interface LocalAudit {
  id: number;
  at: string;
  action: string;
  os_user: string;
  host: string;
  profile: string | null;
  order_ids: string;
  detail: string;
}

const PUSH_CHUNK = 200;
const PULL_PAGE = 500;

export const outboxSize = (db: Database) => db.prepare('SELECT count(*) FROM outbox').pluck().get() as number;

/** The canonical text an audit link is hashed over: every column a reader relies on. */
export function auditCanonical(e: {
  change_id: string;
  desk_id: string;
  desk_label: string;
  at: string;
  action: string;
  os_user: string;
  host: string;
  profile: string | null;
  order_ids: string;
  detail: string;
}): string {
  return JSON.stringify([
    e.change_id,
    e.desk_id,
    e.desk_label,
    e.at,
    e.action,
    e.os_user,
    e.host,
    e.profile,
    e.order_ids,
    e.detail,
  ]);
}

export const chainGenesis = (teamId: string) => `genesis:${teamId}`;

async function pushRecord(s: SyncContext, n: OutboxRow): Promise<void> {
  const r = s.vault.get(n.ref);
  // Forgotten since: its tombstone is further down the outbox.
  if (!r) return;
  const k = s.keys;
  const id = r.orderId;
  const img = (side: 'front' | 'back') => s.vault.image(id, side);
  const front = img('front');
  const back = img('back');
  const raw = s.vault.rawReply(id) ?? '';
  await s.pg.query(
    `INSERT INTO clearance.records (order_id, change_id, desk_id, changed_at, deleted, profile, first_fetched_at,
       fetched_at, id_type, invalid, request_id, id_index, name_enc, id_enc, expiry_enc, raw_enc,
       front_mime, front_enc, back_mime, back_enc)
     VALUES ($1, $2, $3, $4, false, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
     ON CONFLICT (order_id) DO UPDATE SET seq = nextval('clearance.change_seq'), change_id = excluded.change_id,
       desk_id = excluded.desk_id, changed_at = excluded.changed_at, deleted = false, profile = excluded.profile,
       first_fetched_at = LEAST(clearance.records.first_fetched_at, excluded.first_fetched_at),
       fetched_at = excluded.fetched_at, id_type = excluded.id_type, invalid = excluded.invalid,
       request_id = excluded.request_id, id_index = excluded.id_index, name_enc = excluded.name_enc,
       id_enc = excluded.id_enc, expiry_enc = excluded.expiry_enc, raw_enc = excluded.raw_enc,
       front_mime = excluded.front_mime, front_enc = excluded.front_enc, back_mime = excluded.back_mime,
       back_enc = excluded.back_enc
     WHERE clearance.records.changed_at <= excluded.changed_at`,
    [
      id,
      n.change_id,
      s.config.deskId,
      r.fetchedAt,
      r.profile,
      r.firstFetchedAt,
      r.fetchedAt,
      r.idType,
      r.validation.flags.invalid,
      r.requestId,
      idIndex(k, r.idNumber),
      seal(k, id, 'name', r.name),
      seal(k, id, 'idNumber', r.idNumber),
      seal(k, id, 'expiry', r.expiry),
      seal(k, id, 'raw', raw),
      front?.mime ?? null,
      front ? seal(k, id, 'front', front.bytes) : null,
      back?.mime ?? null,
      back ? seal(k, id, 'back', back.bytes) : null,
    ],
  );
}

async function pushTombstone(s: SyncContext, n: OutboxRow): Promise<void> {
  // The row stays as a tombstone with a new sequence number; everything personal is gone from it.
  await s.pg.query(
    `INSERT INTO clearance.records (order_id, change_id, desk_id, changed_at, deleted)
     VALUES ($1, $2, $3, $4, true)
     ON CONFLICT (order_id) DO UPDATE SET seq = nextval('clearance.change_seq'), change_id = excluded.change_id,
       desk_id = excluded.desk_id, changed_at = excluded.changed_at, deleted = true, profile = NULL,
       first_fetched_at = NULL, fetched_at = NULL, id_type = NULL, invalid = NULL, request_id = NULL,
       id_index = NULL, name_enc = NULL, id_enc = NULL, expiry_enc = NULL, raw_enc = NULL, front_mime = NULL,
       front_enc = NULL, back_mime = NULL, back_enc = NULL
     WHERE clearance.records.changed_at <= excluded.changed_at`,
    [n.ref, n.change_id, s.config.deskId, n.at],
  );
}

/**
 * The sheet's fields, each sealed on its own (order id and field name as additional data). The
 * waybill is sealed too and has no blind index: a scan is resolved on the desk's pulled copy, so
 * an index would only tell the server which orders share a parcel.
 */
const SHEET_FIELDS = [
  ['waybill', 'waybill_enc'],
  ['consignee', 'consignee_enc'],
  ['phone', 'phone_enc'],
  ['amountFen', 'amount_enc'],
  ['paymentNo', 'payment_no_enc'],
  ['orderTime', 'order_time_enc'],
] as const;
const sheetAad = (field: string) => `sheet.${field}`;

async function pushSheet(s: SyncContext, n: OutboxRow): Promise<void> {
  const row = sheetRowOf(s.db, n.ref);
  // Forgotten since: its tombstone is further down the outbox.
  if (!row) return;
  const sealed = SHEET_FIELDS.map(([field]) => {
    const v = row.facts[field];
    return v === undefined ? null : seal(s.keys, n.ref, sheetAad(field), String(v));
  });
  await s.pg.query(
    `INSERT INTO clearance.sheet_rows (order_id, change_id, desk_id, changed_at, deleted, waybill_enc, consignee_enc,
       phone_enc, amount_enc, payment_no_enc, order_time_enc)
     VALUES ($1, $2, $3, $4, false, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (order_id) DO UPDATE SET seq = nextval('clearance.change_seq'), change_id = excluded.change_id,
       desk_id = excluded.desk_id, changed_at = excluded.changed_at, deleted = false,
       waybill_enc = excluded.waybill_enc, consignee_enc = excluded.consignee_enc, phone_enc = excluded.phone_enc,
       amount_enc = excluded.amount_enc, payment_no_enc = excluded.payment_no_enc,
       order_time_enc = excluded.order_time_enc
     WHERE clearance.sheet_rows.changed_at <= excluded.changed_at`,
    [n.ref, n.change_id, s.config.deskId, row.updatedAt, ...sealed],
  );
}

async function pushSheetTombstone(s: SyncContext, n: OutboxRow): Promise<void> {
  await s.pg.query(
    `INSERT INTO clearance.sheet_rows (order_id, change_id, desk_id, changed_at, deleted)
     VALUES ($1, $2, $3, $4, true)
     ON CONFLICT (order_id) DO UPDATE SET seq = nextval('clearance.change_seq'), change_id = excluded.change_id,
       desk_id = excluded.desk_id, changed_at = excluded.changed_at, deleted = true, waybill_enc = NULL,
       consignee_enc = NULL, phone_enc = NULL, amount_enc = NULL, payment_no_enc = NULL, order_time_enc = NULL
     WHERE clearance.sheet_rows.changed_at <= excluded.changed_at`,
    [n.ref, n.change_id, s.config.deskId, n.at],
  );
}

interface ServerSheetRow {
  order_id: string;
  seq: string;
  desk_id: string;
  changed_at: Date;
  deleted: boolean;
  waybill_enc: Buffer | null;
  consignee_enc: Buffer | null;
  phone_enc: Buffer | null;
  amount_enc: Buffer | null;
  payment_no_enc: Buffer | null;
  order_time_enc: Buffer | null;
}

/** A server sheet row opened with the team key; null for a tombstone. */
export function factsFromRow(keys: TeamKeys, r: ServerSheetRow): OrderFacts | null {
  if (r.deleted) return null;
  const f: OrderFacts = { orderId: r.order_id };
  for (const [field, column] of SHEET_FIELDS) {
    const sealed = r[column];
    if (!sealed) continue;
    const text = openText(keys, r.order_id, sheetAad(field), sealed);
    if (field === 'amountFen') {
      if (!/^\d{1,15}$/.test(text))
        throw new ClearanceFailure(clearanceError('team-data', { orderId: r.order_id }));
      f.amountFen = Number(text);
    } else f[field] = text;
  }
  return f;
}

async function pushAudit(s: SyncContext, n: OutboxRow, head: { hash: string | null }): Promise<void> {
  const e = s.db.prepare('SELECT * FROM audit WHERE id = ?').get(Number(n.ref)) as LocalAudit | undefined;
  if (!e) return; // removed by local retention before it could go up
  if (head.hash === null) {
    // The chain is extended under a lock held until commit, so links follow the sequence order.
    await s.pg.query(`SELECT pg_advisory_xact_lock(hashtext('clearance-desk audit chain'))`);
    const last = await s.pg.query('SELECT hash FROM clearance.audit ORDER BY seq DESC LIMIT 1');
    head.hash = (last.rows[0]?.hash as string | undefined) ?? chainGenesis(s.config.teamId);
  }
  const row = {
    change_id: n.change_id,
    desk_id: s.config.deskId,
    desk_label: s.config.deskLabel,
    at: e.at,
    action: e.action,
    os_user: e.os_user,
    host: e.host,
    profile: e.profile,
    order_ids: e.order_ids,
    detail: e.detail,
  };
  const hash = chainHash(s.keys, head.hash, auditCanonical(row));
  await s.pg.query(
    `INSERT INTO clearance.audit (change_id, desk_id, desk_label, at, action, os_user, host, profile, order_ids,
       detail, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (change_id) DO NOTHING`,
    [
      row.change_id,
      row.desk_id,
      row.desk_label,
      row.at,
      row.action,
      row.os_user,
      row.host,
      row.profile,
      row.order_ids,
      row.detail,
      head.hash,
      hash,
    ],
  );
  head.hash = hash;
}

/** Pushes the whole outbox; returns how many notes went up. Stops at the first failure (retried later). */
export async function push(s: SyncContext, onChunk?: (pushed: number) => void): Promise<number> {
  let total = 0;
  for (;;) {
    const notes = s.db.prepare('SELECT * FROM outbox ORDER BY seq LIMIT ?').all(PUSH_CHUNK) as OutboxRow[];
    if (notes.length === 0) return total;
    await s.pg.query('BEGIN');
    try {
      const head = { hash: null as string | null };
      // One statement marks the whole chunk; what comes back is what this server has not applied yet.
      const fresh = await s.pg.query(
        `INSERT INTO clearance.applied_changes (change_id, desk_id) SELECT unnest($1::uuid[]), $2
         ON CONFLICT DO NOTHING RETURNING change_id::text AS id`,
        [notes.map((n) => n.change_id), s.config.deskId],
      );
      const todo = new Set(fresh.rows.map((r) => r.id as string));
      for (const n of notes) {
        if (!todo.has(n.change_id)) continue; // already applied by an earlier, unacknowledged push
        if (n.kind === 'record') await pushRecord(s, n);
        else if (n.kind === 'tombstone') await pushTombstone(s, n);
        else if (n.kind === 'sheet') await pushSheet(s, n);
        else if (n.kind === 'sheet-tombstone') await pushSheetTombstone(s, n);
        else await pushAudit(s, n, head);
      }
      await s.pg.query('UPDATE clearance.desks SET last_seen = now() WHERE desk_id = $1', [s.config.deskId]);
      await s.pg.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, s.config.deskId]);
      await s.pg.query('COMMIT');
    } catch (err) {
      await s.pg.query('ROLLBACK').catch(() => {});
      throw err;
    }
    // Acknowledged: only now may the notes go.
    const last = (notes.at(-1) as OutboxRow).seq;
    s.db.prepare('DELETE FROM outbox WHERE seq <= ?').run(last);
    total += notes.length;
    onChunk?.(total);
  }
}

interface ServerRecord {
  order_id: string;
  seq: string;
  desk_id: string;
  deleted: boolean;
  profile: string | null;
  first_fetched_at: string | null;
  fetched_at: string | null;
  id_type: number | null;
  request_id: string | null;
  name_enc: Buffer | null;
  id_enc: Buffer | null;
  expiry_enc: Buffer | null;
  raw_enc: Buffer | null;
  front_mime: string | null;
  front_enc: Buffer | null;
  back_mime: string | null;
  back_enc: Buffer | null;
}

/** A server row opened with the team key, as the vault stores a fetch. */
export function fetchFromRow(keys: TeamKeys, r: ServerRecord): ClearanceFetch {
  const id = r.order_id;
  const images: ClearanceFetch['images'] = {};
  if (r.front_enc && r.front_mime)
    images.front = { mime: r.front_mime as ImageMime, bytes: open(keys, id, 'front', r.front_enc) };
  if (r.back_enc && r.back_mime)
    images.back = { mime: r.back_mime as ImageMime, bytes: open(keys, id, 'back', r.back_enc) };
  return {
    identity: {
      orderId: id,
      name: openText(keys, id, 'name', r.name_enc as Buffer),
      idNumber: openText(keys, id, 'idNumber', r.id_enc as Buffer),
      expiry: openText(keys, id, 'expiry', r.expiry_enc as Buffer),
      idType: r.id_type,
      imageUrls: { front: null, back: null },
    },
    images,
    warnings: [],
    ...(r.request_id ? { requestId: r.request_id } : {}),
    raw: r.raw_enc ? openText(keys, id, 'raw', r.raw_enc) : '',
    attempts: 0,
  };
}

/** Stores a server row in the local vault (no audit, no outbox note): a record or a tombstone. */
export function applyRow(s: Pick<SyncContext, 'db' | 'vault' | 'keys'>, r: ServerRecord): void {
  if (r.deleted) {
    s.db.prepare('DELETE FROM records WHERE order_id = ?').run(r.order_id);
    return;
  }
  s.vault.saveFetch(fetchFromRow(s.keys, r), r.profile ?? 'team', {
    team: { firstFetchedAt: r.first_fetched_at as string, fetchedAt: r.fetched_at as string },
  });
}

const link = (db: Database) =>
  db.prepare('SELECT records_seq, audit_seq, audit_head FROM team_link WHERE id = 1').get() as {
    records_seq: number;
    audit_seq: number;
    audit_head: string | null;
  };

/**
 * One table of other desks' changes, pulled page by page in seq order. Each page is applied in one
 * vault transaction with its cursor, so a crash neither applies a row twice nor skips one; a row
 * sealed under another key is counted and skipped, never half-applied.
 */
async function pullTable<R extends { seq: string; desk_id: string }>(
  s: SyncContext,
  t: { select: string; cursor(): number; advance(seq: number): void; apply(row: R): void },
): Promise<{ applied: number; skipped: number }> {
  let applied = 0;
  let skipped = 0;
  for (;;) {
    const page = await s.pg.query(t.select, [t.cursor(), PULL_PAGE]);
    if (page.rows.length === 0) break;
    const rows = page.rows as R[];
    s.db
      .transaction(() => {
        for (const r of rows) {
          // This desk's own changes are already here (or superseded by a note still in the outbox).
          if (r.desk_id === s.config.deskId) continue;
          try {
            t.apply(r);
            applied++;
          } catch (err) {
            if (!(err instanceof ClearanceFailure) || err.error.reason !== 'team-data') throw err;
            skipped++;
          }
        }
        t.advance(Number((rows.at(-1) as R).seq));
      })
      .immediate();
    if (rows.length < PULL_PAGE) break;
  }
  return { applied, skipped };
}

/** Pulls what other desks changed since the last pull; returns the number of rows applied. */
export async function pull(
  s: SyncContext,
): Promise<{ records: number; sheet: number; audit: number; skipped: number }> {
  let audit = 0;
  let removed = false;
  const records = await pullTable<ServerRecord>(s, {
    select: `SELECT order_id, seq::text AS seq, desk_id, deleted, profile, first_fetched_at, fetched_at, id_type,
         request_id, name_enc, id_enc, expiry_enc, raw_enc, front_mime, front_enc, back_mime, back_enc
       FROM clearance.records WHERE seq > $1 ORDER BY clearance.records.seq LIMIT $2`,
    cursor: () => link(s.db).records_seq,
    advance: (seq) => s.db.prepare('UPDATE team_link SET records_seq = ? WHERE id = 1').run(seq),
    apply: (r) => {
      applyRow(s, r);
      if (r.deleted) removed = true;
    },
  });
  const sheet = await pullTable<ServerSheetRow>(s, {
    select: `SELECT order_id, seq::text AS seq, desk_id, changed_at, deleted, waybill_enc, consignee_enc, phone_enc,
         amount_enc, payment_no_enc, order_time_enc
       FROM clearance.sheet_rows WHERE seq > $1 ORDER BY clearance.sheet_rows.seq LIMIT $2`,
    cursor: () => s.db.prepare('SELECT sheet_seq FROM team_cursors WHERE id = 1').pluck().get() as number,
    advance: (seq) => s.db.prepare('UPDATE team_cursors SET sheet_seq = ? WHERE id = 1').run(seq),
    apply: (r) => {
      const facts = factsFromRow(s.keys, r);
      applyTeamSheetRow(s.db, r.order_id, facts, new Date(r.changed_at).toISOString());
      if (!facts) removed = true;
    },
  });
  if (removed) {
    try {
      s.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // a reader holds the WAL: the next checkpoint completes it
    }
  }
  const insert = s.db.prepare(
    `INSERT OR IGNORE INTO audit (at, action, os_user, host, profile, order_ids, detail, desk, change_id)
     VALUES (@at, @action, @os_user, @host, @profile, @order_ids, @detail, @desk_label, @change_id)`,
  );
  for (;;) {
    const since = link(s.db).audit_seq;
    const page = await s.pg.query(
      `SELECT seq::text AS seq, change_id, desk_id, desk_label, at, action, os_user, host, profile, order_ids,
         detail, hash FROM clearance.audit WHERE seq > $1 ORDER BY clearance.audit.seq LIMIT $2`,
      [since, PULL_PAGE * 4],
    );
    if (page.rows.length === 0) break;
    const rows = page.rows as (Record<string, string | null> & { seq: string; hash: string })[];
    s.db
      .transaction(() => {
        for (const r of rows) {
          if (r.desk_id === s.config.deskId) continue;
          audit += insert.run(r).changes;
        }
        const last = rows.at(-1) as { seq: string; hash: string };
        // The newest link this desk has seen: `audit verify` checks the server still holds it.
        s.db
          .prepare('UPDATE team_link SET audit_seq = ?, audit_head = ? WHERE id = 1')
          .run(Number(last.seq), `${last.seq}:${last.hash}`);
      })
      .immediate();
    if (rows.length < PULL_PAGE * 4) break;
  }
  s.db.prepare('UPDATE team_link SET last_sync = ? WHERE id = 1').run(new Date().toISOString());
  return { records: records.applied, sheet: sheet.applied, audit, skipped: records.skipped + sheet.skipped };
}
