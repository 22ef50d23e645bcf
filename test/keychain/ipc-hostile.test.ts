/**
 * A compromised page against the real backend (real keychain, vault and IPC registration). Every
 * channel of the contract — iterated from CHANNEL_NAMES, so a new channel is covered without
 * editing this file — gets malformed, oversized and prototype-polluting payloads: each is a typed
 * refusal and nothing changes (settings file, keychain entries, vault files, Object.prototype).
 * And no channel moves a profile's secrets to a server of the page's choosing.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import keytar from 'keytar';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { z } from 'zod';
import {
  CHANNEL_NAMES,
  CHANNELS,
  type Channel,
  ipcName,
  type ReplyOf,
  type RequestOf,
} from '../../electron/contract';
import { type Simulator, startSimulator } from '../../electron/core/demo/simulator';
import { installationId, KEYCHAIN_SERVICE } from '../../electron/core/secrets';
import { type Backend, createBackend } from '../../electron/main/backend';
import { type IpcMainLike, registerHandlers, type SenderInfo } from '../../electron/main/ipc';
import { CLI, tempDir } from '../support/cli';
import { keychainSuite } from '../support/keychain';

const { suite } = await keychainSuite('hostile IPC');
const ORIGIN = 'app://desk';
const SECRET = `hostile-secret-${Date.now().toString(36)}`;
const SESSION = `hostile-session-${Date.now().toString(36)}`;

let sim: Simulator;
let attacker: Simulator;
let backend: Backend;
let dataDir: string;
const wire: string[] = [];
const registry = new Map<string, (e: SenderInfo, p: unknown) => Promise<unknown>>();

type Raw = { ok: boolean; value?: unknown; error?: { kind: string; reason: string } };
async function raw(channel: Channel, payload: unknown): Promise<Raw> {
  const handler = registry.get(ipcName(channel)) as (e: SenderInfo, p: unknown) => Promise<unknown>;
  const reply = (await handler({ senderFrame: { url: `${ORIGIN}/index.html` } }, payload)) as Raw;
  wire.push(JSON.stringify(reply));
  return reply;
}
async function call<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ReplyOf<C>> {
  const r = await raw(channel, request);
  if (!r.ok) throw new Error(`${channel}: ${JSON.stringify(r.error)}`);
  return r.value as ReplyOf<C>;
}

beforeAll(async () => {
  sim = await startSimulator({ credentials: { appKey: 'shop-key', appSecret: SECRET, session: SESSION } });
  // The page's own server: it records what reaches it, and accepts anything signed with anything.
  attacker = await startSimulator();
  dataDir = tempDir('cd-hostile-');
  backend = await createBackend({
    env: { ...process.env, CLEARANCE_DATA_DIR: dataDir },
    demo: false,
    host: {
      imageUrl: (id, side) => `cd-image://image/${id}/${side}`,
      emit: (_event, payload) => {
        wire.push(JSON.stringify(payload));
      },
      chooseExportTarget: async () => null,
      chooseImportFile: async () => null,
    },
  });
  const ipc: IpcMainLike = { handle: (c, l) => registry.set(c, l), removeHandler: (c) => registry.delete(c) };
  registerHandlers(ipc, backend.handlers, ORIGIN);
  const profile = {
    displayName: '',
    appKey: 'shop-key',
    gateway: sim.url,
    signMethod: 'hmac-sha256' as const,
    targetAppKey: null,
    sessionExpiresAt: null,
    qps: 10,
  };
  for (const name of ['shop1', 'shop2']) {
    await call('profile.save', { name, ...profile });
    await call('profile.setSecrets', { name, appSecret: SECRET, session: SESSION });
  }
  await call('profile.use', { name: 'shop1' });
  await call('lookup.get', { input: '3728150192837465928', refresh: false, needImage: false });
  // The lookup's answer changes the account's badge, announced in the background (reading the
  // keychain): the tests' snapshots start once it is out.
  await vi.waitFor(() => expect(wire.some((w) => w.includes('"badge":"ok"'))).toBe(true), {
    timeout: 10_000,
  });
});
afterAll(async () => {
  await backend?.close();
  await sim?.close();
  await attacker?.close();
});

const sha = (p: string) => (existsSync(p) ? createHash('sha256').update(readFileSync(p)).digest('hex') : '-');

/** Everything a request could change: the settings, this folder's keychain entries, the vault's files. */
async function snapshot() {
  const id = installationId(dataDir);
  const entries = (await keytar.findCredentials(KEYCHAIN_SERVICE))
    .filter((c) => c.account.startsWith(`${id}/`))
    .map((c) => `${c.account}=${createHash('sha256').update(c.password).digest('hex')}`)
    .sort();
  return {
    settings: sha(join(dataDir, 'settings.json')),
    entries,
    vault: ['vault.db', 'vault.db-wal'].map((f) => sha(join(dataDir, f))),
  };
}

function requestKeys(channel: Channel): string[] {
  const schema = CHANNELS[channel].request as unknown as { shape?: Record<string, z.ZodType> };
  return Object.keys(schema.shape ?? {});
}

const HUGE = 'x'.repeat(6 * 1024 * 1024);
const deep = () => {
  let v: unknown = {};
  for (let i = 0; i < 5000; i++) v = { a: v };
  return v;
};

/** Malformed, oversized and prototype-polluting payloads for one channel, built from its fields. */
function hostilePayloads(channel: Channel): unknown[] {
  const keys = requestKeys(channel);
  const polluting = [
    JSON.parse('{"__proto__":{"polluted":"yes"}}'),
    { constructor: { prototype: { polluted: 'yes' } } },
    JSON.parse('{"constructor":{"prototype":{"polluted":"yes"}}}'),
    { prototype: { polluted: 'yes' } },
  ];
  return [
    'text',
    42,
    [1, 2],
    true,
    { bogus: 1 },
    { $where: '1' },
    deep(),
    { [keys[0] ?? 'input']: HUGE },
    Array.from({ length: 100_000 }, () => 0),
    ...polluting,
    ...keys.flatMap((k) => [
      { [k]: HUGE },
      { [k]: Array.from({ length: 200_000 }, () => '1') },
      { [k]: JSON.parse('{"__proto__":{"polluted":"yes"}}') },
      JSON.parse(`{"${k}":{"constructor":{"prototype":{"polluted":"yes"}}}}`),
    ]),
  ];
}

suite('a hostile page through the IPC contract', { timeout: 240_000 }, () => {
  it.each(CHANNEL_NAMES)(
    '%s: malformed, oversized and polluting payloads are typed refusals that change nothing',
    async (channel) => {
      const before = await snapshot();
      const payloads = hostilePayloads(channel);
      for (const [i, payload] of payloads.entries()) {
        const r = await raw(channel, payload);
        expect(r.ok, `${channel} accepted payload #${i}`).toBe(false);
        expect(r.error).toMatchObject({ kind: 'invalid-input', reason: 'usage' });
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
      expect(await snapshot()).toEqual(before);
    },
  );

  it('a valid request with a __proto__ or constructor key riding along is refused too', async () => {
    const before = await snapshot();
    const save = {
      name: 'shop1',
      displayName: 'x',
      appKey: 'shop-key',
      gateway: attacker.url,
      signMethod: 'md5',
      targetAppKey: null,
      sessionExpiresAt: null,
      qps: 10,
    };
    for (const extra of ['{"__proto__":{"isAdmin":true}}', '{"constructor":{"prototype":{"x":1}}}']) {
      const payload = { ...save, ...JSON.parse(extra) };
      const r = await raw('profile.save', payload);
      expect(r).toMatchObject({ ok: false, error: { kind: 'invalid-input' } });
    }
    expect(await snapshot()).toEqual(before);
  });

  it('names that would reach another keychain entry are refused on every channel that takes a name', async () => {
    const before = await snapshot();
    const named = CHANNEL_NAMES.filter((c) => requestKeys(c).includes('name'));
    expect(named.length).toBeGreaterThan(3);
    for (const channel of named) {
      for (const name of ['../shop2', 'shop2/app-secret', 'shop1/../vault-key', 'shop1\u0000', '.', '']) {
        const r = await raw(channel, { name });
        expect(r.ok, `${channel} ${JSON.stringify(name)}`).toBe(false);
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  it('profile.save accepts only named gateways, demo, loopback http or https', async () => {
    const base = {
      name: 'shop3',
      displayName: '',
      appKey: 'shop-key',
      signMethod: 'hmac-sha256' as const,
      targetAppKey: null,
      sessionExpiresAt: null,
      qps: 10,
    };
    for (const gateway of [
      'http://gw.evil.example/router/rest',
      'http://10.0.0.5/router/rest',
      'ftp://example.com/',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'data:text/plain,x',
      'not a url',
    ]) {
      const r = await raw('profile.save', { ...base, gateway });
      expect(r, gateway).toMatchObject({ ok: false, error: { kind: 'invalid-input' } });
    }
    for (const gateway of ['production', 'overseas', 'demo', 'https://gw.example.com/router/rest']) {
      expect((await raw('profile.save', { ...base, gateway })).ok, gateway).toBe(true);
    }
  });

  it('re-pointing a profile to another server clears its secrets: profile.test sends none there', async () => {
    const id = installationId(dataDir);
    const has = async (kind: string) =>
      (await keytar.getPassword(KEYCHAIN_SERVICE, `${id}/profile/shop1/${kind}`)) !== null;
    expect(await has('app-secret')).toBe(true);
    const save = {
      name: 'shop1',
      displayName: '',
      appKey: 'shop-key',
      signMethod: 'hmac-sha256' as const,
      targetAppKey: null,
      sessionExpiresAt: null,
      qps: 10,
    };
    // The same server under the same origin keeps them (a display-name edit, another path).
    await call('profile.save', { ...save, displayName: 'renamed', gateway: `${sim.url}` });
    expect(await has('app-secret')).toBe(true);

    const view = await call('profile.save', { ...save, gateway: attacker.url });
    expect(view).toMatchObject({ hasSecret: false, hasSession: false });
    expect(await has('app-secret')).toBe(false);
    expect(await has('session')).toBe(false);
    const callsBefore = attacker.calls.length;
    const test = await raw('profile.test', { name: 'shop1' });
    // Nothing to sign with: the attacker's server saw no request, let alone the session key.
    expect(attacker.calls.length).toBe(callsBefore);
    if (test.ok) expect((test.value as { signatureAccepted: boolean }).signatureAccepted).toBe(false);
    // The other profile's secrets are untouched.
    expect(await keytar.getPassword(KEYCHAIN_SERVICE, `${id}/profile/shop2/app-secret`)).toBe(SECRET);
  });

  it('no reply or event ever carried a secret', () => {
    const all = wire.join('\n');
    expect(all.includes(SECRET)).toBe(false);
    expect(all.includes(SESSION)).toBe(false);
  });

  it('one batch runner per job: the app refuses a job a command is running, and the command one the app runs', async () => {
    await call('profile.save', {
      name: 'shop2',
      displayName: '',
      appKey: 'shop-key',
      gateway: sim.url,
      signMethod: 'hmac-sha256',
      targetAppKey: null,
      sessionExpiresAt: null,
      qps: 10,
    });
    await call('profile.setSecrets', { name: 'shop2', appSecret: SECRET, session: SESSION });
    await call('profile.use', { name: 'shop2' });
    const ids = Array.from({ length: 40 }, (_, i) => `3${String(41000 + i).padStart(15, '0')}`);
    const { jobId } = await call('batch.start', { orderIds: ids, needImage: false, refresh: false });
    await call('batch.control', { jobId, action: 'pause' });
    const cli = await runCommand(['batch', '--resume', jobId, '--json', '--profile', 'shop2']);
    expect(cli.code, cli.stderr).toBe(5);
    expect(JSON.parse(cli.stdout).error).toMatchObject({ reason: 'batch-busy' });
    expect((await call('batch.control', { jobId, action: 'cancel' })).state).toBe('cancelled');
    // A job the user cancelled is over, for the command too.
    const again = await runCommand(['batch', '--resume', jobId, '--json', '--profile', 'shop2']);
    expect(again.code, again.stderr).toBe(2);

    // Now the command holds a job of its own: the app's resume of it is refused while it runs.
    const list = join(dataDir, 'cli-orders.txt');
    writeFileSync(list, ids.map((_, i) => `3${String(42000 + i).padStart(15, '0')}`).join('\n'));
    const child = spawnCommand(['batch', list, '--profile', 'shop2']);
    const seen = sim.calls.length;
    await expect.poll(() => sim.calls.length > seen, { timeout: 20_000 }).toBe(true);
    const cliJob = (await call('batch.list', {})).find((j) => j.jobId !== jobId);
    expect(cliJob).toBeDefined();
    const refused = await raw('batch.control', { jobId: cliJob?.jobId as string, action: 'resume' });
    expect(refused).toMatchObject({ ok: false, error: { reason: 'batch-busy', kind: 'transient' } });
    const code = await new Promise((r) => child.on('exit', r));
    expect(code).toBe(0);
  });
});

function commandEnv() {
  const keep = ['PATH', 'HOME', 'DBUS_SESSION_BUS_ADDRESS', 'XDG_RUNTIME_DIR', 'XDG_DATA_HOME', 'TZ', 'LANG'];
  return {
    ...Object.fromEntries(keep.filter((k) => process.env[k]).map((k) => [k, process.env[k] as string])),
    CLEARANCE_DATA_DIR: dataDir,
    CLEARANCE_LANG: 'en',
  };
}
function spawnCommand(args: string[]) {
  const child = spawn(process.execPath, [CLI, ...args], { env: commandEnv(), stdio: 'ignore' });
  return child;
}
function runCommand(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: commandEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
