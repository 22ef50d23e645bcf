// Vault figures: insert rate (one transaction per record, as a lookup stores it; and in batches),
// and search latency at 100,000 records for each search criterion. Prints figures; asserts nothing.
// Run: node scripts/run-ts.mjs bench/vault.ts [records]
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordQuery } from '../electron/core/vault/types';
import { openVault } from '../electron/core/vault/vault';
import { bulkOrderId, fakeFetch, fakeJpeg, person } from '../test/support/vault-fetch';
import { type Figure, record } from './report';

const N = Number(process.argv[2] ?? 100_000);
// BENCH_VAULT_DB=<file>: keep the database (and reuse it on the next run, skipping the inserts).
const keep = process.env.BENCH_VAULT_DB;
const dir = mkdtempSync(join(tmpdir(), 'cd-bench-vault-'));
const path = keep ?? join(dir, 'vault.db');
const reuse = keep !== undefined && existsSync(keep);
const key = keep ? createHash('sha256').update('bench only').digest('hex') : randomBytes(32).toString('hex');
const now = new Date('2025-06-15T04:00:00Z');
let tick = 0;
// Fetch times spread over 60 days, so the date-range searches have something to cut.
const clock = () => new Date(now.getTime() - 60 * 86_400_000 + tick * Math.floor((60 * 86_400_000) / N));
const vault = openVault({ path, key, clock, actor: { osUser: 'bench', host: 'bench' } });
const image = fakeJpeg('x'.repeat(240)); // about 2 KB

const fetchOf = (i: number) =>
  fakeFetch(bulkOrderId(i), person(i), i % 10 === 0 ? { front: image, back: image } : {});
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

// 1. One transaction per record (synchronous = FULL): what a lookup costs on this disk.
const single = reuse ? 0 : Math.min(2000, N);
let t0 = process.hrtime.bigint();
for (let i = 0; i < single; i++, tick++) vault.saveFetch(fetchOf(i), i % 2 ? 'shop-a' : 'shop-b');
const singleMs = ms(t0);

// 2. The rest in batches of 1,000 per transaction (how the batch job or an import would commit).
const db = vault.extend('bench', []);
t0 = process.hrtime.bigint();
for (let i = single; !reuse && i < N; ) {
  const end = Math.min(N, i + 1000);
  db.transaction(() => {
    for (; i < end; i++, tick++) vault.saveFetch(fetchOf(i), i % 2 ? 'shop-a' : 'shop-b');
  })();
}
const bulkMs = ms(t0);
tick = N; // searches run at the time of the last insert
db.pragma('wal_checkpoint(TRUNCATE)');
const size = statSync(path).size;

console.log(
  `vault bench: ${N.toLocaleString('en')} records (10% with two 2 KB images), SQLCipher, WAL, synchronous=FULL`,
);
if (!reuse)
  console.log(
    `insert, one transaction per record: ${(single / (singleMs / 1000)).toFixed(0)} records/s (${(singleMs / single).toFixed(2)} ms each, ${single} records)`,
  );
if (!reuse)
  console.log(
    `insert, 1,000 per transaction:      ${((N - single) / (bulkMs / 1000)).toFixed(0)} records/s (${((N - single) / 1000).toFixed(0)} batches)`,
  );
console.log(`database size: ${(size / 1024 / 1024).toFixed(1)} MB`);

const tail = person(77_777 % N).idNumber.slice(-4);
const name = person(12_345 % N).name;
const queries: [string, RecordQuery][] = [
  ['newest 50 (no filter)', {}],
  ['order id prefix (13 of 16 digits)', { text: bulkOrderId(54_321 % N).slice(0, 13) }],
  ['order id, full', { text: bulkOrderId(54_321 % N) }],
  ['name, one character', { text: name.slice(-1) }],
  ['name substring (2 chars)', { text: name.slice(1) }],
  ['name, full', { text: name }],
  ['ID number, last 4', { text: tail }],
  ['fetched on one day', { fetchedFrom: '2025-05-01', fetchedTo: '2025-05-01' }],
  ['flag expired', { flags: ['expired'] }],
  ['flag expiring', { flags: ['expiring'] }],
  ['flag invalid', { flags: ['invalid'] }],
  ['flag no-images', { flags: ['no-images'] }],
  ['profile', { profile: 'shop-a' }],
  [
    'profile + expiring + day range',
    { profile: 'shop-a', flags: ['expiring'], fetchedFrom: '2025-05-01', fetchedTo: '2025-05-10' },
  ],
  ['sort by order id, page 1,000', { sort: 'orderId', offset: 50_000 }],
  ['sort by expiry, page 1', { sort: 'expiry', order: 'asc' }],
];

const RUNS = 15;
const figures: Figure[] = [];
console.log(
  `\nsearch latency at ${N.toLocaleString('en')} records (page of 50 + total count; median / p95 of ${RUNS} runs):`,
);
for (const [label, q] of queries) {
  const times: number[] = [];
  let total = 0;
  for (let r = 0; r < RUNS; r++) {
    const t = process.hrtime.bigint();
    total = vault.search({ limit: 50, ...q }).total;
    times.push(ms(t));
  }
  times.sort((a, b) => a - b);
  const med = times[Math.floor(RUNS / 2)] as number;
  const p95 = times[Math.ceil(RUNS * 0.95) - 1] as number;
  console.log(
    `  ${label.padEnd(34)} ${med.toFixed(1).padStart(7)} ms  ${p95.toFixed(1).padStart(7)} ms   (${total.toLocaleString('en')} hits)`,
  );
  figures.push(
    {
      metric: `search at ${N.toLocaleString('en')}: ${label}, median`,
      value: med,
      unit: 'ms',
      target: '≤ 5 ms',
    },
    {
      metric: `search at ${N.toLocaleString('en')}: ${label}, p95`,
      value: p95,
      unit: 'ms',
      target: '≤ 15 ms',
    },
  );
}
record('vault', figures);

t0 = process.hrtime.bigint();
let n = 0;
for (const _ of vault.iterate({})) n++;
console.log(`\niterate all ${n.toLocaleString('en')} records (export's stream): ${ms(t0).toFixed(0)} ms`);
vault.close();
t0 = process.hrtime.bigint();
openVault({ path, key, clock }).close();
console.log(
  `open an existing ${(size / 1024 / 1024).toFixed(0)} MB vault (key check, migrations): ${ms(t0).toFixed(0)} ms`,
);
rmSync(dir, { recursive: true, force: true });
