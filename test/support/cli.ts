import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';

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
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...base, ...env },
    cwd: opts.cwd ?? tmpdir(),
  });
  const done = outputOf(child);
  child.stdin.end(opts.input ?? '');
  return done;
}

export const tempDir = (prefix = 'cd-test-') => mkdtempSync(join(tmpdir(), prefix));

/** A child's whole output and exit code, once it has closed. */
export function outputOf(child: ChildProcess): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The built command run to completion in the caller's environment (keyring included), in English,
 * on the data folder and working folder the suite holds; `json` adds --json and parses the reply.
 */
export function syncCli(folders: () => { dataDir: string; cwd: string }) {
  const run = (args: string[], dataDir = folders().dataDir) => {
    const r = spawnSync(process.execPath, [CLI, ...args], {
      env: { ...process.env, CLEARANCE_DATA_DIR: dataDir, CLEARANCE_LANG: 'en' },
      cwd: folders().cwd,
      encoding: 'utf8',
      timeout: 90_000,
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const json = (args: string[]) => {
    const r = run([...args, '--json']);
    try {
      return { ...r, body: JSON.parse(r.out) };
    } catch {
      throw new Error(`${args.join(' ')}: exit ${r.code}, no JSON; stderr: ${r.err.slice(0, 400)}`);
    }
  };
  return { run, json };
}

/** The built command, expected to exit 0: a failure names the command and shows its output. */
export async function cliOk(args: string[], env: Record<string, string>, input?: string): Promise<CliRun> {
  const r = await runCli(args, env, input !== undefined ? { input } : {});
  expect(r.code, `${args.join(' ')}: ${r.stderr}${r.stdout}`).toBe(0);
  return r;
}

/** The same with --json: the parsed reply. */
export const cliJson = async (args: string[], env: Record<string, string>) =>
  JSON.parse((await cliOk([...args, '--json'], env)).stdout);
