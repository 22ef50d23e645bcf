import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clearanceCard, expect, orderBox, test } from './fixtures';

// 刘洋 in the demo gateway (invented).
const LIU_ORDER = '2000000000000002';
const LIU_ID = '310115199003074528';

test("an auditor finds a person's entries by the full ID number after the record was deleted, and exports them", async ({
  page,
  desk,
}) => {
  await expect(orderBox(page)).toBeFocused();
  await page.keyboard.type(LIU_ORDER);
  await page.keyboard.press('Enter');
  await expect(clearanceCard(page).getByTestId('card-order-id')).toHaveText(LIU_ORDER);
  await clearanceCard(page).getByRole('button', { name: '显示完整信息' }).click();
  await expect(clearanceCard(page).getByTestId('card-id-number')).toHaveText(LIU_ID);
  await clearanceCard(page).getByRole('button', { name: '删除记录' }).click();
  await page.getByRole('dialog').getByRole('button', { name: '删除记录' }).click();
  await expect(clearanceCard(page)).toHaveCount(0);
  // Another person's lookup, which the search must not return.
  await page.keyboard.type('3728150192837465928');
  await page.keyboard.press('Enter');
  await expect(clearanceCard(page).getByTestId('card-order-id')).toHaveText('3728150192837465928');

  await page.keyboard.press('Alt+4');
  const audit = page.getByRole('region', { name: '审计日志' });
  await audit.getByLabel('完整证件号码').fill(LIU_ID);
  const rows = audit.getByRole('table').getByRole('row');
  await expect(rows).toHaveCount(4); // the header, fetch, reveal, forget
  await expect(rows.nth(1)).toContainText('删除');
  await expect(rows.nth(2)).toContainText('显示完整信息');
  await expect(rows.nth(3)).toContainText('获取');
  await expect(audit.getByRole('table')).not.toContainText('3728150192837465928');
  // Details in words, in the UI's language.
  await expect(rows.nth(2)).toContainText('来源: 应用');
  await expect(rows.nth(2)).toContainText('字段: 姓名、证件号码');

  // By the order id's last digits, too.
  await audit.getByLabel('完整证件号码').fill('');
  await audit.getByLabel(/订单号/).fill('465928');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1)).toContainText('3728150192837465928');

  await audit.getByLabel(/订单号/).fill('');
  await audit.getByLabel('完整证件号码').fill(LIU_ID);
  await expect(rows).toHaveCount(4);
  const download = page.waitForEvent('download');
  await audit.getByRole('button', { name: '导出 CSV' }).click();
  const file = await (await download).path();
  const csv = readFileSync(file, 'utf8');
  expect(csv.trim().split('\r\n')).toHaveLength(4);
  expect(csv).toContain(LIU_ORDER);
  expect(csv).not.toContain(LIU_ID);

  // The same table as an Excel file, written by the core's XLSX writer where the user chose.
  await audit.getByRole('button', { name: '导出 Excel' }).click();
  await expect(page.getByText(/已导出 3 条审计记录到 audit-.*\.xlsx/)).toBeVisible();
  const dir = join(desk.dataDir, 'exports');
  const name = readdirSync(dir).find((f) => /^audit-.*\.xlsx$/.test(f));
  expect(name).toBeDefined();
  const { default: ExcelJS } = await import('exceljs');
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(join(dir, name as string));
  const sheet = book.worksheets[0];
  expect(sheet?.rowCount).toBe(4);
  expect(String(sheet?.getRow(1).getCell(1).value)).toBe('时间');
  const text = JSON.stringify(sheet?.getSheetValues());
  expect(text).toContain(LIU_ORDER);
  expect(text).toContain('显示完整信息');
  expect(text).not.toContain(LIU_ID);
});
