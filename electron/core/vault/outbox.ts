/**
 * The team outbox: while this vault belongs to a team (team_link.enabled), every local change —
 * a stored record, an order-sheet row, an audit entry, a forget or purge (as tombstones of the
 * record and of the sheet row) — is noted here in the same
 * transaction as the change itself, so a crash can never keep one without the other. The team
 * sync (core/team/sync.ts) pushes the notes and removes them only after the server has them.
 * A note refers to the change (an order id, an audit row); what is pushed is read at push time.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3-multiple-ciphers';

export type OutboxKind = 'record' | 'tombstone' | 'audit' | 'sheet' | 'sheet-tombstone';

export const OUTBOX_MIGRATION = `
CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  change_id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('record', 'tombstone', 'audit')),
  ref TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE TABLE team_link (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  enabled INTEGER NOT NULL DEFAULT 0,
  desk_id TEXT,
  records_seq INTEGER NOT NULL DEFAULT 0,
  audit_seq INTEGER NOT NULL DEFAULT 0,
  audit_head TEXT,
  last_sync TEXT,
  desks_recent INTEGER NOT NULL DEFAULT 1
);
INSERT INTO team_link (id) VALUES (1);
ALTER TABLE audit ADD COLUMN desk TEXT;
ALTER TABLE audit ADD COLUMN change_id TEXT;
CREATE UNIQUE INDEX audit_change ON audit(change_id) WHERE change_id IS NOT NULL;
`;

/**
 * The order sheet's notes: the outbox takes two more kinds (SQLite cannot widen a CHECK in place,
 * so the table is copied), and the pull's cursor over the server's sheet rows. Safe to run again
 * (an upgrade test rewinds the vault's version past it).
 */
export const OUTBOX_SHEET_MIGRATION = `
CREATE TABLE outbox_next (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  change_id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('record', 'tombstone', 'audit', 'sheet', 'sheet-tombstone')),
  ref TEXT NOT NULL,
  at TEXT NOT NULL
);
INSERT INTO outbox_next (seq, change_id, kind, ref, at) SELECT seq, change_id, kind, ref, at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_next RENAME TO outbox;
CREATE TABLE IF NOT EXISTS team_cursors (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  sheet_seq INTEGER NOT NULL DEFAULT 0
);
INSERT OR IGNORE INTO team_cursors (id) VALUES (1);
`;

/** Called inside the change's own transaction; a no-op outside a team. */
export function noteChange(db: Database, kind: OutboxKind, ref: string, at: string): void {
  const on = db.prepare('SELECT enabled FROM team_link WHERE id = 1').pluck().get() as number | undefined;
  if (!on) return;
  db.prepare('INSERT INTO outbox (change_id, kind, ref, at) VALUES (?, ?, ?, ?)').run(
    randomUUID(),
    kind,
    ref,
    at,
  );
}
