/**
 * Batch at scale: jobs of 10,000 and 100,000 orders against a demo gateway with no limit and 5 ms
 * latency (in a child process, as a real gateway is elsewhere). Prints the wall time per order
 * at each size (linear time: within 20 % of each other), the peak RSS growth of the run, and how
 * long `batch show` of the finished 100,000-order job takes (its counts and failures).
 *
 *   node scripts/run-ts.mjs bench/batch-scale.ts [small=10000] [large=100000]
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchRun, DEFAULT_BATCH_OPTIONS, SqliteJobStore } from '../electron/core/batch';
import { startSimulator } from '../electron/core/demo/simulator';
import { MemorySecretStore } from '../electron/core/secrets/memory-store';
import { openVaultWithKeychain } from '../electron/core/vault/open';
import { record } from './report';

const LATENCY_MS = 5;

if (process.argv[2] === '--simulator') {
  const sim = await startSimulator({ latencyMs: LATENCY_MS });
  process.send?.({ url: sim.url, credentials: sim.credentials });
  await new Promise(() => {});
}

const [small = 10_000, large = 100_000] = process.argv.slice(2).map(Number);
const child = fork(process.argv[1] as string, ['--simulator'], { stdio: 'inherit' });
const sim = await new Promise<{
  url: string;
  credentials: { appKey: string; appSecret: string; session: string };
}>((r) => child.once('message', (m) => r(m as never)));

async function runJob(n: number, o: { quiet?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'cd-bench-scale-'));
  const vault = await openVaultWithKeychain({ dataDir: dir, secrets: new MemorySecretStore() });
  try {
    const store = new SqliteJobStore(vault, { channel: 'bench' });
    // Demo order ids the simulator answers (its samples) would all be the same few: use fresh ids,
    // which it answers as unknown orders (a business failure, one call each, nothing stored).
    const ids = Array.from({ length: n }, (_, i) => `5${String(i).padStart(15, '0')}`);
    const job = store.createJob({
      profile: 'bench',
      options: { ...DEFAULT_BATCH_OPTIONS, concurrency: 8, qps: 1000 },
      source: 'bench',
      orderIds: ids,
      invalid: [],
    });
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 200);
    const t0 = performance.now();
    const out = await new BatchRun(
      { store, client: { gateway: sim.url, credentials: sim.credentials } },
      job.id,
    ).run();
    const ms = performance.now() - t0;
    clearInterval(sampler);
    const times: number[] = [];
    for (let i = 0; i < 9; i++) {
      const t = performance.now();
      const j = store.getJob(job.id);
      store.orders(job.id, ['failed'], { limit: 200 });
      times.push(performance.now() - t);
      if (!j) throw new Error('job vanished');
    }
    times.sort((a, b) => a - b);
    const c = out.job.counts;
    if (!o.quiet)
      console.log(
        `  ${n.toLocaleString('en').padStart(7)} orders: ${(ms / 1000).toFixed(1)} s, ${((ms * 1000) / n).toFixed(0)} µs per order, ` +
          `RSS +${((peak - rss0) / 2 ** 20).toFixed(0)} MB; done ${c.done}, failed ${c.failed}; ` +
          `job summary (counts + first 200 failures) median ${(times[4] as number).toFixed(1)} ms`,
      );
    return { perOrderUs: (ms * 1000) / n, rssMb: (peak - rss0) / 2 ** 20, showMs: times[4] as number };
  } finally {
    vault.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`batch at scale: no gateway limit, ${LATENCY_MS} ms latency, concurrency 8`);
// A first, unmeasured job warms the JIT and the vault's caches: otherwise the small job pays for
// both and the comparison says more about warm-up than about scale.
await runJob(2_000, { quiet: true });
const a = await runJob(small);
const b = await runJob(large);
const ratio = b.perOrderUs / a.perOrderUs;
console.log(
  `  per-order time at ${large.toLocaleString('en')} vs ${small.toLocaleString('en')}: ×${ratio.toFixed(2)}`,
);
record('batch-scale', [
  {
    metric: `per order at ${small.toLocaleString('en')} orders (5 ms gateway)`,
    value: a.perOrderUs,
    unit: 'µs',
  },
  {
    metric: `per order at ${large.toLocaleString('en')} orders`,
    value: b.perOrderUs,
    unit: 'µs',
    target: 'within 20 % of the small job',
  },
  {
    metric: `RSS growth during the ${large.toLocaleString('en')}-order run`,
    value: b.rssMb,
    unit: 'MB',
    target: 'flat',
  },
  {
    metric: `job summary of a ${large.toLocaleString('en')}-order job (batch show)`,
    value: b.showMs,
    unit: 'ms',
    target: '≤ 50 ms',
  },
]);
child.kill();
process.exit(0);
