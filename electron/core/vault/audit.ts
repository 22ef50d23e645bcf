/**
 * The audit log: who did what to which orders, never the personal data itself. Append-only is
 * enforced by the database (triggers), not by convention: nothing may update an entry, and an
 * entry may be deleted only by the vault's own retention purge, which opens a gate for entries
 * older than its cut-off inside the purge transaction and closes it before committing.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import type { Database } from 'better-sqlite3-multiple-ciphers';
import { ClearanceFailure, clearanceError } from '../errors';
import { AUDIT_ACTIONS } from '../rules';
import type { AuditAction, AuditEntry, AuditQuery } from './types';

export { AUDIT_ACTIONS };

export const AUDIT_SCHEMA = `
CREATE TABLE audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  action TEXT NOT NULL,
  os_user TEXT NOT NULL,
  host TEXT NOT NULL,
  profile TEXT,
  order_ids TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX audit_at ON audit(at);
CREATE TABLE audit_gate (id INTEGER PRIMARY KEY CHECK (id = 1), purge_before TEXT);
INSERT INTO audit_gate (id, purge_before) VALUES (1, NULL);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
WHEN (SELECT purge_before FROM audit_gate WHERE id = 1) IS NULL
  OR OLD.at >= (SELECT purge_before FROM audit_gate WHERE id = 1)
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
`;

/**
 * Keyed hashes of the ID numbers an entry is about (HMAC-SHA256 under a per-vault key kept in the
 * vault's own encrypted meta table): an auditor can find every entry about a person by the full
 * ID number, even after the record was purged, and the log never holds the number itself.
 */
export const AUDIT_ID_SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE audit_ids (
  audit_id INTEGER NOT NULL REFERENCES audit(id) ON DELETE CASCADE,
  id_hash TEXT NOT NULL,
  PRIMARY KEY (audit_id, id_hash)
) WITHOUT ROWID;
CREATE INDEX audit_ids_hash ON audit_ids(id_hash);
`;

const keys = new WeakMap<Database, Buffer>();

/** Loads (or, the first time, creates) the vault's audit hashing key. */
export function loadAuditKey(db: Database): void {
  const read = () =>
    db.prepare("SELECT value FROM meta WHERE key = 'audit-id-key'").pluck().get() as Buffer | undefined;
  let key = read();
  if (!key) {
    db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('audit-id-key', ?)").run(randomBytes(32));
    key = read() as Buffer;
  }
  keys.set(db, key);
}

/** The keyed hash of an ID number (normalised: trimmed, a final x upper-cased). */
export function idNumberHash(db: Database, idNumber: string): string {
  const key = keys.get(db);
  if (!key) throw new ClearanceFailure(clearanceError('internal', { detail: 'audit key not loaded' }));
  return createHmac('sha256', key).update(idNumber.trim().replace(/x$/, 'X')).digest('hex');
}

/** The hashes of the stored ID numbers of these orders (read before a forget or purge deletes them). */
export function idHashesOf(db: Database, orderIds: readonly string[]): string[] {
  if (orderIds.length === 0) return [];
  const numbers = db
    .prepare('SELECT DISTINCT id_number FROM records WHERE order_id IN (SELECT value FROM json_each(?))')
    .pluck()
    .all(JSON.stringify(orderIds)) as string[];
  return [...new Set(numbers.map((n) => idNumberHash(db, n)))];
}

export interface Actor {
  osUser: string;
  host: string;
}

/** The signed-in OS user and the machine; `userInfo()` throws for users without a passwd entry. */
export function currentActor(): Actor {
  let osUser = 'unknown';
  try {
    osUser = userInfo().username || 'unknown';
  } catch {
    osUser = process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
  let host = 'unknown';
  try {
    host = hostname() || 'unknown';
  } catch {
    // keep 'unknown'
  }
  return { osUser, host };
}

type Detail = AuditEntry['detail'];
const MAX_DETAIL_KEYS = 20;
const MAX_DETAIL_TEXT = 200;

/** Details are small facts (mode, channel, counts): bounded so nothing bulky, like a document, slips in. */
function cleanDetail(detail: Detail): Detail {
  const out: Detail = {};
  for (const [k, v] of Object.entries(detail).slice(0, MAX_DETAIL_KEYS)) {
    if (typeof v === 'string') out[k.slice(0, 40)] = v.slice(0, MAX_DETAIL_TEXT);
    else if (typeof v === 'number' || typeof v === 'boolean') out[k.slice(0, 40)] = v;
  }
  return out;
}

/** `idHashes`: given when the records are already gone (forget, purge); otherwise read from them. */
export function appendAudit(
  db: Database,
  actor: Actor,
  at: string,
  entry: Omit<AuditEntry, 'id' | 'at' | 'osUser' | 'host'>,
  idHashes?: readonly string[],
): number {
  if (!AUDIT_ACTIONS.includes(entry.action)) {
    throw new ClearanceFailure(clearanceError('internal', { detail: 'unknown audit action' }));
  }
  const hashes = idHashes ?? idHashesOf(db, entry.orderIds);
  const r = db
    .prepare(
      'INSERT INTO audit (at, action, os_user, host, profile, order_ids, detail) VALUES (?, ?, ?, ?, ?, ?, ?)',
    )
    .run(
      at,
      entry.action,
      actor.osUser,
      actor.host,
      entry.profile,
      JSON.stringify(entry.orderIds),
      JSON.stringify(cleanDetail(entry.detail)),
    );
  const link = db.prepare('INSERT OR IGNORE INTO audit_ids (audit_id, id_hash) VALUES (?, ?)');
  for (const h of hashes) link.run(r.lastInsertRowid, h);
  return Number(r.lastInsertRowid);
}

/** Deletes entries older than `before` (ISO); the gate is open only inside this call's transaction. */
export function purgeAudit(db: Database, before: string): number {
  db.prepare('UPDATE audit_gate SET purge_before = ? WHERE id = 1').run(before);
  try {
    return db.prepare('DELETE FROM audit WHERE at < ?').run(before).changes;
  } finally {
    db.prepare('UPDATE audit_gate SET purge_before = NULL WHERE id = 1').run();
  }
}

interface AuditRow {
  id: number;
  at: string;
  action: AuditAction;
  os_user: string;
  host: string;
  profile: string | null;
  order_ids: string;
  detail: string;
  desk?: string | null;
}

/** `since`/`until`: ISO instants, or dates (whole Shanghai days, inclusive). Newest first. */
export function queryAudit(
  db: Database,
  q: AuditQuery,
  bounds: (q: AuditQuery) => { from?: string; to?: string },
): AuditEntry[] {
  const where: string[] = [];
  const params: Record<string, string | number> = {};
  const { from, to } = bounds(q);
  if (from) {
    where.push('at >= @from');
    params.from = from;
  }
  if (to) {
    where.push('at < @to');
    params.to = to;
  }
  if (q.action) {
    where.push('action = @action');
    params.action = q.action;
  }
  if (q.orderId) {
    where.push('EXISTS (SELECT 1 FROM json_each(audit.order_ids) WHERE value = @orderId)');
    params.orderId = q.orderId;
  }
  if (q.orderIdPart) {
    // A prefix or a suffix of an order id (what a label or a list shows of it).
    where.push(
      'EXISTS (SELECT 1 FROM json_each(audit.order_ids) WHERE substr(value, 1, length(@part)) = @part OR substr(value, -length(@part)) = @part)',
    );
    params.part = q.orderIdPart;
  }
  if (q.idNumber) {
    where.push('id IN (SELECT audit_id FROM audit_ids WHERE id_hash = @idHash)');
    params.idHash = idNumberHash(db, q.idNumber);
  }
  if (q.osUser) {
    where.push('os_user = @osUser');
    params.osUser = q.osUser;
  }
  if (q.host) {
    where.push('host = @host');
    params.host = q.host;
  }
  params.limit = Math.max(0, Math.min(q.limit ?? 1000, 100_000));
  params.offset = Math.max(0, q.offset ?? 0);
  const sql = `SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit OFFSET @offset`;
  return (db.prepare(sql).all(params) as AuditRow[]).map((r) => ({
    id: r.id,
    at: r.at,
    action: r.action,
    osUser: r.os_user,
    host: r.host,
    profile: r.profile,
    orderIds: JSON.parse(r.order_ids) as string[],
    detail: JSON.parse(r.detail) as Detail,
    // Entries pulled from the team name the desk they came from; this desk's own have none.
    ...(r.desk ? { desk: r.desk } : {}),
  }));
}
