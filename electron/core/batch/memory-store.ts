import type { ClearanceFetch } from '../gateway/clearance';
import { newJobId } from './job-id';
import {
  emptyCounts,
  type JobInfo,
  type JobStatus,
  type JobStore,
  type NewJob,
  type OrderFailure,
  type OrderPage,
  type OrderRow,
  type OrderState,
} from './types';

interface MemJob extends Omit<JobInfo, 'counts'> {
  orders: Map<string, OrderRow>;
}

/**
 * Jobs in process memory: the twin of the vault-backed store for unit tests of the engine.
 * "Saving a record" puts the fetch in `records`.
 */
export class MemoryJobStore implements JobStore {
  private readonly jobs = new Map<string, MemJob>();
  readonly records = new Map<string, { fetched: ClearanceFetch; profile: string }>();
  constructor(private readonly clock: () => Date = () => new Date()) {}

  private stamp() {
    return this.clock().toISOString();
  }

  private job(id: string): MemJob {
    const j = this.jobs.get(id);
    if (!j) throw new Error(`no batch job ${id}`);
    return j;
  }

  private info(j: MemJob): JobInfo {
    const counts = emptyCounts();
    for (const o of j.orders.values()) counts[o.state]++;
    const { orders: _orders, ...rest } = j;
    return { ...rest, options: { ...rest.options }, invalid: [...rest.invalid], counts };
  }

  createJob(job: NewJob): JobInfo {
    const at = this.stamp();
    const id = newJobId(this.clock());
    const orders = new Map<string, OrderRow>();
    job.orderIds.forEach((orderId, seq) => {
      orders.set(orderId, { orderId, seq, state: 'pending', failure: null, updatedAt: at });
    });
    const j: MemJob = {
      id,
      createdAt: at,
      updatedAt: at,
      profile: job.profile,
      status: 'created',
      options: { ...job.options },
      source: job.source,
      invalid: [...job.invalid],
      stopError: null,
      runMs: 0,
      calls: 0,
      orders,
    };
    this.jobs.set(id, j);
    return this.info(j);
  }

  getJob(id: string) {
    const j = this.jobs.get(id);
    return j ? this.info(j) : undefined;
  }

  listJobs(limit = 50) {
    return [...this.jobs.values()]
      .reverse()
      .slice(0, limit)
      .map((j) => this.info(j));
  }

  orders(jobId: string, states?: OrderState[], page: OrderPage = {}) {
    const after = page.afterSeq ?? -1;
    return [...this.job(jobId).orders.values()]
      .filter((o) => o.seq > after && (!states || states.includes(o.state)))
      .sort((a, b) => a.seq - b.seq)
      .slice(0, page.limit ?? Number.POSITIVE_INFINITY)
      .map((o) => ({ ...o }));
  }

  setStatus(jobId: string, status: JobStatus, stopError?: OrderFailure | null) {
    const j = this.job(jobId);
    j.status = status;
    if (stopError !== undefined) j.stopError = stopError;
    j.updatedAt = this.stamp();
  }

  addRun(jobId: string, runMs: number, calls: number) {
    const j = this.job(jobId);
    j.runMs += Math.max(0, Math.round(runMs));
    j.calls += calls;
  }

  requeue(jobId: string, from: { states: OrderState[]; failedKinds?: OrderFailure['kind'][] }) {
    let n = 0;
    for (const o of this.job(jobId).orders.values()) {
      const retryableFailure =
        o.state === 'failed' && o.failure && from.failedKinds?.includes(o.failure.kind);
      if (from.states.includes(o.state) || retryableFailure) {
        o.state = 'pending';
        o.failure = null;
        o.updatedAt = this.stamp();
        n++;
      }
    }
    return n;
  }

  private row(jobId: string, orderId: string): OrderRow {
    const o = this.job(jobId).orders.get(orderId);
    if (!o) throw new Error(`order not in job ${jobId}`);
    return o;
  }

  setState(jobId: string, orderId: string, state: 'pending' | 'running' | 'skipped') {
    const o = this.row(jobId, orderId);
    o.state = state;
    o.failure = null;
    o.updatedAt = this.stamp();
  }

  fail(jobId: string, orderId: string, failure: OrderFailure) {
    const o = this.row(jobId, orderId);
    o.state = 'failed';
    o.failure = { ...failure };
    o.updatedAt = this.stamp();
  }

  complete(jobId: string, orderId: string, fetched: ClearanceFetch, profile: string) {
    const o = this.row(jobId, orderId);
    this.records.set(orderId, { fetched, profile });
    o.state = 'done';
    o.failure = null;
    o.updatedAt = this.stamp();
  }

  isStored(orderId: string) {
    return this.records.has(orderId);
  }
}
