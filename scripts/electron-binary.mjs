// Electron's binary, installed on first use through Electron's own installer.
//
// electron@45 has no install script: `npm ci` leaves its binary out, and the package fetches it
// the first time something asks for it (node_modules/electron/install.js, through @electron/get).
// `npm start`, `npm run dist` and the real-shell Playwright test ask here. The installer is run as
// it is, so it honours everything it honours on its own: ELECTRON_MIRROR (and the other mirror
// options), electron_config_cache, HTTPS_PROXY / HTTP_PROXY / NO_PROXY (through its
// ELECTRON_GET_USE_PROXY switch, turned on here when a proxy is set), the checksums shipped in the
// package, or the mirror's SHASUMS256.txt with electron_use_remote_checksums=1. What this file adds:
// progress from the first byte (the installer's own bar waits 30 s), and the reason in words when
// the download fails.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The electron package this checkout resolves (node_modules/electron beside scripts/). */
export function electronPackageDir() {
  return dirname(createRequire(import.meta.url).resolve('electron/package.json'));
}

/** The executable Electron's index.js would start, or null when it is not there. */
export function installedBinary(packageDir = electronPackageDir()) {
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

const truthy = (v) => v !== undefined && v !== '' && v !== '0' && v !== 'false';

/**
 * The binary, downloading it first when it is missing.
 * Resolves to `{ binary, downloaded }` or `{ binary: null, reason }`; never throws.
 * Progress goes to `out`; what the installer says on failure comes back as the reason.
 */
export async function ensureElectron({
  packageDir = electronPackageDir(),
  env = process.env,
  out = process.stdout,
  timeoutMs = 0,
} = {}) {
  const ready = installedBinary(packageDir);
  if (ready) return { binary: ready, downloaded: false };
  if (truthy(env.ELECTRON_SKIP_BINARY_DOWNLOAD)) {
    return { binary: null, reason: 'ELECTRON_SKIP_BINARY_DOWNLOAD is set, so it was not downloaded' };
  }
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const source =
    env.ELECTRON_MIRROR || env.npm_config_electron_mirror || 'GitHub (github.com/electron/electron/releases)';
  out.write(
    `Electron ${version}: its binary is not installed yet; downloading it from ${source} with Electron's installer…\n`,
  );

  const childEnv = { ...env };
  if (!truthy(env.ELECTRON_GET_NO_PROGRESS)) {
    // Ours shows from the first byte; the installer's own bar would start after 30 s, over it.
    childEnv.ELECTRON_GET_NO_PROGRESS = '1';
    childEnv.CLEARANCE_ELECTRON_PROGRESS = out.isTTY ? 'tty' : 'lines';
  }
  const proxy = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((k) => truthy(env[k]));
  if (proxy && childEnv.ELECTRON_GET_USE_PROXY === undefined) childEnv.ELECTRON_GET_USE_PROXY = 'true';

  const hook = pathToFileURL(join(import.meta.dirname, 'electron-progress.mjs')).href;
  const child = spawn(process.execPath, [`--import=${hook}`, join(packageDir, 'install.js')], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const said = [];
  child.stdout.on('data', (b) => out.write(b));
  child.stderr.on('data', (b) => said.push(b));
  const timer = timeoutMs > 0 ? setTimeout(() => child.kill('SIGTERM'), timeoutMs) : null;
  const [code, signal] = await new Promise((resolve) => {
    child.on('error', (e) => {
      said.push(Buffer.from(`${e.message}\n`));
      resolve([1, null]);
    });
    child.on('close', (c, s) => resolve([c, s]));
  });
  if (timer) clearTimeout(timer);
  const text = Buffer.concat(said).toString('utf8');
  const binary = installedBinary(packageDir);
  if (code === 0 && binary) return { binary, downloaded: true };
  if (signal && timeoutMs > 0)
    return { binary: null, reason: `the download took longer than ${timeoutMs / 1000} s` };
  return {
    binary: null,
    reason: reasonOf(text) || `the installer ended with ${signal ?? `exit status ${code}`}`,
  };
}

/** The installer prints a stack: keep its messages, drop the frames. */
export function reasonOf(text) {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !/^at\s/.test(l) && !l.startsWith('{') && !l.startsWith('}'))
    .join(' · ')
    .slice(0, 600);
}
