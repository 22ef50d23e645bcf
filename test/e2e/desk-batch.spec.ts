import type { Page, TestInfo } from '@playwright/test';
import { expect, test } from './fixtures';

const shot = async (page: Page, testInfo: TestInfo) =>
  testInfo.attach('screen', { body: await page.screenshot(), contentType: 'image/png' });

// Generated demo orders: any id matching /^3\d{15}$/ is an invented valid person.
const IDS = Array.from({ length: 50 }, (_, i) => `3${String(i + 1).padStart(15, '0')}`);

test('a batch of 50 orders: check, start, progress, cancel, resume, finish', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  await expect(page.getByRole('textbox', { name: /订单号/ })).toBeFocused();
  await page.keyboard.press('Alt+3');
  const pasted = [...IDS, IDS[0], '123456789012345678901234'].join('\n');
  await page.getByRole('textbox', { name: /订单号列表/ }).fill(pasted);
  await page.getByRole('button', { name: '检查' }).click();
  const stat = (label: string) => page.locator('.stat').filter({ hasText: label }).locator('.stat-value');
  await expect(stat('有效')).toHaveText('50');
  await expect(stat('重复')).toHaveText('1');
  await expect(stat('无效')).toHaveText('1');
  await shot(page, testInfo);

  await page.getByRole('button', { name: '开始查询 50 个订单' }).click();
  const progress = page.getByRole('progressbar', { name: '进度' });
  await expect(progress).toBeVisible();
  await expect(page.getByTestId('job-state')).toHaveText('进行中');

  // Keyboard: Ctrl+Shift+P pauses and resumes; Ctrl+Shift+X asks to cancel, and the job waits
  // while the question is open; "继续运行" lets it go on.
  await page.keyboard.press('Control+Shift+P');
  await expect(page.getByTestId('job-state')).toHaveText('已暂停');
  await page.keyboard.press('Control+Shift+P');
  await expect(page.getByTestId('job-state')).toHaveText('进行中');
  await page.keyboard.press('Control+Shift+X');
  const ask = page.getByRole('dialog');
  await expect(ask.getByRole('button', { name: '继续运行' })).toBeFocused();
  await expect(page.getByTestId('job-state')).toHaveText('已暂停');
  await ask.getByRole('button', { name: '继续运行' }).click();
  await expect(page.getByTestId('job-state')).toHaveText('进行中');

  // Cancel while it runs (confirmed), then resume the same job.
  await page.getByRole('button', { name: '取消任务' }).click();
  await page.getByRole('dialog').getByRole('button', { name: '取消任务' }).click();
  // The job was paused while the question was open: wait for the cancel itself to land
  // (a "继续" clicked before then would be overtaken by the cancel).
  await expect(page.getByTestId('job-state')).toHaveText('已取消');
  const doneAtCancel = Number(await progress.getAttribute('aria-valuenow'));
  expect(doneAtCancel).toBeLessThan(50);
  await shot(page, testInfo);

  await page.getByRole('button', { name: '继续' }).first().click();
  await expect(page.getByTestId('job-state')).toHaveText('已完成', { timeout: 90_000 });
  await expect(progress).toHaveAttribute('aria-valuenow', '50');
  await expect(stat('完成')).toHaveText('50');
  await expect(stat('失败')).toHaveText('0');
  const items = page.getByRole('region', { name: '订单状态' });
  await expect(items.getByRole('listitem').first()).toContainText('完成');
  await shot(page, testInfo);
});
