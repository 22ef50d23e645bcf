import { expect, test } from './fixtures';

test('honest status: a demo test says it vouches for no typed secret, testing another account leaves the app online, the status bar switches accounts', async ({
  page,
}) => {
  await expect(page.getByRole('textbox', { name: /订单号/ })).toBeFocused();
  await page.keyboard.press('Alt+4');
  const accounts = page.getByRole('region', { name: /^(账号|Accounts)$/ });
  await accounts.getByRole('button', { name: '添加账号' }).click();
  const form = page.getByRole('form', { name: '添加账号' });
  await form.getByLabel('账号标识').fill('second');
  await form.getByLabel('显示名称').fill('第二个仓库');
  await form.getByLabel('App Key', { exact: true }).fill('87654321');
  await form.getByLabel('网关').selectOption('demo');
  await form.getByLabel('App Secret').fill('typed-but-ignored');
  await form.getByRole('button', { name: '保存' }).click();
  const item = accounts.getByRole('listitem', { name: '第二个仓库' });
  await expect(item).toBeVisible();

  await item.getByRole('button', { name: '测试连接' }).click();
  const report = item.getByRole('status');
  await expect(report).toContainText('演示网关不检查填入的 App Secret');
  await expect(report.getByRole('listitem').filter({ hasText: '签名' })).toHaveCount(0);
  await expect(page.locator('.statusbar')).toContainText('在线');

  const switcher = page.getByRole('combobox', { name: '切换账号' });
  await switcher.selectOption('second');
  await expect(page.locator('.statusbar')).toContainText('第二个仓库');
});

test('honest badge: an account never checked reads 未测试, one lookup the gateway answered makes it 授权正常', async ({
  page,
}) => {
  await expect(page.getByRole('textbox', { name: /订单号/ })).toBeFocused();
  const badge = page.locator('.statusbar [data-badge]');
  await expect(badge).toHaveText('未测试');
  await expect(badge).toHaveAttribute('data-badge', 'untested');
  await page.keyboard.type('2000000000000002');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('article').first()).toBeVisible();
  await expect(badge).toHaveText('授权正常');
  await page.keyboard.press('Alt+4');
  const accounts = page.getByRole('region', { name: /^(账号|Accounts)$/ });
  await expect(accounts.locator('[data-badge]').first()).toHaveText('授权正常');
});
