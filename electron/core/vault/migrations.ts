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

/** Applies `migrations[current..]`; returns the new version. A newer database than this code knows is refused. */
export function migrate(db: Database, component: string, migrations: readonly string[]): number {
  if (!/^[a-z][a-z0-9-]{0,40}$/.test(component)) {
    throw new ClearanceFailure(clearanceError('internal', { detail: 'bad schema component name' }));
  }
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
