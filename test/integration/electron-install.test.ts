/**
 * `npm start` installs Electron's binary through Electron's own installer when it is missing, then
 * launches it; a failed download says why. No network: a mirror on 127.0.0.1 serves a stand-in
 * archive (an executable script named as Electron's binary, plus `version`) and its SHASUMS256.txt,
 * and the installer runs in a copy of node_modules/electron inside a temporary project, so the
 * real package is never touched.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { tempDir } from '../support/cli';

const ROOT = new URL('../../', import.meta.url).pathname;
const REAL_ELECTRON = join(ROOT, 'node_modules/electron');
const VERSION: string = JSON.parse(readFileSync(join(REAL_ELECTRON, 'package.json'), 'utf8')).version;
const ARCH = process.arch === 'arm' ? 'armv7l' : process.arch;
const ZIP_NAME = `electron-v${VERSION}-${process.platform}-${ARCH}.zip`;

/** What the stand-in binary prints: proof that it, and nothing else, was launched, with which arguments. */
const STAND_IN = '#!/bin/sh\necho "stand-in electron launched with: $*"\n';

function standInZip(): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from(STAND_IN), 'electron', { mode: 0o100755 });
  zip.addBuffer(Buffer.from(VERSION), 'version');
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

/** A mirror laid out as github.com/electron/electron/releases/download is: v<version>/<file>. */
async function startMirror(zip: Buffer, sha256: string) {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === `/v${VERSION}/${ZIP_NAME}`) {
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': zip.length });
      res.end(zip);
    } else if (req.url === `/v${VERSION}/SHASUMS256.txt`) {
      res.end(`${sha256} *${ZIP_NAME}\n${'0'.repeat(64)} *electron-v${VERSION}-other-x64.zip\n`);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { url, requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A project of its own: the three start scripts and a copy of the electron package, the rest linked. */
function project() {
  const dir = tempDir('cd-electron-install-');
  mkdirSync(join(dir, 'scripts'));
  for (const f of ['start.mjs', 'electron-binary.mjs', 'electron-progress.mjs'])
    copyFileSync(join(ROOT, 'scripts', f), join(dir, 'scripts', f));
  const modules = join(dir, 'node_modules');
  cpSync(REAL_ELECTRON, join(modules, 'electron'), {
    recursive: true,
    filter: (src) => !/[/\\]electron[/\\](dist|path\.txt|node_modules)$/.test(src),
  });
  // The installer's own dependencies, as they are (read only).
  for (const scope of ['@electron', '@electron-internal'])
    symlinkSync(join(ROOT, 'node_modules', scope), join(modules, scope), 'dir');
  return { dir, electron: join(modules, 'electron') };
}

function start(dir: string, mirror: string, args: string[]) {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    // Nothing of this machine's own Electron or proxy settings: only what the test sets.
    if (!/^(electron_|npm_config_electron|ELECTRON_|https?_proxy|no_proxy)/i.test(k)) env[k] = v;
  }
  Object.assign(env, {
    ELECTRON_MIRROR: mirror,
    electron_config_cache: tempDir('cd-electron-cache-'),
    electron_use_remote_checksums: '1',
  });
  return run(dir, env, args);
}

/** Asynchronously: the mirror answers from this very process. */
function run(dir: string, env: NodeJS.ProcessEnv, args: string[]) {
  const child = spawn(process.execPath, [join(dir, 'scripts/start.mjs'), ...args], { cwd: dir, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b) => {
    stdout += b;
  });
  child.stderr.on('data', (b) => {
    stderr += b;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    }),
  );
}

describe.skipIf(process.platform !== 'linux')('npm start installs Electron through its own installer', () => {
  let zip: Buffer;
  let good: Awaited<ReturnType<typeof startMirror>>;
  let bad: Awaited<ReturnType<typeof startMirror>>;

  beforeAll(async () => {
    zip = await standInZip();
    good = await startMirror(zip, createHash('sha256').update(zip).digest('hex'));
    bad = await startMirror(zip, createHash('sha256').update('not the archive').digest('hex'));
  });
  afterAll(async () => {
    await good?.close();
    await bad?.close();
  });

  it('downloads from the mirror with progress, checks the remote checksum, installs, then launches the binary', async () => {
    const { dir, electron } = project();
    expect(existsSync(join(electron, 'path.txt'))).toBe(false);

    const r = await start(dir, good.url, ['--demo']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`downloading it from ${good.url}`);
    expect(r.stdout).toMatch(new RegExp(`Downloading ${ZIP_NAME.replace(/\./g, '\\.')}: .* \\(100%\\)`));
    expect(good.requests).toEqual([`/v${VERSION}/${ZIP_NAME}`, `/v${VERSION}/SHASUMS256.txt`]);
    // Installed where Electron's index.js looks, and that binary is what ran, with the app's arguments.
    expect(readFileSync(join(electron, 'path.txt'), 'utf8')).toBe('electron');
    expect(readFileSync(join(electron, 'dist/electron'), 'utf8')).toBe(STAND_IN);
    expect(r.stdout).toContain('stand-in electron launched with: dist/main/main.js --demo');

    // Installed once: the next start launches without asking the mirror again.
    const before = good.requests.length;
    const again = await start(dir, good.url, ['--install-only']);
    expect(again.status).toBe(0);
    expect(again.stdout.trim()).toBe(join(electron, 'dist/electron'));
    expect(good.requests.length).toBe(before);
  });

  it('a mirror whose SHASUMS256.txt does not match refuses the archive: nothing installed, the reason printed', async () => {
    const { dir, electron } = project();
    const r = await start(dir, bad.url, ['--demo']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Reason: .*checksum/i);
    expect(r.stderr).toContain('npm run harness -- --demo');
    expect(r.stdout).not.toContain('stand-in electron launched');
    expect(existsSync(join(electron, 'path.txt'))).toBe(false);
    expect(existsSync(join(electron, 'dist/electron'))).toBe(false);
  });

  it('a mirror without the archive: the status and the file are the reason', async () => {
    const { dir } = project();
    const r = await start(dir, `${good.url}missing/`, ['--install-only']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Reason: .*404/);
  });

  it('ELECTRON_SKIP_BINARY_DOWNLOAD: no download, and says so', async () => {
    const { dir } = project();
    const before = good.requests.length;
    const r = await run(
      dir,
      { ...process.env, ELECTRON_MIRROR: good.url, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
      [],
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Reason: ELECTRON_SKIP_BINARY_DOWNLOAD is set');
    expect(good.requests.length).toBe(before);
  });
});
