import type { Page, TestInfo } from '@playwright/test';
import type { Harness } from '../harness/harness';
import { expect, test } from './fixtures';

const shot = async (page: Page, testInfo: TestInfo) =>
  testInfo.attach('screen', { body: await page.screenshot(), contentType: 'image/png' });

// Generated demo orders: any id matching /^3\d{15}$/ is an invented valid person.
const IDS = Array.from({ length: 50 }, (_, i) => `3${String(i + 1).padStart(15, '0')}`);
const MORE = Array.from({ length: 20 }, (_, i) => `3${String(i + 101).padStart(15, '0')}`);

/**
 * The demo account at 4 calls per second: 50 orders take over 12 s, so every step below happens
 * while the job still runs, however loaded the machine (no step waits for time to pass).
 */
async function slowDown(desk: Harness) {
  const s = await desk.backend.handlers['settings.get']({});
  if (!s.ok) throw new Error(s.error.kind);
  const p = s.value.profiles[0];
  if (!p) throw new Error('no demo profile');
  const saved = await desk.backend.handlers['profile.save']({
    name: p.name,
    displayName: p.displayName,
    appKey: p.appKey,
    gateway: p.gateway,
    signMethod: p.signMethod,
    targetAppKey: p.targetAppKey,
    sessionExpiresAt: p.sessionExpiresAt,
    qps: 4,
  });
  if (!saved.ok) throw new Error(saved.error.kind);
}

/** Reload the page and open the batch view once the app is up (the order box has focus). */
async function reopenBatch(page: Page) {
  await page.reload();
  await expect(page.getByRole('textbox', { name: /订单号/ })).toBeFocused();
  await page.keyboard.press('Alt+3');
}

const stat = (page: Page, label: string) =>
  page.locator('.stat').filter({ hasText: label }).locator('.stat-value');

test('a batch of 50 orders: every line accounted for, pause, cancel question, reload, resume, summary, history', async ({
  page,
  desk,
}, testInfo) => {
  test.setTimeout(120_000);
  await slowDown(desk);
  await expect(page.getByRole('textbox', { name: /订单号/ })).toBeFocused();
  await page.keyboard.press('Alt+3');
  const pasted = [
    ...IDS.slice(0, 10),
    'ABC',
    ...IDS.slice(10),
    IDS[0],
    '123456789012345678901234',
    '1.23457E+18',
  ];
  await page.getByRole('textbox', { name: /订单号列表/ }).fill(pasted.join('\n'));
  await page.getByRole('button', { name: '检查' }).click();
  await expect(stat(page, '有效')).toHaveText('50');
  await expect(stat(page, '重复')).toHaveText('1');
  await expect(stat(page, '无效')).toHaveText('3');
  // Each line left out says why: "ABC", a number too long, one Excel changed.
  const leftOut = page.getByTestId('left-out');
  await expect(leftOut).toContainText('4 个条目未加入批次');
  await expect(leftOut.locator('[data-reason="order-id-line-invalid"]')).toContainText('第 11 行');
  await expect(leftOut.locator('[data-reason="order-id-invalid"]')).toContainText('第 53 行');
  await expect(leftOut.locator('[data-reason="order-id-excel-rounded"]')).toContainText('已被 Excel 改动');
  await expect(leftOut.locator('[data-reason="order-id-excel-rounded"]')).toContainText('第 54 行');
  await shot(page, testInfo);

  await page.getByRole('button', { name: '开始查询 50 个订单' }).click();
  const progress = page.getByRole('progressbar', { name: '进度' });
  const state = page.getByTestId('job-state');
  await expect(progress).toBeVisible();
  await expect(state).toHaveText('进行中');

  // Keyboard: Ctrl+Shift+P pauses and resumes; Ctrl+Shift+X asks to cancel, and the job waits
  // while the question is open; "继续运行" lets it go on.
  await page.keyboard.press('Control+Shift+P');
  await expect(state).toHaveText('已暂停');
  await page.keyboard.press('Control+Shift+P');
  await expect(state).toHaveText('进行中');
  await page.keyboard.press('Control+Shift+X');
  const ask = page.getByRole('dialog');
  await expect(ask.getByRole('button', { name: '继续运行' })).toBeFocused();
  await expect(state).toHaveText('已暂停');
  await ask.getByRole('button', { name: '继续运行' }).click();
  await expect(state).toHaveText('进行中');

  // Paused, then the page reloads: the same job comes back paused, and continues.
  await page.getByRole('button', { name: '暂停' }).click();
  await expect(state).toHaveText('已暂停');
  const doneAtPause = Number(await progress.getAttribute('aria-valuenow'));
  expect(doneAtPause).toBeLessThan(50);
  await reopenBatch(page);
  await expect(state).toHaveText('已暂停');
  await page.getByRole('button', { name: '继续', exact: true }).click();
  await expect(state).toHaveText('已完成', { timeout: 90_000 });
  await expect(progress).toHaveAttribute('aria-valuenow', '50');
  await expect(stat(page, '完成')).toHaveText('50');
  await expect(stat(page, '失败')).toHaveText('0');
  // Ended: the average rate and the duration, the summary in words.
  await expect(page.getByTestId('job-rate')).toContainText('平均');
  await expect(page.getByTestId('job-rate')).toContainText('用时');
  await expect(page.getByTestId('job-summary')).toContainText(
    '完成 50 个订单，其中没有过期或校验未通过的证件',
  );
  const items = page.getByRole('region', { name: '订单状态' });
  await expect(items.getByRole('listitem').first()).toContainText('完成');
  await shot(page, testInfo);

  // A second job, cancelled: it reads as cancelled, also after a reload, and cannot continue.
  await page.getByRole('button', { name: '新的批量任务' }).click();
  await page.getByRole('textbox', { name: /订单号列表/ }).fill(MORE.join('\n'));
  await page.getByRole('button', { name: '检查' }).click();
  await page.getByRole('button', { name: `开始查询 ${MORE.length} 个订单` }).click();
  await expect(state).toHaveText('进行中');
  await page.getByRole('button', { name: '取消任务' }).click();
  await page.getByRole('dialog').getByRole('button', { name: '取消任务' }).click();
  await expect(state).toHaveText('已取消');
  await expect(page.getByTestId('job-summary')).toContainText('该任务已取消，不能继续');
  await expect(page.getByRole('button', { name: '继续', exact: true })).toHaveCount(0);

  await reopenBatch(page);
  // Both jobs stay in the history: the finished one and the cancelled one, neither with "continue".
  const history = page.getByRole('list', { name: '批量任务记录' });
  const rows = history.getByRole('listitem');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0).locator('.state')).toHaveText('已取消');
  await expect(rows.nth(1).locator('.state')).toHaveText('已完成');
  await expect(history.getByRole('button', { name: '继续', exact: true })).toHaveCount(0);
  await rows.nth(1).getByRole('button', { name: '查看' }).click();
  await expect(state).toHaveText('已完成');
  await expect(page.getByTestId('job-summary')).toContainText('完成 50 个订单');
  await shot(page, testInfo);
});
