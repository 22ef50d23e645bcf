/**
 * The manifest: one row per exported order, as CSV (UTF-8 with a byte-order mark so Excel reads
 * Chinese; cells that a spreadsheet would run as a formula are defused) or as XLSX (exceljs'
 * streaming writer; every column is text, so a 19-digit order id keeps all its digits).
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';

export interface ManifestRow {
  orderId: string;
  name: string;
  idNumber: string;
  type: string;
  expiry: string;
  expiryStatus: string;
  flags: string;
  warnings: string;
  pdf: string;
  front: string;
  back: string;
}

export const MANIFEST_COLUMNS: { key: keyof ManifestRow; header: string; width: number }[] = [
  { key: 'orderId', header: '订单号 Order id', width: 22 },
  { key: 'name', header: '姓名 Name', width: 12 },
  { key: 'idNumber', header: '证件号码 ID number', width: 22 },
  { key: 'type', header: '证件类型 Type', width: 16 },
  { key: 'expiry', header: '有效期至 Expiry', width: 13 },
  { key: 'expiryStatus', header: '有效期状态 Expiry status', width: 14 },
  { key: 'flags', header: '标记 Flags', width: 24 },
  { key: 'warnings', header: '警告 Warnings', width: 40 },
  { key: 'pdf', header: 'PDF 文件 PDF file', width: 26 },
  { key: 'front', header: '正面照片 Front image', width: 28 },
  { key: 'back', header: '背面照片 Back image', width: 28 },
];

/** A cell beginning with = + - @ (or tab / carriage return) would be run as a formula by Excel: prefix it with '. */
export function defuseCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** RFC 4180 quoting, after defusing. */
export function csvCell(value: string): string {
  const v = defuseCell(value);
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

export const csvLine = (cells: string[]) => `${cells.map(csvCell).join(',')}\r\n`;

export interface ManifestWriter {
  add(row: ManifestRow): Promise<void>;
  finish(): Promise<void>;
  abort(): void;
}

async function write(stream: WriteStream, text: string) {
  if (!stream.write(text)) await Promise.race([once(stream, 'drain'), once(stream, 'close')]);
}

/** A file stream whose errors surface at the next write or at the end, never as an unhandled event. */
function fileStream(path: string): { stream: WriteStream; check: () => void } {
  const stream = createWriteStream(path, { mode: 0o600 });
  let error: Error | undefined;
  stream.on('error', (err) => {
    error ??= err;
  });
  return {
    stream,
    check: () => {
      if (error) throw error;
    },
  };
}

function csvWriter(tmpPath: string): ManifestWriter {
  const { stream, check } = fileStream(tmpPath);
  let started = false;
  return {
    async add(row) {
      if (!started) {
        started = true;
        await write(stream, `\uFEFF${csvLine(MANIFEST_COLUMNS.map((c) => c.header))}`);
      }
      await write(stream, csvLine(MANIFEST_COLUMNS.map((c) => row[c.key])));
      check();
    },
    async finish() {
      if (!started) await write(stream, `\uFEFF${csvLine(MANIFEST_COLUMNS.map((c) => c.header))}`);
      stream.end();
      await finished(stream);
      check();
    },
    abort: () => stream.destroy(),
  };
}

async function xlsxWriter(tmpPath: string): Promise<ManifestWriter> {
  // Loaded on demand: exceljs takes about a second to import, and most exports need no XLSX.
  const { default: ExcelJS } = await import('exceljs');
  const { stream, check } = fileStream(tmpPath);
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
  book.creator = 'Clearance Desk';
  const sheet = book.addWorksheet('清关清单 Manifest', { views: [{ state: 'frozen', ySplit: 1 }] });
  // numFmt '@' keeps a cell text even when someone retypes it in Excel.
  sheet.columns = MANIFEST_COLUMNS.map((c) => ({
    header: c.header,
    key: c.key,
    width: c.width,
    style: { numFmt: '@' },
  }));
  sheet.getRow(1).font = { bold: true };
  return {
    async add(row) {
      // Strings stay strings in the file (inline strings), never numbers or formulas.
      sheet.addRow(MANIFEST_COLUMNS.map((c) => row[c.key])).commit();
      check();
      if (stream.writableNeedDrain) await Promise.race([once(stream, 'drain'), once(stream, 'close')]);
    },
    async finish() {
      sheet.commit();
      await book.commit();
      await finished(stream);
      check();
    },
    abort: () => stream.destroy(),
  };
}

export type ManifestFormat = 'csv' | 'xlsx';

export function manifestFormat(path: string): ManifestFormat | undefined {
  const m = /\.(csv|xlsx)$/i.exec(path);
  return m ? ((m[1] as string).toLowerCase() as ManifestFormat) : undefined;
}

export async function openManifest(format: ManifestFormat, tmpPath: string): Promise<ManifestWriter> {
  return format === 'csv' ? csvWriter(tmpPath) : xlsxWriter(tmpPath);
}
