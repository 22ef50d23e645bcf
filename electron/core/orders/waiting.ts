/**
 * Orders waiting for their identity (the gateway answered with a business failure: no identity
 * for the order yet) and the sheet's orders without one: both are looked up through the batch
 * engine, as a job of their own, within the account's rate limit. An order leaves the waiting list
 * when its identity is saved (the vault removes the entry in the same transaction).
 */
import { BatchRun, createJob, type RunOptions, SqliteJobStore } from '../batch';
import type { BatchOutcome } from '../batch/types';
import type { TopClientOptions } from '../gateway/client';
import type { Vault } from '../vault/types';
import { OrderStore } from './store';

export interface LookupJobDeps {
  client: Omit<TopClientOptions, 'gate'>;
  profile: string;
  qps: number;
  /** 'app' or 'cli', for the audit log. */
  channel: string;
  needImage?: boolean;
  concurrency?: number;
  run?: RunOptions;
  /** A store shared with the caller's other jobs (the app's batch view); else one of its own. */
  store?: SqliteJobStore;
}

export type JobSource = 'waiting' | 'sheet';

/** Create (not run) a batch job of these orders; null when there are none. */
export function ordersJob(vault: Vault, orderIds: string[], source: JobSource, deps: LookupJobDeps) {
  if (orderIds.length === 0) return null;
  const store = deps.store ?? new SqliteJobStore(vault, { channel: deps.channel });
  const job = createJob(store, {
    profile: deps.profile,
    options: {
      needImage: deps.needImage ?? false,
      refresh: false,
      concurrency: deps.concurrency ?? 4,
      qps: deps.qps,
    },
    source,
    orderIds,
    invalid: [],
  });
  return { store, job };
}

export interface LookupRunResult {
  outcome: BatchOutcome | null;
  /** Orders still on the waiting list after the run. */
  waiting: number;
}

/** Look up the waiting orders (or `orderIds` of them) again, as one batch job. */
export async function recheckWaiting(
  vault: Vault,
  deps: LookupJobDeps,
  orderIds?: string[],
): Promise<LookupRunResult> {
  const orders = new OrderStore(vault);
  const ids = orderIds ?? orders.waiting().map((w) => w.orderId);
  return runJob(vault, ids, 'waiting', deps, orders);
}

/** Look up the sheet's orders that have no identity yet, as one batch job. */
export async function lookupSheetOrders(vault: Vault, deps: LookupJobDeps): Promise<LookupRunResult> {
  const orders = new OrderStore(vault);
  return runJob(vault, orders.withoutIdentity(), 'sheet', deps, orders);
}

async function runJob(
  vault: Vault,
  ids: string[],
  source: JobSource,
  deps: LookupJobDeps,
  orders: OrderStore,
): Promise<LookupRunResult> {
  const made = ordersJob(vault, ids, source, deps);
  if (!made) return { outcome: null, waiting: orders.waiting().length };
  const outcome = await new BatchRun({ store: made.store, client: deps.client }, made.job.id, deps.run).run();
  return { outcome, waiting: orders.waiting().length };
}
