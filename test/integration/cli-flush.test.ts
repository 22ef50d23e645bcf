// Every command's output arrives whole even when the reader is slow: a pipe that is not drained
// must not lose what the command wrote before it exited.
import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, outputOf, runCli, tempDir } from '../support/cli';

/**
 * Run the command with its stdout into a real pipe (64 KiB in the kernel; Node's own child pipes are
 * socket pairs, several times larger) that nobody reads for two seconds: by then a command that
 * exits without flushing has already lost whatever did not fit.
 */
async function runSlowReader(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; out: string; err: string }> {
  const script = '"$@" | (sleep 2; cat); exit "$PIPESTATUS"'; // bash: the first command's status
  const child = spawn('bash', ['-c', script, 'bash', process.execPath, CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...pass(), ...env },
  });
  child.stdin.end();
  const r = await outputOf(child);
  return { code: r.code, out: r.stdout, err: r.stderr };
}

function pass(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['DBUS_SESSION_BUS_ADDRESS', 'XDG_RUNTIME_DIR', 'XDG_DATA_HOME', 'TZ']) {
    const v = process.env[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

describe('output is flushed before the command exits', () => {
  it('a usage error of 100 KB on stdout (--json) arrives whole', async () => {
    const long = `--${'x'.repeat(100_000)}`;
    const r = await runSlowReader(['get', '1', long, '--json'], { CLEARANCE_DATA_DIR: tempDir() });
    expect(r.code).toBe(2);
    expect(r.out.length).toBeGreaterThan(100_000);
    expect(JSON.parse(r.out)).toMatchObject({ ok: false, error: { kind: 'invalid-input' } });
  });

  describe('records list --json of more than 64 KiB', () => {
    const dataDir = tempDir('cd-flush-data-');
    const ids = Array.from({ length: 400 }, (_, i) => `3${String(100_000 + i).padStart(15, '0')}`);
    beforeAll(async () => {
      const r = await runCli(
        ['batch', '-', '--demo', '--qps', '1000', '--concurrency', '16', '--json'],
        { ...pass(), CLEARANCE_DATA_DIR: dataDir },
        { input: ids.join('\n') },
      );
      expect(r.code, r.stderr).toBe(0);
    }, 120_000);

    it('arrives whole through a slowly read pipe', async () => {
      const r = await runSlowReader(['records', 'list', '--json', '--limit', '400'], {
        CLEARANCE_DATA_DIR: dataDir,
      });
      expect(r.code, r.err).toBe(0);
      expect(Buffer.byteLength(r.out)).toBeGreaterThan(64 * 1024);
      const body = JSON.parse(r.out);
      expect(body.rows).toHaveLength(400);
    }, 60_000);
  });
});
