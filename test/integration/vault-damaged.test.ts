/**
 * A damaged vault: a real SQLCipher file with pages overwritten on disk. Once the damage shows
 * (a corrupt page read), the vault is read-only: every write — a fetch, a forget, a purge, an
 * audit entry, a batch job — is refused with a message that says how to restore, and not one
 * byte of the file or its WAL changes, in this process or in any later one (the command and the app
 * included). Opening it writes nothing either, before or after a read meets the damage.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { expect, it } from 'vitest';
import { SqliteJobStore } from '../../electron/core/batch/sqlite-store';
import { ClearanceFailure } from '../../electron/core/errors';
import { keychainStore, VAULT_KEY_ACCOUNT } from '../../electron/core/secrets';
import { vaultPath } from '../../electron/core/vault/open';
import { damagedMarker, openVault } from '../../electron/core/vault/vault';
import { createBackend } from '../../electron/main/backend';
import { runCli, tempDir } from '../support/cli';
import { keychainSuite } from '../support/keychain';
import { fakeFetch, fakeJpeg, person } from '../support/vault-fetch';

const PAGE = 4096;
// A missing WAL and an empty one hold the same: nothing.
const sha = (p: string) =>
  createHash('sha256')
    .update(existsSync(p) ? readFileSync(p) : '')
    .digest('hex');
const files = (path: string) => [path, `${path}-wal`].map(sha);

/** Overwrite whole pages in the second half of the file (record and image pages), as a bad disk would. */
function damage(path: string) {
  const pages = statSync(path).size / PAGE;
  expect(pages).toBeGreaterThan(40);
  const fd = openSync(path, 'r+');
  for (let p = Math.floor(pages / 2); p < pages - 1; p += 3)
    writeSync(fd, randomBytes(PAGE), 0, PAGE, p * PAGE);
  closeSync(fd);
}

/** Overwrite exactly the pages of one table's b-tree (its leaves and overflow pages, not its indexes). */
function damageTable(path: string, key: string, table: string) {
  const db = new Database(path, { readonly: true });
  db.pragma(`cipher='sqlcipher'`);
  db.pragma(`key="x'${key}'"`);
  const pages = db.prepare('SELECT pageno FROM dbstat WHERE name = ?').pluck().all(table) as number[];
  db.close();
  expect(pages.length).toBeGreaterThan(5);
  const fd = openSync(path, 'r+');
  for (const p of pages) writeSync(fd, randomBytes(PAGE), 0, PAGE, (p - 1) * PAGE);
  closeSync(fd);
}

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ClearanceFailure);
    return (err as ClearanceFailure).error.reason;
  }
  return 'no error';
}

function filled(path: string, key: string, n = 300) {
  const v = openVault({ path, key });
  // The batch tables exist, as in any vault the app has used; made first, so the schema's pages stay in front.
  new SqliteJobStore(v);
  for (let i = 0; i < n; i++)
    v.saveFetch(
      fakeFetch(String(10_000_000 + i), person(i), { front: fakeJpeg(`f${i}`), back: fakeJpeg(`b${i}`) }),
      'p',
    );
  v.close();
}

it('once a corrupt page is read, every write is refused and the file is never written again', () => {
  const path = join(tempDir('cd-damaged-'), 'vault.db');
  const key = randomBytes(32).toString('hex');
  filled(path, key);
  damage(path);
  const before = files(path);

  const v = openVault({ path, key });
  const readAll = () => {
    for (const r of v.iterate({})) v.image(r.orderId, 'front');
  };
  expect(reasonOf(readAll)).toBe('vault-damaged');
  expect(v.isDamaged()).toBe(true);
  expect(existsSync(damagedMarker(path))).toBe(true);

  const writes: [string, () => unknown][] = [
    ['saveFetch', () => v.saveFetch(fakeFetch('99999999', person(1)), 'p')],
    ['forget', () => v.forget(['10000001'], { profile: null, channel: 'cli' })],
    ['purge', () => v.purge({ recordDays: 0, auditDays: 0, channel: 'cli' })],
    ['audit', () => v.audit({ action: 'reveal', profile: null, orderIds: ['10000001'], detail: {} })],
    [
      'batch job',
      () =>
        new SqliteJobStore(v).createJob({
          profile: 'p',
          options: { needImage: false, refresh: false, concurrency: 1, qps: 1 },
          source: 't',
          orderIds: ['1'],
          invalid: [],
        }),
    ],
  ];
  for (const [what, write] of writes) expect(reasonOf(write), what).toBe('vault-damaged');
  // Even a write straight on the database handle (as the batch tables use it) is refused.
  expect(() => v.extend('batch', []).exec('DELETE FROM batch_jobs')).toThrow();
  v.close();
  expect(files(path)).toEqual(before);

  // A later open is read-only from the start, and says so on the first write.
  const again = openVault({ path, key });
  expect(again.isDamaged()).toBe(true);
  try {
    again.saveFetch(fakeFetch('99999998', person(2)), 'p');
    throw new Error('written');
  } catch (err) {
    const e = (err as ClearanceFailure).error;
    expect(e.reason).toBe('vault-damaged');
    expect(e.message['en-US']).toMatch(/read-only/);
    expect(e.message['en-US']).toMatch(/backup/);
    expect(e.message['en-US']).toMatch(/fetch the orders you need again/);
    expect(e.message['zh-CN']).toMatch(/备份/);
  }
  again.close();
  expect(files(path)).toEqual(before);
});

it('opening a damaged vault writes nothing before a read meets the damage, nor does a purge that meets it', () => {
  const path = join(tempDir('cd-damaged-open-'), 'vault.db');
  const key = randomBytes(32).toString('hex');
  filled(path, key);
  // Only the images' pages: what an open reads (schema, versions, the purge's index lookups) is sound.
  damageTable(path, key, 'images');
  const before = files(path);

  // What every open does (the app's, the command's): the schema check, then the automatic purge.
  const v = openVault({ path, key });
  new SqliteJobStore(v);
  const retention = { recordDays: 3650, auditDays: 3650, channel: 'app', auto: true };
  expect(v.purge(retention)).toEqual({ records: 0, images: 0, audit: 0 });
  expect(v.isDamaged()).toBe(false);
  // Still open, and not one frame in the WAL.
  expect(files(path)).toEqual(before);
  // A purge with everything due deletes the records' images: it stops at the first damaged page and rolls back.
  expect(reasonOf(() => v.purge({ ...retention, recordDays: 0 }))).toBe('vault-damaged');
  expect(v.isDamaged()).toBe(true);
  v.close();
  expect(files(path)).toEqual(before);
});

it('a new vault where a damaged one was moved away is not read-only', () => {
  const dir = tempDir('cd-damaged-new-');
  const path = join(dir, 'vault.db');
  const key = randomBytes(32).toString('hex');
  filled(path, key, 50);
  const v0 = openVault({ path, key });
  v0.close();
  // The user moved vault.db aside but left the marker.
  renameSync(path, join(dir, 'old.db'));
  for (const s of ['-wal', '-shm']) if (existsSync(path + s)) renameSync(path + s, join(dir, `old.db${s}`));
  writeFileSync(damagedMarker(path), 'x');
  const fresh = openVault({ path, key });
  expect(fresh.isDamaged()).toBe(false);
  fresh.saveFetch(fakeFetch('99999999', person(1)), 'p');
  fresh.close();
  const reopened = openVault({ path, key });
  expect(reopened.isDamaged()).toBe(false);
  reopened.close();
});

const { suite } = await keychainSuite('damaged vault through the command');

suite('the command on a damaged vault', { timeout: 120_000 }, () => {
  it('reads what it can, refuses to store, forget or purge with how to restore, and writes nothing', async () => {
    const dataDir = tempDir('cd-damaged-cli-');
    const env = { CLEARANCE_DATA_DIR: dataDir, CLEARANCE_LANG: 'en' };
    const ids = Array.from({ length: 150 }, (_, i) => `3${String(60_000 + i).padStart(15, '0')}`);
    const filledUp = await runCli(['batch', '-', '--demo', '--image', '--json'], env, {
      input: ids.join('\n'),
    });
    expect(filledUp.code, filledUp.stderr).toBe(0);
    const path = join(dataDir, 'vault.db');
    damage(path);
    const before = files(path);

    const list = await runCli(['records', 'list', '--json', '--limit', '1000'], env);
    // Every image read: the damaged pages are among them.
    const exported = await runCli(['export', '--all', '--pdf', join(dataDir, 'x.pdf'), '--json'], env);
    const damagedSeen = [list, exported].some((r) => r.stdout.includes('vault-damaged'));
    expect(damagedSeen, `${list.stdout.slice(0, 200)} ${exported.stdout.slice(0, 300)}`).toBe(true);
    expect(existsSync(damagedMarker(path))).toBe(true);

    for (const args of [
      ['get', '2000000000000004', '--demo', '--json'],
      ['records', 'forget', ids[0] as string, '--json'],
      ['records', 'purge', '--older-than', '0', '--json'],
      ['batch', '-', '--demo', '--json'],
    ]) {
      const r = await runCli(args, env, { input: '3000000000070001\n' });
      expect(r.code, `${args.join(' ')}: ${r.stdout}`).not.toBe(0);
      expect(`${args.join(' ')}: ${r.stdout.slice(0, 300)}`).toMatch(/vault-damaged/);
      expect(r.stdout + r.stderr).toMatch(/backup/);
    }
    // Neither the vault nor its WAL is written, not even by the first command after the damage.
    expect(files(path)).toEqual(before);
  });
});

suite('the app on a damaged vault', { timeout: 60_000 }, () => {
  it('opens it as the command does, writes nothing on opening, refuses writes once the damage is read', async () => {
    const dataDir = tempDir('cd-damaged-app-');
    const key = randomBytes(32).toString('hex');
    await keychainStore(dataDir).set(VAULT_KEY_ACCOUNT, key);
    const path = vaultPath(dataDir);
    filled(path, key);
    // The photos' pages: opening reads only sound ones, so the open itself is what is measured.
    damageTable(path, key, 'images');
    const before = files(path);
    const app = () =>
      createBackend({
        env: { CLEARANCE_DATA_DIR: dataDir, CLEARANCE_LANG: 'en' },
        demo: false,
        host: {
          imageUrl: (o, s) => `cd-image://image/${o}/${s}`,
          emit: () => {},
          chooseExportTarget: async () => null,
          chooseImportFile: async () => null,
        },
      });

    const backend = await app();
    // The app's first question opens the vault (keychain, schema, the retention purge).
    const status = await backend.handlers['app.status']({});
    expect(status.ok && status.value.blocker).toBe(null);
    expect(files(path)).toEqual(before);
    // The list, then every photo: the damaged pages are among those.
    const list = await backend.handlers['records.search']({ offset: 0, limit: 500 });
    const rows = list.ok ? list.value.rows : [];
    for (const r of rows)
      for (const side of ['front', 'back'] as const) {
        try {
          backend.image(r.orderId, side);
        } catch {}
      }
    expect(existsSync(damagedMarker(path))).toBe(true);
    const forget = await backend.handlers['records.forget']({ orderIds: ['10000001'] });
    expect(forget.ok ? 'forgotten' : forget.error.reason).toBe('vault-damaged');
    await backend.close();
    expect(files(path)).toEqual(before);

    // The next start: read-only from the start, and still nothing written.
    const again = await app();
    const second = await again.handlers['records.forget']({ orderIds: ['10000002'] });
    expect(second.ok ? 'forgotten' : second.error.reason).toBe('vault-damaged');
    await again.close();
    expect(files(path)).toEqual(before);
  });
});
