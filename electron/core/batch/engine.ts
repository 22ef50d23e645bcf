/**
 * Runs a batch job: a few workers take pending orders in input order, every gateway call (retries
 * included) passes one RateGate, and each result is written as it arrives, so that a crash loses
 * at most the orders in flight (still pending in the store, asked again on resume).
 */
import { type ClearanceError, clearanceError, type ErrorKind, exitCodeFor, type Result } from '../errors';
import { type ClearanceFetch, fetchClearance } from '../gateway/clearance';
import { type CallEvent, sleep, TopClient, type TopClientOptions } from '../gateway/client';
import { diskFull, QPS } from '../rules';
import { type BatchGate, RateGate, RateMeter } from './gate';
import {
  type BatchOptions,
  type BatchOutcome,
  type BatchProgress,
  DEFAULT_BATCH_OPTIONS,
  failureOf,
  type JobInfo,
  type JobStore,
  type NewJob,
  type OrderState,
  type StateCounts,
} from './types';

export type FetchOrder = (
  client: TopClient,
  orderId: string,
  opts: { needImage: boolean; signal: AbortSignal },
) => Promise<Result<ClearanceFetch, ClearanceError>>;

export interface BatchDeps {
  store: JobStore;
  /** The gateway connection; the engine adds its own gate. */
  client: Omit<TopClientOptions, 'gate'>;
  /** Defaults to fetchClearance; unit tests put a fake here. */
  fetchOrder?: FetchOrder;
  now?: () => number;
  /** The calls-per-second gate for a cap (team mode: the team's shared budget); default a RateGate. */
  gate?: (qps: number) => BatchGate;
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (p: BatchProgress) => void;
  /** At most one progress event per this many ms (state changes in between are folded). */
  progressIntervalMs?: number;
  /**
   * This many orders in a row failing as unreachable/unavailable (after their own retries) stop the
   * job instead of failing the rest one by one. Default: twice the concurrency, at least 6.
   */
  stopAfterConsecutiveOutages?: number;
}

/** Failures that say nothing about the order itself: retried when a job resumes. */
export const RESUME_RETRIES: ErrorKind[] = ['transient', 'network'];
/** Failures that would repeat for every order: the job stops, the order stays pending (a spent quota for throttled). */
const STOPS_JOB: ErrorKind[] = ['auth', 'throttled', 'vault', 'keychain'];
const OUTAGE: ErrorKind[] = ['transient', 'network'];
/** A ban that comes back this many times for one order is not a pause any more: the job stops. */
const MAX_BANS_PER_ORDER = 3;

export function validateOptions(o: Partial<BatchOptions>): Result<BatchOptions, ClearanceError> {
  const options = { ...DEFAULT_BATCH_OPTIONS, ...o };
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1 || options.concurrency > 64) {
    return { ok: false, error: clearanceError('usage', { detail: '--concurrency: 1–64' }) };
  }
  if (!Number.isFinite(options.qps) || options.qps <= 0 || options.qps > QPS.max) {
    return {
      ok: false,
      error: clearanceError('usage', { detail: `--qps: a number above 0, at most ${QPS.max}` }),
    };
  }
  return { ok: true, value: options };
}

/** Create a job (orders already normalised and deduplicated: see ./input). */
export function createJob(store: JobStore, job: NewJob): JobInfo {
  return store.createJob(job);
}

/**
 * One run of one job. `run()` resumes whatever the job left: `running` orders (a crash) and
 * orders that failed only because the gateway was unreachable go back to pending first.
 */
export class BatchRun {
  private readonly now: () => number;
  private pausedWaiters: (() => void)[] = [];
  private isPaused = false;
  private readonly internal = new AbortController();
  private stopError: ClearanceError | null = null;
  private counts: StateCounts = { pending: 0, running: 0, done: 0, failed: 0, skipped: 0 };
  private calls = 0;
  private throttled = 0;
  private finishedThisRun = 0;
  private started: number | null = null;
  /** Time spent paused in this run (a pause that is still on counts from pausedAt). */
  private pausedMs = 0;
  private pausedAt: number | null = null;
  private readonly meter: RateMeter;
  private lastEmit = 0;
  private emitTimer: ReturnType<typeof setTimeout> | undefined;
  private release: (() => void) | undefined;

  constructor(
    private readonly deps: BatchDeps,
    readonly jobId: string,
    private readonly opts: RunOptions = {},
  ) {
    this.now = deps.now ?? (() => performance.now());
    this.meter = new RateMeter(5000, this.now);
  }

  get paused() {
    return this.isPaused;
  }

  /** Orders in flight finish; no new one starts until resume(). */
  pause() {
    if (this.isPaused) return;
    this.isPaused = true;
    this.pausedAt = this.now();
    this.emit(true);
  }

  resume() {
    if (!this.isPaused) return;
    this.isPaused = false;
    if (this.pausedAt !== null) this.pausedMs += this.now() - this.pausedAt;
    this.pausedAt = null;
    const waiters = this.pausedWaiters;
    this.pausedWaiters = [];
    for (const w of waiters) w();
    this.emit(true);
  }

  /** This run's running time so far, pauses left out. */
  private activeMs(): number {
    if (this.started === null) return 0;
    const now = this.now();
    return Math.max(
      0,
      now - this.started - this.pausedMs - (this.pausedAt === null ? 0 : now - this.pausedAt),
    );
  }

  progress(): BatchProgress {
    const elapsedMs = this.activeMs();
    const ordersPerSecond = elapsedMs > 0 ? (this.finishedThisRun * 1000) / elapsedMs : 0;
    const left = this.counts.pending + this.counts.running;
    const total = Object.values(this.counts).reduce((a, b) => a + b, 0);
    return {
      jobId: this.jobId,
      counts: { ...this.counts },
      total,
      callsPerSecond: this.meter.rate(),
      ordersPerSecond,
      etaSeconds: left === 0 ? 0 : ordersPerSecond > 0 ? Math.ceil(left / ordersPerSecond) : null,
      throttledCalls: this.throttled,
      paused: this.isPaused,
      elapsedMs,
    };
  }

  private emit(force = false) {
    const cb = this.opts.onProgress;
    if (!cb) return;
    const interval = this.opts.progressIntervalMs ?? 200;
    const now = this.now();
    if (force || now - this.lastEmit >= interval) {
      this.lastEmit = now;
      if (this.emitTimer) clearTimeout(this.emitTimer);
      this.emitTimer = undefined;
      cb(this.progress());
    } else if (!this.emitTimer) {
      // Fold bursts of changes into one event at the end of the interval.
      this.emitTimer = setTimeout(() => this.emit(true), interval - (now - this.lastEmit));
      this.emitTimer.unref?.();
    }
  }

  private move(from: OrderState, to: OrderState) {
    this.counts[from]--;
    this.counts[to]++;
    if (from === 'running' && (to === 'done' || to === 'failed')) this.finishedThisRun++;
    this.emit();
  }

  private stop(e: ClearanceError) {
    this.stopError ??= e;
    this.internal.abort(new Error('batch stopped'));
  }

  private waitWhilePaused(signal: AbortSignal): Promise<void> {
    // An abort that came before this wait has fired already: its listener would never run.
    if (!this.isPaused || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.pausedWaiters.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /**
   * Take the job for this run: one runner per job, across processes (the app and commands). run()
   * does it itself; the app calls it first so that a refusal is the reply to its request.
   */
  claim() {
    this.release ??= this.deps.store.claim?.(this.jobId) ?? (() => {});
  }

  async run(): Promise<BatchOutcome> {
    this.claim();
    try {
      return await this.runClaimed();
    } finally {
      const release = this.release;
      this.release = undefined;
      try {
        release?.();
      } catch {
        // The vault is gone (closed, disk): the holder is this process, so the next claimer sees it dead.
      }
    }
  }

  private async runClaimed(): Promise<BatchOutcome> {
    const { store } = this.deps;
    const signal = this.opts.signal
      ? AbortSignal.any([this.opts.signal, this.internal.signal])
      : this.internal.signal;
    const job0 = store.getJob(this.jobId);
    if (!job0) throw new Error(`no batch job ${this.jobId}`);
    // The user gave this job up: it never runs again (its pending orders stay as they are).
    if (job0.status === 'cancelled') return this.outcome('cancelled');
    const options = job0.options;
    store.requeue(this.jobId, { states: ['running'], failedKinds: RESUME_RETRIES });
    const job = store.getJob(this.jobId) as JobInfo;
    this.counts = { ...job.counts };
    this.started = this.now();

    const queue = new PendingQueue(store, this.jobId);
    if (this.counts.pending === 0) {
      store.setStatus(this.jobId, 'finished', null);
      return this.outcome('finished');
    }
    store.setStatus(this.jobId, 'running', null);

    const gate: BatchGate = this.deps.gate?.(options.qps) ?? new RateGate({ qps: options.qps });
    const userOnCall = this.deps.client.onCall;
    const client = new TopClient({
      ...this.deps.client,
      gate,
      onCall: (e: CallEvent) => {
        this.calls++;
        this.meter.mark();
        if (e.outcome === 'throttled') {
          this.throttled++;
          gate.widen();
        }
        userOnCall?.(e);
      },
    });
    const fetchOrder: FetchOrder =
      this.deps.fetchOrder ??
      ((c, id, o) => fetchClearance(c, id, { needImage: o.needImage, signal: o.signal }));
    const breaker = this.opts.stopAfterConsecutiveOutages ?? Math.max(6, options.concurrency * 2);
    let outages = 0;
    const ticker = this.opts.onProgress ? setInterval(() => this.emit(true), 1000) : undefined;
    ticker?.unref?.();
    this.emit(true);

    // A ban longer than the client waits out by itself pauses every worker until it ends: the whole
    // job pauses, then continues. A spent daily quota still stops the job.
    let bannedUntil = 0;
    const bansOf = new Map<string, number>();
    const worker = async () => {
      for (;;) {
        await this.waitWhilePaused(signal);
        const ban = bannedUntil - Date.now();
        if (ban > 0) await sleep(ban, signal).catch(() => {});
        if (signal.aborted) return;
        const orderId = queue.next();
        if (orderId === undefined) return;
        if (!options.refresh && store.isStored(orderId)) {
          store.setState(this.jobId, orderId, 'skipped');
          this.move('pending', 'skipped');
          continue;
        }
        // In flight is this run's own count, not a write: after a crash an order is pending either
        // way, and one commit (with its fsync) per order is what a large job's time is made of.
        this.move('pending', 'running');
        const got = await fetchOrder(client, orderId, { needImage: options.needImage, signal }).catch(
          // One order's reply must never end the job: whatever threw is that order's failure alone.
          (err: unknown): Result<ClearanceFetch, ClearanceError> => ({
            ok: false,
            error: clearanceError('internal', { detail: (err as Error)?.name ?? 'Error' }, { orderId }),
          }),
        );
        if (got.ok) {
          try {
            store.complete(this.jobId, orderId, got.value, job.profile);
          } catch (err) {
            // The vault refused the write (disk full, locked): nothing was saved, so the order waits.
            store.setState(this.jobId, orderId, 'pending');
            this.move('running', 'pending');
            this.stop(storeError(err));
            return;
          }
          outages = 0;
          this.move('running', 'done');
          continue;
        }
        const e = got.error;
        if (e.kind === 'cancelled' || signal.aborted) {
          // Cut off mid-call (cancel, or another worker stopped the job): not an answer about this order.
          store.setState(this.jobId, orderId, 'pending');
          this.move('running', 'pending');
          if (e.kind !== 'cancelled' && STOPS_JOB.includes(e.kind)) this.stop(e);
          return;
        }
        const bans = (bansOf.get(orderId) ?? 0) + 1;
        bansOf.set(orderId, bans);
        if (e.reason === 'throttled' && bans < MAX_BANS_PER_ORDER) {
          store.setState(this.jobId, orderId, 'pending');
          this.move('running', 'pending');
          queue.again(orderId);
          bannedUntil = Math.max(bannedUntil, Date.now() + ((e.retryAfterSeconds ?? 1) + 1) * 1000);
          continue;
        }
        if (STOPS_JOB.includes(e.kind)) {
          store.setState(this.jobId, orderId, 'pending');
          this.move('running', 'pending');
          this.stop(e);
          return;
        }
        store.fail(this.jobId, orderId, failureOf(e));
        this.move('running', 'failed');
        if (OUTAGE.includes(e.kind)) {
          if (++outages >= breaker) {
            this.stop(e);
            return;
          }
        } else if (e.kind !== 'protocol') {
          outages = 0; // the gateway answered about this order: it is reachable
        }
      }
    };

    try {
      await Promise.all(Array.from({ length: Math.min(options.concurrency, this.counts.pending) }, worker));
    } finally {
      if (ticker) clearInterval(ticker);
      if (this.emitTimer) clearTimeout(this.emitTimer);
      await gate.close?.();
    }
    const left = this.counts.pending + this.counts.running;
    if (this.stopError) {
      store.setStatus(this.jobId, 'stopped', failureOf(this.stopError));
      this.emit(true);
      return this.outcome('stopped');
    }
    if (left > 0) {
      store.setStatus(this.jobId, 'paused', null);
      this.emit(true);
      return this.outcome('cancelled');
    }
    store.setStatus(this.jobId, 'finished', null);
    this.emit(true);
    return this.outcome('finished');
  }

  private outcome(ended: BatchOutcome['ended']): BatchOutcome {
    const elapsedMs = this.activeMs();
    try {
      if (this.started !== null) this.deps.store.addRun(this.jobId, elapsedMs, this.calls);
    } catch {
      // Only the job's duration is lost; its orders' results are already committed.
    }
    const job = this.deps.store.getJob(this.jobId) as JobInfo;
    try {
      // A job that did not run (cancelled before) has no run to note.
      if (this.started !== null)
        this.deps.store.noteRun?.(this.jobId, {
          ended,
          calls: this.calls,
          ...job.counts,
          ...(this.stopError ? { stopReason: this.stopError.reason } : {}),
        });
    } catch {
      // The run's own results are already committed; a failed audit line must not hide them.
    }
    return {
      job,
      ended,
      stopError: this.stopError,
      calls: this.calls,
      elapsedMs,
    };
  }
}

/**
 * The job's pending orders in input order, read from the store a page at a time by position, so
 * a run holds one page, not the job: its cost per order stays the same at 100,000 orders.
 */
class PendingQueue {
  private page: string[] = [];
  private at = 0;
  private afterSeq = -1;
  private exhausted = false;
  /** Orders put back (a ban): asked again before the next new one. */
  private readonly retry: string[] = [];

  constructor(
    private readonly store: JobStore,
    private readonly jobId: string,
    private readonly pageSize = 256,
  ) {}

  next(): string | undefined {
    if (this.retry.length > 0) return this.retry.shift();
    if (this.at >= this.page.length && !this.exhausted) {
      const rows = this.store.orders(this.jobId, ['pending'], {
        afterSeq: this.afterSeq,
        limit: this.pageSize,
      });
      this.page = rows.map((r) => r.orderId);
      this.at = 0;
      if (rows.length < this.pageSize) this.exhausted = true;
      if (rows.length > 0) this.afterSeq = (rows.at(-1) as { seq: number }).seq;
    }
    return this.at < this.page.length ? this.page[this.at++] : undefined;
  }

  again(orderId: string) {
    this.retry.push(orderId);
  }
}

function storeError(err: unknown): ClearanceError {
  const e = (err as { error?: unknown })?.error;
  if (e && typeof e === 'object' && 'kind' in e && 'reason' in e) return e as ClearanceError;
  if (diskFull(err)) return clearanceError('disk-full');
  return clearanceError('vault-failed', { detail: (err as { code?: string })?.code ?? 'write' });
}

/**
 * Exit status of a batch run: a stop as `get` would exit for its error (4 auth, 5 throttled or
 * unreachable); otherwise 0 when every order succeeded, 3 when some failed for business reasons
 * (or were not order ids), and `get`'s status for the worst other failure (5 unreachable after
 * retries, 6 protocol).
 */
export function batchExitCode(
  outcome: Pick<BatchOutcome, 'ended' | 'stopError'>,
  failedKinds: ErrorKind[],
  invalidInputs: number,
): number {
  if (outcome.ended === 'stopped' && outcome.stopError) return exitCodeFor(outcome.stopError.kind);
  if (outcome.ended === 'cancelled') return exitCodeFor('cancelled');
  const perOrder = (k: ErrorKind) => (k === 'business' || k === 'invalid-input' ? 3 : exitCodeFor(k));
  return Math.max(0, invalidInputs > 0 ? 3 : 0, ...failedKinds.map(perOrder));
}
