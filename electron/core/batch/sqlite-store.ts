/**
 * Batch jobs in the vault's encrypted database (its own tables, versioned through
 * `vault.extend`). The one rule that makes resume exact: an order becomes `done` in the same
 * transaction that saves its record, so after a crash it is either both or neither.
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import { ClearanceFailure, clearanceError } from '../errors';
import type { ClearanceFetch } from '../gateway/clearance';
import { noteWaiting } from '../orders/store';
import { currentOwner, type LockOwner, ownerAlive } from '../owner';
import type { Vault } from '../vault/types';
import { vaultError } from '../vault/vault';
import { newJobId } from './job-id';
import {
  type BatchOptions,
  emptyCounts,
  type FinishedValidity,
  type InvalidEntry,
  type JobInfo,
  type JobStatus,
  type JobStore,
  type NewJob,
  type OrderFailure,
  type OrderPage,
  type OrderRow,
  type OrderState,
} from './types';

/** Append only: a released migration is never edited; a change is a new entry. */
export const BATCH_MIGRATIONS: readonly string[] = [
  `
CREATE TABLE batch_jobs (
  id TEXT PRIMARY KEY,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  profile TEXT NOT NULL,
  status TEXT NOT NULL,
  options TEXT NOT NULL,
  source TEXT NOT NULL,
  invalid TEXT NOT NULL,
  stop_error TEXT
) WITHOUT ROWID;
CREATE TABLE batch_orders (
  job_id TEXT NOT NULL REFERENCES batch_jobs(id) ON DELETE CASCADE,
  order_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  state TEXT NOT NULL,
  failure TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (job_id, order_id)
) WITHOUT ROWID;
CREATE INDEX batch_orders_by_state ON batch_orders (job_id, state, seq);
`,
  // Pages of a job's orders by position (keyset on seq), whatever their state.
  'CREATE INDEX batch_orders_by_seq ON batch_orders (job_id, seq);',
  `
CREATE TABLE batch_runners (
  job_id TEXT PRIMARY KEY REFERENCES batch_jobs(id) ON DELETE CASCADE,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  started TEXT NOT NULL,
  token TEXT NOT NULL,
  since TEXT NOT NULL
) WITHOUT ROWID;
`,
  // A job's running time and calls over all its runs: its duration and average rate once ended.
  `
ALTER TABLE batch_jobs ADD COLUMN run_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE batch_jobs ADD COLUMN calls INTEGER NOT NULL DEFAULT 0;
`,
];

interface JobRow {
  id: string;
  created_at: string;
  updated_at: string;
  profile: string;
  status: JobStatus;
  options: string;
  source: string;
  invalid: string;
  stop_error: string | null;
  run_ms: number;
  calls: number;
}

interface OrderDbRow {
  order_id: string;
  seq: number;
  state: OrderState;
  failure: string | null;
  updated_at: string;
}

const toOrder = (r: OrderDbRow): OrderRow => ({
  orderId: r.order_id,
  seq: r.seq,
  state: r.state,
  failure: r.failure ? (JSON.parse(r.failure) as OrderFailure) : null,
  updatedAt: r.updated_at,
});

export class SqliteJobStore implements JobStore {
  private readonly db: Database;
  private readonly clock: () => Date;
  private readonly channel: string;
  private readonly st;

  /** `channel` names who fetched in the audit log ('app' or 'cli'). */
  constructor(
    private readonly vault: Vault,
    opts: { clock?: () => Date; channel?: string } = {},
  ) {
    this.db = vault.extend('batch', [...BATCH_MIGRATIONS]);
    this.clock = opts.clock ?? (() => new Date());
    this.channel = opts.channel ?? 'app';
    const db = this.db;
    this.st = {
      insertJob:
        db.prepare(`INSERT INTO batch_jobs (id, created_at, updated_at, profile, status, options, source, invalid, stop_error)
        VALUES (@id, @at, @at, @profile, 'created', @options, @source, @invalid, NULL)`),
      insertOrder: db.prepare(
        `INSERT INTO batch_orders (job_id, order_id, seq, state, failure, updated_at) VALUES (?, ?, ?, 'pending', NULL, ?)`,
      ),
      job: db.prepare('SELECT * FROM batch_jobs WHERE id = ?'),
      jobs: db.prepare('SELECT * FROM batch_jobs ORDER BY created_at DESC, id DESC LIMIT ?'),
      counts: db.prepare('SELECT state, count(*) AS n FROM batch_orders WHERE job_id = ? GROUP BY state'),
      // Keyset pages on the (job_id, seq) and (job_id, state, seq) indexes.
      ordersPage: db.prepare(
        `SELECT order_id, seq, state, failure, updated_at FROM batch_orders
         WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
      ),
      ordersInStatePage: db.prepare(
        `SELECT order_id, seq, state, failure, updated_at FROM batch_orders
         WHERE job_id = ? AND state = ? AND seq > ? ORDER BY seq LIMIT ?`,
      ),
      status: db.prepare('UPDATE batch_jobs SET status = ?, updated_at = ? WHERE id = ?'),
      statusStop: db.prepare('UPDATE batch_jobs SET status = ?, stop_error = ?, updated_at = ? WHERE id = ?'),
      setState: db.prepare(
        'UPDATE batch_orders SET state = ?, failure = ?, updated_at = ? WHERE job_id = ? AND order_id = ?',
      ),
      requeueState: db.prepare(
        `UPDATE batch_orders SET state = 'pending', failure = NULL, updated_at = ? WHERE job_id = ? AND state = ?`,
      ),
      runner: db.prepare('SELECT pid, host, started, token FROM batch_runners WHERE job_id = ?'),
      takeRunner: db.prepare(`INSERT INTO batch_runners (job_id, pid, host, started, token, since)
        VALUES (@jobId, @pid, @host, @started, @token, @since)
        ON CONFLICT(job_id) DO UPDATE SET pid = excluded.pid, host = excluded.host, started = excluded.started,
          token = excluded.token, since = excluded.since`),
      dropRunner: db.prepare('DELETE FROM batch_runners WHERE job_id = ? AND token = ?'),
      addRun: db.prepare('UPDATE batch_jobs SET run_ms = run_ms + ?, calls = calls + ? WHERE id = ?'),
      // The job's done and skipped orders against their records: one pass over the job's state index.
      validity: db.prepare(`SELECT b.state AS state,
          coalesce(sum(r.expiry_date < @today), 0) AS expired, coalesce(sum(r.invalid = 1), 0) AS invalid
        FROM batch_orders b JOIN records r ON r.order_id = b.order_id
        WHERE b.job_id = @jobId AND b.state IN ('done', 'skipped') GROUP BY b.state`),
      requeueKind: db.prepare(`UPDATE batch_orders SET state = 'pending', failure = NULL, updated_at = ?
        WHERE job_id = ? AND state = 'failed' AND json_extract(failure, '$.kind') = ?`),
    };
  }

  private now() {
    return this.clock().toISOString();
  }

  /** A write of this store: one transaction; database failures become the error table's values. */
  private write<T>(fn: () => T): T {
    if (this.vault.isDamaged()) throw new ClearanceFailure(clearanceError('vault-damaged'));
    try {
      return this.db.transaction(fn).immediate();
    } catch (err) {
      throw err instanceof ClearanceFailure ? err : new ClearanceFailure(vaultError(err));
    }
  }

  private changed(info: { changes: number }, what: string) {
    if (info.changes !== 1) throw new ClearanceFailure(vaultError({ code: `batch: ${what}` }));
  }

  private info(r: JobRow): JobInfo {
    const counts = emptyCounts();
    for (const c of this.st.counts.all(r.id) as { state: OrderState; n: number }[]) counts[c.state] = c.n;
    return {
      id: r.id,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      profile: r.profile,
      status: r.status,
      options: JSON.parse(r.options) as BatchOptions,
      source: r.source,
      invalid: JSON.parse(r.invalid) as InvalidEntry[],
      stopError: r.stop_error ? (JSON.parse(r.stop_error) as OrderFailure) : null,
      counts,
      runMs: r.run_ms,
      calls: r.calls,
    };
  }

  createJob(job: NewJob): JobInfo {
    const at = this.now();
    const id = newJobId(this.clock());
    this.write(() => {
      this.st.insertJob.run({
        id,
        at,
        profile: job.profile,
        options: JSON.stringify(job.options),
        source: job.source,
        invalid: JSON.stringify(job.invalid),
      });
      job.orderIds.forEach((orderId, seq) => {
        this.st.insertOrder.run(id, orderId, seq, at);
      });
    });
    return this.getJob(id) as JobInfo;
  }

  getJob(id: string): JobInfo | undefined {
    const r = this.st.job.get(id) as JobRow | undefined;
    return r ? this.info(r) : undefined;
  }

  listJobs(limit = 50): JobInfo[] {
    return (this.st.jobs.all(limit) as JobRow[]).map((r) => this.info(r));
  }

  orders(jobId: string, states?: OrderState[], page: OrderPage = {}): OrderRow[] {
    const after = page.afterSeq ?? -1;
    const limit = page.limit ?? -1; // SQLite: a negative LIMIT is no limit
    if (!states) return (this.st.ordersPage.all(jobId, after, limit) as OrderDbRow[]).map(toOrder);
    // One indexed range per state, merged back into input order.
    const rows = states.flatMap((s) => this.st.ordersInStatePage.all(jobId, s, after, limit) as OrderDbRow[]);
    if (states.length > 1) rows.sort((a, b) => a.seq - b.seq);
    return (limit >= 0 ? rows.slice(0, limit) : rows).map(toOrder);
  }

  setStatus(jobId: string, status: JobStatus, stopError?: OrderFailure | null) {
    this.write(() => {
      const info =
        stopError === undefined
          ? this.st.status.run(status, this.now(), jobId)
          : this.st.statusStop.run(status, stopError ? JSON.stringify(stopError) : null, this.now(), jobId);
      this.changed(info, 'job status');
    });
  }

  addRun(jobId: string, runMs: number, calls: number) {
    this.write(() => {
      this.changed(this.st.addRun.run(Math.max(0, Math.round(runMs)), calls, jobId), 'job run');
    });
  }

  /** Of the finished orders, how many have an expired ID or a failed check, as of `today` (YYYY-MM-DD, Shanghai). */
  finishedValidity(jobId: string, today: string): FinishedValidity {
    const out: FinishedValidity = { done: { expired: 0, invalid: 0 }, skipped: { expired: 0, invalid: 0 } };
    const rows = this.st.validity.all({ jobId, today }) as {
      state: 'done' | 'skipped';
      expired: number;
      invalid: number;
    }[];
    for (const r of rows) out[r.state] = { expired: r.expired, invalid: r.invalid };
    return out;
  }

  requeue(jobId: string, from: { states: OrderState[]; failedKinds?: OrderFailure['kind'][] }): number {
    return this.write(() => {
      const at = this.now();
      let n = 0;
      for (const s of from.states) n += this.st.requeueState.run(at, jobId, s).changes;
      for (const k of from.failedKinds ?? []) n += this.st.requeueKind.run(at, jobId, k).changes;
      return n;
    });
  }

  setState(jobId: string, orderId: string, state: 'pending' | 'running' | 'skipped') {
    this.write(() =>
      this.changed(this.st.setState.run(state, null, this.now(), jobId, orderId), 'order state'),
    );
  }

  fail(jobId: string, orderId: string, failure: OrderFailure) {
    this.write(() => {
      this.changed(
        this.st.setState.run('failed', JSON.stringify(failure), this.now(), jobId, orderId),
        'order state',
      );
      // "No identity for this order" (yet): it goes on the waiting list, asked again later.
      if (failure.kind === 'business')
        noteWaiting(this.db, orderId, failure, (this.st.job.get(jobId) as JobRow).profile, this.now());
    });
  }

  complete(jobId: string, orderId: string, fetched: ClearanceFetch, profile: string) {
    // saveFetch's own transaction nests as a savepoint inside this one: record and state commit together.
    this.write(() => {
      this.vault.saveFetch(fetched, profile, { channel: this.channel });
      this.changed(this.st.setState.run('done', null, this.now(), jobId, orderId), 'order state');
    });
  }

  noteRun(jobId: string, detail: Record<string, string | number | boolean>) {
    const job = this.getJob(jobId);
    this.vault.audit({
      action: 'batch',
      profile: job?.profile ?? null,
      orderIds: [],
      detail: { job: jobId, channel: this.channel, ...detail },
    });
  }

  /**
   * One runner per job: the claim is a row naming the process (pid, host, start time), taken in an
   * immediate transaction, so two processes can never both hold it. A row whose process is gone
   * (killed, even by SIGKILL) is taken over; a live one refuses with `batch-busy`.
   */
  claim(jobId: string): () => void {
    const me = { ...currentOwner(), jobId, since: this.now() };
    this.write(() => {
      const held = this.st.runner.get(jobId) as (Omit<LockOwner, 'token'> & { token: string }) | undefined;
      if (held && ownerAlive(held)) {
        throw new ClearanceFailure(clearanceError('batch-busy', { detail: `pid ${held.pid}, ${held.host}` }));
      }
      this.st.takeRunner.run(me);
    });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.write(() => this.st.dropRunner.run(jobId, me.token));
    };
  }

  isStored(orderId: string): boolean {
    return this.vault.get(orderId) !== undefined;
  }
}
