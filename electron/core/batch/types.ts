/**
 * The batch engine's shapes: a job (a list of order ids plus options), each order's state, the
 * store that keeps both (in the vault's encrypted database in the product, in memory in unit
 * tests), and the progress the engine reports.
 */
import type { ClearanceError, ErrorKind, ErrorReason } from '../errors';
import type { ClearanceFetch } from '../gateway/clearance';
import { ITEM_STATES, type ItemState, QPS } from '../rules';

export type OrderState = ItemState;
export const ORDER_STATES: readonly OrderState[] = ITEM_STATES;

/**
 * `created` never ran; `running` is running now or was when the process died; `paused` was
 * interrupted or paused and can resume; `stopped` ended early on a failure that concerns every order
 * (auth, quota); `cancelled` was given up by the user and never runs again; `finished` has no
 * pending order left.
 */
export type JobStatus = 'created' | 'running' | 'paused' | 'stopped' | 'cancelled' | 'finished';

export interface BatchOptions {
  /** Also download the two ID images. */
  needImage: boolean;
  /** Fetch again orders already in the vault (otherwise they are skipped). */
  refresh: boolean;
  /** Orders in flight at once. */
  concurrency: number;
  /** Gateway calls per second, retries included. */
  qps: number;
}

export const DEFAULT_BATCH_OPTIONS: BatchOptions = {
  needImage: false,
  refresh: false,
  concurrency: 4,
  qps: QPS.default,
};

/** An input entry that is not an order id: where it was, never more than a safe preview of it. */
export interface InvalidEntry {
  /** 1-based line (text) or row (CSV/XLSX). */
  line: number;
  /** The entry itself only when it holds nothing but digits and punctuation; else a length. */
  preview: string;
  reason: ErrorReason;
}

/** What a failed order keeps: the error's kind and reason, codes and request id; never personal data. */
export interface OrderFailure {
  kind: ErrorKind;
  reason: ErrorReason;
  code: string | null;
  subCode: string | null;
  requestId: string | null;
}

export interface OrderRow {
  orderId: string;
  /** Input order (0-based), so the job runs and reports in the order the user gave. */
  seq: number;
  state: OrderState;
  failure: OrderFailure | null;
  updatedAt: string;
}

export type StateCounts = Record<OrderState, number>;

export interface JobInfo {
  id: string;
  createdAt: string;
  updatedAt: string;
  profile: string;
  status: JobStatus;
  options: BatchOptions;
  /** A short label of where the orders came from (a file name, `stdin`). */
  source: string;
  invalid: InvalidEntry[];
  /** Why the job stopped early (auth, quota, network down), when it did. */
  stopError: OrderFailure | null;
  counts: StateCounts;
  /** Time spent running, over every run so far, pauses left out. */
  runMs: number;
  /** Gateway calls made, over every run so far (retries included). */
  calls: number;
}

/** How many of a job's finished orders have an ID that is expired or fails its check (from the vault). */
export interface FinishedValidity {
  done: { expired: number; invalid: number };
  /** Skipped orders: already in the vault, judged by the stored record. */
  skipped: { expired: number; invalid: number };
}

export interface NewJob {
  profile: string;
  options: BatchOptions;
  source: string;
  orderIds: string[];
  invalid: InvalidEntry[];
}

/**
 * Where jobs and order states live. `complete` must store the fetched record and mark the order
 * done atomically: after a crash an order is either done with its record saved, or not done.
 */
/** A keyset page of a job's orders: positions (`seq`, 0-based input order) after `afterSeq`. */
export interface OrderPage {
  afterSeq?: number;
  limit?: number;
}

export interface JobStore {
  createJob(job: NewJob): JobInfo;
  getJob(id: string): JobInfo | undefined;
  /** Newest first. */
  listJobs(limit?: number): JobInfo[];
  /**
   * Orders in `states`, in input order; `page` reads a slice by keyset (input positions after
   * `afterSeq`, at most `limit`), so a large job is never read whole.
   */
  orders(jobId: string, states?: OrderState[], page?: OrderPage): OrderRow[];
  setStatus(jobId: string, status: JobStatus, stopError?: OrderFailure | null): void;
  /** Moves orders in `from` back to pending (`running` after a crash; retryable failures on resume). */
  requeue(jobId: string, from: { states: OrderState[]; failedKinds?: ErrorKind[] }): number;
  setState(jobId: string, orderId: string, state: 'pending' | 'running' | 'skipped'): void;
  fail(jobId: string, orderId: string, failure: OrderFailure): void;
  /** Save the record and mark the order done in one transaction. */
  complete(jobId: string, orderId: string, fetched: ClearanceFetch, profile: string): void;
  /** Adds one run's running time and gateway calls to the job's totals. */
  addRun(jobId: string, runMs: number, calls: number): void;
  /** The audit log's line for one run of a job (counts, how it ended); never order data. */
  noteRun?(jobId: string, detail: Record<string, string | number | boolean>): void;
  /**
   * Take the job for one runner, across processes: returns the release. Throws a `batch-busy`
   * ClearanceFailure while another live runner holds it; a holder that died is taken over.
   */
  claim?(jobId: string): () => void;
  /** True when the vault already holds a record for this order (for skip-if-stored). */
  isStored(orderId: string): boolean;
}

export function failureOf(e: ClearanceError): OrderFailure {
  return {
    kind: e.kind,
    reason: e.reason,
    code: e.code === undefined ? null : String(e.code),
    subCode: e.subCode ?? null,
    requestId: e.requestId ?? null,
  };
}

export function emptyCounts(): StateCounts {
  return { pending: 0, running: 0, done: 0, failed: 0, skipped: 0 };
}

export interface BatchProgress {
  jobId: string;
  counts: StateCounts;
  total: number;
  /** Gateway calls (attempts, retries included) per second over the last few seconds. */
  callsPerSecond: number;
  /** Orders finished (done, failed or skipped) per second in this run. */
  ordersPerSecond: number;
  /** Seconds left at the current pace; null before there is a pace. */
  etaSeconds: number | null;
  /** Throttling replies seen in this run (each pauses the whole job for the ban). */
  throttledCalls: number;
  paused: boolean;
  elapsedMs: number;
}

export interface BatchOutcome {
  job: JobInfo;
  /** `finished`: nothing pending; `stopped`: a failure that concerns every order; `cancelled`: the signal. */
  ended: 'finished' | 'stopped' | 'cancelled';
  stopError: ClearanceError | null;
  /** Calls this run made, and over how long. */
  calls: number;
  elapsedMs: number;
}
