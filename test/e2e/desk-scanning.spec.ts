import type { AuditRow } from '../../electron/contract';
import { clearanceCard, expect, orderBox, test } from './fixtures';

// Generated demo orders: any id matching /^3\d{15}$/ is an invented valid person.
const ids = Array.from({ length: 20 }, (_, i) => `3${String(101 + i).padStart(15, '0')}`);

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

test('20 scans interleaved with copy and reveal clicks: each order looked up once, no extra audit entries', async ({
  page,
  desk,
}) => {
  test.setTimeout(120_000);
  await expect(orderBox(page)).toBeFocused();
  let copies = 0;
  let reveals = 0;

  for (const [i, id] of ids.entries()) {
    const how = i % 5;
    if (how === 1) {
      // Tab-suffixed scanner.
      await page.keyboard.type(id, { delay: 2 });
      await page.keyboard.press('Tab');
    } else if (how === 2) {
      // F2-prefixed scanner, with the focus left on a copy button by a keyboard user.
      await clearanceCard(page)
        .getByRole('button', { name: /复制完整证件号/ })
        .focus();
      await page.keyboard.press('F2');
      await page.keyboard.type(id, { delay: 0 });
      await page.keyboard.press('Enter');
    } else if (how === 3) {
      // Focus on a copy button, no F2: the digits and the Enter still go to the box.
      await clearanceCard(page)
        .getByRole('button', { name: /复制完整姓名/ })
        .focus();
      await page.keyboard.type(id, { delay: 2 });
      await page.keyboard.press('Enter');
    } else {
      await page.keyboard.type(id, { delay: 2 });
      await page.keyboard.press('Enter');
    }
    await expect(clearanceCard(page).getByTestId('card-order-id')).toHaveText(id);
    await expect(orderBox(page)).toBeFocused();

    // Between scans: a copy click, a reveal click, or a click on an empty area.
    if (i % 3 === 0) {
      await clearanceCard(page)
        .getByRole('button', { name: /复制完整证件号/ })
        .click();
      copies++;
      await expect(page.getByText('已复制完整证件号（已记入审计日志）').first()).toBeVisible();
    } else if (i % 3 === 1) {
      await clearanceCard(page).getByRole('button', { name: '显示完整信息' }).click();
      reveals++;
      await expect(clearanceCard(page).getByRole('button', { name: '隐藏' })).toBeVisible();
    } else {
      await page.locator('.card-body').click({ position: { x: 5, y: 5 } });
    }
    await expect(orderBox(page)).toBeFocused();
  }

  // Closing a dialog also gives the box back.
  await clearanceCard(page)
    .getByRole('button', { name: /放大查看人像面/ })
    .click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(orderBox(page)).toBeFocused();

  const audit = await desk.backend.handlers['audit.list']({ limit: 1000 });
  if (!audit.ok) throw new Error(audit.error.kind);
  const rows: AuditRow[] = audit.value;
  const count = (action: string) => rows.filter((r) => r.action === action).length;
  for (const id of ids) {
    expect(
      rows.filter((r) => r.action === 'fetch' && r.orderIds.includes(id)),
      id,
    ).toHaveLength(1);
  }
  expect(count('fetch')).toBe(ids.length);
  expect(count('copy')).toBe(copies);
  expect(count('reveal')).toBe(reveals);

  // The recent strip lists the last 20, newest first, all fine.
  const recent = page.getByRole('complementary', { name: /本次最近查询/ });
  await expect(recent.getByRole('listitem')).toHaveCount(20);
  await expect(recent.getByRole('listitem').first()).toContainText(ids[19] as string);
  await expect(recent.locator('[data-state="ok"]')).toHaveCount(20);
});

test('F2 then digits at once, from another view: the whole id is looked up', async ({ page }) => {
  await expect(orderBox(page)).toBeFocused();
  await page.keyboard.press('Alt+2');
  await expect(page.locator('.lookup-view')).toHaveCount(0);
  await page.locator('body').click({ position: { x: 5, y: 300 } });
  await page.keyboard.press('F2');
  await page.keyboard.type('2000000000000001', { delay: 0 });
  await page.keyboard.press('Enter');
  await expect(clearanceCard(page).getByTestId('card-order-id')).toHaveText('2000000000000001');
});

test('problems are loud: expired, bad check digit and unknown order in red with the next step; reopen from the strip', async ({
  page,
}) => {
  await page.evaluate(() => localStorage.setItem('clearance.problemSound', '1'));
  await page.reload();
  await expect(orderBox(page)).toBeFocused();
  const problem = page.getByTestId('problem');

  await page.keyboard.type('2000000000000001');
  await page.keyboard.press('Enter');
  await expect(problem).toContainText('不要按原样发出此包裹');
  await expect(problem).toContainText('证件已过期');
  await expect(problem).toContainText('联系收件人提供新的有效证件');

  await page.keyboard.type('1460536261312998');
  await page.keyboard.press('Enter');
  await expect(problem).toContainText('证件号码校验未通过');
  await expect(problem).toContainText('证件已过期');

  await page.keyboard.type('1234567');
  await page.keyboard.press('Enter');
  await expect(problem).toContainText('没有该订单的清关信息');
  await expect(problem).toContainText('扣留包裹');
  await expect(page.locator('body')).toHaveAttribute('data-problem-beeps', '3');

  await page.keyboard.type('2000000000000002');
  await page.keyboard.press('Enter');
  await expect(clearanceCard(page).getByTestId('card-order-id')).toHaveText('2000000000000002');
  await expect(problem).toHaveCount(0);
  await expect(page.locator('body')).toHaveAttribute('data-problem-beeps', '3');

  const recent = page.getByRole('complementary', { name: /本次最近查询/ });
  await expect(recent.locator('[data-state="problem"]')).toHaveCount(3);
  await expect(recent.locator('[data-state="ok"]')).toHaveCount(1);

  // F3, down to the second newest (the unknown order), Enter reopens it; the box has the focus again.
  await page.keyboard.press('F3');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(clearanceCard(page).getByTestId('card-order-id')).toHaveText('1460536261312998');
  await expect(orderBox(page)).toBeFocused();
});

test('while a lookup runs the previous card is not shown under the new order id', async ({ page }) => {
  await expect(orderBox(page)).toBeFocused();
  await page.keyboard.type('2000000000000002');
  await page.keyboard.press('Enter');
  await expect(clearanceCard(page).getByTestId('card-order-id')).toHaveText('2000000000000002');
  // The network-failure scenario takes a while: the old card must be gone meanwhile.
  await page.keyboard.type('9000000000000104');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: '正在查询 9000000000000104' })).toBeVisible();
  await expect(clearanceCard(page)).toHaveCount(0);
  await expect(page.locator('.error-card[data-kind="network"]')).toBeVisible({ timeout: 30_000 });
});

test('copy from the keyboard: Ctrl+Shift+N and Ctrl+Shift+C copy the full values, audited, and say so', async ({
  page,
  desk,
}) => {
  await expect(orderBox(page)).toBeFocused();
  await page.keyboard.type('2000000000000002');
  await page.keyboard.press('Enter');
  await expect(clearanceCard(page).getByTestId('card-order-id')).toHaveText('2000000000000002');
  await page.keyboard.press('Control+Shift+C');
  await expect(page.getByText('已复制完整证件号（已记入审计日志）').first()).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('310115199003074528');
  await page.keyboard.press('Control+Shift+N');
  await expect(page.getByText('已复制完整姓名（已记入审计日志）').first()).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('刘洋');
  await expect(orderBox(page)).toBeFocused();
  const audit = await desk.backend.handlers['audit.list']({ action: 'copy', limit: 100 });
  expect(audit.ok && audit.value.map((r) => r.detail.field).sort()).toEqual(['idNumber', 'name']);
});
