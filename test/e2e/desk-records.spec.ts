import type { Page, TestInfo } from '@playwright/test';
import { clearanceCard, expect, orderBox, test } from './fixtures';

const shot = async (page: Page, testInfo: TestInfo) =>
  testInfo.attach('screen', { body: await page.screenshot(), contentType: 'image/png' });

// Demo people: documentation sample (expired, bad check digit), expired, long-term, expiring, no images, valid.
const ORDERS = [
  '1460536261312998',
  '2000000000000001',
  '2000000000000002',
  '2000000000000003',
  '2000000000000005',
  '3728150192837465928',
];

test('records: search as you type, filters, multi-select', async ({ page }, testInfo) => {
  for (const id of ORDERS) {
    await orderBox(page).fill(id);
    await orderBox(page).press('Enter');
    await expect(clearanceCard(page).getByTestId('card-order-id')).toHaveText(id);
  }
  await page.keyboard.press('Alt+2');
  const list = page.getByRole('listbox', { name: '记录列表' });
  await expect(list.getByRole('option')).toHaveCount(ORDERS.length);
  await expect(page.getByText(`共 ${ORDERS.length} 条`)).toBeVisible();

  await page.getByRole('searchbox', { name: '搜索订单号' }).fill('200000000000000');
  await expect(list.getByRole('option')).toHaveCount(4);
  await page.getByRole('searchbox', { name: '搜索订单号' }).fill('');
  await expect(list.getByRole('option')).toHaveCount(ORDERS.length);

  const chip = (name: string) => page.getByRole('button', { name, exact: true });
  await chip('已过期').click();
  await expect(chip('已过期')).toHaveAttribute('aria-pressed', 'true');
  await expect(list.getByRole('option')).toHaveCount(2);
  await expect(list).toContainText('1460536261312998');
  await expect(list).toContainText('2000000000000001');
  await chip('已过期').click();
  await chip('无照片').click();
  await expect(list.getByRole('option')).toHaveCount(1);
  await expect(list).toContainText('2000000000000005');
  await chip('无照片').click();
  await chip('校验未通过').click();
  await expect(list.getByRole('option').first()).toContainText('1460536261312998');
  await chip('校验未通过').click();
  await expect(list.getByRole('option')).toHaveCount(ORDERS.length);

  // Click, Shift+click, Ctrl+A.
  const options = list.getByRole('option');
  await options.nth(0).click();
  await options.nth(2).click({ modifiers: ['Shift'] });
  await expect(page.getByText('已选 3 条')).toBeVisible();
  await expect(options.nth(1)).toHaveAttribute('aria-selected', 'true');
  await options.nth(4).click({ modifiers: ['ControlOrMeta'] });
  await expect(page.getByText('已选 4 条')).toBeVisible();
  await page.keyboard.press('ControlOrMeta+a');
  await expect(page.getByText(`已选 ${ORDERS.length} 条`)).toBeVisible();
  await shot(page, testInfo);

  // Forget two with confirmation; the list and the count follow.
  await options.nth(0).click();
  await options.nth(1).click({ modifiers: ['Shift'] });
  await page.getByRole('button', { name: '删除所选' }).click();
  const dialog = page.getByRole('dialog', { name: '删除 2 条记录？' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: '删除所选' }).click();
  await expect(list.getByRole('option')).toHaveCount(ORDERS.length - 2);
  await shot(page, testInfo);
});
