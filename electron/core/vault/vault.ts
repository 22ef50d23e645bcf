/**
 * The encrypted record store (SQLCipher through better-sqlite3-multiple-ciphers). One file,
 * `vault.db`, in WAL mode; every write is one transaction, so a crash leaves either the whole
 * write or none of it. Personal data is only ever inside the encrypted pages: temporary
 * tables and sorts stay in memory, deleted content is overwritten, and after a forget or a purge
 * the WAL is checkpointed so old frames do not linger.
 */
import { chmodSync, existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3-multiple-ciphers';
import { type ClearanceError, ClearanceFailure, clearanceError } from '../errors';
import type { ClearanceFetch, ImageSide } from '../gateway/clearance';
import type { ImageMime } from '../gateway/images';
import { shanghaiDate } from '../gateway/timestamp';
import { type IdentityValidation, normalizeIdNumber, parseExpiry, validateIdentity } from '../idcard';
import { diskFull } from '../rules';
import {
  type Actor,
  AUDIT_ID_SCHEMA,
  AUDIT_SCHEMA,
  appendAudit,
  currentActor,
  idHashesOf,
  idNumberHash,
  loadAuditKey,
  purgeAudit,
  queryAudit,
} from './audit';
import { migrate, ORDERS_MIGRATION, readSchemaVersion } from './migrations';
import { NAME_GRAMS_MIGRATION, nameContains, nameIsGram, registerNameGrams } from './name-search';
import { noteChange, OUTBOX_MIGRATION, OUTBOX_SHEET_MIGRATION } from './outbox';
import type { AuditQuery, RecordFlag, RecordPage, RecordQuery, StoredRecord, Vault } from './types';

export interface OpenVaultOptions {
  path: string;
  /** 256-bit key as 64 hex characters (kept in the OS keychain, see ./open.ts). */
  key: string;
  /** Injected for tests; all times are stored as ISO 8601 UTC. */
  clock?: () => Date;
  /** How many days ahead of its expiry a card counts as "expiring" (default 30). */
  expiringDays?: number;
  /** Who the audit log names; default: the OS user and host name. */
  actor?: Actor;
}

/** The vault's own schema. Append only: a released migration is never edited, a new one is added. */
export const VAULT_MIGRATIONS: readonly string[] = [
  `
CREATE TABLE records (
  id INTEGER PRIMARY KEY,
  order_id TEXT NOT NULL UNIQUE,
  order_key TEXT NOT NULL,
  profile TEXT NOT NULL,
  first_fetched_at TEXT NOT NULL,
  fetched_at TEXT NOT NULL,
  name TEXT NOT NULL,
  id_number TEXT NOT NULL,
  id_rev TEXT NOT NULL,
  expiry TEXT NOT NULL,
  expiry_date TEXT,
  id_type INTEGER,
  invalid INTEGER NOT NULL,
  front_mime TEXT,
  front_size INTEGER,
  back_mime TEXT,
  back_size INTEGER,
  request_id TEXT
);
CREATE INDEX records_order_key ON records(order_key);
CREATE INDEX records_fetched ON records(fetched_at);
CREATE INDEX records_profile ON records(profile, fetched_at);
CREATE INDEX records_id_rev ON records(id_rev);
CREATE INDEX records_expiry ON records(expiry_date, fetched_at);
CREATE INDEX records_name ON records(name, fetched_at);
CREATE INDEX records_invalid ON records(fetched_at) WHERE invalid = 1;
CREATE INDEX records_no_images ON records(fetched_at) WHERE front_mime IS NULL AND back_mime IS NULL;
CREATE TABLE record_raw (
  record_id INTEGER PRIMARY KEY REFERENCES records(id) ON DELETE CASCADE,
  reply TEXT NOT NULL,
  validation TEXT NOT NULL
);
CREATE TABLE images (
  id INTEGER PRIMARY KEY,
  record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
  side TEXT NOT NULL CHECK (side IN ('front', 'back')),
  mime TEXT NOT NULL,
  data BLOB NOT NULL,
  stored_at TEXT NOT NULL,
  UNIQUE (record_id, side)
);
CREATE INDEX images_stored ON images(stored_at);
${AUDIT_SCHEMA}
`,
  NAME_GRAMS_MIGRATION,
  // Team mode: the outbox of local changes and the link to the team (see ./outbox.ts).
  OUTBOX_MIGRATION,
  // The audit's keyed ID-number hashes (before the order sheet: neither has been released yet).
  AUDIT_ID_SCHEMA,
  // The order id reversed, so that its last digits (what a label or a list shows) are an index range.
  `
ALTER TABLE records ADD COLUMN order_rev TEXT;
UPDATE records SET order_rev = cd_reverse(order_id);
CREATE INDEX records_order_rev ON records(order_rev);
`,
  ORDERS_MIGRATION,
  // Team mode: the order sheet's rows go to the team too.
  OUTBOX_SHEET_MIGRATION,
];

const KEY_RE = /^[0-9a-fA-F]{64}$/;
/** Above this many matches, a name search reads its page in sort order (see search). */
const COMMON_NAME_HITS = 2000;
const DAY_MS = 86_400_000;
const SHANGHAI_MS = 8 * 3_600_000;

/** SQLite's and the OS's failures as the error table's values; only codes, never a message text. */
export function vaultError(err: unknown): ClearanceError {
  if (err instanceof ClearanceFailure) return err.error;
  const code = String((err as { code?: unknown }).code ?? '');
  if (diskFull(err)) return clearanceError('disk-full');
  if (code === 'SQLITE_NOTADB') return clearanceError('vault-key');
  if (code.startsWith('SQLITE_CORRUPT')) return clearanceError('vault-damaged');
  return clearanceError('vault-failed', { detail: code || (err as Error)?.name || 'error' });
}

const failure = (err: unknown) =>
  err instanceof ClearanceFailure ? err : new ClearanceFailure(vaultError(err));

function applyKey(db: Database.Database, key: string) {
  // Both pragmas must come before anything reads the file.
  db.pragma(`cipher='sqlcipher'`);
  db.pragma(`key="x'${key}'"`);
}

/**
 * Proves the key on an existing file through a read-only connection, so that a wrong key can
 * never lead to a write (a checkpoint, a journal rollback) on someone's data.
 */
function verifyKey(path: string, key: string): void {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    applyKey(db, key);
    db.pragma('busy_timeout = 5000');
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (err) {
    throw failure(err);
  } finally {
    db?.close();
  }
}

/**
 * Beside a vault found damaged: from then on it is opened read-only (by this process and every
 * later one) until the user restores or replaces it, so no write, checkpoint or journal rollback
 * can spread the damage. The file holds only the time it was detected.
 */
export const damagedMarker = (path: string) => `${path}.damaged`;

const isCorrupt = (err: unknown) =>
  String((err as { code?: unknown })?.code ?? '').startsWith('SQLITE_CORRUPT');

/**
 * Close a read-write connection without its closing checkpoint: while another connection (here a
 * read-only one) still has the database open, SQLite leaves the WAL as it is.
 */
function closeWithoutCheckpoint(db: Database.Database, path: string, key: string) {
  let holder: Database.Database | undefined;
  try {
    holder = new Database(path, { readonly: true, fileMustExist: true });
    applyKey(holder, key);
    holder.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch {
    // Could not hold it open: closing below may checkpoint, which is all we can do.
  }
  if (db.open) db.close();
  holder?.close();
}

interface RecordRow {
  id: number;
  order_id: string;
  profile: string;
  first_fetched_at: string;
  fetched_at: string;
  name: string;
  id_number: string;
  expiry: string;
  id_type: number | null;
  front_mime: ImageMime | null;
  front_size: number | null;
  back_mime: ImageMime | null;
  back_size: number | null;
  request_id: string | null;
}

const RECORD_COLUMNS =
  'id, order_id, profile, first_fetched_at, fetched_at, name, id_number, expiry, id_type, front_mime, front_size, back_mime, back_size, request_id';

const reverse = (s: string) => [...s].reverse().join('');
/** Upper bound of a prefix range: the prefix with its last character bumped ("123" → "124"). */
const prefixEnd = (p: string) => p.slice(0, -1) + String.fromCharCode(p.charCodeAt(p.length - 1) + 1);
const orderKey = (orderId: string) => orderId.padStart(20, '0');
const addDays = (ymd: string, days: number) =>
  new Date(Date.parse(`${ymd}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** A date (YYYY-MM-DD) is a whole Shanghai calendar day; anything else must be an instant. */
function instant(text: string, endOfDay: boolean): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const start = Date.parse(`${text}T00:00:00Z`) - SHANGHAI_MS;
    if (Number.isNaN(start)) throw new ClearanceFailure(clearanceError('usage', { detail: `date ${text}` }));
    return new Date(start + (endOfDay ? DAY_MS : 0)).toISOString();
  }
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new ClearanceFailure(clearanceError('usage', { detail: `date ${text}` }));
  return new Date(t + (endOfDay ? 1 : 0)).toISOString();
}

function nonNegative(n: number | undefined, what: string): number | undefined {
  if (n === undefined) return undefined;
  if (!Number.isFinite(n) || n < 0)
    throw new ClearanceFailure(clearanceError('usage', { detail: `${what} >= 0` }));
  return n;
}

/** WHERE clause and parameters of a record query; `t` is today (Shanghai date) for the date-dependent flags. */
export function recordWhere(
  q: Omit<RecordQuery, 'offset' | 'limit'>,
  t: string,
  expiringDays: number,
  /** Many names match (a single common character): read the page in sort order instead. */
  commonName = false,
): { sql: string; params: Record<string, string | number>; byName: boolean; countSql: string } {
  const parts: string[] = [];
  const params: Record<string, string | number> = {};
  let byName = false;
  const text = q.text?.trim();
  if (text) {
    const up = text.toUpperCase();
    if (/^\d+$/.test(text)) {
      // Digits: an order id prefix or suffix, or the last digits of the ID number; all index ranges.
      parts.push(
        '((order_id >= @p AND order_id < @pEnd) OR (order_rev >= @r AND order_rev < @rEnd) OR (id_rev >= @r AND id_rev < @rEnd))',
      );
      Object.assign(params, {
        p: text,
        pEnd: prefixEnd(text),
        r: reverse(text),
        rEnd: prefixEnd(reverse(text)),
      });
    } else if (/^\d*X$/.test(up)) {
      parts.push('(id_rev >= @r AND id_rev < @rEnd)');
      Object.assign(params, { r: reverse(up), rEnd: prefixEnd(reverse(up)) });
    } else {
      const match = nameContains(text, commonName);
      byName = true;
      parts.push(match.sql);
      Object.assign(params, match.params);
    }
  }
  for (const flag of new Set<RecordFlag>(q.flags ?? [])) {
    if (flag === 'expired') {
      parts.push('expiry_date < @today');
      params.today = t;
    } else if (flag === 'expiring') {
      parts.push('expiry_date >= @today AND expiry_date <= @soon');
      params.today = t;
      params.soon = addDays(t, expiringDays);
    } else if (flag === 'invalid') parts.push('invalid = 1');
    else if (flag === 'no-images') parts.push('front_mime IS NULL AND back_mime IS NULL');
    else throw new ClearanceFailure(clearanceError('usage', { detail: `flag ${String(flag)}` }));
  }
  if (q.idNumber !== undefined) {
    // Exact: the whole reversed number in the same index the last-digits search uses.
    parts.push('id_rev = @idRev');
    params.idRev = reverse(normalizeIdNumber(q.idNumber));
  }
  if (q.fetchedFrom) {
    parts.push('fetched_at >= @from');
    params.from = instant(q.fetchedFrom, false);
  }
  if (q.fetchedTo) {
    parts.push('fetched_at < @to');
    params.to = instant(q.fetchedTo, true);
  }
  if (q.profile !== undefined) {
    parts.push('profile = @profile');
    params.profile = q.profile;
  }
  const sql = parts.length ? `WHERE ${parts.join(' AND ')}` : '';
  // A short name alone is counted in its index, without visiting the records.
  const countSql =
    byName && parts.length === 1 && nameIsGram(text as string)
      ? 'SELECT count(*) AS n FROM name_grams WHERE gram = @name'
      : `SELECT count(*) AS n FROM records ${sql}`;
  return { sql, params, byName, countSql };
}

export function recordOrder(q: Pick<RecordQuery, 'sort' | 'order'>): string {
  const dir = q.order === 'asc' ? 'ASC' : q.order === 'desc' ? 'DESC' : q.sort === 'orderId' ? 'ASC' : 'DESC';
  // The row id breaks ties, so paging is stable; every choice is covered by an index.
  if (q.sort === 'orderId') return `ORDER BY order_key ${dir}`;
  if (q.sort === 'expiry') return `ORDER BY expiry_date ${dir}, id ${dir}`;
  return `ORDER BY fetched_at ${dir}, id ${dir}`;
}

function writeMarker(marker: string, at: Date) {
  try {
    writeFileSync(marker, `${at.toISOString()}\n`, { mode: 0o600 });
  } catch {
    // Unwritable folder: this process still refuses writes; the next one finds the damage again.
  }
}

export function openVault(opts: OpenVaultOptions): Vault {
  if (!KEY_RE.test(opts.key)) throw new ClearanceFailure(clearanceError('vault-key'));
  const clock = opts.clock ?? (() => new Date());
  let expiringDays = opts.expiringDays ?? 30;
  const actor = opts.actor ?? currentActor();
  const existed = existsSync(opts.path) && statSync(opts.path).size > 0;
  if (existed) verifyKey(opts.path, opts.key);
  const marker = damagedMarker(opts.path);
  // A marker left beside a vault that was moved away says nothing about a new one.
  if (!existed) rmSync(marker, { force: true });
  let damaged = existed && existsSync(marker);

  let db: Database.Database;
  try {
    db = damaged ? new Database(opts.path, { readonly: true, fileMustExist: true }) : new Database(opts.path);
  } catch (err) {
    throw failure(err);
  }
  try {
    applyKey(db, opts.key);
    // Set before the first read: a writer in another process (its first run, a migration) is waited for.
    db.pragma('busy_timeout = 5000');
    // Reads first: until what the open needs has been read (and so its pages checked: SQLCipher
    // authenticates every page it reads), this connection cannot write, so a damaged vault found
    // here has had no byte of its file or its WAL written.
    db.pragma('query_only = ON');
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    if (!damaged) {
      // FULL: a record the user saw as stored survives a power cut, not just a process crash.
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      db.pragma('secure_delete = ON');
      db.pragma('temp_store = MEMORY');
    }
    // Every page read is decrypted: a larger cache (32 MB) keeps repeated searches off the cipher.
    db.pragma('cache_size = -32000');
    registerNameGrams(db);
    db.function('cd_reverse', { deterministic: true }, (s: unknown) => reverse(String(s)));
    const version = readSchemaVersion(db, 'vault');
    const journal = db.pragma('journal_mode', { simple: true });
    if (damaged) {
      // Read-only: no journal mode, no migration; the schema must already be the one this code reads.
      if (version !== VAULT_MIGRATIONS.length) throw new ClearanceFailure(clearanceError('vault-damaged'));
      // The audit's ID key is read if it is there (a damaged vault never gets a new one).
      try {
        loadAuditKey(db);
      } catch {}
    } else {
      db.pragma('query_only = OFF');
      // Owner-only from the start; the pages are encrypted anyway, this keeps other accounts out of even those.
      if (!existed && existsSync(opts.path)) chmodSync(opts.path, 0o600);
      // Each writes only what is missing: WAL mode (a new file), a pending migration, a first audit key.
      if (journal !== 'wal') db.pragma('journal_mode = WAL');
      if (version !== VAULT_MIGRATIONS.length) migrate(db, 'vault', VAULT_MIGRATIONS);
      loadAuditKey(db);
    }
  } catch (err) {
    if (!damaged && isCorrupt(err)) {
      // Found damaged while opening: set it aside as read-only, then open it so.
      closeWithoutCheckpoint(db, opts.path, opts.key);
      writeMarker(marker, clock());
      return openVault(opts);
    }
    if (db.open) db.close();
    throw failure(err);
  }

  /** From the first sign of damage on: the connection refuses writes, later opens are read-only. */
  const markDamaged = () => {
    if (damaged) return;
    damaged = true;
    try {
      db.pragma('query_only = ON');
    } catch {
      // The write paths below refuse on `damaged` themselves.
    }
    writeMarker(marker, clock());
  };
  const refuseDamaged = () => new ClearanceFailure(clearanceError('vault-damaged'));

  const now = () => clock().toISOString();
  /** An audit entry of this desk, noted for the team in the same transaction. */
  const audited = (at: string, entry: Parameters<typeof appendAudit>[3], idHashes?: readonly string[]) =>
    noteChange(db, 'audit', String(appendAudit(db, actor, at, entry, idHashes)), at);
  const today = () => shanghaiDate(clock());

  const toRecord = (r: RecordRow): StoredRecord => {
    const hasImages = r.front_mime !== null || r.back_mime !== null;
    // Validation is a pure function of the stored fields and today, so flags never go stale.
    const validation: IdentityValidation = validateIdentity(
      { name: r.name, idNumber: r.id_number, expiry: r.expiry, idType: r.id_type, hasImages },
      today(),
      expiringDays,
    );
    return {
      orderId: r.order_id,
      profile: r.profile,
      firstFetchedAt: r.first_fetched_at,
      fetchedAt: r.fetched_at,
      name: r.name,
      idNumber: r.id_number,
      expiry: r.expiry,
      idType: r.id_type,
      images: {
        front: r.front_mime ? { mime: r.front_mime, bytes: r.front_size ?? 0 } : null,
        back: r.back_mime ? { mime: r.back_mime, bytes: r.back_size ?? 0 } : null,
      },
      validation,
      requestId: r.request_id,
    };
  };

  /** A write: one immediate transaction, errors as values of the table (disk full, busy…). */
  const write = <T>(fn: () => T): T => {
    if (damaged) throw refuseDamaged();
    try {
      return db.transaction(fn).immediate();
    } catch (err) {
      if (isCorrupt(err)) markDamaged();
      throw failure(err);
    }
  };
  const readFailure = (err: unknown) => {
    if (isCorrupt(err)) markDamaged();
    return failure(err);
  };
  const read = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw readFailure(err);
    }
  };
  /** After deleting personal data: fold the WAL into the (overwritten) pages and empty it. */
  const checkpoint = () => {
    if (damaged) return;
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // A reader holding the WAL only delays this; the next checkpoint completes it.
    }
  };

  const stmt = {
    upsert: db.prepare(`
      INSERT INTO records (order_id, order_key, order_rev, profile, first_fetched_at, fetched_at, name, id_number,
        id_rev, expiry, expiry_date, id_type, invalid, request_id)
      VALUES (@orderId, @orderKey, @orderRev, @profile, @first, @at, @name, @idNumber, @idRev, @expiry, @expiryDate,
        @idType, @invalid, @requestId)
      ON CONFLICT(order_id) DO UPDATE SET profile = excluded.profile, fetched_at = excluded.fetched_at,
        name = excluded.name, id_number = excluded.id_number, id_rev = excluded.id_rev, expiry = excluded.expiry,
        expiry_date = excluded.expiry_date, id_type = excluded.id_type, invalid = excluded.invalid,
        request_id = excluded.request_id
      RETURNING id`),
    previous: db.prepare('SELECT id, id_number FROM records WHERE order_id = ?'),
    raw: db.prepare(`INSERT INTO record_raw (record_id, reply, validation) VALUES (?, ?, '{}')
      ON CONFLICT(record_id) DO UPDATE SET reply = excluded.reply`),
    dropImages: db.prepare('DELETE FROM images WHERE record_id = ?'),
    putImage: db.prepare(`INSERT INTO images (record_id, side, mime, data, stored_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT(record_id, side) DO UPDATE SET mime = excluded.mime, data = excluded.data, stored_at = excluded.stored_at`),
    imageColumns: db.prepare(`UPDATE records SET
      front_mime = (SELECT mime FROM images WHERE record_id = records.id AND side = 'front'),
      front_size = (SELECT length(data) FROM images WHERE record_id = records.id AND side = 'front'),
      back_mime = (SELECT mime FROM images WHERE record_id = records.id AND side = 'back'),
      back_size = (SELECT length(data) FROM images WHERE record_id = records.id AND side = 'back')
      WHERE id = ?`),
    setInvalid: db.prepare('UPDATE records SET invalid = ? WHERE id = ?'),
    setValidation: db.prepare('UPDATE record_raw SET validation = ? WHERE record_id = ?'),
    unwait: db.prepare('DELETE FROM order_waiting WHERE order_id = ?'),
    get: db.prepare(`SELECT ${RECORD_COLUMNS} FROM records WHERE order_id = ?`),
    image: db.prepare(
      'SELECT i.mime, i.data FROM images i JOIN records r ON r.id = i.record_id WHERE r.order_id = ? AND i.side = ?',
    ),
    rawReply: db.prepare(
      'SELECT w.reply FROM record_raw w JOIN records r ON r.id = w.record_id WHERE r.order_id = ?',
    ),
  };

  /** Whether a purge with these cut-offs would remove anything: index lookups, no write. */
  const purgeDue = (records: string, images: string | null, audit: string) =>
    (
      db
        .prepare(
          `SELECT EXISTS (SELECT 1 FROM records WHERE fetched_at < @records)
            OR EXISTS (SELECT 1 FROM audit WHERE at < @audit)
            OR (@images IS NOT NULL AND EXISTS (SELECT 1 FROM images WHERE stored_at < @images))
            OR EXISTS (SELECT 1 FROM order_facts WHERE updated_at < @records
              AND order_id NOT IN (SELECT order_id FROM records))
            OR EXISTS (SELECT 1 FROM order_waiting WHERE since < @records
              AND order_id NOT IN (SELECT order_id FROM records)) AS due`,
        )
        .get({ records, images, audit }) as { due: number }
    ).due === 1;

  function saveFetch(
    fetch: ClearanceFetch,
    profile: string,
    saveOpts: {
      channel?: string;
      audit?: boolean;
      team?: { firstFetchedAt: string; fetchedAt: string };
    } = {},
  ): StoredRecord {
    const i = fetch.identity;
    // A record from the team keeps its own times and is neither audited nor sent back out.
    const at = saveOpts.team?.fetchedAt ?? now();
    const idNumber = normalizeIdNumber(i.idNumber);
    const expiry = parseExpiry(i.expiry);
    const got = (['front', 'back'] as const).filter((s) => fetch.images[s]);
    return write(() => {
      const before = stmt.previous.get(i.orderId) as { id: number; id_number: string } | undefined;
      const base = {
        orderId: i.orderId,
        orderKey: orderKey(i.orderId),
        orderRev: reverse(i.orderId),
        profile,
        at,
        first: saveOpts.team?.firstFetchedAt ?? at,
        name: i.name,
        idNumber,
        idRev: reverse(idNumber),
        expiry: i.expiry,
        expiryDate: expiry.kind === 'date' ? expiry.date : null,
        idType: i.idType,
        requestId: fetch.requestId ?? null,
      };
      // Validation needs to know about images, which are settled below; store a first pass, then the final one.
      const { id } = stmt.upsert.get({ ...base, invalid: 0 }) as { id: number };
      stmt.raw.run(id, fetch.raw);
      // Old photos stay across a refetch without images only while they still show the same person.
      if (before && before.id_number !== idNumber) stmt.dropImages.run(id);
      for (const side of got) {
        const img = fetch.images[side]!;
        stmt.putImage.run(id, side, img.mime, img.bytes, at);
      }
      stmt.imageColumns.run(id);
      const row = stmt.get.get(i.orderId) as RecordRow;
      const rec = toRecord(row);
      // The validation as of this fetch is kept beside the raw reply; reads re-derive it for today.
      stmt.setInvalid.run(rec.validation.flags.invalid ? 1 : 0, id);
      stmt.setValidation.run(JSON.stringify(rec.validation), id);
      // The identity has arrived: the order no longer waits for it.
      stmt.unwait.run(i.orderId);
      if (!saveOpts.team) noteChange(db, 'record', i.orderId, at);
      if (saveOpts.audit !== false && !saveOpts.team) {
        audited(at, {
          action: 'fetch',
          profile,
          orderIds: [i.orderId],
          detail: { channel: saveOpts.channel ?? 'app', images: got.length, refetch: before !== undefined },
        });
      }
      return rec;
    });
  }

  const vault: Vault = {
    saveFetch,
    get: (orderId) =>
      read(() => {
        const row = stmt.get.get(orderId) as RecordRow | undefined;
        return row ? toRecord(row) : undefined;
      }),
    image: (orderId, side: ImageSide) =>
      read(() => {
        const row = stmt.image.get(orderId, side) as { mime: ImageMime; data: Buffer } | undefined;
        return row ? { mime: row.mime, bytes: row.data } : undefined;
      }),
    rawReply: (orderId) => read(() => (stmt.rawReply.get(orderId) as { reply: string } | undefined)?.reply),
    search(q) {
      return read(() => {
        const where = recordWhere(q, today(), expiringDays);
        const limit = Math.max(0, Math.min(q.limit ?? 50, 10_000));
        const offset = Math.max(0, q.offset ?? 0);
        const total = (db.prepare(where.countSql).get(where.params) as { n: number }).n;
        // Thousands of names share one character: walking the sort order finds a page of them
        // sooner than sorting them all.
        const { sql, params } =
          where.byName && total > COMMON_NAME_HITS ? recordWhere(q, today(), expiringDays, true) : where;
        // Two steps: the page's ids from the indexes alone (filter and sort columns are covered),
        // then only those rows; otherwise SQLite may read and decrypt every matching row to sort it.
        const order = recordOrder(q);
        const rows = db
          .prepare(
            `SELECT ${RECORD_COLUMNS} FROM records WHERE id IN (SELECT id FROM records ${sql} ${order} LIMIT @limit OFFSET @offset) ${order}`,
          )
          .all({ ...params, limit, offset }) as RecordRow[];
        return { rows: rows.map(toRecord), total } satisfies RecordPage;
      });
    },
    *iterate(q) {
      const { sql, params } = recordWhere(q, today(), expiringDays);
      let it: IterableIterator<unknown>;
      try {
        it = db.prepare(`SELECT ${RECORD_COLUMNS} FROM records ${sql} ${recordOrder(q)}`).iterate(params);
      } catch (err) {
        throw readFailure(err);
      }
      try {
        for (;;) {
          let next: IteratorResult<unknown>;
          try {
            next = it.next();
          } catch (err) {
            // A page read mid-way fails as any read does: a table value, and damage noted.
            throw readFailure(err);
          }
          if (next.done) return;
          yield toRecord(next.value as RecordRow);
        }
      } finally {
        // A caller that stops early (or fails on a record) must not leave the statement open: the
        // connection could not close, or take another query, while it is.
        it.return?.();
      }
    },
    orderIds(q) {
      // Ids only: no names decoded, no validation, so "select all" stays quick at 100,000 rows.
      const { sql, params } = recordWhere(q, today(), expiringDays);
      try {
        return db
          .prepare(`SELECT order_id FROM records ${sql} ${recordOrder(q)}`)
          .pluck()
          .all(params) as string[];
      } catch (err) {
        throw readFailure(err);
      }
    },
    forget(orderIds, by) {
      const ids = [...new Set(orderIds)];
      const n = write(() => {
        const hashes = idHashesOf(db, ids);
        const del = db.prepare('DELETE FROM records WHERE order_id = ?');
        // Forgetting an order forgets all the vault has on it: its sheet row and its waiting entry too.
        const delSheet = db.prepare('DELETE FROM order_facts WHERE order_id = ?');
        let count = 0;
        let sheetRows = 0;
        const gone: string[] = [];
        for (const id of ids) {
          if (del.run(id).changes > 0) {
            count++;
            gone.push(id);
          }
          sheetRows += delSheet.run(id).changes;
          stmt.unwait.run(id);
        }
        for (const id of ids) {
          // The team forgets both, also a sheet row this desk never pulled.
          noteChange(db, 'tombstone', id, now());
          noteChange(db, 'sheet-tombstone', id, now());
        }
        audited(
          now(),
          {
            action: 'forget',
            profile: by.profile,
            orderIds: ids,
            detail: { channel: by.channel, requested: ids.length, forgotten: count, sheetRows },
          },
          hashes,
        );
        return count;
      });
      checkpoint();
      return n;
    },
    purge(p) {
      const recordDays = nonNegative(p.recordDays, 'recordDays') as number;
      const imageDays = nonNegative(p.imageDays, 'imageDays');
      const auditDays = nonNegative(p.auditDays, 'auditDays') as number;
      const t = clock().getTime();
      const cut = (days: number) => new Date(t - days * DAY_MS).toISOString();
      // The automatic purge (every open, then on a timer) first finds by reads whether anything is
      // due, and writes nothing when not: opening a vault that is damaged elsewhere must not add
      // a frame to its WAL before a read meets the damage.
      if (
        p.auto &&
        !damaged &&
        !read(() =>
          purgeDue(cut(recordDays), imageDays === undefined ? null : cut(imageDays), cut(auditDays)),
        )
      )
        return { records: 0, images: 0, audit: 0 };
      let sheetGone = 0;
      const out = write(() => {
        const old = db
          .prepare('SELECT order_id FROM records WHERE fetched_at < ?')
          .pluck()
          .all(cut(recordDays)) as string[];
        const oldHashes = idHashesOf(db, old);
        const records = db.prepare('DELETE FROM records WHERE fetched_at < ?').run(cut(recordDays)).changes;
        // Sheet rows and waiting entries go with their record; without a record, when as old as one would be.
        const dropSheet = db.prepare('DELETE FROM order_facts WHERE order_id = ?');
        let sheetRows = 0;
        for (const id of old) {
          sheetRows += dropSheet.run(id).changes;
          stmt.unwait.run(id);
        }
        const agedSheet = db
          .prepare(
            'DELETE FROM order_facts WHERE updated_at < ? AND order_id NOT IN (SELECT order_id FROM records) RETURNING order_id',
          )
          .pluck()
          .all(cut(recordDays)) as string[];
        sheetRows += agedSheet.length;
        db.prepare(
          'DELETE FROM order_waiting WHERE since < ? AND order_id NOT IN (SELECT order_id FROM records)',
        ).run(cut(recordDays));
        let images = 0;
        if (imageDays !== undefined) {
          const touched = db
            .prepare('SELECT DISTINCT record_id FROM images WHERE stored_at < ?')
            .pluck()
            .all(cut(imageDays)) as number[];
          images = db.prepare('DELETE FROM images WHERE stored_at < ?').run(cut(imageDays)).changes;
          for (const id of touched) stmt.imageColumns.run(id);
        }
        sheetGone = sheetRows;
        const audit = purgeAudit(db, cut(auditDays));
        if (p.auto && !records && !images && !audit && !sheetRows) return { records, images, audit };
        const at = new Date(t).toISOString();
        for (const id of old) {
          noteChange(db, 'tombstone', id, at);
          noteChange(db, 'sheet-tombstone', id, at);
        }
        for (const id of agedSheet) noteChange(db, 'sheet-tombstone', id, at);
        audited(
          new Date(t).toISOString(),
          {
            action: 'purge',
            profile: null,
            orderIds: old,
            detail: {
              channel: p.channel,
              auto: p.auto === true,
              records,
              images,
              audit,
              sheetRows,
              recordDays,
              ...(imageDays !== undefined ? { imageDays } : {}),
              auditDays,
            },
          },
          oldHashes,
        );
        return { records, images, audit };
      });
      if (out.records || out.images || out.audit || sheetGone) checkpoint();
      return out;
    },
    audit(entry, o) {
      write(() =>
        audited(
          now(),
          entry,
          o?.idNumbers ? [...new Set(o.idNumbers.map((n) => idNumberHash(db, n)))] : undefined,
        ),
      );
    },
    auditLog: (q: AuditQuery) =>
      read(() =>
        queryAudit(db, q, (x) => ({
          ...(x.since ? { from: instant(x.since, false) } : {}),
          ...(x.until ? { to: instant(x.until, true) } : {}),
        })),
      ),
    extend(component, migrations) {
      if (component === 'vault')
        throw new ClearanceFailure(clearanceError('internal', { detail: 'reserved schema component' }));
      try {
        if (!damaged) migrate(db, component, migrations);
        else if (readSchemaVersion(db, component) !== migrations.length) throw refuseDamaged();
      } catch (err) {
        if (isCorrupt(err)) markDamaged();
        throw failure(err);
      }
      return db;
    },
    isDamaged: () => damaged,
    setExpiringDays(days: number) {
      expiringDays = days;
    },
    close() {
      if (!db.open) return;
      if (damaged && !db.readonly) closeWithoutCheckpoint(db, opts.path, opts.key);
      else db.close();
    },
  };
  return vault;
}
