import { describe, expect, it } from 'vitest';
import { CHANNEL_NAMES, type Channel, ipcName } from '../../electron/contract';
import { type Handlers, type IpcMainLike, registerHandlers, type SenderInfo } from '../../electron/main/ipc';

const ORIGIN = 'app://desk';

/** Handlers that record being reached: a refused request must never get this far. */
function recordingHandlers(reached: Channel[], impl?: () => Promise<unknown>): Handlers {
  return Object.fromEntries(
    CHANNEL_NAMES.map((c) => [
      c,
      async () => {
        reached.push(c);
        return impl ? impl() : { ok: true, value: null };
      },
    ]),
  ) as unknown as Handlers;
}

function standInIpc() {
  const registry = new Map<string, (event: SenderInfo, payload: unknown) => Promise<unknown>>();
  const ipc: IpcMainLike = { handle: (c, l) => registry.set(c, l), removeHandler: (c) => registry.delete(c) };
  const call = (channel: Channel, payload: unknown, from = `${ORIGIN}/index.html`) =>
    (
      registry.get(ipcName(channel)) as (
        e: SenderInfo,
        p: unknown,
      ) => Promise<{ ok: boolean; error?: { kind: string; reason: string } }>
    )({ senderFrame: { url: from } }, payload);
  return { ipc, registry, call };
}

const MALFORMED: unknown[] = [{ bogus: 1 }, 'text', 42, [1, 2], { input: { $gt: '' } }];

describe('IPC registration from the contract', () => {
  it('registers exactly one handler per contract channel, and unregisters them all', () => {
    const { ipc, registry } = standInIpc();
    const off = registerHandlers(ipc, recordingHandlers([]), ORIGIN);
    expect([...registry.keys()].sort()).toEqual(CHANNEL_NAMES.map(ipcName).sort());
    off();
    expect(registry.size).toBe(0);
  });

  it.each(CHANNEL_NAMES)(
    '%s refuses malformed payloads with a typed error, before any handler runs',
    async (channel) => {
      const reached: Channel[] = [];
      const { ipc, call } = standInIpc();
      registerHandlers(ipc, recordingHandlers(reached), ORIGIN);
      for (const payload of MALFORMED) {
        const r = await call(channel, payload);
        expect(r.ok).toBe(false);
        expect(r.error).toMatchObject({ kind: 'invalid-input', reason: 'usage' });
      }
      expect(reached).toEqual([]);
    },
  );

  it.each(CHANNEL_NAMES)('%s refuses a foreign-origin sender, whatever the payload', async (channel) => {
    const reached: Channel[] = [];
    const { ipc, call, registry } = standInIpc();
    registerHandlers(ipc, recordingHandlers(reached), ORIGIN);
    for (const from of [
      'https://evil.example/',
      'http://127.0.0.1:1234/',
      'file:///tmp/x.html',
      'app://other/index.html',
      '',
    ]) {
      const r = await call(channel, {}, from);
      expect(r).toMatchObject({ ok: false, error: { kind: 'permission' } });
    }
    const noFrame = await (
      registry.get(ipcName(channel)) as (e: SenderInfo, p: unknown) => Promise<{ ok: boolean }>
    )({}, {});
    expect(noFrame.ok).toBe(false);
    expect(reached).toEqual([]);
  });

  it('a well-formed request from the app reaches its handler', async () => {
    const reached: Channel[] = [];
    const { ipc, call } = standInIpc();
    registerHandlers(ipc, recordingHandlers(reached), ORIGIN);
    expect(
      (await call('lookup.get', { input: '1460536261312998', refresh: false, needImage: true })).ok,
    ).toBe(true);
    expect((await call('app.status', {})).ok).toBe(true);
    expect(reached).toEqual(['lookup.get', 'app.status']);
  });

  it('a handler that throws becomes an internal error without its message or stack', async () => {
    const { ipc, call } = standInIpc();
    registerHandlers(
      ipc,
      recordingHandlers([], async () => {
        throw new TypeError('secret detail 11010519491231002X');
      }),
      ORIGIN,
    );
    const r = await call('app.status', {});
    expect(r).toMatchObject({ ok: false, error: { kind: 'internal' } });
    expect(JSON.stringify(r)).not.toContain('11010519491231002X');
    expect(JSON.stringify(r)).not.toContain('at ');
  });

  it('refusals name the fields at fault, never the values sent', async () => {
    const { ipc, call } = standInIpc();
    registerHandlers(ipc, recordingHandlers([]), ORIGIN);
    const r = await call('profile.setSecrets', { name: 'shop1', appSecret: 'x'.repeat(300) });
    expect(JSON.stringify(r)).toContain('appSecret');
    expect(JSON.stringify(r)).not.toContain('xxxxxxxx');
  });
});
