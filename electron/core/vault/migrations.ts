/**
 * Schema versions per component: the vault's own tables and those of components that keep their
 * state in the same encrypted file (batch jobs). Each migration runs once, in order, inside one
 * transaction together with its version bump, so a crash never leaves a half-applied schema.
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import { ClearanceFailure, clearanceError } from '../errors';

const VERSIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_versions (
  component TEXT PRIMARY KEY,
  version INTEGER NOT NULL
) WITHOUT ROWID`;

export function schemaVersion(db: Database, component: string): number {
  db.exec(VERSIONS_TABLE);
  const row = db.prepare('SELECT version FROM schema_versions WHERE component = ?').get(component) as
    | { version: number }
    | undefined;
  return row?.version ?? 0;
}

/** A component's schema version by reads alone: no CREATE, no transaction (0 when it has none yet). */
export function readSchemaVersion(db: Database, component: string): number {
  const table = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_versions'")
    .get();
  if (!table) return 0;
  const row = db.prepare('SELECT version FROM schema_versions WHERE component = ?').get(component) as
    | { version: number }
    | undefined;
  return row?.version ?? 0;
}

/** Applies `migrations[current..]`; returns the new version. A newer database than this code knows is refused. */
export function migrate(db: Database, component: string, migrations: readonly string[]): number {
  if (!/^[a-z][a-z0-9-]{0,40}$/.test(component)) {
    throw new ClearanceFailure(clearanceError('internal', { detail: 'bad schema component name' }));
  }
  // Up to date (every open but the first after an upgrade): read, and write nothing, not even an
  // empty transaction, so that opening a vault that is damaged elsewhere cannot add to its WAL.
  if (readSchemaVersion(db, component) === migrations.length) return migrations.length;
  const run = db.transaction(() => {
    const current = schemaVersion(db, component);
    if (current > migrations.length) {
      // Written by a newer release: running old code on it could lose data, so stop here.
      throw new ClearanceFailure(
        clearanceError('vault-failed', {
          detail: `${component} schema v${current} is newer than this app (v${migrations.length})`,
        }),
      );
    }
    for (let v = current; v < migrations.length; v++) db.exec(migrations[v] as string);
    if (migrations.length > current) {
      db.prepare(
        'INSERT INTO schema_versions (component, version) VALUES (?, ?) ON CONFLICT(component) DO UPDATE SET version = excluded.version',
      ).run(component, migrations.length);
    }
    return Math.max(current, migrations.length);
  });
  return run.immediate();
}

/**
 * Vault schema v3: the day's order sheet (personal data: consignee, phone) and the orders waiting
 * for their identity. The vault's own tables rather than a component's, so that forgetting and
 * purging a record take its sheet row and waiting entry in the same transaction.
 */
export const ORDERS_MIGRATION = `
CREATE TABLE order_facts (
  order_id TEXT PRIMARY KEY,
  waybill TEXT,
  waybill_key TEXT,
  consignee TEXT,
  phone TEXT,
  amount_fen INTEGER,
  payment_no TEXT,
  order_time TEXT,
  source TEXT NOT NULL,
  imported_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX order_facts_waybill ON order_facts(waybill_key);
CREATE INDEX order_facts_updated ON order_facts(updated_at);
CREATE TABLE order_waiting (
  order_id TEXT PRIMARY KEY,
  profile TEXT,
  reason TEXT NOT NULL,
  code TEXT,
  since TEXT NOT NULL,
  checked_at TEXT NOT NULL,
  checks INTEGER NOT NULL
) WITHOUT ROWID;
`;
