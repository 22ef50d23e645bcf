// Runs every test: the Vitest suites (unit, integration against the demo gateway on loopback,
// keychain against a real Secret Service on a private D-Bus) under a foreign time zone, the
// time-sensitive unit tests again under UTC, then the Playwright end-to-end tests in Chromium.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const run = (cmd, args, env = {}) => {
  console.log(
    `\n$ ${[cmd, ...args].join(' ')}${
      Object.keys(env).length
        ? `  (${Object.entries(env)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')})`
        : ''
    }`,
  );
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`\nFAILED: ${cmd} ${args.join(' ')} (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
};

const vitest = 'node_modules/.bin/vitest';
const extra = process.argv.slice(2);

// A private session bus with a fresh, unlocked keyring, so keychain tests use the real Secret
// Service without touching the user's own (DESIGN.md). Without the tools, keychain tests say why they skip.
if (existsSync('/usr/bin/dbus-run-session') && existsSync('/usr/bin/gnome-keyring-daemon')) {
  const data = mkdtempSync(join(tmpdir(), 'cd-xdg-data-'));
  const runtime = mkdtempSync(join(tmpdir(), 'cd-xdg-run-'));
  run(
    'dbus-run-session',
    [
      '--',
      'sh',
      '-c',
      `printf %s ci | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec ${vitest} run ${extra.join(' ')}`,
    ],
    {
      XDG_DATA_HOME: data,
      XDG_RUNTIME_DIR: runtime,
      TZ: 'America/New_York',
      CLEARANCE_KEYCHAIN_TESTS: 'required',
    },
  );
} else {
  console.warn(
    'dbus-run-session or gnome-keyring-daemon missing: keychain tests will be skipped (apt-get install dbus gnome-keyring).',
  );
  run(vitest, ['run', ...extra], { TZ: 'America/New_York' });
}
if (extra.length === 0) {
  run(vitest, ['run', 'test/unit'], { TZ: 'UTC' });
  if (existsSync('playwright.config.ts')) run('node_modules/.bin/playwright', ['test'], {});
}
