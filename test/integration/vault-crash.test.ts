// Crash safety: a writer killed with SIGKILL in the middle of its writes leaves a vault that opens,
// passes SQLite's integrity check, holds every record the writer reported committed, and holds
// no part of a batch that did not commit. The same, killed again and again on one vault, for each
// kind of vault write: a batch job's orders (record and state together), audit entries, and the
// retention purge (records gone with their audit entry, or still all there).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteJobStore } from '../../electron/core/batch/sqlite-store';
import { openVault } from '../../electron/core/vault/vault';
import { bundleForNode } from '../support/bundle';
import { fakeJpeg, person } from '../support/vault-fetch';

const _root = new URL('../..', import.meta.url).pathname;
let script: string;
let dir: string;

beforeAll(async () => {
  script = await bundleForNode('test/support/vault-writer.ts');
  dir = mkdtempSync(join(tmpdir(), 'cd-vault-crash-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the writer until it reported `batches` commits, then kills it with SIGKILL. */
function runAndKill(path: string, key: string, batchSize: number, batches: number) {
  return new Promise<{ committed: { batch: number; first: number; last: number }[]; signal: string | null }>(
    (resolve, reject) => {
      const child: ChildProcess = spawn(process.execPath, [script, path, key, 'record', String(batchSize)], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const committed: { batch: number; first: number; last: number }[] = [];
      let buf = '';
      let err = '';
      child.stderr?.on('data', (d) => {
        err += d;
      });
      child.stdout?.on('data', (d: Buffer) => {
        buf += d.toString();
        let nl = buf.indexOf('\n');
        while (nl >= 0) {
          const m = /^committed (\d+) (\d+) (\d+)$/.exec(buf.slice(0, nl));
          if (m) committed.push({ batch: Number(m[1]), first: Number(m[2]), last: Number(m[3]) });
          buf = buf.slice(nl + 1);
          nl = buf.indexOf('\n');
        }
        // Kill while it is writing the next batch: it starts one the moment the last one committed.
        if (committed.length >= batches && !child.killed) child.kill('SIGKILL');
      });
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        if (signal !== 'SIGKILL')
          reject(new Error(`writer exited by itself (${code}): ${err.slice(0, 500)}`));
        else resolve({ committed, signal });
      });
    },
  );
}

describe('SIGKILL in the middle of writes', () => {
  for (const batchSize of [1, 25]) {
    it(`loses nothing committed and keeps no half batch (batches of ${batchSize})`, async () => {
      const path = join(dir, `vault-${batchSize}.db`);
      const key = randomBytes(32).toString('hex');
      const { committed } = await runAndKill(path, key, batchSize, 40);
      expect(committed.length).toBeGreaterThanOrEqual(40);

      const vault = openVault({ path, key });
      const db = vault.extend('crash-test', [
        'CREATE TABLE batches (n INTEGER PRIMARY KEY, first INTEGER, last INTEGER)',
      ]);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      for (const { first, last } of committed) {
        for (let i = first; i <= last; i++) {
          const r = vault.get(String(10_000_000 + i));
          expect(r?.idNumber).toBe(person(i).idNumber);
          expect(vault.image(String(10_000_000 + i), 'back')?.bytes.equals(fakeJpeg(`b${i}`))).toBe(true);
          expect(vault.rawReply(String(10_000_000 + i))).toContain(`"order_id":${10_000_000 + i},`);
        }
      }
      // Every batch on disk is whole: its marker and all its records, or none of them.
      const marks = db.prepare('SELECT n, first, last FROM batches ORDER BY n').all() as {
        n: number;
        first: number;
        last: number;
      }[];
      expect(marks.length).toBeGreaterThanOrEqual(committed.length);
      const stored = vault.search({ limit: 1 }).total;
      expect(stored).toBe(marks.length * batchSize);
      expect(vault.auditLog({ action: 'fetch', limit: 100_000 })).toHaveLength(stored);
      vault.close();
    });
  }
});

/** Runs the writer in `mode` until it printed `lines` lines, then kills it with SIGKILL; returns the lines. */
function killAfterLines(path: string, key: string, mode: string, arg: number, lines: number) {
  return new Promise<string[]>((resolve, reject) => {
    const child = spawn(process.execPath, [script, path, key, mode, String(arg)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: string[] = [];
    let buf = '';
    let err = '';
    child.stderr?.on('data', (d) => {
      err += d;
    });
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop() as string;
      out.push(...parts);
      if (out.length >= lines && !child.killed) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited by itself (${code}): ${err.slice(0, 500)}`));
      else resolve(out);
    });
  });
}

const ROUNDS = 4;

describe('SIGKILL again and again during each kind of vault write', () => {
  it('batch items: every order reported done has its record, and no order is done without one', async () => {
    const path = join(dir, 'vault-batch.db');
    const key = randomBytes(32).toString('hex');
    const committed = new Set<string>();
    for (let round = 0; round < ROUNDS; round++) {
      const lines = await killAfterLines(path, key, 'batch', 0, 40);
      for (const l of lines) committed.add((/^committed (\d+)$/.exec(l) as RegExpExecArray)[1] as string);
      const vault = openVault({ path, key });
      expect(vault.extend('crash-test', []).pragma('integrity_check', { simple: true })).toBe('ok');
      const store = new SqliteJobStore(vault);
      const job = store.listJobs(1)[0];
      expect(job).toBeDefined();
      const done = new Set(store.orders(job?.id as string, ['done']).map((o) => o.orderId));
      for (const id of committed) expect(done.has(id), id).toBe(true);
      // Record and state commit together: both or neither.
      const records = vault.orderIds({});
      expect(new Set(records)).toEqual(done);
      expect(vault.auditLog({ action: 'fetch', limit: 100_000 })).toHaveLength(done.size);
      vault.close();
    }
    expect(committed.size).toBeGreaterThanOrEqual(ROUNDS * 40);
  });

  it('audit entries: every entry reported written is there', async () => {
    const path = join(dir, 'vault-audit.db');
    const key = randomBytes(32).toString('hex');
    const committed: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const lines = await killAfterLines(path, key, 'audit', round * 1_000_000, 200);
      for (const l of lines) committed.push(Number((/^committed (\d+)$/.exec(l) as RegExpExecArray)[1]));
      const vault = openVault({ path, key });
      expect(vault.extend('crash-test', []).pragma('integrity_check', { simple: true })).toBe('ok');
      const seen = new Set(vault.auditLog({ action: 'reveal', limit: 1_000_000 }).map((e) => e.detail.n));
      for (const n of committed) expect(seen.has(n), String(n)).toBe(true);
      vault.close();
    }
  });

  it('purge: records reported purged are gone, each purge is audited, a cut-off purge leaves all or none', async () => {
    const path = join(dir, 'vault-purge.db');
    const key = randomBytes(32).toString('hex');
    const purged: [number, number][] = [];
    const saved: [number, number][] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const lines = await killAfterLines(path, key, 'purge', round * 1000, 12);
      for (const l of lines) {
        const m = /^(saved|purged) (\d+) (\d+)$/.exec(l) as RegExpExecArray;
        (m[1] === 'saved' ? saved : purged).push([Number(m[2]), Number(m[3])]);
      }
      const vault = openVault({ path, key });
      expect(vault.extend('crash-test', []).pragma('integrity_check', { simple: true })).toBe('ok');
      const present = new Set(vault.orderIds({}));
      const id = (i: number) => String(10_000_000 + i);
      for (const [a, b] of purged) for (let i = a; i <= b; i++) expect(present.has(id(i)), id(i)).toBe(false);
      for (const [a, b] of saved) {
        const here = Array.from({ length: b - a + 1 }, (_, k) => present.has(id(a + k)));
        expect(
          here.every((h) => h === here[0]),
          `batch ${a}`,
        ).toBe(true);
      }
      const purges = vault.auditLog({ action: 'purge', limit: 100_000 });
      expect(purges.length).toBeGreaterThanOrEqual(purged.length);
      vault.close();
    }
    expect(purged.length).toBeGreaterThanOrEqual(ROUNDS * 5);
  });
});
