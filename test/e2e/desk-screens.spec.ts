import { mkdirSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { expect, orderBox, test } from './fixtures';

// Screenshots for the README at a common office laptop size, in both languages.
const DIR = 'test-results/screens';
test.use({ viewport: { width: 1366, height: 768 } });

const save = (page: Page, name: string) => page.screenshot({ path: `${DIR}/${name}.png` });

for (const lang of ['zh-CN', 'en-US'] as const) {
  test(`screens at 1366×768 (${lang})`, async ({ page }) => {
    mkdirSync(DIR, { recursive: true });
    await expect(orderBox(page)).toBeFocused();
    if (lang === 'en-US') {
      await page.keyboard.press('Alt+4');
      await page.getByLabel('界面语言').selectOption('en-US');
      await page.keyboard.press('Alt+1');
      await expect(orderBox(page)).toBeFocused();
    }
    for (const id of ['2000000000000002', '3728150192837465928', '1234567', '2000000000000001']) {
      await page.keyboard.type(id);
      await page.keyboard.press('Enter');
      await expect(page.getByRole('status').filter({ hasText: id })).toHaveCount(0, { timeout: 15_000 });
    }
    await expect(page.getByTestId('problem')).toBeVisible();
    await save(page, `lookup-problem-${lang}`);

    await page.keyboard.type('3728150192837465928');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('card-order-id')).toHaveText('3728150192837465928');
    await save(page, `lookup-ok-${lang}`);

    await page.keyboard.press('Alt+2');
    await expect(page.getByRole('listbox')).toBeVisible();
    await save(page, `records-${lang}`);

    await page.keyboard.press('Alt+4');
    await page.getByRole('region', { name: /审计日志|Audit log/ }).scrollIntoViewIfNeeded();
    await save(page, `settings-audit-${lang}`);
  });
}
