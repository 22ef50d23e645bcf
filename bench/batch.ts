/**
 * Batch throughput against the demo gateway: 1,000 orders at 100 ms latency plus 0–30 ms of random
 * jitter, with a gateway limit of 20 calls/s over a sliding one-second window (the simulator bans
 * above it), the client capped at the same 20 calls/s. Prints
 * the achieved rate as a fraction of the limit, the peak in any one-second window as the gateway
 * counted it, and how many calls it had to throttle. The vault is a temp folder whose key lives in
 * an in-memory secret store, so no keychain is needed. The simulator runs in a child process, as
 * a real gateway would be elsewhere: the client's synchronous vault commits must not stall the
 * gateway's own clock.
 *
 *   node scripts/run-ts.mjs bench/batch.ts [orders=1000] [concurrency=8] [qps=20]
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { BatchRun, DEFAULT_BATCH_OPTIONS, SqliteJobStore } from '../electron/core/batch';
import { type SimulatorCall, startSimulator } from '../electron/core/demo/simulator';
import { MemorySecretStore } from '../electron/core/secrets/memory-store';
import { openVaultWithKeychain } from '../electron/core/vault/open';
import { record } from './report';

const LIMIT = 20;
const LATENCY_MS = 100;
const JITTER_MS = 30;

type FromSim =
  | { url: string; credentials: { appKey: string; appSecret: string; session: string } }
  | { calls: SimulatorCall[] };

if (process.argv[2] === '--simulator') {
  // The child: serve the demo gateway until asked for its call log.
  const sim = await startSimulator({
    latencyMs: LATENCY_MS,
    latencyJitterMs: JITTER_MS,
    maxCallsPerSecond: LIMIT,
  });
  process.send?.({ url: sim.url, credentials: sim.credentials } satisfies FromSim);
  process.on('message', async () => {
    process.send?.({ calls: sim.calls } satisfies FromSim, undefined, {}, () => {
      void sim.close().then(() => process.exit(0));
    });
  });
  await new Promise(() => {});
}

const [orders = 1000, concurrency = 8, qps = 20] = process.argv.slice(2).map(Number);
const child = fork(process.argv[1] as string, ['--simulator'], { stdio: 'inherit' });
const next = () => new Promise<FromSim>((r) => child.once('message', (m) => r(m as FromSim)));
const started = await next();
if (!('url' in started)) throw new Error('simulator did not start');
const sim = {
  url: started.url,
  credentials: started.credentials,
  async calls(): Promise<SimulatorCall[]> {
    const reply = next();
    child.send('calls');
    const got = await reply;
    return 'calls' in got ? got.calls : [];
  },
};
const dir = mkdtempSync(join(tmpdir(), 'cd-bench-batch-'));
const vault = await openVaultWithKeychain({ dataDir: dir, secrets: new MemorySecretStore() });
try {
  const store = new SqliteJobStore(vault, { channel: 'bench' });
  const ids = Array.from({ length: orders }, (_, i) => `3${String(1_000_000 + i).padStart(15, '0')}`);
  const job = store.createJob({
    profile: 'bench',
    options: { ...DEFAULT_BATCH_OPTIONS, concurrency, qps },
    source: 'bench',
    orderIds: ids,
    invalid: [],
  });
  // Stalls of this process (synchronous vault commits, a busy machine) are what the gate must absorb.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let lastLine = 0;
  const out = await new BatchRun(
    { store, client: { gateway: sim.url, credentials: sim.credentials } },
    job.id,
    {
      onProgress: (p) => {
        if (p.elapsedMs - lastLine < 10_000) return;
        lastLine = p.elapsedMs;
        console.log(
          `  … ${p.counts.done}/${p.total} done, ${p.callsPerSecond.toFixed(1)} calls/s, ETA ${p.etaSeconds ?? '?'} s`,
        );
      },
    },
  ).run();

  const calls = await sim.calls();
  const at = calls.map((c) => c.at).sort((a, b) => a - b);
  let peak = 0;
  for (let lo = 0, hi = 0; hi < at.length; hi++) {
    while ((at[hi] as number) - (at[lo] as number) >= 1000) lo++;
    peak = Math.max(peak, hi - lo + 1);
  }
  const seconds = out.elapsedMs / 1000;
  // The rate over the span the gateway saw calls in: first to last arrival, one interval per call.
  const span = ((at.at(-1) as number) - (at[0] as number)) / 1000;
  const rate = (calls.length - 1) / span;
  const throttled = calls.filter((c) => c.outcome === '7').length;
  console.log(
    `batch bench: ${orders} orders, gateway latency ${LATENCY_MS} ms + 0–${JITTER_MS} ms jitter, gateway limit ${LIMIT} calls/s, client qps ${qps}, concurrency ${concurrency}`,
  );
  console.log(
    `  outcome            ${out.ended}: done ${out.job.counts.done}, failed ${out.job.counts.failed}, pending ${out.job.counts.pending}`,
  );
  console.log(`  wall time          ${seconds.toFixed(1)} s (job start to end, vault writes included)`);
  console.log(`  gateway calls      ${calls.length} (throttled by the gateway: ${throttled})`);
  console.log(
    `  achieved rate      ${rate.toFixed(2)} calls/s = ${((rate / LIMIT) * 100).toFixed(1)} % of the limit`,
  );
  console.log(`  orders per second  ${(out.job.counts.done / seconds).toFixed(2)}`);
  console.log(`  peak in any 1 s    ${peak} calls (limit ${LIMIT})`);
  loop.disable();
  record('batch', [
    {
      metric: `${orders} orders vs a ${LIMIT}/s gateway, ${LATENCY_MS} ms + ${JITTER_MS} ms jitter: rate`,
      value: (rate / LIMIT) * 100,
      unit: '% of the limit',
      target: '≥ 95 %',
    },
    { metric: 'calls the gateway throttled', value: throttled, unit: '', target: '0' },
    {
      metric: 'peak calls in any 1 s, as the gateway counted',
      value: peak,
      unit: 'calls',
      target: `≤ ${LIMIT}`,
    },
  ]);
  console.log(
    `  event-loop delay   p50 ${(loop.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, max ${(loop.max / 1e6).toFixed(0)} ms`,
  );
} finally {
  vault.close();
  child.kill();
  rmSync(dir, { recursive: true, force: true });
}
