import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CLI = new URL('../../dist/cli/clearance-desk.js', import.meta.url).pathname;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the built command (`npm test` builds first) with a clean environment plus `env`. */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  opts: { input?: string; cwd?: string } = {},
): Promise<CliRun> {
  const base: Record<string, string> = {};
  // Keep what the process needs to find the keyring bus and binaries; drop any CLEARANCE_* of the host.
  for (const k of [
    'PATH',
    'HOME',
    'DBUS_SESSION_BUS_ADDRESS',
    'XDG_RUNTIME_DIR',
    'XDG_DATA_HOME',
    'TZ',
    'LANG',
  ]) {
    const v = process.env[k];
    if (v !== undefined) base[k] = v;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...base, ...env },
      cwd: opts.cwd ?? tmpdir(),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

export const tempDir = (prefix = 'cd-test-') => mkdtempSync(join(tmpdir(), prefix));
