/**
 * The batch engine against the demo gateway on loopback, with the real vault (a temp file and a
 * random key): every order ends done or failed with the right kind, the calls-per-second cap holds
 * as the gateway itself measures it, throttling pauses the whole job, an auth failure stops it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import {
  BATCH_MIGRATIONS,
  type BatchOptions,
  BatchRun,
  DEFAULT_BATCH_OPTIONS,
  SqliteJobStore,
} from '../../electron/core/batch';
import { type Simulator, type SimulatorCall, startSimulator } from '../../electron/core/demo/simulator';
import type { TopClientOptions } from '../../electron/core/gateway/client';
import type { Vault } from '../../electron/core/vault/types';
import { openVault } from '../../electron/core/vault/vault';
import { startSimulatorProcess } from '../support/simulator-process';

const generated = (n: number, from = 1) =>
  Array.from({ length: n }, (_, i) => `3${String(from + i).padStart(15, '0')}`);

/** The most calls the gateway logged in any sliding one-second window. */
function peakPerSecond(calls: SimulatorCall[]): number {
  const at = calls.map((c) => c.at).sort((a, b) => a - b);
  let peak = 0;
  let lo = 0;
  for (let hi = 0; hi < at.length; hi++) {
    while ((at[hi] as number) - (at[lo] as number) >= 1000) lo++;
    peak = Math.max(peak, hi - lo + 1);
  }
  return peak;
}

let dir: string;
let vault: Vault;
let store: SqliteJobStore;
let sim: Simulator | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cd-batch-'));
  vault = openVault({ path: join(dir, 'vault.db'), key: randomBytes(32).toString('hex') });
  store = new SqliteJobStore(vault, { channel: 'test' });
});

afterEach(async () => {
  vault.close();
  await sim?.close();
  sim = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function clientFor(
  s: Pick<Simulator, 'url' | 'credentials'>,
  session = s.credentials.session,
): Omit<TopClientOptions, 'gate'> {
  // Short backoff steps keep the test quick; the policy (3 retries, equal jitter) is the product's.
  return {
    gateway: s.url,
    credentials: { ...s.credentials, session },
    retry: { baseDelayMs: 20, maxDelayMs: 100 },
  };
}

function newJob(orderIds: string[], options: Partial<BatchOptions> = {}) {
  return store.createJob({
    profile: 'test',
    options: { ...DEFAULT_BATCH_OPTIONS, ...options },
    source: 'test',
    orderIds,
    invalid: [],
  });
}

describe('the vault-backed job store', () => {
  it('pages a job by position (keyset), in input order, for all orders and per state', () => {
    const ids = generated(50);
    const job = store.createJob({
      profile: 'p',
      options: { ...DEFAULT_BATCH_OPTIONS },
      source: 'test',
      orderIds: ids,
      invalid: [],
    });
    for (const id of ids.filter((_, i) => i % 3 === 0)) store.setState(job.id, id, 'skipped');
    const page = store.orders(job.id, undefined, { afterSeq: 9, limit: 5 });
    expect(page.map((o) => o.seq)).toEqual([10, 11, 12, 13, 14]);
    expect(page.map((o) => o.orderId)).toEqual(ids.slice(10, 15));
    const pending = store.orders(job.id, ['pending'], { afterSeq: 10, limit: 4 });
    expect(pending.map((o) => o.seq)).toEqual([11, 13, 14, 16]);
    const both = store.orders(job.id, ['pending', 'skipped'], { afterSeq: 44, limit: 10 });
    expect(both.map((o) => o.seq)).toEqual([45, 46, 47, 48, 49]);
    expect(store.orders(job.id)).toHaveLength(50);
    expect(store.orders(job.id, undefined, { afterSeq: 49 })).toEqual([]);
  });
});

describe('the job store upgrade', () => {
  it('a job written before jobs kept their running time opens with none, its orders intact', () => {
    const path = join(dir, 'old.db');
    const key = randomBytes(32).toString('hex');
    const old = openVault({ path, key });
    const db = old.extend('batch', BATCH_MIGRATIONS.slice(0, 3));
    db.prepare(`INSERT INTO batch_jobs (id, created_at, updated_at, profile, status, options, source, invalid, stop_error)
      VALUES ('20250101-aaaaaa', '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z', 'p', 'paused', ?, 'app', '[]', NULL)`).run(
      JSON.stringify(DEFAULT_BATCH_OPTIONS),
    );
    db.prepare(
      `INSERT INTO batch_orders (job_id, order_id, seq, state, failure, updated_at) VALUES ('20250101-aaaaaa', '3000000000000001', 0, 'pending', NULL, '2025-01-01T00:00:00.000Z')`,
    ).run();
    old.close();
    const reopened = openVault({ path, key });
    onTestFinished(() => reopened.close());
    const job = new SqliteJobStore(reopened).getJob('20250101-aaaaaa');
    expect(job).toMatchObject({ status: 'paused', runMs: 0, calls: 0, counts: { pending: 1 } });
  });
});

describe('batch against the demo gateway', () => {
  it('ends every order done or failed with the right kind, within the calls-per-second cap, with transient faults retried', async () => {
    // The gateway in its own process: this test holds the client to the cap as the gateway counts it.
    const gw = await startSimulatorProcess({ latencyMs: 30, maxCallsPerSecond: 10 });
    onTestFinished(() => gw.close());
    const good = generated(40);
    const special = {
      '4000000000000001': 'business', // not an order of this supplier
      '9000000000000011': 'permission',
      '9000000000000041': 'invalid-input',
      '9000000000000015': 'transient', // the gateway's service stays unavailable through every retry
      '9000000000000200': 'protocol', // an HTML login page instead of an envelope
    } as const;
    const orders = [...good.slice(0, 20), ...Object.keys(special), ...good.slice(20)];
    // Transient faults on good orders: each clears within the client's retries.
    await gw.inject({ fault: { kind: 'isp' }, times: 2, orderId: good[3] as string });
    await gw.inject({ fault: { kind: 'http', status: 503 }, times: 2, orderId: good[25] as string });
    await gw.inject({ fault: { kind: 'http', status: 502 }, times: 1 });
    const job = newJob(orders, { concurrency: 4, qps: 10 });
    const out = await new BatchRun({ store, client: clientFor(gw) }, job.id).run();

    expect(out.ended).toBe('finished');
    expect(out.job.counts).toEqual({ pending: 0, running: 0, done: 40, failed: 5, skipped: 0 });
    const rows = store.orders(job.id);
    for (const r of rows) {
      const want = special[r.orderId as keyof typeof special];
      if (want) {
        expect(r.state, r.orderId).toBe('failed');
        expect(r.failure?.kind, r.orderId).toBe(want);
      } else {
        expect(r.state, r.orderId).toBe('done');
      }
      // Done in the job exactly when the vault holds the record.
      expect(vault.get(r.orderId) !== undefined, r.orderId).toBe(r.state === 'done');
    }
    // Permanent failures were asked once; the retried ones more than once; nothing beyond the retry bound.
    const calls = await gw.calls();
    const asked = (id: string) => calls.filter((c) => c.orderId === id).length;
    expect(asked('4000000000000001')).toBe(1);
    expect(asked('9000000000000011')).toBe(1);
    expect(asked('9000000000000041')).toBe(1);
    expect(asked('9000000000000015')).toBe(4);
    expect(asked(good[3] as string)).toBe(3);
    expect(asked(good[25] as string)).toBe(3);
    // The cap, as the gateway saw it, and it never had to throttle us.
    expect(peakPerSecond(calls)).toBeLessThanOrEqual(10);
    expect(calls.filter((c) => c.outcome === '7')).toEqual([]);
    expect(out.calls).toBe(calls.length);
  });

  it('a throttling reply pauses the whole job for the ban, then the job continues', async () => {
    sim = await startSimulator({ latencyMs: 10 });
    const orders = generated(30, 100);
    sim.inject({ fault: { kind: 'throttle', seconds: 2 }, times: 1, orderId: orders[8] as string });
    const job = newJob(orders, { concurrency: 4, qps: 20 });
    const out = await new BatchRun({ store, client: clientFor(sim) }, job.id).run();
    expect(out.ended).toBe('finished');
    expect(out.job.counts.done).toBe(30);
    const ban = sim.calls.find((c) => c.outcome === 'throttle') as SimulatorCall;
    expect(ban).toBeDefined();
    // Calls already on the wire may land just after the ban reply; nothing is sent during the ban (2 s + 1 s margin).
    const during = sim.calls.filter((c) => c.at > ban.at + 200 && c.at < ban.at + 2900);
    expect(during).toEqual([]);
    expect(sim.calls.filter((c) => c.orderId === orders[8]).map((c) => c.outcome)).toEqual([
      'throttle',
      'ok',
    ]);
  });

  it('a ban longer than one call waits out pauses the whole job too, then the order is asked again and the job finishes', async () => {
    sim = await startSimulator({ latencyMs: 5 });
    const orders = generated(12, 300);
    sim.inject({ fault: { kind: 'throttle', seconds: 2 }, times: 1, orderId: orders[3] as string });
    const job = newJob(orders, { concurrency: 3, qps: 20 });
    // The client gives up on bans over 1 s here, as it does on the long (over 60 s) bans in production.
    const client = { ...clientFor(sim), retry: { baseDelayMs: 20, maxDelayMs: 100, maxBanWaitSeconds: 1 } };
    const out = await new BatchRun({ store, client }, job.id).run();
    expect(out.ended).toBe('finished');
    expect(out.job.counts).toMatchObject({ done: 12, failed: 0, pending: 0 });
    const ban = sim.calls.find((c) => c.outcome === 'throttle') as SimulatorCall;
    expect(sim.calls.filter((c) => c.at > ban.at + 200 && c.at < ban.at + 2900)).toEqual([]);
    expect(sim.calls.filter((c) => c.orderId === orders[3]).map((c) => c.outcome)).toEqual([
      'throttle',
      'ok',
    ]);
  });

  it('when the client allows more than the gateway, bans are waited out and every order still completes', async () => {
    sim = await startSimulator({ latencyMs: 5, maxCallsPerSecond: 5 });
    const orders = generated(16, 200);
    const job = newJob(orders, { concurrency: 4, qps: 12 });
    const out = await new BatchRun({ store, client: clientFor(sim) }, job.id).run();
    expect(out.ended).toBe('finished');
    expect(out.job.counts.done).toBe(16);
    expect(sim.calls.some((c) => c.outcome === '7')).toBe(true);
  }, 60_000);

  it('an auth failure stops the job at once with the orders left pending, and a resume finishes it', async () => {
    sim = await startSimulator({ latencyMs: 20 });
    const orders = generated(50, 300);
    const job = newJob(orders, { concurrency: 4, qps: 50 });
    const out = await new BatchRun({ store, client: clientFor(sim, 'expired-session') }, job.id).run();
    expect(out.ended).toBe('stopped');
    expect(out.stopError?.kind).toBe('auth');
    expect(out.stopError?.reason).toBe('session-invalid');
    expect(out.job.status).toBe('stopped');
    expect(out.job.counts).toEqual({ pending: 50, running: 0, done: 0, failed: 0, skipped: 0 });
    // Only the calls already in flight when the first refusal came back (the gateway logs them after its latency).
    await new Promise((r) => setTimeout(r, 100));
    expect(sim.calls.length).toBeLessThanOrEqual(4);

    const before = sim.calls.length;
    const again = await new BatchRun({ store, client: clientFor(sim) }, job.id).run();
    expect(again.ended).toBe('finished');
    expect(again.job.counts.done).toBe(50);
    expect(again.job.stopError).toBeNull();
    const resumed = sim.calls.slice(before).map((c) => c.orderId);
    expect(resumed.sort()).toEqual([...orders].sort());
  });

  it('skips orders already in the vault unless refreshing, and audits each run', async () => {
    sim = await startSimulator();
    const orders = generated(6, 400);
    await new BatchRun({ store, client: clientFor(sim) }, newJob(orders.slice(0, 3)).id).run();
    const n = sim.calls.length;
    const second = await new BatchRun({ store, client: clientFor(sim) }, newJob(orders).id).run();
    expect(second.job.counts).toMatchObject({ done: 3, skipped: 3 });
    expect(
      sim.calls
        .slice(n)
        .map((c) => c.orderId)
        .sort(),
    ).toEqual(orders.slice(3));
    const third = await new BatchRun(
      { store, client: clientFor(sim) },
      newJob(orders, { refresh: true }).id,
    ).run();
    expect(third.job.counts).toMatchObject({ done: 6, skipped: 0 });
    const runs = vault.auditLog({ action: 'batch' });
    expect(runs).toHaveLength(3);
    expect(runs.every((r) => r.orderIds.length === 0 && r.detail.channel === 'test')).toBe(true);
  });

  it("keeps each job's running time and calls, and counts the finished orders' ID problems, skipped ones included", async () => {
    sim = await startSimulator();
    // The demo's documentation sample (bad check digit, expired), an expired card, a long-term one.
    const orders = ['1460536261312998', '2000000000000001', '2000000000000002', ...generated(3, 600)];
    const first = await new BatchRun({ store, client: clientFor(sim) }, newJob(orders.slice(0, 4)).id).run();
    expect(first.job.runMs).toBeGreaterThan(0);
    expect(first.job.calls).toBe(4);
    const today = new Date().toISOString().slice(0, 10);
    expect(store.finishedValidity(first.job.id, today)).toEqual({
      done: { expired: 2, invalid: 1 },
      skipped: { expired: 0, invalid: 0 },
    });
    const second = await new BatchRun({ store, client: clientFor(sim) }, newJob(orders).id).run();
    expect(second.job.counts).toMatchObject({ done: 2, skipped: 4 });
    expect(second.job.calls).toBe(2);
    expect(store.finishedValidity(second.job.id, today)).toEqual({
      done: { expired: 0, invalid: 0 },
      skipped: { expired: 2, invalid: 1 },
    });
    // A second run of the same job adds to its totals.
    store.requeue(second.job.id, { states: ['done'] });
    const again = await new BatchRun({ store, client: clientFor(sim) }, second.job.id).run();
    expect(again.job.calls).toBe(2); // stored by now: skipped, no call
    expect(again.job.runMs).toBeGreaterThanOrEqual(second.job.runMs);
  });

  it('downloads images when asked and stores them with the record', async () => {
    sim = await startSimulator();
    const orders = generated(3, 500);
    const out = await new BatchRun(
      { store, client: clientFor(sim) },
      newJob(orders, { needImage: true }).id,
    ).run();
    expect(out.job.counts.done).toBe(3);
    for (const id of orders) {
      expect(sim.calls.find((c) => c.orderId === id)?.needImage).toBe(true);
      expect(vault.image(id, 'front')?.bytes.length).toBeGreaterThan(0);
    }
  });
});
