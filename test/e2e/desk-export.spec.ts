import { existsSync } from 'node:fs';
import { expect, orderBox, scanAll, test } from './fixtures';

// Expired; bad check digit and expired; fine.
const ORDERS = ['2000000000000001', '1460536261312998', '2000000000000002'];

test('export dialog: ID problems named first, the broker preset, focus on the main button, files listed, open folder, choice remembered', async ({
  page,
  desk,
}) => {
  await expect(orderBox(page)).toBeFocused();
  await scanAll(page, ORDERS);
  await page.keyboard.press('Alt+2');
  const list = page.getByRole('listbox', { name: '记录列表' });
  await expect(list.getByRole('option')).toHaveCount(3);
  await list.getByRole('option').first().click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.getByRole('button', { name: /导出所选/ }).click();

  const dialog = page.getByRole('dialog', { name: '导出' });
  const problems = dialog.getByTestId('export-problems');
  await expect(problems).toContainText('3 个订单中有 2 个的证件有问题');
  await expect(problems).toContainText('2000000000000001 — 证件已过期');
  await expect(problems).toContainText('1460536261312998 — 证件已过期，证件号码校验未通过');
  await expect(problems).not.toContainText('2000000000000002');
  await expect(dialog.getByRole('button', { name: '仍然导出' })).toBeFocused();

  await dialog.getByRole('button', { name: /给报关行/ }).click();
  await expect(dialog.getByLabel('遮盖姓名和证件号码')).not.toBeChecked();
  await expect(dialog.getByLabel('清单')).toHaveValue('xlsx');
  await dialog.getByRole('button', { name: '仍然导出' }).click();

  const done = page.getByTestId('export-done');
  // The PDF, the manifest and both sides of each order's images.
  await expect(done).toContainText('已写入 8 个文件', { timeout: 30_000 });
  const files = await done.getByRole('listitem').allInnerTexts();
  expect(files.some((f) => f.endsWith('.pdf'))).toBe(true);
  expect(files.some((f) => /manifest-.*\.xlsx$/.test(f))).toBe(true);
  for (const f of files) expect(existsSync(f), f).toBe(true);
  await done.getByRole('button', { name: '打开文件夹' }).click();
  await expect.poll(() => desk.openedFolders.length).toBe(1);

  // The next export under this account starts from the last choice.
  await page.getByRole('button', { name: /导出所选/ }).click();
  await expect(dialog.getByLabel('遮盖姓名和证件号码')).not.toBeChecked();
  await expect(dialog.getByLabel('清单')).toHaveValue('xlsx');
  await expect(dialog.getByRole('button', { name: /给报关行/ })).toHaveAttribute('aria-pressed', 'true');
});

test('an export that fails after it started says why (a watermark the font cannot draw)', async ({
  page,
}) => {
  await expect(orderBox(page)).toBeFocused();
  await scanAll(page, ['2000000000000002']);
  await page.keyboard.press('Alt+4');
  const prefs = page.getByRole('region', { name: /偏好|Preferences/ });
  // Hebrew: a valid watermark text, but the bundled face has no glyph for it.
  await prefs.getByLabel('导出与打印的水印文字').fill('שלום');
  await prefs.getByRole('button', { name: '保存偏好' }).click();
  await expect(page.getByText('已保存').first()).toBeVisible();
  await page.keyboard.press('Alt+2');
  const list = page.getByRole('listbox', { name: '记录列表' });
  await list.getByRole('option').first().click();
  await page.getByRole('button', { name: /导出所选/ }).click();
  const dialog = page.getByRole('dialog', { name: '导出' });
  await dialog.getByRole('button', { name: /^(选择位置并导出|仍然导出)$/ }).click();
  const notice = page.locator('.notice-error');
  await expect(notice).toContainText('导出失败');
  await expect(notice).toContainText('水印');
});
