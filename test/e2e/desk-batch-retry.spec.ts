import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

// Demo orders: /^3\d{15}$/ are invented valid people; short unknown ids get the platform's
// "no such order" failure (a per-order failure that does not stop the job).
const GOOD = Array.from({ length: 8 }, (_, i) => `3${String(i + 201).padStart(15, '0')}`);
const UNKNOWN = ['1000001', '1000002', '1000003'];
const stat = (page: Page, label: string) =>
  page.locator('.stat').filter({ hasText: label }).locator('.stat-value');

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

test('batch follow-up: retry only the failed orders, failed-only view, copy the failed ids', async ({
  page,
  desk,
}) => {
  test.setTimeout(90_000);
  await expect(page.getByRole('textbox', { name: /订单号/ })).toBeFocused();
  await page.keyboard.press('Alt+3');
  await page.getByRole('textbox', { name: /订单号列表/ }).fill([...GOOD, ...UNKNOWN].join('\n'));
  await page.getByRole('button', { name: '检查' }).click();
  await page.getByRole('button', { name: `开始查询 ${GOOD.length + UNKNOWN.length} 个订单` }).click();
  await expect(page.getByTestId('job-state')).toHaveText('已完成', { timeout: 60_000 });
  await expect(stat(page, '完成')).toHaveText(String(GOOD.length));
  await expect(stat(page, '失败')).toHaveText(String(UNKNOWN.length));

  // Failed only, then copy their ids.
  await page.getByLabel('只看失败的订单').check();
  const items = page.getByRole('region', { name: '订单状态' }).getByRole('listitem');
  await expect(items).toHaveCount(UNKNOWN.length);
  for (const id of UNKNOWN) await expect(items.filter({ hasText: id })).toHaveCount(1);
  await page.getByRole('button', { name: '复制失败的订单号' }).click();
  await expect(page.getByText(`已复制 ${UNKNOWN.length} 个失败的订单号`)).toBeVisible();
  expect((await page.evaluate(() => navigator.clipboard.readText())).trim().split('\n')).toEqual(UNKNOWN);

  const runs = async () => {
    const r = await desk.backend.handlers['audit.list']({ action: 'batch', limit: 50 });
    if (!r.ok) throw new Error(r.error.kind);
    return r.value;
  };
  expect(await runs()).toHaveLength(1);

  await page.getByRole('button', { name: `重试失败的 ${UNKNOWN.length} 个订单` }).click();
  await expect.poll(async () => (await runs()).length, { timeout: 30_000 }).toBe(2);
  await expect(page.getByTestId('job-state')).toHaveText('已完成');
  // The second run called the gateway for the failed orders only.
  const [second] = await runs();
  expect(second?.detail.calls).toBe(UNKNOWN.length);
  await expect(stat(page, '完成')).toHaveText(String(GOOD.length));
  await expect(stat(page, '失败')).toHaveText(String(UNKNOWN.length));
  const fetched = await desk.backend.handlers['audit.list']({ action: 'fetch', limit: 100 });
  // Each good order was stored once: the retry fetched none of them again.
  expect(fetched.ok && fetched.value.map((e) => e.orderIds[0]).sort()).toEqual([...GOOD].sort());

  // Exported for the broker: the manifest lists the failed orders too, with their reason.
  await page.getByRole('button', { name: '导出已完成的订单' }).click();
  const dialog = page.getByRole('dialog', { name: '导出' });
  await expect(dialog).toContainText(`导出 ${GOOD.length} 个订单`);
  await dialog.getByLabel('清单').selectOption('csv');
  await dialog.getByRole('button', { name: /导出/ }).last().click();
  const done = page.getByTestId('export-done');
  await expect(done).toBeVisible({ timeout: 30_000 });
  const manifest = (await done.getByRole('listitem').allInnerTexts()).find((f) =>
    /manifest-.*\.csv$/.test(f),
  );
  expect(manifest).toBeDefined();
  const rows = readFileSync(manifest as string, 'utf8')
    .trim()
    .split('\r\n');
  expect(rows).toHaveLength(1 + GOOD.length + UNKNOWN.length);
  for (const id of UNKNOWN) expect(rows.find((r) => r.startsWith(id))).toMatch(/未导出.*not exported/);
});
