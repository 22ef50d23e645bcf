/**
 * The team's schema on PostgreSQL (schema `clearance`), versioned: `schema_version` holds the
 * number of migrations applied; each runs once, in order, in one transaction with its bump. A
 * server whose version is above what this release knows is refused (`team-schema-newer`).
 *
 * What the server holds per order: order id, times, flags, profile, request id and image types in
 * clear; name, ID number, expiry text, the raw reply and the images only sealed with the team key
 * (see ./crypto.ts), plus the ID number's blind index. A forget or purge turns the row into a
 * tombstone: every sealed column is set to NULL and the row gets a new sequence number, so each
 * desk pulls the deletion and the server keeps nothing of the person. The order sheet's rows
 * (`sheet_rows`, v2) follow the same rules: order id in clear, every field of the row sealed.
 *
 * Roles: `clearance_desk` (NOLOGIN) carries the desks' grants; each desk's login is made a member
 * (`GRANT clearance_desk TO alice`). It may read everything and add audit entries, never update or
 * delete one (append-only by grants; the keyed hash chain catches what an owner does).
 */
import type { ClientBase } from 'pg';
import { ClearanceFailure, clearanceError } from '../errors';

export const TEAM_SCHEMA = 'clearance';
export const DESK_ROLE = 'clearance_desk';
export const NOTIFY_CHANNEL = 'clearance_team';

export const TEAM_MIGRATIONS: readonly string[] = [
  `
CREATE TABLE clearance.team (
  id int PRIMARY KEY CHECK (id = 1),
  team_id uuid NOT NULL,
  key_check text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE clearance.desks (
  desk_id uuid PRIMARY KEY,
  label text NOT NULL,
  os_user text NOT NULL,
  host text NOT NULL,
  db_user text NOT NULL DEFAULT current_user,
  joined_at timestamptz NOT NULL DEFAULT now(),
  last_seen timestamptz NOT NULL DEFAULT now(),
  left_at timestamptz
);
CREATE SEQUENCE clearance.change_seq;
CREATE TABLE clearance.records (
  order_id text PRIMARY KEY,
  seq bigint NOT NULL DEFAULT nextval('clearance.change_seq'),
  change_id uuid NOT NULL,
  desk_id uuid NOT NULL,
  changed_at timestamptz NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  profile text,
  first_fetched_at text,
  fetched_at text,
  id_type int,
  invalid boolean,
  request_id text,
  id_index text,
  name_enc bytea,
  id_enc bytea,
  expiry_enc bytea,
  raw_enc bytea,
  front_mime text,
  front_enc bytea,
  back_mime text,
  back_enc bytea
);
CREATE INDEX records_seq ON clearance.records (seq);
CREATE INDEX records_id_index ON clearance.records (id_index) WHERE id_index IS NOT NULL;
CREATE TABLE clearance.applied_changes (
  change_id uuid PRIMARY KEY,
  desk_id uuid NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE clearance.audit (
  seq bigserial PRIMARY KEY,
  change_id uuid NOT NULL UNIQUE,
  desk_id uuid NOT NULL,
  desk_label text NOT NULL,
  at text NOT NULL,
  action text NOT NULL,
  os_user text NOT NULL,
  host text NOT NULL,
  profile text,
  order_ids text NOT NULL,
  detail text NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE clearance.budget (
  app_key text PRIMARY KEY,
  tokens float8 NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'clearance_desk') THEN
    CREATE ROLE clearance_desk NOLOGIN;
  END IF;
END $$;
GRANT USAGE ON SCHEMA clearance TO clearance_desk;
GRANT SELECT ON clearance.schema_version, clearance.team TO clearance_desk;
GRANT SELECT, INSERT, UPDATE ON clearance.desks, clearance.records, clearance.budget TO clearance_desk;
GRANT SELECT, INSERT ON clearance.applied_changes, clearance.audit TO clearance_desk;
GRANT USAGE ON SEQUENCE clearance.change_seq, clearance.audit_seq_seq TO clearance_desk;
REVOKE UPDATE, DELETE, TRUNCATE ON clearance.audit FROM PUBLIC, clearance_desk;
`,
  // v2: the order sheet's rows. Only the order id and the sync's own columns are in clear; the
  // waybill, consignee, phone, amount, payment number and order time are sealed (see ./sync.ts).
  // No index on the waybill: every desk resolves a scan on its own pulled copy.
  `
CREATE TABLE clearance.sheet_rows (
  order_id text PRIMARY KEY,
  seq bigint NOT NULL DEFAULT nextval('clearance.change_seq'),
  change_id uuid NOT NULL,
  desk_id uuid NOT NULL,
  changed_at timestamptz NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  waybill_enc bytea,
  consignee_enc bytea,
  phone_enc bytea,
  amount_enc bytea,
  payment_no_enc bytea,
  order_time_enc bytea
);
CREATE INDEX sheet_rows_seq ON clearance.sheet_rows (seq);
GRANT SELECT, INSERT, UPDATE ON clearance.sheet_rows TO clearance_desk;
`,
];

export const pgCode = (err: unknown) => String((err as { code?: unknown })?.code ?? '');

/** The server's schema version; 0 when there is no team schema yet. */
export async function serverSchemaVersion(c: ClientBase): Promise<number> {
  const exists = await c.query(`SELECT to_regclass('clearance.schema_version') IS NOT NULL AS ok`);
  if (!exists.rows[0]?.ok) return 0;
  const r = await c.query('SELECT version FROM clearance.schema_version WHERE id = 1');
  return Number(r.rows[0]?.version ?? 0);
}

/**
 * Refuses a server written by a newer release; `missing` when there is no team on it at all. A
 * server of an older release is brought up to date when this login owns the schema (the desk that
 * ran `team init`, on its next exchange); any other desk is told to wait for that, and writes
 * nothing meanwhile (its outbox keeps every change).
 */
export async function checkSchema(c: ClientBase): Promise<number> {
  const v = await serverSchemaVersion(c);
  if (v > TEAM_MIGRATIONS.length)
    throw new ClearanceFailure(
      clearanceError('team-schema-newer', { detail: `v${v} > v${TEAM_MIGRATIONS.length}` }),
    );
  if (v === 0) throw new ClearanceFailure(clearanceError('team-schema-missing'));
  if (v < TEAM_MIGRATIONS.length) {
    try {
      return await migrateServer(c);
    } catch (err) {
      if (pgCode(err) !== '42501') throw err;
      throw new ClearanceFailure(
        clearanceError('team-schema-older', { detail: `v${v} < v${TEAM_MIGRATIONS.length}` }),
      );
    }
  }
  return v;
}

/** Applies the migrations this server lacks (run by `team init` and by an owner's later releases). */
export async function migrateServer(c: ClientBase): Promise<number> {
  await c.query('BEGIN');
  try {
    // One migrator at a time, even from two desks.
    await c.query(`SELECT pg_advisory_xact_lock(hashtext('clearance-desk migrate'))`);
    await c.query('CREATE SCHEMA IF NOT EXISTS clearance');
    await c.query(
      'CREATE TABLE IF NOT EXISTS clearance.schema_version (id int PRIMARY KEY CHECK (id = 1), version int NOT NULL)',
    );
    const v = await serverSchemaVersion(c);
    if (v > TEAM_MIGRATIONS.length)
      throw new ClearanceFailure(
        clearanceError('team-schema-newer', { detail: `v${v} > v${TEAM_MIGRATIONS.length}` }),
      );
    for (let i = v; i < TEAM_MIGRATIONS.length; i++) await c.query(TEAM_MIGRATIONS[i] as string);
    await c.query(
      `INSERT INTO clearance.schema_version (id, version) VALUES (1, $1)
       ON CONFLICT (id) DO UPDATE SET version = excluded.version`,
      [TEAM_MIGRATIONS.length],
    );
    await c.query('COMMIT');
    return TEAM_MIGRATIONS.length;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {});
    throw err;
  }
}
