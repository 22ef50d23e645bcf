import { clearanceCard, expect, orderBox, scanAll, test } from './fixtures';

const ORDERS = ['3728150192837465928', '2000000000000002', '2000000000000003', '2000000000000005'];

test('finding records: an order-id suffix, the search kept across opening a card, Shift+↓ from the anchor, 19 digits at 150 %', async ({
  page,
}) => {
  await expect(orderBox(page)).toBeFocused();
  await scanAll(page, ORDERS);
  await page.keyboard.press('Alt+2');
  const list = page.getByRole('listbox', { name: '记录列表' });
  const search = page.getByRole('searchbox', { name: '搜索订单号' });
  await expect(search).toHaveAttribute('placeholder', /结尾.*姓名.*后几位/);
  await search.fill('465928');
  await expect(list.getByRole('option')).toHaveCount(1);
  await expect(list.getByRole('option').first()).toContainText('3728150192837465928');

  // Open it, come back: the search is still there.
  await list.getByRole('option').first().dblclick();
  await expect(clearanceCard(page).getByTestId('card-order-id')).toHaveText('3728150192837465928');
  await page.keyboard.press('Alt+2');
  await expect(search).toHaveValue('465928');
  await expect(list.getByRole('option')).toHaveCount(1);

  // Shift+↓ without a click first: the row the cursor is on is part of the selection.
  await search.fill('');
  await expect(list.getByRole('option')).toHaveCount(ORDERS.length);
  await list.focus();
  await page.keyboard.press('Shift+ArrowDown');
  await expect(page.getByText('已选 2 条')).toBeVisible();
  await expect(list.getByRole('option').nth(0)).toHaveAttribute('aria-selected', 'true');
  await expect(list.getByRole('option').nth(1)).toHaveAttribute('aria-selected', 'true');

  // A 1366-pixel screen at 150 % zoom is 911 CSS pixels wide: the 19-digit id still fits.
  await page.setViewportSize({ width: 911, height: 600 });
  await search.fill('3728');
  const cell = list.getByRole('option').first().locator('.col-orderId');
  await expect(cell).toHaveText('3728150192837465928');
  const fits = await cell.evaluate((el) => el.scrollWidth <= el.clientWidth);
  expect(fits).toBe(true);
});

test('a whole ID number in the search box finds its records exactly, and says the search is audited', async ({
  page,
}) => {
  await expect(orderBox(page)).toBeFocused();
  await scanAll(page, ORDERS);
  await page.keyboard.press('Alt+2');
  const list = page.getByRole('listbox', { name: '记录列表' });
  const search = page.getByRole('searchbox', { name: '搜索订单号' });
  // The demo's 王芳 (lower-case x as some people type it).
  await search.fill('11010519491231002x');
  await expect(list.getByRole('option')).toHaveCount(1);
  await expect(list.getByRole('option').first()).toContainText('3728150192837465928');
  await expect(page.getByText('按完整证件号码精确搜索（已记入审计日志）')).toBeVisible();
  // Its last digits are the ordinary search again: no note.
  await search.fill('002X');
  await expect(page.getByText(/按完整证件号码精确搜索/)).toHaveCount(0);
  // Nobody has this (valid) number: nothing found, still audited.
  await search.fill('110105194912310038');
  await expect(list.getByRole('option')).toHaveCount(0);
  await expect(page.getByText('按完整证件号码精确搜索（已记入审计日志）')).toBeVisible();
});
