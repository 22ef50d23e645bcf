/**
 * The waiting list against the demo gateway on loopback and a real vault: an order the gateway has
 * no identity for yet waits (batch and sheet lookups), is asked again as a batch job within the
 * rate limit, and leaves the list when its identity arrives.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../electron/core/demo/simulator';
import { OrderStore } from '../../electron/core/orders/store';
import { lookupSheetOrders, recheckWaiting } from '../../electron/core/orders/waiting';
import type { Vault } from '../../electron/core/vault/types';
import { openVault } from '../../electron/core/vault/vault';

let dir: string;
let vault: Vault;
let sim: Simulator;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cd-waiting-'));
  vault = openVault({ path: join(dir, 'vault.db'), key: randomBytes(32).toString('hex') });
  sim = await startSimulator();
});
afterEach(async () => {
  vault.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const deps = () => ({
  client: {
    gateway: sim.url,
    credentials: { ...sim.credentials },
    retry: { baseDelayMs: 20, maxDelayMs: 100 },
  },
  profile: 'demo',
  qps: 20,
  channel: 'test',
});
const A = '3000000000000101';
const B = '3000000000000102';
const C = '3000000000000103';

describe('waiting for the identity', () => {
  it('the sheet’s orders without an identity are looked up; those with none yet wait, then arrive on recheck', async () => {
    const orders = new OrderStore(vault);
    orders.import(
      [A, B, C].map((orderId) => ({ orderId, consignee: '某某' })),
      { source: 's.csv', profile: 'demo', channel: 'test' },
    );
    // B and C: the consignee has not given an identity yet (twice for C).
    sim.inject({ fault: { kind: 'no-identity' }, times: 1, orderId: B });
    sim.inject({ fault: { kind: 'no-identity' }, times: 2, orderId: C });
    const first = await lookupSheetOrders(vault, deps());
    expect(first.outcome?.job.counts).toMatchObject({ done: 1, failed: 2 });
    expect(first.outcome?.job.source).toBe('sheet');
    expect(orders.waiting().map((w) => [w.orderId, w.reason, w.code])).toEqual([
      [B, 'business', 'CERTIFY_INFO_NOT_FOUND'],
      [C, 'business', 'CERTIFY_INFO_NOT_FOUND'],
    ]);
    expect(orders.withoutIdentity()).toEqual([B, C]);

    const second = await recheckWaiting(vault, deps());
    expect(second.outcome?.job.source).toBe('waiting');
    expect(second.outcome?.job.counts).toMatchObject({ done: 1, failed: 1 });
    expect(vault.get(B)).toBeDefined();
    expect(orders.waiting().map((w) => [w.orderId, w.checks])).toEqual([[C, 2]]);

    const third = await recheckWaiting(vault, deps());
    expect(third.waiting).toBe(0);
    expect(vault.get(C)).toBeDefined();
    // Only the waiting orders were asked again: A once, B twice, C three times.
    const asked = (id: string) => sim.calls.filter((c) => c.orderId === id).length;
    expect([asked(A), asked(B), asked(C)]).toEqual([1, 2, 3]);
    expect(await recheckWaiting(vault, deps())).toEqual({ outcome: null, waiting: 0 });
  });

  it('a failure that is not about the order (throttling, outage) does not put it on the list', async () => {
    const orders = new OrderStore(vault);
    // 9000000000000015 answers isp.* every time: transient, not "no identity".
    orders.import([{ orderId: '9000000000000015' }], { source: 's.csv', profile: 'demo', channel: 'test' });
    const r = await lookupSheetOrders(vault, deps());
    expect(r.outcome?.job.counts.failed).toBe(1);
    expect(orders.waiting()).toEqual([]);
  });
});
