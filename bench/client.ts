// Gateway client figures: how many requests it can sign and build per second, and its own
// overhead per call against the local demo gateway (median, p99), measured as the time of a full
// fetchClearance minus the time of a bare pre-signed POST of the same request on the same connection pool.
import { request } from 'undici';
import { startSimulator } from '../electron/core/demo/simulator';
import { CLEARANCE_METHOD, fetchClearance } from '../electron/core/gateway/clearance';
import { TopClient } from '../electron/core/gateway/client';
import { createDispatcher } from '../electron/core/gateway/transport';

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
};
const fmt = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;

const sim = await startSimulator();
const dispatcher = createDispatcher();
const client = new TopClient({ gateway: sim.url, credentials: { ...sim.credentials }, dispatcher });

// 1. Sign and build, no network.
for (const method of ['md5', 'hmac', 'hmac-sha256'] as const) {
  const c = new TopClient({ gateway: sim.url, credentials: { ...sim.credentials }, signMethod: method });
  const n = 100_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++)
    c.buildRequest(CLEARANCE_METHOD, { order_id: String(3e15 + i), need_image: 'false' }, new Date());
  const s = (performance.now() - t0) / 1000;
  console.log(`sign+build ${method.padEnd(11)} ${Math.round(n / s).toLocaleString('en')} requests/s`);
}

// 2. Per-call overhead against the simulator on loopback, sequential calls.
const N = 2000;
const full: number[] = [];
const bare: number[] = [];
for (let i = 0; i < 200; i++) await fetchClearance(client, '2000000000000002'); // warm up
for (let i = 0; i < N; i++) {
  const orderId = '2000000000000002';
  const { url, body } = client.buildRequest(
    CLEARANCE_METHOD,
    { order_id: orderId, need_image: 'false' },
    new Date(),
  );
  let t = performance.now();
  const res = await request(url, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded;charset=UTF-8',
      'accept-encoding': 'gzip, deflate',
    },
    dispatcher,
  });
  await res.body.arrayBuffer();
  bare.push(performance.now() - t);
  t = performance.now();
  const r = await fetchClearance(client, orderId);
  full.push(performance.now() - t);
  if (!r.ok) throw new Error(r.error.reason);
}
const over = full.map((f, i) => f - (bare[i] as number));
console.log(`\n${N} sequential calls to the demo gateway on loopback`);
console.log(
  `  bare pre-signed POST      median ${fmt(percentile(bare, 50))}  p99 ${fmt(percentile(bare, 99))}`,
);
console.log(
  `  full fetchClearance       median ${fmt(percentile(full, 50))}  p99 ${fmt(percentile(full, 99))}`,
);
console.log(
  `  client's own overhead     median ${fmt(percentile(over, 50))}  p99 ${fmt(percentile(over, 99))}`,
);
console.log('  (a real gateway round trip is 30–300 ms)');
await sim.close();
process.exit(0);
