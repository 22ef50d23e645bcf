/**
 * Where a job's orders come from: a pasted or saved text list (any separators), or one column of
 * a CSV or XLSX sheet. Every entry goes through normalizeOrderId; duplicates are dropped (first
 * kept) and entries that are not order ids are reported by line, never silently lost.
 */
import type ExcelJS from 'exceljs';
import { type ClearanceError, clearanceError, type ErrorReason } from '../errors';
import { normalizeOrderId, splitOrderIdList } from '../gateway/order-id';
import type { InvalidEntry } from './types';

export interface ParsedOrders {
  orderIds: string[];
  invalid: InvalidEntry[];
  /** Repeats of an order id already listed (dropped). */
  duplicates: number;
  /** The column used, for tables. */
  column: { index: number; name: string | null } | null;
}

/** A problem with the input as a whole; `columns` lists the sheet's header names when choosing one would fix it. */
export interface InputProblem {
  error: ClearanceError;
  columns: string[];
}

export type InputResult = { ok: true; value: ParsedOrders } | { ok: false; error: InputProblem };

/** A table cell: its text, and whether it was a number too large for the sheet to have kept exactly. */
export interface Cell {
  text: string;
  imprecise?: true;
}

export interface TableRow {
  /** 1-based line or row number in the source. */
  line: number;
  cells: Cell[];
}

/** Show an entry back only when it is nothing but digits and punctuation (a name or address never is). */
function preview(raw: string): Pick<InvalidEntry, 'preview'> {
  const t = raw.trim();
  return { preview: t.length <= 40 && /^[\d\s#:：.,_\-/+()eE]*$/.test(t) ? t : `‹${[...t].length}›` };
}

class Collector {
  private readonly seen = new Set<string>();
  readonly out: ParsedOrders = { orderIds: [], invalid: [], duplicates: 0, column: null };

  add(raw: string, line: number, forced?: ErrorReason) {
    if (forced) {
      this.out.invalid.push({ line, reason: forced, ...preview(raw) });
      return;
    }
    const id = normalizeOrderId(raw);
    if (!id.ok) {
      this.out.invalid.push({ line, reason: id.error.reason, ...preview(raw) });
      return;
    }
    if (this.seen.has(id.value)) {
      this.out.duplicates++;
      return;
    }
    this.seen.add(id.value);
    this.out.orderIds.push(id.value);
  }
}

/**
 * A text list: new lines, commas, tabs, spaces, Chinese punctuation all separate. Words with no
 * digit at all (a pasted `订单号` heading, a lone label) are not entries.
 */
export function ordersFromText(text: string): ParsedOrders {
  const c = new Collector();
  text
    .replace(/^\ufeff/, '')
    .split(/\r\n|\r|\n/)
    .forEach((lineText, i) => {
      // A label glued to its number by a colon survives the split ("订单号:123"); one split off is skipped.
      for (const token of splitOrderIdList(lineText)) {
        if (/\d/.test(token)) c.add(token, i + 1);
      }
    });
  return c.out;
}

/** RFC 4180 CSV (quotes, doubled quotes, new lines in quotes); comma, tab or semicolon, guessed from the first line. */
export function parseCsv(text: string): TableRow[] {
  const src = text.replace(/^\ufeff/, '');
  const firstLine = src.slice(0, src.search(/\r|\n|$/));
  const count = (ch: string) => firstLine.split(ch).length - 1;
  const delim = [',', '\t', ';'].reduce((best, ch) => (count(ch) > count(best) ? ch : best), ',');
  const rows: TableRow[] = [];
  let cells: Cell[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  const endField = () => {
    cells.push({ text: field });
    field = '';
  };
  const endRow = () => {
    endField();
    if (cells.some((c) => c.text.trim() !== '')) rows.push({ line: rowLine, cells });
    cells = [];
  };
  for (let i = 0; i < src.length; i++) {
    const ch = src[i] as string;
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line++;
        field += ch;
      }
    } else if (ch === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (ch === delim) endField();
    else if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else field += ch;
  }
  if (field !== '' || cells.length) endRow();
  return rows;
}

type XlsxValue = ExcelJS.CellValue;

function xlsxCell(v: XlsxValue): Cell {
  if (v === null || v === undefined) return { text: '' };
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) return { text: String(v) };
    // A number past 2^53 in a sheet has already lost its last digits: the order id cannot be trusted.
    if (!Number.isSafeInteger(v)) return { text: BigInt(v).toString(), imprecise: true };
    return { text: BigInt(v).toString() };
  }
  if (typeof v === 'string') return { text: v };
  if (typeof v === 'boolean') return { text: String(v) };
  if (v instanceof Date) return { text: '' };
  if ('richText' in v) return { text: v.richText.map((r) => r.text).join('') };
  if ('result' in v) return xlsxCell(v.result as XlsxValue);
  if ('text' in v && typeof v.text === 'string') return { text: v.text };
  return { text: '' };
}

/** The first worksheet's rows (empty rows left out). */
export async function readXlsx(bytes: Uint8Array): Promise<TableRow[] | ClearanceError> {
  // Loaded on use: it takes seconds to load, and most lists are text or CSV.
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  try {
    await wb.xlsx.load(Buffer.from(bytes) as unknown as ExcelJS.Buffer);
  } catch {
    return clearanceError('usage', { detail: 'XLSX: the file is not a readable .xlsx workbook' });
  }
  const ws = wb.worksheets[0];
  if (!ws) return [];
  const rows: TableRow[] = [];
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const values = row.values as XlsxValue[];
    const cells: Cell[] = [];
    for (let i = 1; i < values.length; i++) cells.push(xlsxCell(values[i]));
    if (cells.some((c) => c.text.trim() !== '')) rows.push({ line: rowNumber, cells });
  });
  return rows;
}

const ORDER_HEADER = /订单|order/i;
const hasDigit = (s: string) => /\d/.test(s);
const norm = (s: string) => s.normalize('NFKC').trim().toLowerCase();

function columnLetters(s: string): number | undefined {
  if (!/^[A-Za-z]{1,3}$/.test(s)) return undefined;
  let n = 0;
  for (const ch of s.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

function problem(detail: string, columns: string[] = []): InputResult {
  return { ok: false, error: { error: clearanceError('usage', { detail }), columns } };
}

/**
 * The orders in one column of a table. `column` is a header name, a 1-based number, or a column
 * letter (A, B, …). Without it, the header column whose name holds 订单 or "order" is used; if
 * several do, the one whose cells are order ids; if that still leaves several, the caller is told
 * which to choose from.
 */
export function ordersFromTable(rows: TableRow[], column?: string): InputResult {
  if (rows.length === 0)
    return { ok: true, value: { orderIds: [], invalid: [], duplicates: 0, column: null } };
  const first = rows[0] as TableRow;
  const width = Math.max(...rows.map((r) => r.cells.length));
  // A header row has no order id in it; names are shown only from such a row.
  const headerLike = first.cells.every((c) => !normalizeOrderId(c.text).ok);
  const headers = headerLike ? first.cells.map((c) => c.text.trim()) : [];
  const named = (i: number) => headers[i] || `#${i + 1}`;
  const listing = () => Array.from({ length: width }, (_, i) => `${i + 1}: ${named(i)}`);

  let index: number | undefined;
  if (column !== undefined && column.trim() !== '') {
    const want = norm(column);
    const byName = headers.findIndex((h) => norm(h) === want);
    if (byName >= 0) index = byName;
    else if (/^\d+$/.test(want)) index = Number(want) - 1;
    else index = columnLetters(want);
    if (index === undefined || index < 0 || index >= width) {
      return problem(`--column ${column}: no such column`, listing());
    }
  } else if (width === 1) {
    index = 0;
  } else {
    const candidates = headers.map((h, i) => (ORDER_HEADER.test(h) ? i : -1)).filter((i) => i >= 0);
    if (candidates.length === 1) index = candidates[0];
    else if (candidates.length > 1) {
      // 订单号 next to 订单状态 or 子订单号: keep the columns whose cells are mostly order ids.
      const sample = rows.slice(1, 51);
      const idLike = candidates.filter((i) => {
        const filled = sample.filter((r) => (r.cells[i]?.text ?? '').trim() !== '');
        const ids = filled.filter((r) => normalizeOrderId(r.cells[i]?.text ?? '').ok);
        return filled.length > 0 && ids.length * 2 >= filled.length;
      });
      if (idLike.length === 1) index = idLike[0];
      else {
        const shown = (idLike.length ? idLike : candidates).map((i) => `${i + 1}: ${named(i)}`);
        return problem('several columns could hold the order ids; choose one with --column', shown);
      }
    } else {
      return problem('no column named 订单/order; choose one with --column NAME|N', listing());
    }
  }
  const col = index as number;
  const c = new Collector();
  // The first row is a heading when its cell in this column has no digit in it.
  const skipFirst = !hasDigit(first.cells[col]?.text ?? '');
  for (const [n, row] of rows.entries()) {
    if (n === 0 && skipFirst) continue;
    const cell = row.cells[col];
    if (!cell || cell.text.trim() === '') continue;
    c.add(cell.text, row.line, cell.imprecise ? 'order-id-imprecise' : undefined);
  }
  c.out.column = { index: col, name: skipFirst ? (first.cells[col]?.text.trim() ?? null) : null };
  return { ok: true, value: c.out };
}

export type SourceKind = 'text' | 'csv' | 'xlsx';

/** By the file name; standard input is a text list unless a column is asked for (then CSV). */
export function sourceKind(name: string, column?: string): SourceKind | ClearanceError {
  const lower = name.toLowerCase();
  if (lower.endsWith('.xlsx')) return 'xlsx';
  if (lower.endsWith('.xls') || lower.endsWith('.et') || lower.endsWith('.numbers')) {
    return clearanceError('usage', { detail: 'save the sheet as .xlsx or .csv first' });
  }
  if (lower.endsWith('.csv') || lower.endsWith('.tsv')) return 'csv';
  return column ? 'csv' : 'text';
}

/** UTF-8, or GB 18030 when it is not valid UTF-8 (what Excel on a Chinese system saves CSV as). */
export function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

/** Read orders from a source's bytes, by kind. */
export async function readOrders(
  source: { name: string; bytes: Uint8Array },
  opts: { column?: string } = {},
): Promise<InputResult> {
  const kind = sourceKind(source.name, opts.column);
  if (typeof kind !== 'string') return { ok: false, error: { error: kind, columns: [] } };
  if (kind === 'xlsx') {
    const rows = await readXlsx(source.bytes);
    if (!Array.isArray(rows)) return { ok: false, error: { error: rows, columns: [] } };
    return ordersFromTable(rows, opts.column);
  }
  const text = decodeText(source.bytes);
  if (kind === 'csv') return ordersFromTable(parseCsv(text), opts.column);
  return { ok: true, value: ordersFromText(text) };
}
