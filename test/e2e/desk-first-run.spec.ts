import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startHarness } from '../harness/harness';

test('first run without an account offers demo mode, which then looks orders up', async ({
  page,
}, testInfo) => {
  const desk = await startHarness({ dataDir: mkdtempSync(join(tmpdir(), 'cd-e2e-first-')), demo: false });
  try {
    await page.goto(desk.url);
    const welcome = page.getByRole('region', { name: '欢迎使用清关助手' });
    await expect(welcome).toBeVisible();
    // Nothing is connected yet: no green "online".
    await expect(page.locator('.statusbar')).toContainText('未连接');
    await expect(page.locator('.statusbar')).not.toContainText('在线');
    // The welcome card switches the language before anything else.
    await welcome.getByRole('button', { name: 'English' }).click();
    await expect(page.getByRole('region', { name: 'Welcome to Clearance Desk' })).toBeVisible();
    await page.getByRole('button', { name: '中文' }).click();
    await expect(welcome).toBeVisible();
    // The add-account form opens on its first field and says where the keys come from.
    await welcome.getByRole('button', { name: '添加账号' }).click();
    await expect(page.getByRole('form', { name: '添加账号' }).getByLabel('账号标识')).toBeFocused();
    await expect(page.getByRole('form', { name: '添加账号' })).toContainText('开放平台控制台');
    await page.keyboard.press('Alt+1');
    await testInfo.attach('screen', { body: await page.screenshot(), contentType: 'image/png' });
    await welcome.getByRole('button', { name: '进入演示模式' }).click();
    const box = page.getByRole('textbox', { name: /订单号/ });
    await expect(box).toBeFocused();
    await expect(page.locator('.demo-strip')).toBeVisible();
    await page.keyboard.type('2000000000000003', { delay: 5 });
    await page.keyboard.press('Enter');
    await expect(page.locator('.badge-expiry')).toHaveAttribute('data-status', 'expiring');
    await testInfo.attach('screen', { body: await page.screenshot(), contentType: 'image/png' });
  } finally {
    await desk.close();
  }
});
