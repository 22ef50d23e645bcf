/**
 * The manifest: one row per order (exported or failed), as CSV (UTF-8 with a byte-order mark so Excel reads
 * Chinese; cells that a spreadsheet would run as a formula are defused) or as XLSX (exceljs'
 * streaming writer; every column is text, so a 19-digit order id keeps all its digits).
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';

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

/**
 * Rows are kept until the end and written sorted by order id (numerically: shorter ids first), so
 * the broker's sheet reads in order whatever order the pages were made in. A row is a few short
 * strings: 100,000 orders are a few tens of MB at most.
 */
export interface ManifestWriter {
  add(orderId: string, cells: string[]): void;
  finish(): Promise<void>;
  abort(): void;
}

export const byOrderId = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

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

function sorted(rows: { id: string; cells: string[] }[]) {
  return rows.sort((a, b) => byOrderId(a.id, b.id)).map((r) => r.cells);
}

function csvWriter(tmpPath: string, headers: string[]): ManifestWriter {
  const rows: { id: string; cells: string[] }[] = [];
  let stream: WriteStream | undefined;
  return {
    add: (id, cells) => {
      rows.push({ id, cells });
    },
    async finish() {
      const f = fileStream(tmpPath);
      stream = f.stream;
      await write(stream, `\uFEFF${csvLine(headers)}`);
      for (const cells of sorted(rows)) {
        await write(stream, csvLine(cells));
        f.check();
      }
      stream.end();
      await finished(stream);
      f.check();
    },
    abort: () => stream?.destroy(),
  };
}

function xlsxWriter(
  tmpPath: string,
  columns: { header: string; width: number }[],
  sheetName = '清关清单 Manifest',
): ManifestWriter {
  const rows: { id: string; cells: string[] }[] = [];
  let stream: WriteStream | undefined;
  return {
    add: (id, cells) => {
      rows.push({ id, cells });
    },
    async finish() {
      // Loaded on demand: exceljs takes about a second to import, and most exports need no XLSX.
      const { default: ExcelJS } = await import('exceljs');
      const f = fileStream(tmpPath);
      stream = f.stream;
      const book = new ExcelJS.stream.xlsx.WorkbookWriter({
        stream,
        useStyles: true,
        useSharedStrings: false,
      });
      book.creator = 'Clearance Desk';
      const sheet = book.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
      // numFmt '@' keeps a cell text even when someone retypes it in Excel.
      sheet.columns = columns.map((c, i) => ({
        header: c.header,
        key: `c${i}`,
        width: c.width,
        style: { numFmt: '@' },
      }));
      sheet.getRow(1).font = { bold: true };
      for (const cells of sorted(rows)) {
        // Strings stay strings in the file (inline strings), never numbers or formulas.
        sheet.addRow(cells).commit();
        f.check();
        if (stream.writableNeedDrain) await Promise.race([once(stream, 'drain'), once(stream, 'close')]);
      }
      sheet.commit();
      await book.commit();
      await finished(stream);
      f.check();
    },
    abort: () => stream?.destroy(),
  };
}

export type ManifestFormat = 'csv' | 'xlsx';

export function manifestFormat(path: string): ManifestFormat | undefined {
  const m = /\.(csv|xlsx)$/i.exec(path);
  return m ? ((m[1] as string).toLowerCase() as ManifestFormat) : undefined;
}

/** `sheetName` names the XLSX worksheet (another table than the manifest: the audit log). */
export function openManifest(
  format: ManifestFormat,
  tmpPath: string,
  columns: { header: string; width: number }[],
  sheetName?: string,
): ManifestWriter {
  return format === 'csv'
    ? csvWriter(
        tmpPath,
        columns.map((c) => c.header),
      )
    : xlsxWriter(tmpPath, columns, sheetName);
}
