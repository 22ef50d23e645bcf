import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchRun, MemoryJobStore } from '../../electron/core/batch';
import { DEFAULT_BATCH_OPTIONS } from '../../electron/core/batch/types';
import { exitCodeFor } from '../../electron/core/errors';
import { fetchClearance } from '../../electron/core/gateway/clearance';
import { TopClient, type TopClientOptions } from '../../electron/core/gateway/client';
import { type HostileGateway, startHostileGateway } from '../support/hostile-gateway';

let gw: HostileGateway;
beforeAll(async () => {
  gw = await startHostileGateway({
    '3000000000000001': 'other-order',
    '3000000000000002': 'doctype-xml',
    '3000000000000003': 'external-entity-xml',
    '3000000000000004': 'padded-echo',
    '3000000000000005': 'trickle-forever',
    '3000000000000006': 'gzip-garbage',
  });
});
afterAll(() => gw.close());

const options = (extra: Partial<TopClientOptions> = {}): TopClientOptions => ({
  gateway: gw.url,
  credentials: { appKey: 'k', appSecret: 's', session: 't' },
  retry: { maxRetries: 0 },
  ...extra,
});

describe('fetchClearance against a hostile gateway', () => {
  it("a reply for another order is a protocol failure, not that order's identity", async () => {
    const r = await fetchClearance(new TopClient(options()), '3000000000000001');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({
      kind: 'protocol',
      reason: 'protocol-order-mismatch',
      orderId: '3000000000000001',
    });
    expect(exitCodeFor(r.error.kind)).toBe(6);
    expect(r.error.message['zh-CN']).toContain('3000000000000001');
    expect(r.error.message['en-US']).toContain('another order');
  });

  it('the same order echoed with leading zeros is the same order', async () => {
    const r = await fetchClearance(new TopClient(options()), '3000000000000004');
    expect(r.ok).toBe(true);
  });

  it.each(['json', 'xml'] as const)(
    'DOCTYPE and external-entity XML are protocol failures (asked for %s)',
    async (format) => {
      for (const id of ['3000000000000002', '3000000000000003']) {
        const r = await fetchClearance(new TopClient(options({ format })), id);
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.error).toMatchObject({ kind: 'protocol', reason: 'protocol-malformed' });
      }
    },
  );

  it('bytes trickled forever end in a timeout, not a hang', async () => {
    const started = Date.now();
    const r = await fetchClearance(new TopClient(options({ totalTimeoutMs: 800 })), '3000000000000005');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.reason).toBe('network-timeout');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a batch records each hostile reply as its order failure and finishes the rest', async () => {
    const store = new MemoryJobStore();
    const orderIds = [
      '3000000000000001',
      '3000000000000002',
      '3000000000000007',
      '3000000000000003',
      '3000000000000006',
      '3000000000000008',
    ];
    const job = store.createJob({
      profile: 'p',
      options: { ...DEFAULT_BATCH_OPTIONS, qps: 100 },
      source: 'test',
      orderIds,
      invalid: [],
    });
    const outcome = await new BatchRun({ store, client: options() }, job.id).run();
    expect(outcome.ended).toBe('finished');
    const rows = new Map(store.orders(job.id).map((o) => [o.orderId, o]));
    expect(rows.get('3000000000000007')?.state).toBe('done');
    expect(rows.get('3000000000000008')?.state).toBe('done');
    expect(rows.get('3000000000000001')?.failure?.reason).toBe('protocol-order-mismatch');
    expect(rows.get('3000000000000002')?.failure?.reason).toBe('protocol-malformed');
    expect(rows.get('3000000000000003')?.failure?.reason).toBe('protocol-malformed');
    expect(rows.get('3000000000000006')?.failure?.reason).toBe('protocol-malformed');
    expect(store.isStored('3000000000000001')).toBe(false);
  });
});
