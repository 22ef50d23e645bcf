import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
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

/** The lookup view's order box, in either language. */
export const orderBox = (page: Page) => page.getByRole('textbox', { name: /订单号|Order/ });
/** The clearance card on the lookup view, in either language. */
export const clearanceCard = (page: Page) => page.getByRole('article', { name: /清关身份卡|Clearance card/ });

/** Scans each order as a scanner does (digits, then Enter) and waits for its card. */
export async function scanAll(page: Page, orderIds: readonly string[]): Promise<void> {
  for (const id of orderIds) {
    await page.keyboard.type(id);
    await page.keyboard.press('Enter');
    await expect(clearanceCard(page).getByTestId('card-order-id')).toHaveText(id);
  }
}
