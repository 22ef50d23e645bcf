import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect } from '@playwright/test';
import { type Harness, startHarness } from '../harness/harness';

/**
 * Each test gets its own harness: a fresh data folder (settings, vault) with the demo profile,
 * keychain entries namespaced by that folder's installation id, and the page opened on it.
 */
export const test = base.extend<{ desk: Harness }>({
  desk: async ({}, use) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cd-e2e-'));
    const desk = await startHarness({ dataDir, demo: true });
    await use(desk);
    await desk.close();
  },
  page: async ({ page, desk }, use) => {
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    await page.goto(desk.url);
    await use(page);
    expect(problems, 'no errors in the page').toEqual([]);
  },
});

export { expect };
