// Runs every test, inside a private D-Bus session with a fresh, unlocked GNOME keyring so that
// keychain code meets a real Secret Service without touching the user's own:
//   1. Vitest: unit, integration (demo gateway on loopback, real files, the built command) and
//      keychain suites, under a foreign time zone (America/New_York);
//   2. the unit suites again under UTC;
//   3. Playwright end-to-end tests in Debian's Chromium through the harness.
// `node scripts/test.mjs <vitest args>` runs only Vitest with those arguments.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
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

const haveKeyring = existsSync('/usr/bin/dbus-run-session') && existsSync('/usr/bin/gnome-keyring-daemon');
const script = [
  'set -e',
  ...(haveKeyring ? ['printf %s ci | gnome-keyring-daemon --unlock --components=secrets >/dev/null'] : []),
  ...steps.map((s) => `echo; echo "\\$ ${s}"; ${s}`),
].join('\n');

const env = { ...process.env };
if (haveKeyring) {
  env.XDG_DATA_HOME = mkdtempSync(join(tmpdir(), 'cd-xdg-data-'));
  env.XDG_RUNTIME_DIR = mkdtempSync(join(tmpdir(), 'cd-xdg-run-'));
  env.CLEARANCE_KEYCHAIN_TESTS = 'required';
} else {
  console.warn(
    'dbus-run-session or gnome-keyring-daemon missing: keychain tests will skip (apt-get install dbus gnome-keyring).',
  );
}
const r = haveKeyring
  ? spawnSync('dbus-run-session', ['--', 'sh', '-c', script], { stdio: 'inherit', env })
  : spawnSync('sh', ['-c', script], { stdio: 'inherit', env });
if (r.status !== 0) console.error(`\nTESTS FAILED (exit ${r.status ?? r.signal})`);
process.exit(r.status ?? 1);
