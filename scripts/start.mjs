// `npm start`: launches the desktop app with Electron. When Electron's binary is not installed yet
// (electron@45 fetches it on first use, not at `npm ci`), it is downloaded first through Electron's
// own installer, with progress (scripts/electron-binary.mjs). Only when that fails does this say
// why and point to what works without the binary: the command and the browser harness.
//   node scripts/start.mjs [app flags…]     install when missing, then launch
//   node scripts/start.mjs --install-only   install when missing, print the binary's path, exit
import { spawn } from 'node:child_process';
import { ensureElectron } from './electron-binary.mjs';

const args = process.argv.slice(2);
const installOnly = args.includes('--install-only');

const got = await ensureElectron();
if (!got.binary) {
  console.error(`Electron's binary could not be installed, so the desktop window cannot open here.
Reason: ${got.reason}

What works without it, on the same core:
  node dist/cli/clearance-desk.js get 1460536261312998 --demo     the command, against the built-in demo gateway
  node dist/cli/clearance-desk.js --help                           every command
  npm run harness -- --demo                                        the full UI in a browser (open the printed URL)

To get the desktop app: run \`npm start\` again where the download can succeed. Electron's installer honours
ELECTRON_MIRROR (a mirror of github.com/electron/electron/releases), electron_config_cache (a folder that
already holds the zip), HTTPS_PROXY/NO_PROXY, and electron_use_remote_checksums=1 (the mirror's SHASUMS256.txt).`);
  process.exit(1);
}
if (installOnly) {
  console.log(got.binary);
  process.exit(0);
}
const child = spawn(got.binary, ['dist/main/main.js', ...args], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => child.kill(s));
