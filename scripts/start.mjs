// `npm start`: launches the desktop app with Electron where its binary is installed; where it is
// not (it downloads from GitHub at install time, which some networks block), says so and points
// to what works without it: the command and the browser harness, both with the demo gateway.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const pkg = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
const pathFile = join(pkg, 'path.txt');
const binary = existsSync(pathFile) ? join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim()) : null;

if (!binary || !existsSync(binary)) {
  console.error(`Electron's binary is not installed on this machine, so the desktop window cannot open here.
(It is downloaded from GitHub by \`npm ci\`; this install skipped or could not reach it.)

What works without it, on the same core:
  node dist/cli/clearance-desk.js get 1460536261312998 --demo     the command, against the built-in demo gateway
  node dist/cli/clearance-desk.js --help                           every command
  npm run harness -- --demo                                        the full UI in a browser (open the printed URL)

To get the desktop app: run \`npm ci\` on a machine that can reach GitHub (without ELECTRON_SKIP_BINARY_DOWNLOAD), then \`npm start\`.`);
  process.exit(1);
}
const child = spawn(binary, ['dist/main/main.js', ...process.argv.slice(2)], { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 0));
