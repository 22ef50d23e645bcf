import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../electron/core/demo/simulator';
import type { ClearanceError } from '../../electron/core/errors';
import { fetchClearance } from '../../electron/core/gateway/clearance';
import { type CallEvent, TopClient, type TopClientOptions } from '../../electron/core/gateway/client';
import { createDispatcher } from '../../electron/core/gateway/transport';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

const fast = { baseDelayMs: 20, maxDelayMs: 50 };

function client(over: Partial<TopClientOptions> = {}, events: CallEvent[] = []) {
  return new TopClient({
    gateway: sim.url,
    credentials: { ...sim.credentials },
    retry: fast,
    onCall: (e) => events.push(e),
    ...over,
  });
}

async function failure(c: TopClient, orderId: string): Promise<ClearanceError> {
  const r = await fetchClearance(c, orderId);
  if (r.ok) throw new Error('expected a failure');
  return r.error;
}

describe('fetchClearance against the demo gateway', () => {
  it.each(['md5', 'hmac', 'hmac-sha256'] as const)('succeeds with sign method %s', async (signMethod) => {
    const r = await fetchClearance(client({ signMethod }), '1460536261312998');
    expect(r.ok).toBe(true);
    if (r.ok)
      expect(r.value.identity).toMatchObject({
        orderId: '1460536261312998',
        idNumber: '412921198810201123',
        idType: 1,
      });
  });

  it('keeps a 19-digit order id exact from request to record, in JSON and in XML', async () => {
    for (const format of ['json', 'xml'] as const) {
      const r = await fetchClearance(client({ format }), '3728150192837465928');
      if (!r.ok) throw new Error(r.error.reason);
      expect(r.value.identity.orderId).toBe('3728150192837465928');
      expect(r.value.raw).toContain('3728150192837465928');
      expect(r.value.warnings).toEqual([]); // the echoed order_id matched digit for digit
    }
  });

  it('without images: no URLs asked for, none downloaded', async () => {
    const r = await fetchClearance(client(), '2000000000000002');
    if (!r.ok) throw new Error(r.error.reason);
    expect(r.value.identity.imageUrls).toEqual({ front: null, back: null });
    expect(r.value.images).toEqual({});
    expect(sim.calls.at(-1)?.needImage).toBe(false);
  });

  it('with images: both downloaded over loopback and checked to be JPEG', async () => {
    const r = await fetchClearance(client(), '2000000000000002', { needImage: true });
    if (!r.ok) throw new Error(r.error.reason);
    expect(r.value.images.front?.mime).toBe('image/jpeg');
    expect(r.value.images.back?.bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(r.value.images.front?.bytes.length).toBeGreaterThan(50_000);
  });

  it('an unknown order is a business failure with the platform err_code, not retried', async () => {
    const events: CallEvent[] = [];
    const e = await failure(client({}, events), '1234567');
    expect(e).toMatchObject({ kind: 'business', code: 'Wrong order_id', orderId: '1234567' });
    expect(events).toHaveLength(1);
  });

  it.each([
    ['9000000000000011', 'permission', 'permission'],
    ['9000000000000027', 'auth', 'session-invalid'],
    ['9000000000000041', 'invalid-input', 'argument-invalid'],
    ['9000000000000200', 'protocol', 'protocol-html'],
    ['9000000000000206', 'protocol', 'protocol-malformed'],
  ])('scenario %s → %s (%s), not retried', async (orderId, kind, reason) => {
    const events: CallEvent[] = [];
    const e = await failure(client({}, events), orderId);
    expect(e.kind).toBe(kind);
    expect(e.reason).toBe(reason);
    expect(events).toHaveLength(1);
  });

  it('a platform error keeps the gateway request id, for the user to give to support', async () => {
    const e = await failure(client(), '9000000000000011');
    expect(e.requestId).toMatch(/^[a-z0-9]{6,}$/);
  });

  it('a wrong App Secret is a signature error (auth), not retried', async () => {
    const events: CallEvent[] = [];
    const e = await failure(
      client({ credentials: { ...sim.credentials, appSecret: 'wrong' } }, events),
      '1460536261312998',
    );
    expect(e).toMatchObject({ kind: 'auth', reason: 'signature-invalid', code: 25 });
    expect(events).toHaveLength(1);
  });

  it('a wrong App Key and a wrong session are auth errors', async () => {
    expect((await failure(client({ credentials: { ...sim.credentials, appKey: 'nope' } }), '1')).reason).toBe(
      'app-key-invalid',
    );
    const noSession = { appKey: sim.credentials.appKey, appSecret: sim.credentials.appSecret };
    expect((await failure(client({ credentials: noSession }), '1')).reason).toBe('session-missing');
    expect(
      (await failure(client({ credentials: { ...sim.credentials, session: 'expired' } }), '1')).reason,
    ).toBe('session-invalid');
  });

  it('a clock 20 minutes off is a timestamp error (the gateway allows about 10)', async () => {
    const skewed = () => new Date(Date.now() - 20 * 60_000);
    const e = await failure(client({ clock: skewed }), '1460536261312998');
    expect(e).toMatchObject({ kind: 'auth', reason: 'timestamp-invalid' });
  });

  it('a permanent platform error is reported after exactly one call', async () => {
    const events: CallEvent[] = [];
    await failure(client({}, events), '9000000000000027');
    expect(events.map((e) => e.outcome)).toEqual(['session-invalid']);
  });
});

describe('retries', () => {
  it('waits out a throttling ban read from sub_msg, then succeeds', async () => {
    sim.inject({ fault: { kind: 'throttle', seconds: 1 }, times: 1, orderId: '2000000000000001' });
    const events: CallEvent[] = [];
    const t0 = Date.now();
    const r = await fetchClearance(client({}, events), '2000000000000001');
    expect(r.ok).toBe(true);
    expect(events.map((e) => e.outcome)).toEqual(['throttled', 'ok']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2000); // ban 1 s + the 1 s margin
  });

  it('a ban longer than the client will wait is reported with its seconds at once', async () => {
    const events: CallEvent[] = [];
    const e = await failure(client({}, events), '9000000000000007');
    expect(e).toMatchObject({ kind: 'throttled', retryAfterSeconds: 300 });
    expect(e.message['zh-CN']).toContain('300 秒');
    expect(events).toHaveLength(1);
  });

  it('retries a transient isp fault with backoff and succeeds', async () => {
    sim.inject({ fault: { kind: 'isp' }, times: 2, orderId: '2000000000000004' });
    const events: CallEvent[] = [];
    const r = await fetchClearance(client({}, events), '2000000000000004');
    expect(r.ok).toBe(true);
    expect(events.map((e) => e.outcome)).toEqual(['transient', 'transient', 'ok']);
  });

  it('retries HTTP 503 and a connection reset', async () => {
    sim.inject({ fault: { kind: 'http', status: 503 }, times: 1, orderId: '2000000000000005' });
    sim.inject({ fault: { kind: 'reset' }, times: 1, orderId: '2000000000000005' });
    const events: CallEvent[] = [];
    const r = await fetchClearance(client({}, events), '2000000000000005');
    expect(r.ok).toBe(true);
    expect(events.map((e) => e.outcome)).toEqual(['transient', 'network-unreachable', 'ok']);
  });

  it('gives up after the bounded number of retries with the last kind', async () => {
    const events: CallEvent[] = [];
    const e = await failure(client({ retry: { ...fast, maxRetries: 2 } }, events), '9000000000000015');
    expect(e.kind).toBe('transient');
    expect(events).toHaveLength(3);
    const reset = await failure(client({ retry: { ...fast, maxRetries: 1 } }), '9000000000000104');
    expect(reset.kind).toBe('network');
  });

  it('cancelling stops at once', async () => {
    const ac = new AbortController();
    sim.inject({ fault: { kind: 'stall', ms: 3000 }, times: 1, orderId: '2000000000000006' });
    setTimeout(() => ac.abort(), 100);
    const r = await fetchClearance(client(), '2000000000000006', { signal: ac.signal });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.kind).toBe('cancelled');
  });
});

describe('transport guards', () => {
  afterEach(() => sim.setLatency(0));

  it('a reply that stalls ends in a timeout (network), retried then reported', async () => {
    sim.inject({ fault: { kind: 'stall', ms: 2000 }, times: 2, orderId: '2000000000000003' });
    const events: CallEvent[] = [];
    const e = await failure(
      client({ totalTimeoutMs: 300, retry: { ...fast, maxRetries: 1 } }, events),
      '2000000000000003',
    );
    expect(e).toMatchObject({ kind: 'network', reason: 'network-timeout' });
    expect(events.map((x) => x.outcome)).toEqual(['network-timeout', 'network-timeout']);
  });

  it('a gzip reply that stalls half-way ends in a timeout too (the decoder hears of the abort)', async () => {
    sim.inject({ fault: { kind: 'stall-gzip', ms: 3000 }, times: 1, orderId: '2000000000000004' });
    const t0 = Date.now();
    const e = await failure(
      client({ totalTimeoutMs: 400, retry: { ...fast, maxRetries: 0 } }),
      '2000000000000004',
    );
    expect(e).toMatchObject({ kind: 'network', reason: 'network-timeout' });
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('an oversized reply is refused without buffering it all', async () => {
    sim.inject({
      fault: { kind: 'oversize', bytes: 50 * 1024 * 1024 },
      times: 1,
      orderId: '2000000000000001',
    });
    const before = process.memoryUsage().rss;
    const e = await failure(client({ maxBytes: 256 * 1024 }), '2000000000000001');
    expect(e).toMatchObject({ kind: 'protocol', reason: 'protocol-oversized' });
    expect(process.memoryUsage().rss - before).toBeLessThan(40 * 1024 * 1024);
  });

  it('a dead port is a network error with a clear message', async () => {
    const dead = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const e = await failure(
      client({ gateway: `http://127.0.0.1:${dead}/router/rest`, retry: { ...fast, maxRetries: 1 } }),
      '1',
    );
    expect(e).toMatchObject({ kind: 'network', reason: 'network-unreachable' });
    expect(e.message['en-US']).toContain('Check the network');
  });

  it('HTTP 404 from a wrong gateway path is a protocol error naming the status', async () => {
    const e = await failure(client({ gateway: `${sim.origin}/wrong/path` }), '1');
    expect(e).toMatchObject({ kind: 'protocol', reason: 'protocol-status' });
    expect(e.message['en-US']).toContain('404');
  });
});

describe('proxy from the environment', () => {
  let proxy: Server;
  let seen: string[] = [];
  beforeAll(async () => {
    // A minimal CONNECT proxy (what undici's proxy agent speaks), relaying to the simulator.
    proxy = createServer();
    proxy.on('connect', (req, client, head) => {
      seen.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  });
  afterAll(
    () =>
      new Promise<void>((r) => {
        proxy.closeAllConnections();
        proxy.close(() => r());
      }),
  );

  const withEnv = async (env: Record<string, string>, fn: () => Promise<void>) => {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      await fn();
    } finally {
      for (const k of Object.keys(env)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  };

  it('goes through HTTP_PROXY, and around it for NO_PROXY hosts', async () => {
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const simHost = new URL(sim.origin).host;
    await withEnv({ HTTP_PROXY: proxyUrl, http_proxy: proxyUrl, NO_PROXY: '', no_proxy: '' }, async () => {
      seen = [];
      const r = await fetchClearance(client({ dispatcher: createDispatcher() }), '2000000000000002');
      expect(r.ok).toBe(true);
      expect(seen).toContain(simHost);
    });
    await withEnv(
      { HTTP_PROXY: proxyUrl, http_proxy: proxyUrl, NO_PROXY: '127.0.0.1', no_proxy: '127.0.0.1' },
      async () => {
        seen = [];
        const r = await fetchClearance(client({ dispatcher: createDispatcher() }), '2000000000000002');
        expect(r.ok).toBe(true);
        expect(seen).toEqual([]);
      },
    );
  });
});
