// Child process for the crash test: writes into a vault for ever and prints "committed …" only after
// each write returned (so the line means: on disk). Modes, one per kind of vault write:
//   record <batchSize>   records in batches that commit as one transaction: "committed <batch> <first> <last>"
//   batch <start>        a batch job's orders completed one by one (record + state): "committed <orderId>"
//   audit <start>        audit entries: "committed <n>"
//   purge <start>        20 records saved, then purged by age with an audit entry: "saved <a> <b>", "purged <a> <b>"
// Usage: node vault-writer.mjs <path> <key> <mode> <number>
import { SqliteJobStore } from '../../electron/core/batch/sqlite-store';
import { DEFAULT_BATCH_OPTIONS } from '../../electron/core/batch/types';
import { openVault } from '../../electron/core/vault/vault';
import { fakeFetch, fakeJpeg, person } from './vault-fetch';

const [path, key, mode, arg] = process.argv.slice(2) as [string, string, string, string];
const n = Number(arg);
const DAY = 86_400_000;
let now = Date.parse('2030-01-01T00:00:00Z') + n * 10 * DAY;
const vault = openVault({ path, key, clock: () => new Date(now) });
const say = (line: string) => process.stdout.write(`${line}\n`);
const orderId = (i: number) => String(10_000_000 + i);
const fetchOf = (i: number) =>
  fakeFetch(orderId(i), person(i), { front: fakeJpeg(`f${i}`), back: fakeJpeg(`b${i}`) });

if (mode === 'record') {
  const batchSize = n;
  const db = vault.extend('crash-test', [
    'CREATE TABLE batches (n INTEGER PRIMARY KEY, first INTEGER, last INTEGER)',
  ]);
  const mark = db.prepare('INSERT INTO batches (n, first, last) VALUES (?, ?, ?)');
  for (let batch = 0; ; batch++) {
    const first = batch * batchSize;
    const last = first + batchSize - 1;
    db.transaction(() => {
      for (let i = first; i <= last; i++) vault.saveFetch(fetchOf(i), 'crash');
      mark.run(batch, first, last);
    })();
    say(`committed ${batch} ${first} ${last}`);
  }
} else if (mode === 'batch') {
  const store = new SqliteJobStore(vault, { channel: 'cli' });
  const job =
    store.listJobs(1)[0] ??
    store.createJob({
      profile: 'crash',
      options: DEFAULT_BATCH_OPTIONS,
      source: 'crash-test',
      orderIds: Array.from({ length: 20_000 }, (_, i) => orderId(n + i)),
      invalid: [],
    });
  for (const o of store.orders(job.id, ['pending', 'running'])) {
    store.setState(job.id, o.orderId, 'running');
    store.complete(job.id, o.orderId, fetchOf(Number(o.orderId) - 10_000_000), 'crash');
    say(`committed ${o.orderId}`);
  }
} else if (mode === 'audit') {
  for (let i = n; ; i++) {
    vault.audit({
      action: 'reveal',
      profile: 'crash',
      orderIds: [orderId(i)],
      detail: { n: i, channel: 'cli' },
    });
    say(`committed ${i}`);
  }
} else if (mode === 'purge') {
  for (let a = n; ; a += 20) {
    for (let i = a; i < a + 20; i++) vault.saveFetch(fetchOf(i), 'crash');
    say(`saved ${a} ${a + 19}`);
    now += 2 * DAY; // the records are now older than the one-day retention
    vault.purge({ recordDays: 1, auditDays: 1_000_000, channel: 'cli' });
    say(`purged ${a} ${a + 19}`);
    now += DAY;
  }
}
