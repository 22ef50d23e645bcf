import { describe, expect, it } from 'vitest';
import {
  type BatchProgress,
  BatchRun,
  batchExitCode,
  DEFAULT_BATCH_OPTIONS,
  type FetchOrder,
  MemoryJobStore,
  validateOptions,
} from '../../electron/core/batch';
import { type ClearanceError, clearanceError, type ErrorReason } from '../../electron/core/errors';
import type { ClearanceFetch } from '../../electron/core/gateway/clearance';

const client = {
  gateway: 'http://127.0.0.1:9/router/rest',
  credentials: { appKey: 'k', appSecret: 's', session: 't' },
};
const ids = (n: number, from = 1) =>
  Array.from({ length: n }, (_, i) => `3${String(from + i).padStart(15, '0')}`);
const tick = (ms = 1) => new Promise((r) => setTimeout(r, ms));

function fetched(orderId: string): ClearanceFetch {
  return {
    identity: {
      orderId,
      name: 'N',
      idNumber: 'X',
      expiry: '长期',
      idType: 1,
      imageUrls: { front: null, back: null },
    },
    images: {},
    warnings: [],
    raw: '{}',
    attempts: 1,
  };
}

/** A fake gateway: `answers` decides per order; records every request and the peak in flight. */
function fakeFetch(answers: (id: string, n: number) => ErrorReason | 'ok' = () => 'ok', delayMs = 2) {
  const requested: string[] = [];
  let inFlight = 0;
  let peak = 0;
  const fetchOrder: FetchOrder = async (_c, id, { signal }) => {
    requested.push(id);
    inFlight++;
    peak = Math.max(peak, inFlight);
    try {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          clearTimeout(t);
          reject(signal.reason);
        };
        const t = setTimeout(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        }, delayMs);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    } catch {
      return { ok: false, error: clearanceError('cancelled', {}, { orderId: id }) };
    } finally {
      inFlight--;
    }
    const a = answers(id, requested.filter((x) => x === id).length);
    if (a === 'ok') return { ok: true, value: fetched(id) };
    return { ok: false, error: clearanceError(a, {}, { orderId: id }) as ClearanceError };
  };
  return { fetchOrder, requested, peak: () => peak };
}

function job(store: MemoryJobStore, orderIds: string[], opts: Partial<typeof DEFAULT_BATCH_OPTIONS> = {}) {
  return store.createJob({
    profile: 'p',
    options: { ...DEFAULT_BATCH_OPTIONS, qps: 1000, ...opts },
    source: 'test',
    orderIds,
    invalid: [],
  });
}

describe('BatchRun', () => {
  it('reads the pending orders a page at a time, never the whole job', async () => {
    const store = new MemoryJobStore();
    const j = job(store, ids(1000), { concurrency: 4 });
    const reads: { limit: number | undefined; rows: number }[] = [];
    const orders = store.orders.bind(store);
    store.orders = (id, states, page) => {
      const rows = orders(id, states, page);
      reads.push({ limit: page?.limit, rows: rows.length });
      return rows;
    };
    const fake = fakeFetch(() => 'ok', 0);
    const out = await new BatchRun({ store, client, fetchOrder: fake.fetchOrder }, j.id).run();
    expect(out.job.counts.done).toBe(1000);
    expect([...fake.requested].sort()).toEqual(ids(1000));
    expect(reads.length).toBeGreaterThan(3);
    expect(reads.every((r) => r.limit !== undefined && r.limit <= 256 && r.rows <= r.limit)).toBe(true);
  });

  it('fetches every order once, saves each record, and reports progress to the end', async () => {
    const store = new MemoryJobStore();
    const j = job(store, ids(30), { concurrency: 3 });
    const fake = fakeFetch();
    const events: BatchProgress[] = [];
    const out = await new BatchRun({ store, client, fetchOrder: fake.fetchOrder }, j.id, {
      onProgress: (p) => events.push(p),
      progressIntervalMs: 0,
    }).run();
    expect(out.ended).toBe('finished');
    expect(out.job.status).toBe('finished');
    expect(out.job.counts).toEqual({ pending: 0, running: 0, done: 30, failed: 0, skipped: 0 });
    expect([...fake.requested].sort()).toEqual(ids(30));
    expect(store.records.size).toBe(30);
    expect(fake.peak()).toBeLessThanOrEqual(3);
    expect(fake.peak()).toBeGreaterThan(1);
    const last = events.at(-1) as BatchProgress;
    expect(last.counts.done).toBe(30);
    expect(last.etaSeconds).toBe(0);
    // Counts never go backwards for done, and the total stays the job's size.
    expect(events.every((e) => e.total === 30)).toBe(true);
    expect(events.map((e) => e.counts.done)).toEqual(
      [...events.map((e) => e.counts.done)].sort((a, b) => a - b),
    );
  });

  it('records permanent failures with their kind and does not retry them', async () => {
    const store = new MemoryJobStore();
    const all = ids(10);
    const j = job(store, all);
    const fake = fakeFetch((id) =>
      id === all[2] ? 'business' : id === all[5] ? 'argument-invalid' : id === all[7] ? 'permission' : 'ok',
    );
    const out = await new BatchRun({ store, client, fetchOrder: fake.fetchOrder }, j.id).run();
    expect(out.ended).toBe('finished');
    expect(out.job.counts.failed).toBe(3);
    const failed = store.orders(j.id, ['failed']);
    expect(failed.map((o) => [o.orderId, o.failure?.kind])).toEqual([
      [all[2], 'business'],
      [all[5], 'invalid-input'],
      [all[7], 'permission'],
    ]);
    expect(fake.requested.length).toBe(10);
    expect(
      batchExitCode(
        out,
        failed.map((o) => o.failure!.kind),
        0,
      ),
    ).toBe(4);
    expect(batchExitCode(out, ['business', 'invalid-input'], 0)).toBe(3);
    expect(batchExitCode(out, [], 0)).toBe(0);
    expect(batchExitCode(out, [], 2)).toBe(3);
    expect(batchExitCode(out, ['business', 'transient'], 0)).toBe(5);
  });

  it('stops on an auth failure, leaves the rest pending, and resumes without refetching', async () => {
    const store = new MemoryJobStore();
    const all = ids(20);
    const j = job(store, all, { concurrency: 2 });
    let authOk = false;
    const fake = fakeFetch((id) => (id === all[6] && !authOk ? 'session-invalid' : 'ok'));
    const out = await new BatchRun({ store, client, fetchOrder: fake.fetchOrder }, j.id).run();
    expect(out.ended).toBe('stopped');
    expect(out.stopError?.kind).toBe('auth');
    expect(out.job.status).toBe('stopped');
    expect(out.job.stopError?.reason).toBe('session-invalid');
    expect(out.job.counts.failed).toBe(0);
    expect(out.job.counts.running).toBe(0);
    expect(out.job.counts.pending).toBeGreaterThanOrEqual(13);
    // No order after the failing one was sent beyond those already in flight.
    expect(fake.requested.length).toBeLessThanOrEqual(8);
    expect(batchExitCode(out, [], 0)).toBe(4);

    const doneBefore = new Set(store.orders(j.id, ['done']).map((o) => o.orderId));
    const seenBefore = fake.requested.length;
    authOk = true;
    const again = await new BatchRun({ store, client, fetchOrder: fake.fetchOrder }, j.id).run();
    expect(again.ended).toBe('finished');
    expect(again.job.counts.done).toBe(20);
    const resumed = fake.requested.slice(seenBefore);
    expect(resumed.filter((id) => doneBefore.has(id))).toEqual([]);
    expect(new Set([...doneBefore, ...resumed])).toEqual(new Set(all));
  });

  it('skips orders already stored unless asked to refresh', async () => {
    const store = new MemoryJobStore();
    const all = ids(6);
    store.records.set(all[1] as string, { fetched: fetched(all[1] as string), profile: 'p' });
    const fake = fakeFetch();
    const out = await new BatchRun({ store, client, fetchOrder: fake.fetchOrder }, job(store, all).id).run();
    expect(out.job.counts).toMatchObject({ done: 5, skipped: 1 });
    expect(fake.requested).not.toContain(all[1]);
    const fake2 = fakeFetch();
    const out2 = await new BatchRun(
      { store, client, fetchOrder: fake2.fetchOrder },
      job(store, all, { refresh: true }).id,
    ).run();
    expect(out2.job.counts).toMatchObject({ done: 6, skipped: 0 });
    expect(fake2.requested).toContain(all[1]);
  });

  it('cancels through the signal: orders in flight go back to pending, and a later run finishes the job', async () => {
    const store = new MemoryJobStore();
    const all = ids(40);
    const j = job(store, all, { concurrency: 4 });
    const fake = fakeFetch(() => 'ok', 5);
    const ac = new AbortController();
    const run = new BatchRun({ store, client, fetchOrder: fake.fetchOrder }, j.id, {
      signal: ac.signal,
      onProgress: (p) => {
        if (p.counts.done >= 10) ac.abort();
      },
      progressIntervalMs: 0,
    });
    const out = await run.run();
    expect(out.ended).toBe('cancelled');
    expect(out.job.status).toBe('paused');
    expect(out.job.counts.running).toBe(0);
    expect(out.job.counts.done).toBeGreaterThanOrEqual(10);
    expect(out.job.counts.done).toBeLessThan(40);
    const done = new Set(store.orders(j.id, ['done']).map((o) => o.orderId));
    const n = fake.requested.length;
    await new BatchRun({ store, client, fetchOrder: fake.fetchOrder }, j.id).run();
    const later = fake.requested.slice(n);
    expect(later.filter((id) => done.has(id))).toEqual([]);
    expect(store.getJob(j.id)?.counts.done).toBe(40);
  });

  it('pause lets orders in flight finish and starts none until resume', async () => {
    const store = new MemoryJobStore();
    const j = job(store, ids(20), { concurrency: 2 });
    const fake = fakeFetch(() => 'ok', 5);
    const run = new BatchRun({ store, client, fetchOrder: fake.fetchOrder }, j.id);
    const done = run.run();
    await tick(12);
    run.pause();
    expect(run.progress().paused).toBe(true);
    await tick(30); // in-flight ones settle
    const atPause = fake.requested.length;
    await tick(60);
    expect(fake.requested.length).toBe(atPause);
    expect(store.getJob(j.id)?.counts.running).toBe(0);
    run.resume();
    const out = await done;
    expect(out.ended).toBe('finished');
    expect(fake.requested.length).toBe(20);
  });

  it("keeps the job's running time over its runs, pauses left out", async () => {
    const store = new MemoryJobStore();
    let t = 0;
    const j = job(store, ids(10), { concurrency: 1 });
    const fake = fakeFetch(() => 'ok', 2);
    const run = new BatchRun({ store, client, fetchOrder: fake.fetchOrder, now: () => t }, j.id);
    const done = run.run();
    await tick(3);
    t = 1_000;
    run.pause();
    // A minute on the pause: not running time.
    t = 61_000;
    expect(run.progress().elapsedMs).toBe(1_000);
    run.resume();
    t = 62_000;
    const out = await done;
    expect(out.ended).toBe('finished');
    expect(out.elapsedMs).toBe(2_000);
    expect(store.getJob(j.id)).toMatchObject({ runMs: 2_000, calls: 0 });
  });

  it('a cancel while paused ends the run even when an order in flight answers after it', async () => {
    const store = new MemoryJobStore();
    const j = job(store, ids(5), { concurrency: 1 });
    // A call that does not notice the abort: its answer comes back after the cancel.
    const fetchOrder: FetchOrder = async (_c, id) => {
      await tick(30);
      return { ok: true, value: fetched(id) };
    };
    const cancel = new AbortController();
    const run = new BatchRun({ store, client, fetchOrder }, j.id, { signal: cancel.signal });
    const done = run.run();
    await tick(5);
    run.pause();
    cancel.abort();
    const out = await Promise.race([done, tick(2_000).then(() => 'hung' as const)]);
    expect(out === 'hung' ? out : out.ended).toBe('cancelled');
  });

  it('never runs a cancelled job again', async () => {
    const store = new MemoryJobStore();
    const j = job(store, ids(5));
    store.setStatus(j.id, 'cancelled');
    const fake = fakeFetch();
    const out = await new BatchRun({ store, client, fetchOrder: fake.fetchOrder }, j.id).run();
    expect(out.ended).toBe('cancelled');
    expect(fake.requested).toEqual([]);
    expect(store.getJob(j.id)).toMatchObject({ status: 'cancelled', runMs: 0, counts: { pending: 5 } });
  });

  it('retries orders that were running at a crash', async () => {
    const store = new MemoryJobStore();
    const all = ids(5);
    const j = job(store, all);
    store.setState(j.id, all[0] as string, 'running');
    store.setState(j.id, all[1] as string, 'running');
    store.complete(j.id, all[2] as string, fetched(all[2] as string), 'p');
    store.setStatus(j.id, 'running');
    const fake = fakeFetch();
    const out = await new BatchRun({ store, client, fetchOrder: fake.fetchOrder }, j.id).run();
    expect(out.job.counts.done).toBe(5);
    expect(fake.requested.sort()).toEqual([all[0], all[1], all[3], all[4]]);
  });

  it('stops after a run of outages instead of failing every order, and retries them on resume', async () => {
    const store = new MemoryJobStore();
    const all = ids(50);
    const j = job(store, all, { concurrency: 2 });
    let down = true;
    const fake = fakeFetch(() => (down ? 'network-unreachable' : 'ok'));
    const out = await new BatchRun({ store, client, fetchOrder: fake.fetchOrder }, j.id, {
      stopAfterConsecutiveOutages: 5,
    }).run();
    expect(out.ended).toBe('stopped');
    expect(out.stopError?.kind).toBe('network');
    expect(batchExitCode(out, [], 0)).toBe(5);
    expect(out.job.counts.failed).toBeGreaterThanOrEqual(5);
    expect(out.job.counts.failed).toBeLessThanOrEqual(7);
    expect(out.job.counts.pending).toBe(50 - out.job.counts.failed);
    down = false;
    const again = await new BatchRun({ store, client, fetchOrder: fake.fetchOrder }, j.id).run();
    expect(again.job.counts).toMatchObject({ done: 50, failed: 0 });
  });

  it('a vault write that fails leaves the order pending and stops the job', async () => {
    const store = new MemoryJobStore();
    const all = ids(8);
    const j = job(store, all, { concurrency: 1 });
    const original = store.complete.bind(store);
    let calls = 0;
    store.complete = (jobId, orderId, f, profile) => {
      if (++calls === 3) throw Object.assign(new Error('disk'), { code: 'SQLITE_FULL' });
      original(jobId, orderId, f, profile);
    };
    const fake = fakeFetch();
    const out = await new BatchRun({ store, client, fetchOrder: fake.fetchOrder }, j.id).run();
    expect(out.ended).toBe('stopped');
    expect(out.stopError?.reason).toBe('disk-full');
    expect(store.orders(j.id, ['pending']).map((o) => o.orderId)).toContain(all[2]);
    expect(out.job.counts.done).toBe(2);
  });

  it('one order whose fetch throws fails alone; the run finishes and a resume has nothing left to die on', async () => {
    const store = new MemoryJobStore();
    const j = job(store, ids(6), { concurrency: 2 });
    const poison = ids(6)[2] as string;
    const fake = fakeFetch();
    const fetchOrder: FetchOrder = async (c, id, o) => {
      if (id === poison) throw new RangeError('Maximum call stack size exceeded');
      return fake.fetchOrder(c, id, o);
    };
    const out = await new BatchRun({ store, client, fetchOrder }, j.id).run();
    expect(out.ended).toBe('finished');
    expect(out.job.counts).toMatchObject({ done: 5, failed: 1, running: 0, pending: 0 });
    const failed = store.orders(j.id, ['failed']);
    expect(failed.map((o) => o.orderId)).toEqual([poison]);
    expect(failed[0]?.failure).toMatchObject({ kind: 'internal', reason: 'internal' });
    const again = await new BatchRun({ store, client, fetchOrder }, j.id).run();
    expect(again.ended).toBe('finished');
  });

  it('validates options', () => {
    expect(validateOptions({ concurrency: 0 }).ok).toBe(false);
    expect(validateOptions({ qps: -1 }).ok).toBe(false);
    expect(validateOptions({ qps: Number.NaN }).ok).toBe(false);
    const ok = validateOptions({});
    expect(ok.ok && ok.value).toEqual(DEFAULT_BATCH_OPTIONS);
  });
});
