/** Batch lookups: prepare the input, run jobs in this process, report progress as events. */
import { readFileSync } from 'node:fs';
import { BatchRun, createJob, ordersFromText, readOrders, SqliteJobStore } from '../../core/batch';
import { RateGate } from '../../core/batch/gate';
import type { JobInfo } from '../../core/batch/types';
import { ClearanceFailure, clearanceError, orderFailureMessage } from '../../core/errors';
import { fsError } from '../../core/fsutil';
import { shanghaiDate } from '../../core/gateway/timestamp';
import type { Handlers } from '../ipc';
import type { BackendContext } from './context';
import { guard, refuse } from './reply';
import type { TeamLink } from './team';
import { preparedOrders, progressView } from './views';

type BatchHandlers = Pick<
  Handlers,
  | 'batch.prepare'
  | 'batch.importFile'
  | 'batch.start'
  | 'batch.control'
  | 'batch.list'
  | 'batch.items'
  | 'batch.doneIds'
  | 'batch.summary'
>;

export function batchHandlers(
  ctx: BackendContext,
  team?: Pick<TeamLink, 'gate' | 'changed'>,
): BatchHandlers & {
  stopAll(): Promise<void>;
  /** Start a job of these orders (the waiting list, the sheet's orders without an identity). */
  startOrders(orderIds: string[], source: string): Promise<string>;
  /** A job is running in this process now. */
  busy(): boolean;
} {
  const { host, settings } = ctx;
  const runs = new Map<string, { run: BatchRun; done: Promise<unknown>; cancel: AbortController }>();
  let jobStore: SqliteJobStore | undefined;
  const jobs = async () => {
    jobStore ??= new SqliteJobStore(await ctx.openVault());
    return jobStore;
  };
  const view = (job: JobInfo) =>
    progressView(runs.get(job.id)?.run.progress() ?? null, job, runs.has(job.id));

  async function startRun(jobId: string) {
    const store = await jobs();
    const { profile, options } = await ctx.clientOptions();
    const cancel = new AbortController();
    // In a team the desks' calls for one App Key share the team's budget.
    const shared = (qps: number) => team?.gate(options.credentials.appKey, qps);
    const run = new BatchRun(
      {
        store,
        client: options,
        ...(team ? { gate: (qps: number) => shared(qps) ?? new RateGate({ qps }) } : {}),
      },
      jobId,
      {
        signal: cancel.signal,
        onProgress: (p) => {
          const job = store.getJob(jobId);
          if (job) host.emit('batch.progress', progressView(p, job, runs.has(jobId)));
        },
        progressIntervalMs: 250,
      },
    );
    // One runner per job across processes (a `clearance-desk batch --resume` may hold it): a refusal
    // is the reply to this request, not a stopped-job event later.
    run.claim();
    const done = run.run().then(
      (outcome) => {
        runs.delete(jobId);
        team?.changed();
        // A run that asked the gateway nothing (all skipped, cancelled at once) has nothing to teach.
        if (outcome.calls > 0 || outcome.stopError) ctx.learnFrom(outcome.stopError, profile);
        host.emit('batch.progress', progressView(run.progress(), outcome.job, false, outcome.stopError));
        return outcome;
      },
      (err: unknown) => {
        // The run itself broke (the vault refused a write): say so instead of leaving the job "running".
        runs.delete(jobId);
        const job = store.getJob(jobId);
        const e =
          err instanceof ClearanceFailure
            ? err.error
            : clearanceError('vault-failed', { detail: (err as Error)?.name });
        if (job) host.emit('batch.progress', { ...progressView(null, job, false, e), state: 'stopped' });
      },
    );
    runs.set(jobId, { run, done, cancel });
  }

  async function start(orderIds: string[], o: { needImage: boolean; refresh: boolean }, source: string) {
    const store = await jobs();
    const name = ctx.activeProfileName();
    if (!name) return refuse(clearanceError('config-missing', { detail: '账号 / account' }));
    const qps = settings.profile(name).qps;
    const job = createJob(store, {
      profile: name,
      options: { needImage: o.needImage, refresh: o.refresh, concurrency: 4, qps },
      source,
      orderIds,
      invalid: [],
    });
    await startRun(job.id);
    return job.id;
  }

  return {
    async stopAll() {
      for (const { cancel, done } of runs.values()) {
        cancel.abort();
        await done;
      }
    },
    'batch.prepare': ({ text }) => guard(async () => preparedOrders(ordersFromText(text))),
    'batch.importFile': ({ column }) =>
      guard(async () => {
        const path = await host.chooseImportFile();
        if (!path) return { cancelledByUser: true as const };
        const fileName = path.split(/[\\/]/).pop() ?? path;
        let bytes: Buffer;
        try {
          bytes = readFileSync(path);
        } catch (err) {
          return refuse(fsError(err));
        }
        const r = await readOrders({ name: fileName, bytes }, column ? { column } : {});
        if (!r.ok) {
          if (r.error.columns.length > 0)
            return { kind: 'choose-column' as const, fileName, columns: r.error.columns };
          return refuse(r.error.error);
        }
        return { kind: 'ids' as const, fileName, ...preparedOrders(r.value) };
      }),
    busy: () => runs.size > 0,
    startOrders: (orderIds, source) => start(orderIds, { needImage: false, refresh: false }, source),
    'batch.start': (req) => guard(async () => ({ jobId: await start(req.orderIds, req, 'app') })),
    'batch.control': ({ jobId, action }) =>
      guard(async () => {
        const store = await jobs();
        const job = store.getJob(jobId);
        if (!job) return refuse(clearanceError('usage', { detail: `batch ${jobId}` }));
        const active = runs.get(jobId);
        // A cancelled job is over: it offers no way to continue (a new batch does that).
        if (job.status === 'cancelled' && (action === 'resume' || action === 'retry-failed'))
          return refuse(clearanceError('usage', { detail: `batch ${jobId} was cancelled` }));
        if (action === 'pause') active?.run.pause();
        if (action === 'resume') {
          if (active) active.run.resume();
          else await startRun(jobId); // a stopped or interrupted job picks up where it left off
        }
        if (action === 'retry-failed') {
          if (active) return refuse(clearanceError('usage', { detail: `batch ${jobId} is running` }));
          // Only the failed orders go back to pending; the done ones are not fetched again.
          store.requeue(jobId, { states: ['failed'] });
          await startRun(jobId);
        }
        if (action === 'cancel') {
          if (active) {
            active.cancel.abort();
            await active.done;
          }
          // Kept as cancelled (not paused), so that it reads so after a reload and never resumes.
          const now = store.getJob(jobId) as JobInfo;
          if (now.status !== 'finished') store.setStatus(jobId, 'cancelled');
        }
        const v = view(store.getJob(jobId) as JobInfo);
        // The run's own last event said "paused": every view of the job hears the final word.
        if (action === 'cancel') host.emit('batch.progress', v);
        return v;
      }),
    'batch.summary': ({ jobId }) =>
      guard(async () => {
        const store = await jobs();
        if (!store.getJob(jobId)) return refuse(clearanceError('usage', { detail: `batch ${jobId}` }));
        return { jobId, ...store.finishedValidity(jobId, shanghaiDate(new Date())) };
      }),
    'batch.doneIds': ({ jobId, state }) =>
      guard(async () => ({
        orderIds: (await jobs()).orders(jobId, [state ?? 'done']).map((o) => o.orderId),
      })),
    'batch.list': () => guard(async () => (await jobs()).listJobs(50).map(view)),
    'batch.items': ({ jobId, offset, limit, state }) =>
      guard(async () => {
        const store = await jobs();
        const job = store.getJob(jobId);
        if (!job) return refuse(clearanceError('usage', { detail: `batch ${jobId}` }));
        // The whole job pages by position: 0-based input order, so "after offset − 1" is a keyset
        // read. One state's list (the failed-only view) is cut from that state's indexed range.
        const page = state
          ? store.orders(jobId, [state]).slice(offset, offset + limit)
          : store.orders(jobId, undefined, { afterSeq: offset - 1, limit });
        return {
          total: state ? job.counts[state] : Object.values(job.counts).reduce((a, b) => a + b, 0),
          items: page.map((o) => ({
            orderId: o.orderId,
            state: o.state,
            errorKind: o.failure?.kind ?? null,
            message: o.failure ? orderFailureMessage(o.failure) : null,
          })),
        };
      }),
  };
}
