/**
 * Team mode for one data folder: init, join, status, sync, leave, serving an order from the
 * team's copy, the shared call budget, and verifying the team's audit chain. The local vault
 * stays the working copy; the server is reached only inside these calls (and the app's live
 * sync), and every failure to reach it is a value that leaves local work untouched.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { Client } from 'pg';
import type { Desk } from '../desk';
import { ClearanceFailure, clearanceError } from '../errors';
import { currentActor } from '../vault/audit';
import type { StoredRecord, Vault } from '../vault/types';
import { TeamBudgetGate } from './budget';
import { asTeamFailure, connect } from './client';
import {
  parseServerUrl,
  readTeamConfig,
  removeTeamConfig,
  serverLabel,
  TEAM_KEY_ACCOUNT,
  TEAM_PASSWORD_ACCOUNT,
  type TeamConfig,
  teamSecrets,
  writeTeamConfig,
} from './config';
import {
  chainHash,
  decodeJoinCode,
  encodeJoinCode,
  idIndex,
  newTeamKey,
  type TeamKeys,
  teamKeys,
} from './crypto';
import { checkSchema, migrateServer, NOTIFY_CHANNEL } from './schema';
import { applyRow, auditCanonical, chainGenesis, outboxSize, pull, push, type SyncContext } from './sync';

export interface JoinOptions {
  server: string;
  ca?: string;
  /** The desk's name in the team (default: the host name). */
  label?: string;
  /** Only when neither the keychain nor CLEARANCE_TEAM_PASSWORD_FILE should provide it. */
  password?: string;
}

export interface TeamStatus {
  server: string;
  teamId: string;
  deskId: string;
  deskLabel: string;
  lastSync: string | null;
  outbox: number;
  reachable: boolean;
  desks: { label: string; osUser: string; host: string; lastSeen: string; self: boolean }[] | null;
  problem: ReturnType<typeof clearanceError> | null;
}

export interface SyncResult {
  pushed: number;
  pulled: number;
  /** Order-sheet rows (or their removals) from other desks. */
  sheetPulled: number;
  auditPulled: number;
  skipped: number;
}

/** The vault's own database, for the team's tables (outbox, team_link) and applying pulled rows. */
const vaultDb = (v: Vault): Database => v.extend('team', []);

function enableLink(db: Database, deskId: string): void {
  db.transaction(() => {
    db.prepare(
      `UPDATE team_link SET enabled = 1, desk_id = ?, records_seq = 0, audit_seq = 0, audit_head = NULL,
         last_sync = NULL WHERE id = 1`,
    ).run(deskId);
    db.prepare('UPDATE team_cursors SET sheet_seq = 0 WHERE id = 1').run();
    db.prepare('DELETE FROM outbox').run();
    // What this desk already holds goes to the team too: its records and sheet rows, then its own audit entries.
    const now = new Date().toISOString();
    const note = db.prepare('INSERT INTO outbox (change_id, kind, ref, at) VALUES (?, ?, ?, ?)');
    for (const id of db.prepare('SELECT order_id FROM records ORDER BY id').pluck().all())
      note.run(randomUUID(), 'record', id as string, now);
    for (const id of db
      .prepare('SELECT order_id FROM order_facts ORDER BY imported_at, order_id')
      .pluck()
      .all())
      note.run(randomUUID(), 'sheet', id as string, now);
    for (const a of db.prepare('SELECT id, at FROM audit WHERE desk IS NULL ORDER BY id').all()) {
      const e = a as { id: number; at: string };
      note.run(randomUUID(), 'audit', String(e.id), e.at);
    }
  })();
}

async function registerDesk(c: Client, config: TeamConfig): Promise<void> {
  const a = currentActor();
  await c.query(
    `INSERT INTO clearance.desks (desk_id, label, os_user, host) VALUES ($1, $2, $3, $4)
     ON CONFLICT (desk_id) DO UPDATE SET last_seen = now(), left_at = NULL`,
    [config.deskId, config.deskLabel, a.osUser, a.host],
  );
}

async function storeSecrets(desk: Desk, env: NodeJS.ProcessEnv, key: Buffer, password?: string) {
  if (!env.CLEARANCE_TEAM_KEY_FILE) await desk.secrets.set(TEAM_KEY_ACCOUNT, key.toString('hex'));
  if (password !== undefined && !env.CLEARANCE_TEAM_PASSWORD_FILE)
    await desk.secrets.set(TEAM_PASSWORD_ACCOUNT, password);
}

async function passwordFor(desk: Desk, env: NodeJS.ProcessEnv, given?: string) {
  return given ?? (await teamSecrets(desk.secrets, env).password());
}

/** `team init`: the schema (as the owner), the team key, this desk as the first member; returns the join code. */
export async function initTeam(
  desk: Desk,
  env: NodeJS.ProcessEnv,
  o: JoinOptions,
): Promise<{ config: TeamConfig; joinCode: string }> {
  if (readTeamConfig(desk.dataDir)) throw new ClearanceFailure(clearanceError('team-already-joined'));
  const server = parseServerUrl(o.server, o.ca ? { ca: o.ca } : {});
  const password = await passwordFor(desk, env, o.password);
  const vault = await desk.vault();
  const c = await connect(server, password);
  try {
    await migrateServer(c).catch((err) => {
      throw asTeamFailure(err);
    });
    const key = newTeamKey();
    const keys = teamKeys(key);
    const teamId = randomUUID();
    const made = await c.query(
      'INSERT INTO clearance.team (id, team_id, key_check) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING RETURNING 1',
      [teamId, keys.check],
    );
    if (made.rowCount === 0) throw new ClearanceFailure(clearanceError('team-exists'));
    const config: TeamConfig = {
      version: 1,
      teamId,
      deskId: randomUUID(),
      deskLabel: o.label ?? hostname(),
      server,
      joinedAt: new Date().toISOString(),
    };
    await registerDesk(c, config);
    await storeSecrets(desk, env, key, o.password);
    enableLink(vaultDb(vault), config.deskId);
    writeTeamConfig(desk.dataDir, config);
    return { config, joinCode: encodeJoinCode(teamId, key) };
  } catch (err) {
    throw asTeamFailure(err);
  } finally {
    await c.end().catch(() => {});
  }
}

/** `team join`: checks the code against the server's team before anything is stored. */
export async function joinTeam(
  desk: Desk,
  env: NodeJS.ProcessEnv,
  o: JoinOptions & { joinCode: string },
): Promise<TeamConfig> {
  if (readTeamConfig(desk.dataDir)) throw new ClearanceFailure(clearanceError('team-already-joined'));
  const server = parseServerUrl(o.server, o.ca ? { ca: o.ca } : {});
  const code = decodeJoinCode(o.joinCode);
  if (!code) throw new ClearanceFailure(clearanceError('team-join-code'));
  const password = await passwordFor(desk, env, o.password);
  const vault = await desk.vault();
  const c = await connect(server, password);
  try {
    await checkSchema(c);
    const t = await c.query('SELECT team_id::text AS team_id, key_check FROM clearance.team WHERE id = 1');
    const row = t.rows[0] as { team_id: string; key_check: string } | undefined;
    if (!row) throw new ClearanceFailure(clearanceError('team-schema-missing'));
    if (row.team_id !== code.teamId || row.key_check !== teamKeys(code.key).check)
      throw new ClearanceFailure(clearanceError('team-join-code'));
    const config: TeamConfig = {
      version: 1,
      teamId: code.teamId,
      deskId: randomUUID(),
      deskLabel: o.label ?? hostname(),
      server,
      joinedAt: new Date().toISOString(),
    };
    await registerDesk(c, config);
    await storeSecrets(desk, env, code.key, o.password);
    enableLink(vaultDb(vault), config.deskId);
    writeTeamConfig(desk.dataDir, config);
    return config;
  } catch (err) {
    throw asTeamFailure(err);
  } finally {
    await c.end().catch(() => {});
  }
}

export interface Team {
  readonly config: TeamConfig;
  readonly keys: TeamKeys;
  /** A new connection to the server (the caller ends it); failures as `ClearanceFailure`. */
  connect(): Promise<Client>;
  /** Push the outbox, then pull; throws the server's failure as a value of the table. */
  sync(opts?: { onPushed?: (n: number) => void }): Promise<SyncResult>;
  /** Sync that never throws: the error instead (the outbox keeps what did not go). */
  trySync(): Promise<SyncResult | ReturnType<typeof clearanceError>>;
  status(): Promise<TeamStatus>;
  /**
   * The team's copy of an order, without a gateway call: the local vault (pulled earlier) or the
   * server. Audited as a `fetch` from the team. Undefined when the team does not hold it (or the
   * server is out of reach and the vault lacks it).
   */
  serve(orderId: string, channel: string): Promise<StoredRecord | undefined>;
  /** Exact ID-number search on the server, by the blind index: the order ids holding that number. */
  ordersWithId(idNumber: string): Promise<string[]>;
  budgetGate(appKey: string, qps: number): TeamBudgetGate;
  /** Walk the server's audit chain; `breaks` lists where it does not hold. */
  verifyAudit(): Promise<{ entries: number; breaks: { seq: string; problem: string }[] }>;
  /** LISTEN for other desks' pushes; calls `onChange` (debounce it yourself). Returns a stop function. */
  listen(onChange: () => void, onLost?: () => void): Promise<() => Promise<void>>;
  leave(): Promise<void>;
  /** Ends the kept connection, if any. */
  close(): Promise<void>;
}

export async function openTeam(
  desk: Desk,
  env: NodeJS.ProcessEnv,
  /** `keepConnection`: reuse one connection across calls (the app); end it with `close()`. */
  opts: { keepConnection?: boolean } = {},
): Promise<Team | null> {
  const config = readTeamConfig(desk.dataDir);
  if (!config) return null;
  const secrets = teamSecrets(desk.secrets, env);
  const keys = teamKeys(await secrets.key());
  const vault = await desk.vault();
  const db = vaultDb(vault);

  const connectChecked = async () => {
    const c = await connect(config.server, await secrets.password());
    try {
      await checkSchema(c);
    } catch (err) {
      await c.end().catch(() => {});
      throw asTeamFailure(err);
    }
    return c;
  };
  let kept: Client | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const session = <T>(fn: (c: Client) => Promise<T>): Promise<T> => {
    if (!opts.keepConnection) {
      return (async () => {
        const c = await connectChecked();
        try {
          return await fn(c);
        } catch (err) {
          throw asTeamFailure(err);
        } finally {
          await c.end().catch(() => {});
        }
      })();
    }
    // One kept connection, one session at a time on it; any failure drops it (the next call reconnects).
    const run = queue.then(async () => {
      kept ??= await connectChecked();
      try {
        return await fn(kept);
      } catch (err) {
        const c = kept;
        kept = undefined;
        await c?.end().catch(() => {});
        throw asTeamFailure(err);
      }
    });
    queue = run.catch(() => {});
    return run;
  };
  const ctx = (c: Client): SyncContext => ({ pg: c, db, vault, keys, config });
  const desksRecent = () =>
    (db.prepare('SELECT desks_recent FROM team_link WHERE id = 1').pluck().get() as number | undefined) ?? 1;

  const team: Team = {
    config,
    keys,
    connect: connectChecked,
    sync: (opts = {}) =>
      session(async (c) => {
        const pushed = await push(ctx(c), opts.onPushed);
        const got = await pull(ctx(c));
        const n = await c.query(
          `SELECT count(*)::int AS n FROM clearance.desks WHERE left_at IS NULL AND last_seen > now() - interval '1 day'`,
        );
        db.prepare('UPDATE team_link SET desks_recent = ? WHERE id = 1').run(
          Math.max(1, Number(n.rows[0]?.n ?? 1)),
        );
        return {
          pushed,
          pulled: got.records,
          sheetPulled: got.sheet,
          auditPulled: got.audit,
          skipped: got.skipped,
        };
      }),
    async trySync() {
      try {
        return await team.sync();
      } catch (err) {
        if (err instanceof ClearanceFailure) return err.error;
        throw err;
      }
    },
    async status() {
      const l = db.prepare('SELECT last_sync FROM team_link WHERE id = 1').get() as {
        last_sync: string | null;
      };
      const base = {
        server: serverLabel(config.server),
        teamId: config.teamId,
        deskId: config.deskId,
        deskLabel: config.deskLabel,
        lastSync: l.last_sync,
        outbox: outboxSize(db),
      };
      try {
        const desks = await session(async (c) => {
          const r = await c.query(
            `SELECT desk_id::text AS desk_id, label, os_user, host, last_seen FROM clearance.desks
             WHERE left_at IS NULL ORDER BY joined_at`,
          );
          return r.rows.map((d) => ({
            label: d.label as string,
            osUser: d.os_user as string,
            host: d.host as string,
            lastSeen: new Date(d.last_seen as string).toISOString(),
            self: d.desk_id === config.deskId,
          }));
        });
        return { ...base, reachable: true, desks, problem: null };
      } catch (err) {
        if (!(err instanceof ClearanceFailure)) throw err;
        return { ...base, reachable: false, desks: null, problem: err.error };
      }
    },
    async serve(orderId, channel) {
      let record = vault.get(orderId);
      if (!record) {
        try {
          record = await session(async (c) => {
            const r = await c.query(
              `SELECT order_id, seq::text AS seq, desk_id, deleted, profile, first_fetched_at, fetched_at, id_type,
                 request_id, name_enc, id_enc, expiry_enc, raw_enc, front_mime, front_enc, back_mime, back_enc
               FROM clearance.records WHERE order_id = $1 AND NOT deleted`,
              [orderId],
            );
            if (!r.rows[0]) return undefined;
            applyRow({ db, vault, keys }, r.rows[0]);
            return vault.get(orderId);
          });
        } catch (err) {
          if (err instanceof ClearanceFailure) return undefined; // out of reach: the caller asks the gateway
          throw err;
        }
      }
      if (!record) return undefined;
      vault.audit({
        action: 'fetch',
        profile: record.profile,
        orderIds: [orderId],
        detail: { channel, source: 'team', gatewayCall: false },
      });
      return record;
    },
    ordersWithId: (idNumber) =>
      session(async (c) => {
        const r = await c.query(
          'SELECT order_id FROM clearance.records WHERE id_index = $1 AND NOT deleted ORDER BY order_id',
          [idIndex(keys, idNumber)],
        );
        return r.rows.map((x) => x.order_id as string);
      }),
    budgetGate: (appKey, qps) =>
      new TeamBudgetGate({ appKey, qps, connect: connectChecked, desks: desksRecent }),
    verifyAudit: () =>
      session(async (c) => {
        const breaks: { seq: string; problem: string }[] = [];
        let prev = chainGenesis(config.teamId);
        let entries = 0;
        let after = '0';
        const seen = new Map<string, string>();
        const head =
          (db.prepare('SELECT audit_head FROM team_link WHERE id = 1').pluck().get() as string | null) ??
          null;
        for (;;) {
          const r = await c.query(
            `SELECT seq::text AS seq, change_id::text AS change_id, desk_id::text AS desk_id, desk_label, at, action,
               os_user, host, profile, order_ids, detail, prev_hash, hash
             FROM clearance.audit WHERE seq > $1 ORDER BY clearance.audit.seq LIMIT 5000`,
            [after],
          );
          for (const e of r.rows) {
            entries++;
            if (e.prev_hash !== prev) breaks.push({ seq: e.seq, problem: 'previous-missing' });
            if (chainHash(keys, e.prev_hash, auditCanonical(e)) !== e.hash)
              breaks.push({ seq: e.seq, problem: 'edited' });
            prev = e.hash;
            if (head) seen.set(e.seq, e.hash);
          }
          if (r.rows.length < 5000) break;
          after = (r.rows.at(-1) as { seq: string }).seq;
        }
        if (head) {
          // The newest link this desk saw must still be there: a cut-off tail leaves no broken link.
          const [seq, hash] = head.split(':');
          if (seen.get(seq as string) !== hash)
            breaks.push({ seq: seq as string, problem: 'missing-since-seen' });
        }
        return { entries, breaks };
      }),
    async listen(onChange, onLost) {
      const c = await connectChecked();
      c.on('notification', (m) => {
        if (m.payload !== config.deskId) onChange();
      });
      c.on('error', () => onLost?.());
      c.on('end', () => onLost?.());
      await c.query(`LISTEN ${NOTIFY_CHANNEL}`);
      return async () => {
        c.removeAllListeners('end');
        await c.end().catch(() => {});
      };
    },
    async leave() {
      // The server is told when it can be reached; leaving works offline too.
      try {
        await session((c) =>
          c.query('UPDATE clearance.desks SET left_at = now() WHERE desk_id = $1', [config.deskId]),
        );
      } catch {
        // out of reach or refused: the desk still leaves locally
      }
      db.transaction(() => {
        db.prepare('UPDATE team_link SET enabled = 0, desk_id = NULL WHERE id = 1').run();
        db.prepare('DELETE FROM outbox').run();
      })();
      removeTeamConfig(desk.dataDir);
      await desk.secrets.delete(TEAM_KEY_ACCOUNT).catch(() => false);
      await desk.secrets.delete(TEAM_PASSWORD_ACCOUNT).catch(() => false);
      await team.close();
    },
    async close() {
      await queue;
      const c = kept;
      kept = undefined;
      await c?.end().catch(() => {});
    },
  };
  return team;
}
