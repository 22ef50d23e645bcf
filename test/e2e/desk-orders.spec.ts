import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page, TestInfo } from '@playwright/test';
import { startHarness } from '../harness/harness';
import { gb18030 } from '../support/gb18030';
import { test as base, expect } from './fixtures';

// 王芳's demo order; the sheet calls the consignee 王小芳, so the name check fires.
const WANG = '3728150192837465928';
const WAYBILL = 'SF1234567890';

/** The usual harness, with the host's "file dialog" answering with a sheet this test wrote (GB 18030). */
const test = base.extend({
  desk: async ({}, use) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cd-e2e-orders-'));
    const sheet = join(dataDir, '订单表.csv');
    writeFileSync(
      sheet,
      gb18030(
        [
          '交易订单号,物流单号,收货人,手机,实付金额,下单时间,备注',
          `${WANG},${WAYBILL},王小芳,13812341234,"1,280.00",2025-06-15 10:00:00,`,
          '3000000000000301,YT0000000001,张三,13900001111,99.00,2025-06-15 10:05:00,',
          '3000000000000302,YT0000000002,李四,13900002222,5000.01,2025-06-15 10:06:00,',
        ].join('\r\n'),
      ),
    );
    const desk = await startHarness({
      dataDir,
      demo: true,
      env: { ...process.env, CLEARANCE_HARNESS_IMPORT: sheet },
    });
    await use(desk);
    await desk.close();
  },
});

const shot = async (page: Page, testInfo: TestInfo) =>
  testInfo.attach('screen', { body: await page.screenshot(), contentType: 'image/png' });

test('import the order sheet, scan a waybill, see the name-mismatch finding on the card', async ({
  page,
}, testInfo) => {
  const box = page.getByRole('textbox', { name: /订单号/ });
  await expect(box).toBeFocused();
  await page.keyboard.press('Alt+3');
  const sheet = page.getByTestId('order-sheet');
  await sheet.getByRole('button', { name: '选择文件…' }).click();
  const result = page.getByTestId('sheet-result');
  await expect(result).toContainText('已导入 订单表.csv：3 行');
  await expect(result).toContainText('新增 3 · 变更 0 · 未变 0');
  await expect(result).toContainText('未导入的列：备注');
  await shot(page, testInfo);

  // The orders without an identity go to the batch view's list, ready to start.
  await result.getByRole('button', { name: '将 3 个尚无身份信息的订单送去批量查询' }).click();
  const stat = (label: string) => page.locator('.stat').filter({ hasText: label }).locator('.stat-value');
  await expect(stat('有效')).toHaveText('3');

  // The scanner reads the waybill at the lookup bar: it opens that order's card.
  await page.keyboard.press('Alt+1');
  await expect(box).toBeFocused();
  await page.keyboard.type(`${WAYBILL}`, { delay: 5 });
  await page.keyboard.press('Enter');
  const card = page.getByRole('article', { name: /清关身份卡/ });
  await expect(card.getByTestId('card-order-id')).toHaveText(WANG);
  const findings = card.getByTestId('card-findings');
  await expect(findings.locator('[data-code="name-mismatch"]')).toContainText(
    '订单表的收件人与证件姓名不一致',
  );
  // The sheet row is shown masked, like the identity.
  await expect(findings).toContainText('138****1234');
  await expect(findings).toContainText('王**');
  await expect(findings).not.toContainText('王小芳');
  await shot(page, testInfo);

  // The records list filters by a finding: only 王芳's order has the name mismatch.
  await page.keyboard.press('Alt+2');
  const filter = page.getByRole('combobox', { name: '申报前检查' });
  const count = page.locator('.records-view .count');
  await filter.selectOption('over-order-limit');
  await expect(count).toHaveText('共 0 条');
  await filter.selectOption('name-mismatch');
  await expect(count).toHaveText('共 1 条');
  await expect(page.locator('.records-view').getByText(WANG)).toBeVisible();
  await page.keyboard.press('Alt+1');

  // A scan that is neither a waybill on the sheet nor an order id is refused without a lookup.
  await box.fill('SF0000000000X');
  await box.press('Enter');
  await expect(page.getByText(/既不是已导入订单表中的运单号/).first()).toBeVisible();
});
