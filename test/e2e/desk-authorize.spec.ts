import { expect, test } from './fixtures';

const accounts = (page: import('@playwright/test').Page) =>
  page.getByRole('region', { name: /^(账号|Accounts)$/ });

test('authorise the demo account from Settings: the system browser gets the URL, the loopback callback finishes it', async ({
  page,
  desk,
}) => {
  await page.getByRole('button', { name: /设置/ }).first().click();
  const item = accounts(page).getByRole('listitem').first();
  await item.getByRole('button', { name: '授权', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: /授权账号/ });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('已在系统浏览器中打开授权页面');
  await expect.poll(() => desk.externalUrls.length).toBe(1);
  const url = new URL(desk.externalUrls[0] as string);
  expect(url.pathname).toBe('/authorize');
  expect(url.searchParams.get('view')).toBe('web');
  // Play the system browser: the demo gateway's stand-in page sends it to the app's listener.
  const landed = await fetch(url);
  expect(await landed.text()).toContain('可以关闭此页');
  await expect(dialog.getByTestId('authorize-done')).toContainText('授权成功');
  await expect(dialog).toContainText('演示供应商 demo-supplier');
  await expect(dialog).toContainText('(UTC+8)');
  await dialog.getByRole('button', { name: '关闭' }).click();
  // The next lookup uses the new session.
  await page.getByRole('button', { name: /查询/ }).first().click();
  const box = page.getByRole('textbox').first();
  await box.fill('3728150192837465928');
  await box.press('Enter');
  await expect(page.getByText('3728150192837465928').first()).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('a pasted code that was already used is refused in words, and nothing changes', async ({
  page,
  desk,
}) => {
  await page.getByRole('button', { name: /设置/ }).first().click();
  await accounts(page)
    .getByRole('listitem')
    .first()
    .getByRole('button', { name: '授权', exact: true })
    .click();
  const dialog = page.getByRole('dialog', { name: /授权账号/ });
  await expect.poll(() => desk.externalUrls.length).toBe(1);
  const hop = await fetch(desk.externalUrls[0] as string, { redirect: 'manual' });
  const landed = new URL(hop.headers.get('location') as string);
  const code = landed.searchParams.get('code') as string;
  await dialog.getByLabel(/粘贴/).fill(landed.toString());
  await dialog.getByRole('button', { name: '完成授权' }).click();
  await expect(dialog.getByTestId('authorize-done')).toBeVisible();
  await dialog.getByRole('button', { name: '关闭' }).click();

  await accounts(page)
    .getByRole('listitem')
    .first()
    .getByRole('button', { name: '授权', exact: true })
    .click();
  const again = page.getByRole('dialog', { name: /授权账号/ });
  await again.getByLabel(/粘贴/).fill(code);
  await again.getByRole('button', { name: '完成授权' }).click();
  await expect(again.getByRole('alert')).toContainText('授权码无效、已使用或已过期');
});
