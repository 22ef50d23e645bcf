import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Channel, type EventName, ipcName, type ReplyOf, type RequestOf } from '../../electron/contract';
import { type Simulator, startSimulator } from '../../electron/core/demo/simulator';
import { type Backend, createBackend } from '../../electron/main/backend';
import { type IpcMainLike, registerHandlers, type SenderInfo } from '../../electron/main/ipc';
import { tempDir } from '../support/cli';
import { keychainSuite } from '../support/keychain';

/**
 * The real backend behind the real IPC registration, with the real keychain and vault, against a
 * simulator whose secrets are unique to this run: nothing the renderer can receive (replies,
 * events) and no file in the data folder may contain them; personal data travels only in the
 * replies made to show it.
 */
const { suite } = await keychainSuite('backend over IPC');
const ORIGIN = 'app://desk';
const SECRET = `s3cret-${Date.now()}-${Math.random().toString(36).slice(2)}`;
const SESSION = `sess-${Date.now()}-${Math.random().toString(36).slice(2)}`;

let sim: Simulator;
let backend: Backend;
let dataDir: string;
const wire: string[] = [];
const events: { event: EventName; payload: unknown }[] = [];
const registry = new Map<string, (e: SenderInfo, p: unknown) => Promise<unknown>>();

async function call<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ReplyOf<C>> {
  const reply = (await (registry.get(ipcName(channel)) as (e: SenderInfo, p: unknown) => Promise<unknown>)(
    { senderFrame: { url: `${ORIGIN}/index.html` } },
    request,
  )) as { ok: boolean; value?: ReplyOf<C>; error?: unknown };
  wire.push(JSON.stringify(reply));
  if (!reply.ok) throw new Error(`${channel}: ${JSON.stringify(reply.error)}`);
  return reply.value as ReplyOf<C>;
}

beforeAll(async () => {
  sim = await startSimulator({ credentials: { appKey: 'shop-key-1', appSecret: SECRET, session: SESSION } });
  dataDir = tempDir('cd-backend-');
  backend = await createBackend({
    env: { ...process.env, CLEARANCE_DATA_DIR: dataDir },
    demo: false,
    host: {
      imageUrl: (id, side) => `cd-image://image/${id}/${side}`,
      emit: (event, payload) => {
        events.push({ event, payload });
        wire.push(JSON.stringify(payload));
      },
      chooseExportTarget: async (kind, suggested) =>
        join(dataDir, 'out', kind === 'folder' ? 'per-order' : suggested),
      chooseImportFile: async () => null,
    },
  });
  const ipc: IpcMainLike = { handle: (c, l) => registry.set(c, l), removeHandler: (c) => registry.delete(c) };
  registerHandlers(ipc, backend.handlers, ORIGIN);
});
afterAll(async () => {
  await backend?.close();
  await sim?.close();
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

suite('the backend behind the IPC contract', () => {
  it('adds a profile with write-only secrets and reports flags only', async () => {
    const status0 = await call('app.status', {});
    expect(status0.hasProfiles).toBe(false);
    const saved = await call('profile.save', {
      name: 'shop1',
      displayName: '旗舰店',
      appKey: 'shop-key-1',
      gateway: sim.url,
      signMethod: 'hmac-sha256',
      targetAppKey: null,
      sessionExpiresAt: null,
      qps: 10,
    });
    expect(saved).toMatchObject({ name: 'shop1', hasSecret: false, hasSession: false, health: 'missing' });
    const withSecrets = await call('profile.setSecrets', {
      name: 'shop1',
      appSecret: SECRET,
      session: SESSION,
    });
    expect(withSecrets).toMatchObject({ hasSecret: true, hasSession: true, health: 'ok', isDefault: true });
    // Never checked against the gateway: not tested, whatever the session's dates say.
    expect(withSecrets).toMatchObject({ badge: 'untested', lastCheck: null });
    const test = await call('profile.test', { name: 'shop1' });
    expect(test).toMatchObject({ reachable: true, signatureAccepted: true, sessionValid: true });
    expect((await call('app.status', {})).activeProfile).toMatchObject({
      badge: 'ok',
      lastCheck: { via: 'test' },
    });

    // A wrong secret: the test's refusal turns the badge red; the right one again is untested until checked.
    await call('profile.setSecrets', { name: 'shop1', appSecret: 'not-the-secret-0123456789' });
    const refused = await call('profile.test', { name: 'shop1' });
    expect(refused.signatureAccepted).toBe(false);
    expect((await call('app.status', {})).activeProfile?.badge).toBe('signature-refused');
    await call('profile.setSecrets', { name: 'shop1', appSecret: SECRET });
    expect((await call('app.status', {})).activeProfile?.badge).toBe('untested');
  });

  it('looks up an order from the gateway, then from the vault; the card is masked', async () => {
    const first = await call('lookup.get', {
      input: ' 订单号：3728150192837465928 ',
      refresh: false,
      needImage: true,
    });
    expect(first).toMatchObject({
      orderId: '3728150192837465928',
      maskedName: '王*',
      maskedIdNumber: '1101**********002X',
      source: 'gateway',
      images: {
        front: 'cd-image://image/3728150192837465928/front',
        back: 'cd-image://image/3728150192837465928/back',
      },
    });
    expect(backend.image('3728150192837465928', 'front')?.mime).toBe('image/jpeg');
    // A lookup the gateway answered is a check too.
    expect((await call('app.status', {})).activeProfile).toMatchObject({
      badge: 'ok',
      lastCheck: { via: 'lookup' },
    });
    const again = await call('lookup.get', { input: '3728150192837465928', refresh: false, needImage: true });
    expect(again.source).toBe('vault');
    const calls = sim.calls.filter((c) => c.orderId === '3728150192837465928');
    expect(calls).toHaveLength(1);
  });

  it('a refused session marks the profile and the status says so', async () => {
    await call('profile.setSecrets', { name: 'shop1', session: 'stale-session' });
    const r = await (
      registry.get(ipcName('lookup.get')) as (
        e: SenderInfo,
        p: unknown,
      ) => Promise<{ ok: boolean; error: { kind: string } }>
    )({ senderFrame: { url: ORIGIN } }, { input: '2000000000000002', refresh: true, needImage: false });
    expect(r).toMatchObject({ ok: false, error: { kind: 'auth', reason: 'session-invalid' } });
    expect((await call('app.status', {})).activeProfile?.health).toBe('needs-reauth');
    await call('profile.setSecrets', { name: 'shop1', session: SESSION });
    expect((await call('app.status', {})).activeProfile?.health).toBe('ok');
  });

  it('any later answer that got past the session check clears the mark', async () => {
    const refused = await (
      registry.get(ipcName('lookup.get')) as (e: SenderInfo, p: unknown) => Promise<{ ok: boolean }>
    )({ senderFrame: { url: ORIGIN } }, { input: '9000000000000027', refresh: true, needImage: false });
    expect(refused.ok).toBe(false);
    expect((await call('app.status', {})).activeProfile?.health).toBe('needs-reauth');
    await call('lookup.get', { input: '2000000000000004', refresh: true, needImage: false });
    expect((await call('app.status', {})).activeProfile?.health).toBe('ok');
    expect(events.some((e) => e.event === 'app.status')).toBe(true);
  });

  it('the expiring-soon window follows the setting at once, on the card and in the list', async () => {
    const card = await call('lookup.get', { input: '2000000000000003', refresh: false, needImage: false });
    expect(card.expiry.status).toBe('expiring'); // 10 days left, window 30
    await call('settings.setPreferences', { expiringSoonDays: 5 });
    expect(
      (await call('lookup.get', { input: '2000000000000003', refresh: false, needImage: false })).expiry
        .status,
    ).toBe('valid');
    expect((await call('records.ids', { flags: ['expiring'] })).orderIds).not.toContain('2000000000000003');
    await call('settings.setPreferences', { expiringSoonDays: 30 });
    expect((await call('records.ids', { flags: ['expiring'] })).orderIds).toContain('2000000000000003');
  });

  it('a watermark the export would refuse is refused by the settings', async () => {
    const r = await (
      registry.get(ipcName('settings.setPreferences')) as (
        e: SenderInfo,
        p: unknown,
      ) => Promise<{ ok: boolean }>
    )({ senderFrame: { url: ORIGIN } }, { watermarkText: '复印无效' });
    expect(r.ok).toBe(false);
    expect((await call('settings.get', {})).preferences.watermarkText).toBe('仅供清关使用');
  });

  it('reveal and copy return the data and are audited; search lists masked rows', async () => {
    const shown = await call('record.reveal', { orderId: '3728150192837465928' });
    expect(shown).toEqual({ name: '王芳', idNumber: '11010519491231002X' });
    expect((await call('record.copy', { orderId: '3728150192837465928', field: 'idNumber' })).text).toBe(
      '11010519491231002X',
    );
    const page = await call('records.search', { text: '002X', offset: 0, limit: 50 });
    expect(page.rows.map((r) => r.maskedIdNumber)).toEqual(['1101**********002X']);
    const audit = await call('audit.list', { orderId: '3728150192837465928', limit: 50 });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['fetch', 'reveal', 'copy']));
    expect(JSON.stringify(audit)).not.toContain('11010519491231002X');
    expect(JSON.stringify(audit)).not.toContain('王芳');
  });

  it('exports a PDF through the handler and audits it', async () => {
    const started = await call('export.start', {
      orderIds: ['3728150192837465928'],
      mode: 'combined',
      images: false,
      manifest: 'csv',
      mask: true,
    });
    expect('exportId' in started).toBe(true);
    await expect
      .poll(
        () =>
          events.find(
            (e) => e.event === 'export.progress' && (e.payload as { state: string }).state !== 'running',
          ),
        { timeout: 10_000 },
      )
      .toBeTruthy();
    const done = events.filter((e) => e.event === 'export.progress').at(-1)?.payload as {
      state: string;
      destination: string;
    };
    console.log('DONE', JSON.stringify(events.filter((e) => e.event === 'export.progress')));
    expect(done.state).toBe('finished');
    expect(existsSync(done.destination)).toBe(true);
    expect(readFileSync(done.destination).subarray(0, 5).toString()).toBe('%PDF-');
    const audit = await call('audit.list', { action: 'export', limit: 10 });
    expect(audit[0]?.detail).toMatchObject({ masked: true, count: 1 });
  });

  it('exports a package with a built-in template through the handler; a bad template is refused', async () => {
    await expect(
      call('export.start', {
        orderIds: ['3728150192837465928'],
        mode: 'combined',
        images: false,
        manifest: 'none',
        mask: false,
        template: 'nope',
      }),
    ).rejects.toThrow('export-template-invalid');
    const before = events.length;
    const started = await call('export.start', {
      orderIds: ['3728150192837465928'],
      mode: 'combined',
      images: true,
      manifest: 'xlsx',
      mask: false,
      template: 'ceb621',
      package: true,
      split: 10,
    });
    expect('exportId' in started).toBe(true);
    const finished = () =>
      events
        .slice(before)
        .find((e) => e.event === 'export.progress' && (e.payload as { state: string }).state !== 'running');
    await expect.poll(finished, { timeout: 10_000 }).toBeTruthy();
    const done = finished()?.payload as { state: string; destination: string };
    expect(done.state).toBe('finished');
    expect(done.destination.endsWith('.zip')).toBe(true);
    expect(readFileSync(done.destination).subarray(0, 2).toString()).toBe('PK');
    const audit = await call('audit.list', { action: 'export', limit: 2 });
    expect(audit.map((e) => e.detail.outcome).sort()).toEqual(['ok', 'started']);
    expect(audit[0]?.detail).toMatchObject({ mode: 'package', template: 'ceb621' });
  });

  it('splits a combined PDF by the preference; the destination is its first part', async () => {
    await call('settings.setPreferences', { exportSplitEvery: 1 });
    const before = events.length;
    await call('export.start', {
      orderIds: ['3728150192837465928'],
      mode: 'combined',
      images: false,
      manifest: 'none',
      mask: false,
    });
    const finished = () =>
      events
        .slice(before)
        .find((e) => e.event === 'export.progress' && (e.payload as { state: string }).state !== 'running');
    await expect.poll(finished, { timeout: 10_000 }).toBeTruthy();
    const done = finished()?.payload as { state: string; destination: string };
    expect(done.state).toBe('finished');
    expect(done.destination.endsWith('3728150192837465928-001.pdf')).toBe(true);
    expect(existsSync(done.destination)).toBe(true);
    expect((await call('settings.setPreferences', { exportSplitEvery: null })).exportSplitEvery).toBeNull();
  });

  it('a batch runs through the handler with progress events and per-order states', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `3${String(500 + i).padStart(15, '0')}`);
    const prepared = await call('batch.prepare', {
      text: `订单号\n${ids.join('\n')}\n${ids[0]}\n123abc\n1.23457E+18`,
    });
    expect(prepared.valid).toEqual(ids);
    expect(prepared.duplicates).toBe(1);
    // Every line left out, with its reason in words: the heading, "123abc", Excel's rounding.
    expect(prepared.skipped).toEqual([{ line: 1, why: 'heading' }]);
    expect(prepared.invalid.map((x) => [x.line, x.reason])).toEqual([
      [15, 'order-id-invalid'],
      [16, 'order-id-excel-rounded'],
    ]);
    expect(prepared.invalid[1]?.message['en-US']).toMatch(/changed by Excel.*Format the column as Text/);
    expect(prepared.column).toBeNull();
    const { jobId } = await call('batch.start', { orderIds: ids, needImage: false, refresh: false });
    await expect
      .poll(async () => (await call('batch.list', {})).find((j) => j.jobId === jobId)?.state, {
        timeout: 20_000,
      })
      .toBe('finished');
    const items = await call('batch.items', { jobId, offset: 0, limit: 100 });
    expect(items.items.every((i) => i.state === 'done')).toBe(true);
    expect(events.some((e) => e.event === 'batch.progress')).toBe(true);
    // Ended: its running time and average rate, and its finished orders' ID problems.
    const ended = (await call('batch.list', {})).find((j) => j.jobId === jobId);
    expect(ended?.elapsedMs).toBeGreaterThan(0);
    expect(ended?.averageCallsPerSecond).toBeGreaterThan(0);
    expect(await call('batch.summary', { jobId })).toEqual({
      jobId,
      done: { expired: 0, invalid: 0 },
      skipped: { expired: 0, invalid: 0 },
    });

    // A cancelled job reads as cancelled from then on, and cannot be resumed.
    const more = Array.from({ length: 30 }, (_, i) => `3${String(700 + i).padStart(15, '0')}`);
    const second = await call('batch.start', { orderIds: more, needImage: false, refresh: false });
    await call('batch.control', { jobId: second.jobId, action: 'pause' });
    expect((await call('batch.control', { jobId: second.jobId, action: 'cancel' })).state).toBe('cancelled');
    expect((await call('batch.list', {})).find((j) => j.jobId === second.jobId)?.state).toBe('cancelled');
    const resumed = await backend.handlers['batch.control']({ jobId: second.jobId, action: 'resume' });
    expect(resumed.ok).toBe(false);
  });

  it('neither the secret nor the session key ever crossed IPC or reached a file in the data folder', () => {
    expect(wire.length).toBeGreaterThan(15);
    for (const line of wire) {
      expect(line).not.toContain(SECRET);
      expect(line).not.toContain(SESSION);
    }
    for (const file of filesUnder(dataDir)) {
      const bytes = readFileSync(file);
      expect(bytes.includes(Buffer.from(SECRET)), file).toBe(false);
      expect(bytes.includes(Buffer.from(SESSION)), file).toBe(false);
    }
  });

  it('no reply but reveal and copy carried the name, the ID number or a gateway image URL', () => {
    const revealing = wire.filter((l) => l.includes('11010519491231002X'));
    expect(revealing).toHaveLength(2); // record.reveal and record.copy
    expect(wire.some((l) => l.includes(`${sim.origin}/img/`))).toBe(false);
  });
});
