import type { Page, TestInfo } from '@playwright/test';
import { expect, test } from './fixtures';

const shot = async (page: Page, testInfo: TestInfo) =>
  testInfo.attach('screen', { body: await page.screenshot(), contentType: 'image/png' });
const prefs = (page: Page) => page.getByRole('region', { name: /偏好|Preferences/ });
const accounts = (page: Page) => page.getByRole('region', { name: /^(账号|Accounts)$/ });

test('settings round trip: preferences and an account survive a reload; secrets stay write-only', async ({
  page,
}, testInfo) => {
  await page.getByRole('button', { name: /设置/ }).first().click();
  await prefs(page).getByLabel('记录保留天数').fill('120');
  await prefs(page).getByLabel('“即将过期”提前天数').fill('45');
  await prefs(page).getByLabel('导出与打印的水印文字').fill('仅限报关 测试');
  await prefs(page).getByRole('button', { name: '保存偏好' }).click();
  await expect(page.getByText('已保存').first()).toBeVisible();

  await accounts(page).getByRole('button', { name: '添加账号' }).click();
  const form = page.getByRole('form', { name: '添加账号' });
  await form.getByLabel('账号标识').fill('acme');
  await form.getByLabel('显示名称').fill('阿克米 仓库');
  await form.getByLabel('App Key', { exact: true }).fill('12345678');
  await form.getByLabel('网关').selectOption('demo');
  await form.getByLabel('App Secret').fill('not-a-real-secret');
  await expect(form.getByLabel('App Secret')).toHaveAttribute('type', 'password');
  await form.getByRole('button', { name: '保存' }).click();
  const item = accounts(page).getByRole('listitem', { name: '阿克米 仓库' });
  await expect(item).toBeVisible();
  await expect(item).toContainText('App Secret: 已保存');
  await expect(item).toContainText('SessionKey: 未设置');
  await shot(page, testInfo);

  await page.reload();
  await page.getByRole('button', { name: /设置/ }).first().click();
  await expect(prefs(page).getByLabel('记录保留天数')).toHaveValue('120');
  await expect(prefs(page).getByLabel('“即将过期”提前天数')).toHaveValue('45');
  await expect(prefs(page).getByLabel('导出与打印的水印文字')).toHaveValue('仅限报关 测试');
  await expect(accounts(page).getByRole('listitem', { name: '阿克米 仓库' })).toBeVisible();

  // Editing never shows the secret back.
  await accounts(page)
    .getByRole('listitem', { name: '阿克米 仓库' })
    .getByRole('button', { name: '编辑' })
    .click();
  const edit = page.getByRole('form', { name: '编辑账号' });
  await expect(edit.getByLabel('App Secret')).toHaveValue('');
  await expect(edit.getByLabel('账号标识')).toHaveValue('acme');
  await expect(edit.getByLabel('账号标识')).toBeDisabled();
  await shot(page, testInfo);
});

test('language switch: English everywhere, remembered across a reload, and back', async ({
  page,
}, testInfo) => {
  await expect(page.getByRole('textbox', { name: /订单号/ })).toBeVisible();
  await page.keyboard.press('Alt+4');
  await prefs(page).getByLabel('界面语言').selectOption('en-US');
  await expect(page.getByRole('navigation', { name: 'Main views' })).toBeVisible();
  await expect(prefs(page).getByLabel('Language')).toHaveValue('en-US');
  await page.reload();
  await expect(page.getByRole('textbox', { name: /Order/ })).toBeFocused();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en-US');
  await page.getByRole('textbox', { name: /Order/ }).fill('2000000000000003');
  await page.keyboard.press('Enter');
  await expect(page.locator('.badge-expiry')).toContainText('Expiring soon');
  await shot(page, testInfo);

  await page.keyboard.press('Alt+4');
  await prefs(page).getByLabel('Language').selectOption('zh-CN');
  await expect(page.getByRole('navigation', { name: '主要视图' })).toBeVisible();
  await shot(page, testInfo);
});

test('a refused watermark has its own heading and goes once the text is fixed; purge says how many records it deletes', async ({
  page,
}) => {
  await expect(page.getByRole('textbox', { name: /订单号/ })).toBeFocused();
  await page.keyboard.press('Alt+4');
  const watermark = prefs(page).getByLabel('导出与打印的水印文字');
  await watermark.fill('样本 无效');
  await prefs(page).getByRole('button', { name: '保存偏好' }).click();
  const refusal = prefs(page).getByRole('alert');
  await expect(refusal).toContainText('水印文字不可用');
  await expect(refusal).not.toContainText('订单号有误');
  await watermark.fill('仅限报关');
  await expect(refusal).toHaveCount(0);
  await prefs(page).getByRole('button', { name: '保存偏好' }).click();
  await expect(page.getByText('已保存').first()).toBeVisible();

  await prefs(page).getByRole('button', { name: '立即清理过期数据' }).click();
  const ask = page.getByRole('dialog');
  await expect(ask).toContainText(/没有超过 \d+ 天保留期限的记录/);
  await ask.getByRole('button', { name: '取消' }).click();
  await expect(ask).toHaveCount(0);
});
