import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Page, TestInfo } from '@playwright/test';
import ExcelJS from 'exceljs';
import yauzl from 'yauzl';
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

/** Every entry of a ZIP with its bytes, in the archive's order. */
function readZip(path: string): Promise<{ name: string; bytes: Buffer }[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out: { name: string; bytes: Buffer }[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const parts: Buffer[] = [];
          stream.on('data', (d: Buffer) => parts.push(d));
          stream.on('end', () => {
            out.push({ name: entry.fileName, bytes: Buffer.concat(parts) });
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

test('the package flow: sheet, scans, a limit changed in Settings, a ZIP for the broker', async ({
  page,
}, testInfo) => {
  const box = page.getByRole('textbox', { name: /订单号/ });
  await expect(box).toBeFocused();
  await page.keyboard.press('Alt+3');
  await page.getByTestId('order-sheet').getByRole('button', { name: '选择文件…' }).click();
  await expect(page.getByTestId('sheet-result')).toContainText('已导入 订单表.csv：3 行');

  // Scan both parcels' waybills; 王芳's card says the names differ, her ¥1,280.00 is within the limit.
  await page.keyboard.press('Alt+1');
  const card = page.getByRole('article', { name: /清关身份卡/ });
  const findings = card.getByTestId('card-findings');
  const scan = async (waybill: string, orderId: string) => {
    await expect(box).toBeFocused();
    await page.keyboard.type(waybill, { delay: 5 });
    await page.keyboard.press('Enter');
    await expect(card.getByTestId('card-order-id')).toHaveText(orderId);
  };
  await scan('YT0000000001', '3000000000000301');
  await scan(WAYBILL, WANG);
  await expect(findings.locator('[data-code="name-mismatch"]')).toBeVisible();
  await expect(findings.locator('[data-code="over-order-limit"]')).toHaveCount(0);

  // Settings → checks: the per-order limit down to ¥1,000.00; a bad amount is refused in place first.
  await page.keyboard.press('Alt+4');
  const checks = page.getByRole('region', { name: '申报前检查' });
  const limit = checks.getByLabel('单笔限额（元）');
  await expect(limit).toHaveValue('5000.00');
  await limit.fill('1000.005');
  await checks.getByRole('button', { name: '保存检查设置' }).click();
  await expect(checks.getByText('请输入金额（元），最多两位小数，例如 5000.00')).toBeVisible();
  await expect(limit).toBeFocused();
  await limit.fill('1,000.00');
  await checks.getByRole('button', { name: '保存检查设置' }).click();
  await expect(page.getByText('已保存').first()).toBeVisible();
  await expect(limit).toHaveValue('1000.00');
  await shot(page, testInfo);

  // No restart: the next scan's card has the new limit's finding.
  await page.keyboard.press('Alt+1');
  await scan(WAYBILL, WANG);
  await expect(findings.locator('[data-code="over-order-limit"]')).toContainText(
    '实付 ¥1,280.00，超过单笔限额 ¥1,000.00',
  );
  await expect(findings.locator('[data-code="name-mismatch"]')).toBeVisible();

  // Export both as one package with the CEB621 manifest.
  await page.keyboard.press('Alt+2');
  const list = page.getByRole('listbox', { name: '记录列表' });
  await expect(list.getByRole('option')).toHaveCount(2);
  await list.getByRole('option').first().click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.getByRole('button', { name: /导出所选/ }).click();
  const dialog = page.getByRole('dialog', { name: '导出' });
  await dialog.getByLabel('报关行模板（表格的列）').selectOption('ceb621');
  await dialog.getByLabel(/清关包/).check();
  await expect(dialog.getByText(/checks\.txt 和每页 PDF/)).toBeVisible();
  await dialog.getByRole('button', { name: /导出/ }).last().click();
  const done = page.getByTestId('export-done');
  await expect(done).toContainText('已写入 1 个文件', { timeout: 30_000 });
  const [zipPath] = await done.getByRole('listitem').allInnerTexts();
  expect(zipPath).toMatch(/clearance-\d{14}\.zip$/);
  await shot(page, testInfo);

  const entries = await readZip(zipPath as string);
  const names = entries.map((e) => e.name);
  const pdfName = basename(zipPath as string).replace(/\.zip$/, '.pdf');
  // The images as they come (in the selection's order), then the manifest, the PDF and the findings.
  expect(names.slice(-3)).toEqual(['manifest.xlsx', pdfName, 'checks.txt']);
  expect(names.slice(0, -3).sort()).toEqual([
    '3000000000000301-back.jpg',
    '3000000000000301-front.jpg',
    `${WANG}-back.jpg`,
    `${WANG}-front.jpg`,
  ]);
  const entry = (name: string) => entries.find((e) => e.name === name)?.bytes as Buffer;
  for (const n of names.filter((x) => x.endsWith('.jpg')))
    expect([...entry(n).subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
  expect(entry(pdfName).subarray(0, 5).toString()).toBe('%PDF-');
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(entry('manifest.xlsx') as unknown as ArrayBuffer);
  const sheet = book.worksheets[0];
  if (!sheet) throw new Error('the manifest has no worksheet');
  const header = (sheet.getRow(1).values as unknown[]).slice(1);
  expect(header).toEqual([
    'orderNo',
    'logisticsNo',
    'buyerIdType',
    'buyerIdNumber',
    'buyerName',
    'buyerTelephone',
    'acturalPaid',
    'payTransactionId',
  ]);
  const text = entry('checks.txt').toString('utf8');
  expect(text).toContain(`${WANG}\tname-mismatch\t`);
  expect(text).toContain(`${WANG}\tover-order-limit\t`);
  // The other parcel's ¥99.00 is within even the lowered limit (its sheet name is not the ID's either).
  expect(text).toContain('发现 Findings: 3');
  expect(text).not.toContain('3000000000000301\tover-order-limit');
  expect(text).not.toContain('王小芳');
});
