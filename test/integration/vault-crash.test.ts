// Crash safety: a writer killed with SIGKILL in the middle of its writes leaves a vault that opens,
// passes SQLite's integrity check, holds every record the writer reported committed, and holds
// no part of a batch that did not commit.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openVault } from '../../electron/core/vault/vault';
import { fakeJpeg, person } from '../support/vault-fetch';

const root = new URL('../..', import.meta.url).pathname;
const script = join(root, 'dist/test-run/vault-writer.mjs');
let dir: string;

beforeAll(async () => {
  // Bundled next to node_modules so the native SQLCipher module resolves, as scripts/run-ts.mjs does.
  mkdirSync(join(root, 'dist/test-run'), { recursive: true });
  await build({
    entryPoints: [join(root, 'test/support/vault-writer.ts')],
    outfile: script,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
  dir = mkdtempSync(join(tmpdir(), 'cd-vault-crash-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the writer until it reported `batches` commits, then kills it with SIGKILL. */
function runAndKill(path: string, key: string, batchSize: number, batches: number) {
  return new Promise<{ committed: { batch: number; first: number; last: number }[]; signal: string | null }>(
    (resolve, reject) => {
      const child: ChildProcess = spawn(process.execPath, [script, path, key, String(batchSize)], {
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
