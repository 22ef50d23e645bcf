/**
 * Authorising inside the app: the real backend behind the real IPC registration (payloads
 * validated, sender checked), secrets in memory ("this run only", so no Secret Service is needed),
 * against the demo gateway on loopback. The authorize URL goes to the host's `openExternal` (here
 * recorded); a loopback callback finishes in main; a pasted landed URL or code finishes through
 * `profile.authorizeComplete`. No reply or event may carry a token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Channel, type EventName, ipcName, type RequestOf } from '../../electron/contract';
import { DEMO_USER, type Simulator, startSimulator } from '../../electron/core/demo/simulator';
import { type Backend, createBackend } from '../../electron/main/backend';
import { type IpcMainLike, registerHandlers, type SenderInfo } from '../../electron/main/ipc';
import { tempDir } from '../support/cli';

const ORIGIN = 'app://desk';
const SECRET = `s3cret-${Math.random().toString(36).slice(2)}`;
const ORDER = '3728150192837465928';

let sim: Simulator;
let backend: Backend;
const wire: string[] = [];
const opened: string[] = [];
const events: { event: EventName; payload: unknown }[] = [];
const registry = new Map<string, (e: SenderInfo, p: unknown) => Promise<unknown>>();

type Reply = { ok: boolean; value?: unknown; error?: { reason: string; kind: string } };
async function raw<C extends Channel>(channel: C, request: RequestOf<C>): Promise<Reply> {
  const listener = registry.get(ipcName(channel)) as (e: SenderInfo, p: unknown) => Promise<unknown>;
  const reply = (await listener({ senderFrame: { url: `${ORIGIN}/index.html` } }, request)) as Reply;
  wire.push(JSON.stringify(reply));
  return reply;
}
async function call<C extends Channel>(channel: C, request: RequestOf<C>) {
  const r = await raw(channel, request);
  if (!r.ok) throw new Error(`${channel}: ${JSON.stringify(r.error)}`);
  // biome-ignore lint/suspicious/noExplicitAny: test reads reply fields loosely
  return r.value as any;
}
const nextEvent = (name: EventName) =>
  new Promise<unknown>((resolve, reject) => {
    const from = events.length;
    const t = setInterval(() => {
      const e = events.slice(from).find((x) => x.event === name);
      if (e) {
        clearInterval(t);
        resolve(e.payload);
      }
    }, 20);
    setTimeout(() => {
      clearInterval(t);
      reject(new Error(`no ${name} event`));
    }, 10_000);
  });

beforeAll(async () => {
  sim = await startSimulator({ credentials: { appKey: 'shop-key', appSecret: SECRET, session: 'unused' } });
  backend = await createBackend({
    env: { CLEARANCE_DATA_DIR: tempDir('cd-backend-auth-') },
    demo: false,
    secretsMode: 'memory',
    host: {
      imageUrl: (o, s) => `cd-image://image/${o}/${s}`,
      emit: (event, payload) => {
        events.push({ event, payload });
        wire.push(JSON.stringify(payload));
      },
      chooseExportTarget: async () => null,
      chooseImportFile: async () => null,
      openExternal: async (url) => {
        opened.push(url);
      },
    },
  });
  const ipc: IpcMainLike = { handle: (c, l) => registry.set(c, l), removeHandler: (c) => registry.delete(c) };
  registerHandlers(ipc, backend.handlers, ORIGIN);
  await call('profile.save', {
    name: 'shop',
    displayName: 'Shop',
    appKey: 'shop-key',
    gateway: sim.url,
    signMethod: 'hmac-sha256',
    targetAppKey: null,
    sessionExpiresAt: null,
    qps: 10,
  });
  await call('profile.setSecrets', { name: 'shop', appSecret: SECRET });
});
afterAll(async () => {
  await backend?.close();
  await sim?.close();
});

describe('authorising inside the app', { timeout: 60_000 }, () => {
  it('loopback: the system browser gets the URL, the callback finishes in main, the session works', async () => {
    const started = await call('profile.authorizeStart', { name: 'shop' });
    expect(started).toMatchObject({ listening: true, opened: true });
    expect(opened.at(-1)).toBe(started.url);
    const url = new URL(started.url);
    expect(url.origin).toBe(sim.origin);
    expect(url.searchParams.get('client_id')).toBe('shop-key');
    const done = nextEvent('profile.authorized');
    // A callback with a foreign state is refused; the wait goes on.
    const forged = new URL(started.redirectUri);
    forged.searchParams.set('code', sim.issueCode());
    forged.searchParams.set('state', 'forged');
    expect((await fetch(forged)).status).toBe(400);
    const landed = await fetch(url); // the browser's trip through the stand-in page to the listener
    expect(await landed.text()).toContain('可以关闭此页');
    const ev = (await done) as {
      ok: boolean;
      profile: { health: string; authorization: { userNick: string } };
    };
    expect(ev.ok).toBe(true);
    expect(ev.profile.health).toBe('ok');
    expect(ev.profile.authorization.userNick).toBe(DEMO_USER.nick);
    const card = await call('lookup.get', { input: ORDER, refresh: true, needImage: false });
    expect(card.orderId).toBe(ORDER);
    const status = await call('app.status', {});
    expect(status.activeProfile).toMatchObject({ name: 'shop', hasRefreshToken: true, sessionDaysLeft: 29 });
    expect(status.activeProfile.sessionExpiry).toMatch(/\+08:00$/);
  });

  it('paste: a foreign state is refused, the landed URL with ours works, a used code is refused', async () => {
    const started = await call('profile.authorizeStart', {
      name: 'shop',
      redirectUri: 'https://example.com/cb',
    });
    expect(started.listening).toBe(false);
    const hop = await fetch(started.url, { redirect: 'manual' });
    const landed = new URL(hop.headers.get('location') as string);
    const forged = new URL(landed);
    forged.searchParams.set('state', 'forged');
    const refused = await raw('profile.authorizeComplete', { name: 'shop', input: forged.toString() });
    expect(refused.error?.reason).toBe('auth-state-mismatch');
    const view = await call('profile.authorizeComplete', { name: 'shop', input: landed.toString() });
    expect(view.health).toBe('ok');
    const again = await raw('profile.authorizeComplete', {
      name: 'shop',
      input: landed.searchParams.get('code') as string,
    });
    expect(again.error).toMatchObject({ kind: 'auth', reason: 'auth-code-invalid' });
  });

  it('refresh: allowed renews; refused says re-authorise and keeps the session', async () => {
    const before = (await call('app.status', {})).activeProfile.authorization.obtainedAt;
    const view = await call('profile.refresh', { name: 'shop' });
    expect(view.authorization.via).toBe('refresh');
    expect(view.authorization.obtainedAt >= before).toBe(true);
    sim.setAuth({ refresh: 'refused' });
    const r = await raw('profile.refresh', { name: 'shop' });
    expect(r.error).toMatchObject({ kind: 'auth', reason: 'auth-refresh-refused' });
    sim.setAuth({ refresh: 'allowed' });
    expect((await call('lookup.get', { input: ORDER, refresh: true, needImage: false })).orderId).toBe(ORDER);
  });

  it('a refused session marks the profile; authorising again clears the mark', async () => {
    const r = await raw('lookup.get', { input: '9000000000000027', refresh: true, needImage: false });
    expect(r.error?.reason).toBe('session-invalid');
    expect((await call('app.status', {})).activeProfile.health).toBe('needs-reauth');
    const started = await call('profile.authorizeStart', {
      name: 'shop',
      redirectUri: 'https://example.com/cb',
    });
    const hop = await fetch(started.url, { redirect: 'manual' });
    await call('profile.authorizeComplete', { name: 'shop', input: hop.headers.get('location') as string });
    expect((await call('app.status', {})).activeProfile.health).toBe('ok');
  });

  it('payloads are validated (a malformed redirect URI, a missing name)', async () => {
    expect(
      (await raw('profile.authorizeStart', { name: 'shop', redirectUri: 'ftp://x' })).error?.reason,
    ).toBe('auth-redirect-invalid');
    expect((await raw('profile.refresh', {} as never)).error?.reason).toBe('usage');
  });

  it('no token ever appears in an IPC reply or event', () => {
    expect(sim.issuedTokens.length).toBeGreaterThan(4);
    for (const w of wire) for (const t of sim.issuedTokens) expect(w.includes(t)).toBe(false);
    for (const w of wire) expect(w.includes(SECRET)).toBe(false);
  });
});
