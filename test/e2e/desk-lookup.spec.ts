import type { Page, TestInfo } from '@playwright/test';
import { clearanceCard, expect, orderBox, test } from './fixtures';

// Demo gateway people are invented (electron/core/demo/samples.ts).
const WANG = '3728150192837465928';
const LIU = '2000000000000002';

const shot = async (page: Page, testInfo: TestInfo) =>
  testInfo.attach('screen', { body: await page.screenshot(), contentType: 'image/png' });

test('scanner-style lookup: digits typed fast then Enter, focus comes back for the next scan', async ({
  page,
}, testInfo) => {
  await expect(orderBox(page)).toBeFocused();
  await page.keyboard.type(WANG, { delay: 5 });
  await page.keyboard.press('Enter');
  await expect(clearanceCard(page).getByTestId('card-order-id')).toHaveText(WANG);
  await expect(clearanceCard(page).getByTestId('card-id-number')).toHaveText('1101**********002X');
  await expect(clearanceCard(page).getByTestId('card-name')).toHaveText('王*');
  await expect(clearanceCard(page).getByText('演示', { exact: true })).toBeVisible();
  await expect(orderBox(page)).toBeFocused();

  // The next scan replaces the previous text (it is selected), without clicking anywhere.
  await page.keyboard.type(LIU, { delay: 5 });
  await page.keyboard.press('Enter');
  await expect(clearanceCard(page).getByTestId('card-order-id')).toHaveText(LIU);
  await expect(orderBox(page)).toHaveValue(LIU);
  await expect(clearanceCard(page).locator('.badge-expiry')).toHaveAttribute('data-status', 'long-term');
  await expect(clearanceCard(page).getByRole('img', { name: '人像面' })).toBeVisible();
  await expect(clearanceCard(page).getByRole('img', { name: '国徽面' })).toBeVisible();

  // The image zoom opens on click and Esc closes it.
  await clearanceCard(page)
    .getByRole('button', { name: /放大查看人像面/ })
    .click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await shot(page, testInfo);
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await shot(page, testInfo);
});

test('reveal shows the full values and is written to the audit log', async ({ page }, testInfo) => {
  await orderBox(page).fill(WANG);
  await orderBox(page).press('Enter');
  await expect(clearanceCard(page).getByTestId('card-id-number')).toHaveText('1101**********002X');
  await clearanceCard(page).getByRole('button', { name: '显示完整信息' }).click();
  await expect(clearanceCard(page).getByTestId('card-id-number')).toHaveText('11010519491231002X');
  await expect(clearanceCard(page).getByTestId('card-name')).toHaveText('王芳');
  await shot(page, testInfo);

  // Alt+4 opens Settings; the audit viewer filtered to reveals lists this order.
  await page.keyboard.press('Alt+4');
  const audit = page.getByRole('region', { name: '审计日志' });
  await audit.getByLabel('操作').selectOption('reveal');
  const table = audit.getByRole('table');
  await expect(table.getByRole('row').filter({ hasText: WANG })).toHaveCount(1);
  await expect(table.getByRole('row').filter({ hasText: WANG })).toContainText('显示完整信息');
  await table.scrollIntoViewIfNeeded();
  await shot(page, testInfo);
});

// Each error kind the demo gateway can produce, and how the card names it.
const ERROR_CASES: [string, string, string][] = [
  ['abc', 'invalid-input', '订单号有误'],
  ['1234567', 'business', '没有该订单的清关信息'],
  ['9000000000000041', 'invalid-input', '订单号有误'],
  ['9000000000000027', 'auth', '需要重新授权'],
  ['9000000000000011', 'permission', '没有接口权限'],
  ['9000000000000007', 'throttled', '调用太频繁'],
  ['9000000000000200', 'protocol', '网关回复异常'],
  ['9000000000000206', 'protocol', '网关回复异常'],
  ['9000000000000015', 'transient', '网关暂时不可用'],
  ['9000000000000104', 'network', '无法连接网关'],
];

for (const [input, kind, title] of ERROR_CASES) {
  test(`error card for ${kind} (${input})`, async ({ page }, testInfo) => {
    await orderBox(page).fill(input);
    await orderBox(page).press('Enter');
    const errorCard = page.locator(`.error-card[data-kind="${kind}"]`);
    await expect(errorCard).toBeVisible({ timeout: 30_000 });
    await expect(errorCard.getByRole('heading')).toHaveText(title);
    if (kind === 'throttled') await expect(errorCard).toContainText(/请等待 \d+ 秒后重试/);
    if (kind === 'auth') await expect(errorCard.getByRole('button', { name: '打开设置' })).toBeVisible();
    if (kind === 'auth') await expect(errorCard.getByRole('button', { name: '重新授权' })).toBeVisible();
    if (kind === 'invalid-input' && input === 'abc')
      await expect(orderBox(page)).toHaveAttribute('aria-invalid', 'true');
    await expect(orderBox(page)).toBeFocused();
    await shot(page, testInfo);
  });
}
