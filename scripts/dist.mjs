// `npm run dist`: packages the app with electron-builder (electron-builder.yml). Packaging needs
// Electron's binary: when it is not installed yet it is fetched first through Electron's own
// installer (scripts/electron-binary.mjs), and electron-builder packs that same build rather than
// downloading another. When the binary cannot be had, this says why and stops.
//   node scripts/dist.mjs [electron-builder flags…]
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { electronPackageDir, ensureElectron } from './electron-binary.mjs';

const args = process.argv.slice(2);
const got = await ensureElectron();
if (!got.binary) {
  console.error(`npm run dist needs Electron's binary, and it could not be installed.
Reason: ${got.reason}

Packaging runs where the download can succeed: Electron's installer honours ELECTRON_MIRROR, electron_config_cache,
HTTPS_PROXY/NO_PROXY and electron_use_remote_checksums=1 (see README, Packaging).`);
  process.exit(1);
}

// The installed build is this machine's: hand it to electron-builder only for this machine's packages.
const HOST = {
  linux: ['--linux', '-l'],
  win32: ['--win', '-w', '--windows'],
  darwin: ['--mac', '-m', '--macos'],
};
const targets = Object.entries(HOST).filter(([, flags]) => args.some((a) => flags.includes(a)));
const forHost = targets.length === 0 || (targets.length === 1 && targets[0][0] === process.platform);
const electronDist = forHost ? [`--config.electronDist=${join(electronPackageDir(), 'dist')}`] : [];

const builder = join(
  dirname(createRequire(import.meta.url).resolve('electron-builder/package.json')),
  'cli.js',
);
const child = spawn(
  process.execPath,
  [builder, '--config', 'electron-builder.yml', ...electronDist, ...args],
  {
    stdio: 'inherit',
  },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
