import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../electron/core/demo/simulator';
import { MemorySecretStore, secretAccount } from '../../electron/core/secrets';
import { gatewayClockSkew, testConnection } from '../../electron/core/settings/connection-test';
import { type Profile, profileSchema } from '../../electron/core/settings/schema';

// The simulator runs in this process on 127.0.0.1: no network beyond loopback.
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

function setup(over: { appSecret?: string | null; session?: string | null; appKey?: string } = {}) {
  const profile: Profile = profileSchema.parse({
    name: 'p',
    appKey: over.appKey ?? sim.credentials.appKey,
    gateway: sim.url,
  });
  const secrets = new MemorySecretStore();
  const appSecret = over.appSecret === undefined ? sim.credentials.appSecret : over.appSecret;
  const session = over.session === undefined ? sim.credentials.session : over.session;
  if (appSecret !== null) void secrets.set(secretAccount('p', 'app-secret'), appSecret);
  if (session !== null) void secrets.set(secretAccount('p', 'session'), session);
  return { profile, secrets };
}

const minutes = (n: number) => () => new Date(Date.now() + n * 60_000);

describe('testConnection', () => {
  it('good credentials: reachable, signature accepted, session valid, clock close', async () => {
    const { profile, secrets } = setup();
    const r = await testConnection(profile, secrets);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({
      reachable: true,
      signatureAccepted: true,
      sessionValid: true,
      error: null,
      ok: true,
      clockWarning: false,
    });
    expect(Math.abs(r.value.clockSkewSeconds ?? 99)).toBeLessThanOrEqual(2);
    // The probe is one call, with no retries.
    expect(sim.calls.at(-1)).toMatchObject({ orderId: '1', outcome: 'business' });
  });

  it('a wrong App Secret: signature rejected', async () => {
    const { profile, secrets } = setup({ appSecret: 'wrong-secret' });
    const r = await testConnection(profile, secrets);
    expect(r.ok && r.value).toMatchObject({
      reachable: true,
      signatureAccepted: false,
      sessionValid: null,
      ok: false,
      error: { reason: 'signature-invalid' },
    });
  });

  it('a wrong session: signature accepted, session invalid', async () => {
    const { profile, secrets } = setup({ session: 'stale' });
    const r = await testConnection(profile, secrets);
    expect(r.ok && r.value).toMatchObject({
      signatureAccepted: true,
      sessionValid: false,
      error: { reason: 'session-invalid' },
    });
  });

  it('no session stored: the gateway says it is missing', async () => {
    const { profile, secrets } = setup({ session: null });
    const r = await testConnection(profile, secrets);
    expect(r.ok && r.value).toMatchObject({
      signatureAccepted: true,
      sessionValid: false,
      error: { reason: 'session-missing' },
    });
  });

  it('no App Secret stored: nothing is sent, the missing secret is named', async () => {
    const { profile, secrets } = setup({ appSecret: null });
    const before = sim.calls.length;
    const r = await testConnection(profile, secrets);
    expect(!r.ok && r.error.reason).toBe('secret-missing');
    expect(sim.calls.length).toBe(before);
  });

  it('a clock 5 minutes ahead: accepted by the gateway, but a skew warning', async () => {
    const { profile, secrets } = setup();
    const r = await testConnection(profile, secrets, { clock: minutes(5) });
    expect(r.ok && r.value).toMatchObject({ sessionValid: true, clockWarning: true, ok: false, error: null });
    if (r.ok) expect(r.value.clockSkewSeconds).toBeGreaterThanOrEqual(-302);
    if (r.ok) expect(r.value.clockSkewSeconds).toBeLessThanOrEqual(-298);
  });

  it('a clock 15 minutes behind: the gateway refuses the time, the skew explains why', async () => {
    const { profile, secrets } = setup();
    const r = await testConnection(profile, secrets, { clock: minutes(-15) });
    expect(r.ok && r.value).toMatchObject({
      reachable: true,
      signatureAccepted: null,
      clockWarning: true,
      error: { reason: 'timestamp-invalid' },
    });
    if (r.ok) expect(r.value.clockSkewSeconds).toBeGreaterThan(890);
  });

  it('nobody listening: not reachable, a network error', async () => {
    const { profile, secrets } = setup();
    const r = await testConnection({ ...profile, gateway: 'http://127.0.0.1:9/router/rest' }, secrets, {
      totalTimeoutMs: 3000,
    });
    expect(r.ok && r.value).toMatchObject({
      reachable: false,
      signatureAccepted: null,
      sessionValid: null,
      clockSkewSeconds: null,
      error: { kind: 'network' },
    });
  });

  it('a demo profile needs the caller to say where the simulator is', async () => {
    const { profile, secrets } = setup();
    const r = await testConnection({ ...profile, gateway: 'demo' }, secrets);
    expect(!r.ok && r.error.reason).toBe('config-missing');
    const withSim = await testConnection({ ...profile, gateway: 'demo' }, secrets, {
      gatewayUrl: sim.url,
      credentials: sim.credentials,
    });
    expect(withSim.ok && withSim.value.ok).toBe(true);
  });

  it('the report holds no secret', async () => {
    const { profile, secrets } = setup({ session: 'stale-session-value' });
    const r = await testConnection(profile, secrets);
    const text = JSON.stringify(r);
    expect(text).not.toContain(sim.credentials.appSecret);
    expect(text).not.toContain('stale-session-value');
  });
});

describe('gatewayClockSkew', () => {
  it('reads the Date header against the midpoint of the request', async () => {
    expect(Math.abs((await gatewayClockSkew(sim.url)) ?? 99)).toBeLessThanOrEqual(2);
    const ahead = await gatewayClockSkew(sim.url, { clock: minutes(2) });
    expect(ahead).toBeGreaterThanOrEqual(-122);
    expect(ahead).toBeLessThanOrEqual(-118);
  });
});
