// Runs every test, inside a private D-Bus session with a fresh, unlocked GNOME keyring so that
// keychain code meets a real Secret Service without touching the user's own:
//   1. Vitest: unit, integration (demo gateway on loopback, real files, the built command) and
//      keychain suites, under a foreign time zone (America/New_York);
//   2. the unit suites again under UTC;
//   3. Playwright end-to-end tests in Debian's Chromium through the harness;
//   4. the PII scan (scripts/pii-scan.mjs) over the output of all of the above (teed to a log),
//      every file the tests left under this run's own TMPDIR, and Playwright's results: a test
//      identity or test secret anywhere fails the run, naming the file.
// `node scripts/test.mjs <vitest args>` runs only Vitest with those arguments (and the scan).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const extra = process.argv.slice(2);
const steps = [
  `TZ=America/New_York node_modules/.bin/vitest run ${extra.join(' ')}`,
  ...(extra.length === 0
    ? [
        'TZ=UTC node_modules/.bin/vitest run test/unit',
        existsSync('playwright.config.ts') ? 'node_modules/.bin/playwright test' : '',
      ]
    : []),
].filter(Boolean);

// One folder per run: the tests' temporary files (TMPDIR), the keyring's, and the captured output.
const run = mkdtempSync(join(tmpdir(), 'cd-test-run-'));
const tmp = join(run, 'tmp');
mkdirSync(tmp);
// Passable but not listable by others: the PostgreSQL the team tests start runs as `postgres` and
// must reach its own folder under TMPDIR. Each test's own folders stay owner-only (mkdtemp).
chmodSync(run, 0o711);
chmodSync(tmp, 0o711);
const logPath = join(run, 'output.log');

const haveKeyring = existsSync('/usr/bin/dbus-run-session') && existsSync('/usr/bin/gnome-keyring-daemon');
const script = [
  'set -e',
  ...(haveKeyring ? ['printf %s ci | gnome-keyring-daemon --unlock --components=secrets >/dev/null'] : []),
  ...steps.map((s) => `echo; echo "\\$ ${s}"; ${s}`),
].join('\n');

const env = { ...process.env, TMPDIR: tmp };
if (haveKeyring) {
  env.XDG_DATA_HOME = mkdtempSync(join(run, 'xdg-data-'));
  env.XDG_RUNTIME_DIR = mkdtempSync(join(run, 'xdg-run-'));
  env.CLEARANCE_KEYCHAIN_TESTS = 'required';
} else {
  console.warn(
    'dbus-run-session or gnome-keyring-daemon missing: keychain tests will skip (apt-get install dbus gnome-keyring).',
  );
}

const log = createWriteStream(logPath);
const child = haveKeyring
  ? spawn('dbus-run-session', ['--', 'sh', '-c', script], { stdio: ['inherit', 'pipe', 'pipe'], env })
  : spawn('sh', ['-c', script], { stdio: ['inherit', 'pipe', 'pipe'], env });
child.stdout.on('data', (d) => {
  process.stdout.write(d);
  log.write(d);
});
child.stderr.on('data', (d) => {
  process.stderr.write(d);
  log.write(d);
});
const [code, signal] = await new Promise((resolve) => child.on('close', (c, s) => resolve([c, s])));
await new Promise((resolve) => log.end(resolve));
if (code !== 0) console.error(`\nTESTS FAILED (exit ${code ?? signal})`);

console.log('\n$ node scripts/pii-scan.mjs');
const self = spawnSync(process.execPath, ['scripts/pii-scan.mjs', '--self-test'], { stdio: 'inherit' });
const roots = [tmp, 'test-results', 'playwright-report'].flatMap((r) => ['--root', r]);
const pii = spawnSync(process.execPath, ['scripts/pii-scan.mjs', '--log', logPath, ...roots], {
  stdio: 'inherit',
});
const scanFailed = self.status !== 0 || pii.status !== 0;
if (scanFailed) console.error(`\nPII SCAN FAILED: see the files named above (kept in ${run})`);
else if (code === 0) rmSync(run, { recursive: true, force: true });
process.exit(code !== 0 ? (code ?? 1) : scanFailed ? 1 : 0);
