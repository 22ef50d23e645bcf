import { defineConfig } from '@playwright/test';
import { CHROMIUM } from './test/support/chromium';

/**
 * End-to-end tests drive the real UI in Debian's Chromium through the harness (test/harness):
 * real preload, IPC validation, backend, keychain, vault and the demo gateway on loopback.
 * Playwright never downloads a browser here.
 */
export default defineConfig({
  testDir: 'test/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    browserName: 'chromium',
    viewport: { width: 1280, height: 800 },
    locale: 'zh-CN',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: CHROMIUM,
  },
  projects: [
    { name: 'harness', testIgnore: /electron-shell/ },
    { name: 'electron', testMatch: /electron-shell/ },
  ],
});
