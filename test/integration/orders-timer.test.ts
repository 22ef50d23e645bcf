/**
 * The waiting list's timer in the real backend (secrets in memory, a real vault) against the demo
 * simulator over loopback, with a clock the test moves and a short tick: waiting orders are asked
 * again once the set interval has passed, never while another job runs and never above the
 * account's calls per second, and the timer is cleared when the backend closes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Channel, ipcName, type ReplyOf, type RequestOf } from '../../electron/contract';
import { type Simulator, startSimulator } from '../../electron/core/demo/simulator';
import { type Backend, createBackend } from '../../electron/main/backend';
import { type IpcMainLike, registerHandlers, type SenderInfo } from '../../electron/main/ipc';
import { gb18030 } from '../support/gb18030';

const ORIGIN = 'app://desk';
const TICK = 100;
const QPS = 2;
const WAITING = ['3000000000000501', '3000000000000502', '3000000000000503'];
const OTHERS = ['3000000000000601', '3000000000000602', '3000000000000603', '3000000000000604'];

let sim: Simulator;
let backend: Backend;
let dataDir: string;
let offset = 0;
const registry = new Map<string, (e: SenderInfo, p: unknown) => Promise<unknown>>();
const intervals = vi.spyOn(globalThis, 'setInterval');
const cleared = vi.spyOn(globalThis, 'clearInterval');

async function reply<C extends Channel>(channel: C, request: RequestOf<C>) {
  return (await (registry.get(ipcName(channel)) as (e: SenderInfo, p: unknown) => Promise<unknown>)(
    { senderFrame: { url: `${ORIGIN}/index.html` } },
    request,
  )) as { ok: true; value: ReplyOf<C> } | { ok: false; error: { reason: string } };
}
async function call<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ReplyOf<C>> {
  const r = await reply(channel, request);
  if (!r.ok) throw new Error(`${channel}: ${JSON.stringify(r.error)}`);
  return r.value;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const asked = (id: string) => sim.calls.filter((c) => c.orderId === id).length;
async function until(what: string, ok: () => Promise<boolean> | boolean, ms = 20_000) {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

beforeAll(async () => {
  sim = await startSimulator({
    credentials: { appKey: 'timer-key', appSecret: 'timer-secret', session: 'timer-session' },
  });
  dataDir = mkdtempSync(join(tmpdir(), 'cd-orders-timer-'));
  backend = await createBackend({
    env: { CLEARANCE_DATA_DIR: dataDir },
    demo: false,
    secretsMode: 'memory',
    clock: () => new Date(Date.now() + offset),
    recheckTickMs: TICK,
    host: {
      imageUrl: (id, side) => `cd-image://image/${id}/${side}`,
      emit: () => {},
      chooseExportTarget: async () => null,
      chooseImportFile: async () => null,
    },
  });
  const ipc: IpcMainLike = { handle: (c, l) => registry.set(c, l), removeHandler: (c) => registry.delete(c) };
  registerHandlers(ipc, backend.handlers, ORIGIN);
  await call('profile.save', {
    name: 'shop',
    displayName: '',
    appKey: 'timer-key',
    gateway: sim.url,
    signMethod: 'hmac-sha256',
    targetAppKey: null,
    sessionExpiresAt: null,
    qps: QPS,
  });
  await call('profile.setSecrets', { name: 'shop', appSecret: 'timer-secret', session: 'timer-session' });
});
afterAll(async () => {
  await backend?.close();
  await sim?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the recheck timer', { timeout: 60_000 }, () => {
  it('refuses an interval shorter than the shortest the app offers', async () => {
    const r = await reply('settings.setPreferences', { waitingRecheckMinutes: 2 });
    expect(r.ok).toBe(false);
    expect((await call('settings.setPreferences', { waitingRecheckMinutes: 0 })).waitingRecheckMinutes).toBe(
      0,
    );
  });

  it('rechecks the waiting orders after the interval, never beside another job, within the rate', async () => {
    const sheet = ['订单号,收件人', ...WAITING.map((id) => `${id},某某`)].join('\r\n');
    const imported = await call('orders.import', {
      dropped: { name: 's.csv', base64: gb18030(sheet).toString('base64') },
    });
    expect(imported).toMatchObject({ kind: 'imported', new: 3 });
    // The consignees have not given their identity yet: each lookup fails and the order waits.
    for (const id of WAITING) {
      sim.inject({ fault: { kind: 'no-identity' }, times: 1, orderId: id });
      expect((await reply('lookup.get', { input: id, refresh: false, needImage: false })).ok).toBe(false);
    }
    expect((await call('orders.waiting', {})).items.map((w) => w.orderId)).toEqual(WAITING);
    const settings = await call('settings.setPreferences', { waitingRecheckMinutes: 5 });
    expect(settings.waitingRecheckMinutes).toBe(5);

    // Not due yet: ticks pass, nothing is asked.
    await sleep(TICK * 5);
    expect(WAITING.map(asked)).toEqual([1, 1, 1]);

    // A batch of other orders runs; the interval passes meanwhile, but no second job starts.
    const from = sim.calls.length;
    const { jobId } = await call('batch.start', { orderIds: OTHERS, needImage: false, refresh: false });
    offset += 6 * 60_000;
    await until('the batch to finish', async () => {
      const job = (await call('batch.list', {})).find((j) => j.jobId === jobId);
      return job?.state === 'finished';
    });
    expect(WAITING.map(asked)).toEqual([1, 1, 1]);
    // The interval counts from the end of that work: a few more ticks, still nothing.
    await sleep(TICK * 5);
    expect(WAITING.map(asked)).toEqual([1, 1, 1]);

    // Five minutes on, the timer asks again for exactly the waiting orders; their identities arrive.
    offset += 5 * 60_000;
    await until(
      'the waiting list to empty',
      async () => (await call('orders.waiting', {})).items.length === 0,
    );
    expect(WAITING.map(asked)).toEqual([2, 2, 2]);
    const jobs = await call('batch.list', {});
    expect(jobs.filter((j) => j.jobId !== jobId).map((j) => j.total)).toEqual([3]);
    for (const id of WAITING)
      expect((await call('lookup.get', { input: id, refresh: false, needImage: false })).source).toBe(
        'vault',
      );

    // Every call of both jobs: never more than the account's calls per second. (Measured where the
    // calls arrive, in one process on a shared machine: the window is a tenth short of a second
    // for the wobble. Two jobs at once would put three or four calls in it.)
    const times = sim.calls.slice(from).map((c) => c.at);
    expect(times).toHaveLength(OTHERS.length + WAITING.length);
    expect(sim.calls.slice(from).every((c) => c.outcome === 'ok')).toBe(true);
    for (const t of times) expect(times.filter((u) => u >= t && u < t + 900).length).toBeLessThanOrEqual(QPS);

    // An empty list makes no calls, however much time passes.
    const before = sim.calls.length;
    offset += 60 * 60_000;
    await sleep(TICK * 5);
    expect(sim.calls.length).toBe(before);
  });

  it('the timer is cleared when the backend closes', async () => {
    const timer = intervals.mock.calls.findIndex((c) => c[1] === TICK);
    expect(timer).toBeGreaterThanOrEqual(0);
    const handle = intervals.mock.results[timer]?.value;
    expect(cleared).not.toHaveBeenCalledWith(handle);
    await backend.close();
    expect(cleared).toHaveBeenCalledWith(handle);
    backend = undefined as unknown as Backend;
  });
});
