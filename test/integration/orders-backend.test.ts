/**
 * The order sheet through the real backend and IPC registration (secrets in memory, the demo
 * gateway): a dropped sheet is imported, a scanned waybill opens its card with the findings, an
 * order of the sheet the gateway has no identity for waits, and the recheck starts a batch job.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Channel, type EventName, ipcName, type ReplyOf, type RequestOf } from '../../electron/contract';
import { type Backend, createBackend } from '../../electron/main/backend';
import { type IpcMainLike, registerHandlers, type SenderInfo } from '../../electron/main/ipc';
import { gb18030 } from '../support/gb18030';

const ORIGIN = 'app://desk';
const WANG = '3728150192837465928';
const NONE = '5000000000000001';
let backend: Backend;
let dataDir: string;
const events: { event: EventName; payload: unknown }[] = [];
const registry = new Map<string, (e: SenderInfo, p: unknown) => Promise<unknown>>();

async function reply<C extends Channel>(channel: C, request: RequestOf<C>) {
  return (await (registry.get(ipcName(channel)) as (e: SenderInfo, p: unknown) => Promise<unknown>)(
    { senderFrame: { url: `${ORIGIN}/index.html` } },
    request,
  )) as
    | { ok: true; value: ReplyOf<C> }
    | { ok: false; error: { reason: string; message: Record<string, string> } };
}
async function call<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ReplyOf<C>> {
  const r = await reply(channel, request);
  if (!r.ok) throw new Error(`${channel}: ${JSON.stringify(r.error)}`);
  return r.value;
}
const dropped = (name: string, text: string) => ({ name, base64: gb18030(text).toString('base64') });

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'cd-orders-backend-'));
  backend = await createBackend({
    env: { CLEARANCE_DATA_DIR: dataDir },
    demo: true,
    secretsMode: 'memory',
    host: {
      imageUrl: (id, side) => `cd-image://image/${id}/${side}`,
      emit: (event, payload) => events.push({ event, payload }),
      chooseExportTarget: async () => null,
      chooseImportFile: async () => null,
    },
  });
  const ipc: IpcMainLike = { handle: (c, l) => registry.set(c, l), removeHandler: (c) => registry.delete(c) };
  registerHandlers(ipc, backend.handlers, ORIGIN);
});
afterAll(async () => {
  await backend?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('orders over IPC', () => {
  it('answers "which column?" and bad rows as values, and imports nothing then', async () => {
    const two = await call('orders.import', {
      dropped: dropped('a.csv', '订单号,下单时间,支付时间\n1,2025-06-15 10:00:00,2025-06-15 10:00:00\n'),
    });
    expect(two).toMatchObject({
      kind: 'choose-column',
      columns: ['2: 下单时间 → orderTime', '3: 支付时间 → orderTime'],
    });
    const bad = await call('orders.import', { dropped: dropped('b.csv', '订单号,实付金额\n1,x\nabc,1\n') });
    expect(bad).toMatchObject({
      kind: 'bad-rows',
      rows: [
        { row: 2, field: 'amountFen' },
        { row: 3, field: 'orderId' },
      ],
    });
    expect((await call('checks.list', { scope: 'sheet' })).orders).toBe(0);
    expect(await call('orders.import', {})).toEqual({ cancelledByUser: true });
  });

  it('imports a dropped sheet; a scanned waybill opens the card with its findings and masked row', async () => {
    const sheet = [
      '交易订单号,物流单号,收货人,手机,实付金额,下单时间',
      `${WANG},SF100,王小芳,13812341234,5000.01,2025-06-15 10:00:00`,
      `${NONE},SF200,李四,13900002222,1,2025-06-15 10:00:00`,
    ].join('\r\n');
    const r = await call('orders.import', { dropped: dropped('订单.csv', sheet) });
    expect(r).toMatchObject({ kind: 'imported', rows: 2, new: 2, withoutIdentity: [WANG, NONE] });
    const card = await call('lookup.get', { input: ' sf100\r\n', refresh: false, needImage: false });
    expect(card.orderId).toBe(WANG);
    expect(card.findings?.map((f) => f.code)).toEqual(['name-mismatch', 'over-order-limit']);
    expect(card.sheet).toMatchObject({
      waybill: 'SF100',
      maskedConsignee: '王**',
      maskedPhone: '138****1234',
      amountFen: 500_001,
    });
    expect(JSON.stringify(card)).not.toMatch(/王小芳|13812341234/);
    const unknown = await reply('lookup.get', { input: 'SF999', refresh: false, needImage: false });
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.error.reason).toBe('scan-unknown');
    const list = await call('checks.list', { scope: 'orders', orderIds: [WANG, NONE] });
    expect(list.counts).toMatchObject({ 'name-mismatch': 1, 'over-order-limit': 1, 'no-identity': 1 });
    const filtered = await call('records.search', { finding: 'name-mismatch', offset: 0, limit: 50 });
    expect(filtered.rows.map((x) => x.orderId)).toEqual([WANG]);
    expect((await call('records.search', { finding: 'shared-id', offset: 0, limit: 50 })).total).toBe(0);
  });

  it('an order of the sheet without an identity waits; the recheck runs it as a batch job', async () => {
    const failed = await reply('lookup.get', { input: NONE, refresh: false, needImage: false });
    expect(failed.ok).toBe(false);
    const waiting = await call('orders.waiting', {});
    expect(waiting.items.map((w) => [w.orderId, w.onSheet, w.checks])).toEqual([[NONE, true, 1]]);
    const again = await call('orders.recheck', {});
    expect(again.orders).toBe(1);
    expect(again.jobId).toMatch(/^\d{8}-/);
    // The job ends (the demo gateway still has no identity for it): the order waits on, asked twice.
    for (let i = 0; i < 100 && (await call('orders.waiting', {})).items[0]?.checks !== 2; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect((await call('orders.waiting', {})).items[0]?.checks).toBe(2);
    const jobs = await call('batch.list', {});
    expect(jobs.find((j) => j.jobId === again.jobId)?.total).toBe(1);
  });
});
