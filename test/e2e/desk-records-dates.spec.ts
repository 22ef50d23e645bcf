import { expect, orderBox, scanAll, test } from './fixtures';

const ORDERS = ['2000000000000002', '2000000000000003', '2000000000000005'];
/** A Beijing day as YYYY-MM-DD, `offset` days from now. */
const day = (offset: number) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(
    new Date(Date.now() + offset * 86_400_000),
  );

test('records by fetch date: today, yesterday, a range', async ({ page }) => {
  await expect(orderBox(page)).toBeFocused();
  await scanAll(page, ORDERS);
  await page.keyboard.press('Alt+2');
  const list = page.getByRole('listbox', { name: '记录列表' });
  const dates = page.getByRole('group', { name: '获取日期（北京时间）' });
  await expect(list.getByRole('option')).toHaveCount(ORDERS.length);
  await expect(dates.getByRole('button', { name: '全部日期' })).toHaveAttribute('aria-pressed', 'true');

  await dates.getByRole('button', { name: '今天' }).click();
  await expect(list.getByRole('option')).toHaveCount(ORDERS.length);
  await dates.getByRole('button', { name: '昨天' }).click();
  await expect(list.getByRole('option')).toHaveCount(0);
  await expect(
    page
      .getByRole('status')
      .filter({ hasText: /共 0 条|0/ })
      .first(),
  ).toBeVisible();

  await dates.getByRole('button', { name: '日期范围' }).click();
  await dates.getByLabel('从（含）').fill(day(-7));
  await dates.getByLabel('到（含）').fill(day(-1));
  await expect(list.getByRole('option')).toHaveCount(0);
  await dates.getByLabel('到（含）').fill(day(0));
  await expect(list.getByRole('option')).toHaveCount(ORDERS.length);

  await dates.getByRole('button', { name: '全部日期' }).click();
  await expect(list.getByRole('option')).toHaveCount(ORDERS.length);
});
