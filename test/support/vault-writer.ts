// Child process for the crash test: writes records into a vault for ever, in batches that commit
// as one transaction, and prints "committed <batch> <first> <last>" only after each commit returned.
// Usage: node vault-writer.mjs <path> <key> <batchSize>
import { openVault } from '../../electron/core/vault/vault';
import { fakeFetch, fakeJpeg, person } from './vault-fetch';

const [path, key, size] = process.argv.slice(2) as [string, string, string];
const batchSize = Number(size);
const vault = openVault({ path, key });
const db = vault.extend('crash-test', [
  'CREATE TABLE batches (n INTEGER PRIMARY KEY, first INTEGER, last INTEGER)',
]);
const mark = db.prepare('INSERT INTO batches (n, first, last) VALUES (?, ?, ?)');
for (let batch = 0; ; batch++) {
  const first = batch * batchSize;
  const last = first + batchSize - 1;
  db.transaction(() => {
    for (let i = first; i <= last; i++) {
      vault.saveFetch(
        fakeFetch(String(10_000_000 + i), person(i), { front: fakeJpeg(`f${i}`), back: fakeJpeg(`b${i}`) }),
        'crash',
      );
    }
    mark.run(batch, first, last);
  })();
  process.stdout.write(`committed ${batch} ${first} ${last}\n`);
}
