import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/main';

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    argv,
    // A folder of this run's own: as root, a fixed path would be created and shared between runs.
    { CLEARANCE_DATA_DIR: join(mkdtempSync(join(tmpdir(), 'cd-usage-')), 'data') },
    { stdout: (s) => out.push(s), stderr: (s) => err.push(s), isTTY: false },
    { cwd: '/', signal: new AbortController().signal, stdin: process.stdin },
  );
  return { code, out: out.join(''), err: err.join('') };
}

describe('enumerated flags take only their documented values', () => {
  it.each([
    [['get', '1460536261312998', '--format', 'yaml']],
    [['get', '1460536261312998', '--format', 'JSON ']],
    [['batch', 'orders.txt', '--format', 'csv']],
    [['get', '1460536261312998', '--sign-method', 'sha1']],
    [['profile', 'add', 'p', '--app-key', 'k', '--sign-method', 'none']],
    [['records', 'list', '--sort', 'name']],
    [['get', '1460536261312998', '--lang', 'fr']],
  ])('%j is a usage error (exit 2) naming the values', async (argv) => {
    const r = await run([...argv, '--json']);
    expect(r.code).toBe(2);
    const body = JSON.parse(r.out);
    expect(body.error).toMatchObject({ kind: 'invalid-input', reason: 'usage' });
    expect(body.error.message).toMatch(/\|/);
  });

  it('the documented values are accepted (the command goes on to its next check)', async () => {
    for (const argv of [
      ['get', 'x', '--format', 'xml'],
      ['get', 'x', '--format', 'json'],
      ['get', 'x', '--sign-method', 'hmac'],
      ['get', 'x', '--lang', 'en'],
      ['get', 'x', '--lang', 'zh-CN'],
    ]) {
      const r = await run([...argv, '--json']);
      // The order id "x" is what is refused now, not the flag.
      expect(JSON.parse(r.out).error.reason, argv.join(' ')).toBe('order-id-invalid');
    }
  });
});
