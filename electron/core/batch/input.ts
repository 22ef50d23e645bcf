/**
 * Where a job's orders come from: a pasted or saved text list (any separators), or one column of
 * a CSV or XLSX sheet. Every entry goes through normalizeOrderId; duplicates are dropped (first
 * kept) and entries that are not order ids are reported by line, never silently lost.
 */
import { inflateRawSync } from 'node:zlib';
import type ExcelJS from 'exceljs';
import { type ClearanceError, clearanceError, type ErrorReason } from '../errors';
import { normalizeOrderId, splitOrderIdList } from '../gateway/order-id';
import { checkCharacter, maskIdNumber } from '../idcard';
import type { InvalidEntry } from './types';

/** A longer line is no line of an order list (a pasted list of 50,000 ids is under 1 MiB). */
export const MAX_LINE_BYTES = 1024 * 1024;
/**
 * What an XLSX may expand to. The workbook reader holds the whole sheet as objects, about 20 times
 * its XML: 16 MiB (100,000 rows of an id and a name) peaks near 340 MiB, 60 MiB near 900 MiB. A
 * longer list is read as CSV or text, which stream; a zip bomb is refused unopened.
 */
export const MAX_XLSX_UNCOMPRESSED = 16 * 1024 * 1024;

export interface ParsedOrders {
  orderIds: string[];
  invalid: InvalidEntry[];
  /** Repeats of an order id already listed (dropped). */
  duplicates: number;
  /** The column used, for tables. */
  column: { index: number; name: string | null } | null;
  /**
   * Lines left out that were never order ids: a heading (or a line of label words only), or a
   * table row whose order id cell is empty. Counted and shown, so no line goes missing unexplained.
   */
  skipped: SkippedLine[];
}

export interface SkippedLine {
  line: number;
  why: 'heading' | 'empty-cell';
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

/** An 18-character run that passes the GB 11643 check is an ID number: never echoed in full. */
function maskIdNumbers(t: string): string {
  return t.replace(/(?<![\dXx])\d{17}[\dXx](?![\dXx])/g, (m) =>
    checkCharacter(m.slice(0, 17)) === (m[17] as string).toUpperCase() ? maskIdNumber(m) : m,
  );
}

/** Show an entry back only when it is nothing but digits and punctuation (a name or address never is). */
function preview(raw: string): Pick<InvalidEntry, 'preview'> {
  const t = raw.trim();
  return {
    preview: t.length <= 40 && /^[\d\s#:：.,_\-/+()eE]*$/.test(t) ? maskIdNumbers(t) : `‹${[...t].length}›`,
  };
}

/** `1.23457E+18`: what Excel shows (and saves to CSV) for a long id typed into a number cell. */
const SCIENTIFIC = /^\s*\d(?:\.\d+)?e\+?\d{1,3}\s*$/i;
/** Excel keeps 15 significant digits: a longer id it rounded ends in zeros past the 15th. */
const ROUNDED = /^\d{15}0+$/;

class Collector {
  private readonly seen = new Set<string>();
  /** Ids of 16 digits or more, with their lines: Excel may have rounded all of them. */
  private readonly long: { id: string; line: number }[] = [];
  readonly out: ParsedOrders = { orderIds: [], invalid: [], duplicates: 0, column: null, skipped: [] };

  skip(line: number, why: SkippedLine['why']) {
    this.out.skipped.push({ line, why });
  }

  invalid(raw: string, line: number, reason: ErrorReason) {
    this.out.invalid.push({ line, reason, ...preview(raw) });
  }

  /** A whole line that is not a list of ids: shown only by its length, whatever it holds. */
  invalidLine(raw: string, line: number) {
    this.out.invalid.push({ line, reason: 'order-id-line-invalid', preview: `‹${[...raw].length}›` });
  }

  add(raw: string, line: number, forced?: ErrorReason) {
    if (forced) return this.invalid(raw, line, forced);
    if (SCIENTIFIC.test(raw)) return this.invalid(raw, line, 'order-id-excel-rounded');
    const id = normalizeOrderId(raw);
    if (!id.ok) return this.invalid(raw, line, id.error.reason);
    if (this.seen.has(id.value)) {
      this.out.duplicates++;
      return;
    }
    this.seen.add(id.value);
    this.out.orderIds.push(id.value);
    if (id.value.length >= 16) this.long.push({ id: id.value, line });
  }

  /**
   * One long id ending in zeros is just an id; several, every one of them ending in zeros past the
   * 15th digit, is a column Excel rounded (a chance of 1 in 10,000 per id otherwise).
   */
  finish(): ParsedOrders {
    if (this.long.length >= 2 && this.long.every((l) => ROUNDED.test(l.id))) {
      const rounded = new Set(this.long.map((l) => l.id));
      this.out.orderIds = this.out.orderIds.filter((id) => !rounded.has(id));
      for (const l of this.long) this.invalid(l.id, l.line, 'order-id-excel-rounded');
      this.out.invalid.sort((a, b) => a.line - b.line);
    }
    return this.out;
  }
}

/** Control bytes, or bytes no decoder could read: a line of a binary file, not of a list. */
const GARBAGE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffd]/;
/** Words that may stand beside an id on a line: the labels of back-office lists. */
const LABEL_WORD =
  /^(?:订单号码?|订单编号|订单|子订单号|主订单号|order|orders|id|no\.?|number|tid)[:：#＃]?$/i;

/** A text list, line by line: what each line holds, or why it is not a line of order ids. */
class TextList {
  private readonly c = new Collector();
  private contentLines = 0;

  line(lineText: string, line: number) {
    if (GARBAGE.test(lineText)) return this.c.invalidLine(lineText, line);
    const tokens = splitOrderIdList(lineText);
    if (tokens.length === 0) return;
    const first = this.contentLines++ === 0;
    const numbers = tokens.filter((t) => /\d/.test(t));
    // A name, an address or any other word beside the number: the line is a record, not an id.
    const foreign = tokens.some((t) => !/\d/.test(t) && /\p{L}/u.test(t) && !LABEL_WORD.test(t));
    if (foreign) {
      if (numbers.length > 0 || !first) this.c.invalidLine(lineText, line);
      else this.c.skip(line, 'heading'); // a heading on the first line
      return;
    }
    // Label words and no number ("订单号" repeated down a pasted list): nothing to look up.
    if (numbers.length === 0) return this.c.skip(line, 'heading');
    // A label glued to its number by a colon survives the split ("订单号:123"); one split off is skipped.
    for (const token of numbers) this.c.add(token, line);
  }

  tooLong(line: number) {
    this.c.out.invalid.push({ line, reason: 'input-line-too-long', preview: `‹>${MAX_LINE_BYTES}›` });
  }

  finish() {
    return this.c.finish();
  }
}

/**
 * A text list: new lines, commas, tabs, spaces, Chinese punctuation all separate. A heading on the
 * first line and label words (订单号, Order ID) are not entries; any other line with words on it
 * (a name beside an ID number, a row of a binary file) is reported as not an order id, whole.
 */
export function ordersFromText(text: string): ParsedOrders {
  const list = new TextList();
  text
    .replace(/^\ufeff/, '')
    .split(/\r\n|\r|\n/)
    .forEach((lineText, i) => {
      if (lineText.length > MAX_LINE_BYTES) list.tooLong(i + 1);
      else list.line(lineText, i + 1);
    });
  return list.finish();
}

/** The delimiter of a CSV: comma, tab or semicolon, whichever the first line has most of. */
function guessDelimiter(firstLine: string): string {
  const count = (ch: string) => firstLine.split(ch).length - 1;
  return [',', '\t', ';'].reduce((best, ch) => (count(ch) > count(best) ? ch : best), ',');
}

/** RFC 4180 rows from lines: quotes, doubled quotes, new lines in quotes (a quoted field spans lines). */
class CsvRows {
  private cells: Cell[] = [];
  private field = '';
  private quoted = false;
  private rowLine = 0;

  constructor(private readonly delim: string) {}

  /** Feed one line (without its line break); returns the row it completes, if any. */
  line(text: string, line: number): TableRow | undefined {
    if (!this.quoted) this.rowLine = line;
    else this.field += '\n';
    for (let i = 0; i < text.length; i++) {
      const ch = text[i] as string;
      if (this.quoted) {
        if (ch === '"' && text[i + 1] === '"') {
          this.field += '"';
          i++;
        } else if (ch === '"') this.quoted = false;
        else this.field += ch;
      } else if (ch === '"' && this.field.trim() === '') {
        this.quoted = true;
        this.field = '';
      } else if (ch === this.delim) this.endField();
      else this.field += ch;
    }
    return this.quoted ? undefined : this.endRow();
  }

  /** The end of the input: a quoted field left open still makes its row. */
  end(): TableRow | undefined {
    if (!this.quoted) return undefined;
    this.quoted = false;
    return this.endRow();
  }

  private endField() {
    this.cells.push({ text: this.field });
    this.field = '';
  }

  private endRow(): TableRow | undefined {
    this.endField();
    const cells = this.cells;
    this.cells = [];
    return cells.some((c) => c.text.trim() !== '') ? { line: this.rowLine, cells } : undefined;
  }
}

/** RFC 4180 CSV (quotes, doubled quotes, new lines in quotes); comma, tab or semicolon, guessed from the first line. */
export function parseCsv(text: string): TableRow[] {
  const lines = text.replace(/^\ufeff/, '').split(/\r\n|\r|\n/);
  if (lines.at(-1) === '') lines.pop();
  const csv = new CsvRows(guessDelimiter(lines[0] ?? ''));
  const rows: TableRow[] = [];
  lines.forEach((l, i) => {
    const row = csv.line(l, i + 1);
    if (row) rows.push(row);
  });
  const last = csv.end();
  if (last) rows.push(last);
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
  // A date cell holds the wall-clock time as written, stored as if it were UTC (Excel has no zones).
  if (v instanceof Date)
    return Number.isNaN(v.getTime())
      ? { text: '' }
      : { text: v.toISOString().slice(0, 19).replace('T', ' ') };
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

type ColumnChoice = { ok: true; index: number; skipFirst: boolean } | { ok: false; result: InputResult };

/** Rows read before the column is chosen: the heading and a sample of 50. */
const SAMPLE_ROWS = 51;

/**
 * Which column holds the order ids, from the first rows. `column` is a header name, a 1-based
 * number, or a column letter (A, B, …). Without it, the header column whose name holds 订单 or
 * "order" is used; if several do, the one whose cells are order ids; if that still leaves several,
 * the caller is told which to choose from.
 */
function chooseColumn(rows: TableRow[], column?: string): ColumnChoice {
  const first = rows[0] as TableRow;
  const width = Math.max(...rows.map((r) => r.cells.length));
  // A header row has no order id in it; names are shown only from such a row.
  const headerLike = first.cells.every((c) => !normalizeOrderId(c.text).ok);
  const headers = headerLike ? first.cells.map((c) => c.text.trim()) : [];
  const named = (i: number) => headers[i] || `#${i + 1}`;
  const listing = () => Array.from({ length: width }, (_, i) => `${i + 1}: ${named(i)}`);
  const refuse = (detail: string, columns: string[]): ColumnChoice => ({
    ok: false,
    result: problem(detail, columns),
  });

  let index: number | undefined;
  if (column !== undefined && column.trim() !== '') {
    const want = norm(column);
    const byName = headers.findIndex((h) => norm(h) === want);
    if (byName >= 0) index = byName;
    else if (/^\d+$/.test(want)) index = Number(want) - 1;
    else index = columnLetters(want);
    if (index === undefined || index < 0 || index >= width) {
      return refuse(`--column ${column}: no such column`, listing());
    }
  } else if (width === 1) {
    index = 0;
  } else {
    const candidates = headers.map((h, i) => (ORDER_HEADER.test(h) ? i : -1)).filter((i) => i >= 0);
    if (candidates.length === 1) index = candidates[0];
    else if (candidates.length > 1) {
      // 订单号 next to 订单状态 or 子订单号: keep the columns whose cells are mostly order ids.
      const sample = rows.slice(1, SAMPLE_ROWS);
      const idLike = candidates.filter((i) => {
        const filled = sample.filter((r) => (r.cells[i]?.text ?? '').trim() !== '');
        const ids = filled.filter((r) => normalizeOrderId(r.cells[i]?.text ?? '').ok);
        return filled.length > 0 && ids.length * 2 >= filled.length;
      });
      if (idLike.length === 1) index = idLike[0];
      else {
        const shown = (idLike.length ? idLike : candidates).map((i) => `${i + 1}: ${named(i)}`);
        return refuse('several columns could hold the order ids; choose one with --column', shown);
      }
    } else {
      return refuse('no column named 订单/order; choose one with --column NAME|N', listing());
    }
  }
  const col = index as number;
  // The first row is a heading when its cell in this column has no digit in it.
  return { ok: true, index: col, skipFirst: !hasDigit(first.cells[col]?.text ?? '') };
}

/**
 * The orders in one column of a table, row by row: the column is chosen from the first rows, then
 * each row gives its cell and is forgotten, so a long sheet costs only its order ids.
 */
class TableReader {
  private readonly sample: TableRow[] = [];
  private choice: ColumnChoice | undefined;
  private readonly c = new Collector();

  constructor(private readonly column?: string) {}

  row(row: TableRow) {
    if (!this.choice) {
      this.sample.push(row);
      if (this.sample.length >= SAMPLE_ROWS) this.decide();
      return;
    }
    if (this.choice.ok) this.take(row, this.choice.index);
  }

  private decide() {
    const choice = chooseColumn(this.sample, this.column);
    this.choice = choice;
    if (!choice.ok) return;
    const first = this.sample[0] as TableRow;
    this.c.out.column = {
      index: choice.index,
      name: choice.skipFirst ? (first.cells[choice.index]?.text.trim() ?? null) : null,
    };
    this.sample.forEach((r, n) => {
      if (n === 0 && choice.skipFirst) this.c.skip(r.line, 'heading');
      else this.take(r, choice.index);
    });
    this.sample.length = 0;
  }

  private take(row: TableRow, col: number) {
    const cell = row.cells[col];
    if (!cell || cell.text.trim() === '') return this.c.skip(row.line, 'empty-cell');
    this.c.add(cell.text, row.line, cell.imprecise ? 'order-id-imprecise' : undefined);
  }

  /** A physical line over the cap: its row cannot be read. */
  tooLong(line: number) {
    this.c.out.invalid.push({ line, reason: 'input-line-too-long', preview: `‹>${MAX_LINE_BYTES}›` });
  }

  finish(): InputResult {
    if (!this.choice) {
      if (this.sample.length === 0 && this.c.out.invalid.length === 0)
        return { ok: true, value: { orderIds: [], invalid: [], duplicates: 0, column: null, skipped: [] } };
      if (this.sample.length === 0) return { ok: true, value: this.c.finish() };
      this.decide();
    }
    const choice = this.choice as ColumnChoice;
    if (!choice.ok) return choice.result;
    return { ok: true, value: this.c.finish() };
  }
}

/** The orders in one column of a table (see chooseColumn for how the column is found). */
export function ordersFromTable(rows: TableRow[], column?: string): InputResult {
  const t = new TableReader(column);
  for (const r of rows) t.row(r);
  return t.finish();
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

type Encoding = 'bytes' | 'utf-16le' | 'utf-16be';

/**
 * The encoding by the first bytes: a UTF-16 byte-order mark, or (without one) NUL bytes in every
 * other place, as a UTF-16 file of ASCII digits has; otherwise bytes, read line by line as UTF-8
 * or GB 18030. Returns how many bytes of mark to skip.
 */
function sniff(head: Uint8Array): { encoding: Encoding; skip: number } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'bytes', skip: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', skip: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', skip: 2 };
  const n = Math.min(head.length, 512) & ~1;
  if (n >= 4) {
    let evenNul = 0;
    let oddNul = 0;
    for (let i = 0; i < n; i += 2) {
      if (head[i] === 0) evenNul++;
      if (head[i + 1] === 0) oddNul++;
    }
    const half = n / 2;
    if (oddNul >= half * 0.4 && evenNul <= half * 0.05) return { encoding: 'utf-16le', skip: 0 };
    if (evenNul >= half * 0.4 && oddNul <= half * 0.05) return { encoding: 'utf-16be', skip: 0 };
  }
  return { encoding: 'bytes', skip: 0 };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const gb18030 = new TextDecoder('gb18030');

/** One line's bytes: UTF-8, or GB 18030 (what Excel on a Chinese system saves CSV as) when not UTF-8. */
function decodeLine(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return gb18030.decode(bytes);
  }
}

export type Line = { line: number; text: string } | { line: number; tooLong: true };

/**
 * The lines of a byte stream (CR, LF or CRLF), decoded, each at most `maxLineBytes`: a longer one
 * is reported by its number and its bytes are dropped as they arrive, so memory stays bounded
 * whatever the input holds.
 */
export async function* readLines(
  chunks: AsyncIterable<Uint8Array>,
  maxLineBytes = MAX_LINE_BYTES,
): AsyncGenerator<Line> {
  let enc: { encoding: Encoding; skip: number } | undefined;
  let head: Uint8Array[] = [];
  let headSize = 0;
  let parts: Uint8Array[] = [];
  let size = 0;
  let tooLong = false;
  let lineNo = 1;
  let afterCr = false;
  let decoder: TextDecoder | undefined;
  let carry = '';

  const take = (b: Uint8Array) => {
    if (tooLong || b.length === 0) return;
    if (size + b.length > maxLineBytes) {
      tooLong = true;
      parts = [];
      size = 0;
      return;
    }
    parts.push(b);
    size += b.length;
  };
  const emit = (): Line => {
    const out: Line = tooLong
      ? { line: lineNo, tooLong: true }
      : {
          line: lineNo,
          text: decodeLine(parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts)),
        };
    parts = [];
    size = 0;
    tooLong = false;
    lineNo++;
    return out;
  };

  function* bytes(chunk: Uint8Array): Generator<Line> {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === 0x0a && afterCr) {
        // The LF of a CRLF: the line already ended at its CR.
        afterCr = false;
        start = i + 1;
        continue;
      }
      afterCr = false;
      if (b !== 0x0a && b !== 0x0d) continue;
      take(chunk.subarray(start, i));
      yield emit();
      afterCr = b === 0x0d;
      start = i + 1;
    }
    take(chunk.subarray(start));
  }

  function* text(chunk: Uint8Array, last: boolean): Generator<Line> {
    decoder ??= new TextDecoder(enc?.encoding === 'utf-16be' ? 'utf-16be' : 'utf-16le');
    let t = carry + decoder.decode(chunk, { stream: !last });
    // A CR at the end may be the first half of a CRLF: keep it for the next chunk.
    carry = !last && t.endsWith('\r') ? '\r' : '';
    if (carry) t = t.slice(0, -1);
    const pieces = t.split(/\r\n|\r|\n/);
    const rest = pieces.pop() as string;
    for (const piece of pieces) {
      const over = tooLong || size + piece.length * 2 > maxLineBytes;
      const line: Line = over
        ? { line: lineNo, tooLong: true }
        : { line: lineNo, text: (parts.length ? Buffer.concat(parts).toString('utf16le') : '') + piece };
      parts = [];
      size = 0;
      tooLong = false;
      lineNo++;
      yield line;
    }
    // The unfinished line, kept as UTF-16LE bytes under the same cap.
    take(Buffer.from(rest, 'utf16le'));
  }

  for await (const raw of chunks) {
    let chunk = raw;
    if (!enc) {
      head.push(chunk);
      headSize += chunk.length;
      if (headSize < 512) continue;
      chunk = Buffer.concat(head);
      head = [];
      enc = sniff(chunk);
      chunk = chunk.subarray(enc.skip);
    }
    if (enc.encoding === 'bytes') yield* bytes(chunk);
    else yield* text(chunk, false);
  }
  if (!enc) {
    const all = Buffer.concat(head);
    enc = sniff(all);
    const chunk = all.subarray(enc.skip);
    if (enc.encoding === 'bytes') yield* bytes(chunk);
    else yield* text(chunk, false);
  }
  if (enc.encoding !== 'bytes') yield* text(new Uint8Array(0), true);
  if (size > 0 || tooLong) yield emit();
}

/**
 * Refuse an XLSX that would expand past `cap` before anything is inflated for real: the sizes in
 * its central directory must add up to no more than the cap, and each entry is test-inflated with
 * its declared size as the hard limit, so a lying header cannot expand further either.
 */
export function checkXlsxSize(bytes: Uint8Array, cap = MAX_XLSX_UNCOMPRESSED): ClearanceError | undefined {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tooLarge = () =>
    clearanceError('input-too-large', { detail: `XLSX > ${Math.round(cap / 1024 / 1024)} MiB` });
  const unreadable = () =>
    clearanceError('usage', { detail: 'XLSX: the file is not a readable .xlsx workbook' });
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return unreadable();
  const entries = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  // ZIP64 is for archives past 4 GiB or 65,535 entries: never an order sheet.
  if (entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) return tooLarge();
  if (cdOffset + cdSize > buf.length) return unreadable();
  const list: { method: number; compressed: number; size: number; local: number }[] = [];
  let total = 0;
  let p = cdOffset;
  for (let n = 0; n < entries; n++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) return unreadable();
    const entry = {
      method: buf.readUInt16LE(p + 10),
      compressed: buf.readUInt32LE(p + 20),
      size: buf.readUInt32LE(p + 24),
      local: buf.readUInt32LE(p + 42),
    };
    total += entry.size;
    if (total > cap || entry.size === 0xffffffff) return tooLarge();
    list.push(entry);
    p += 46 + buf.readUInt16LE(p + 28) + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
  }
  for (const e of list) {
    if (e.local + 30 > buf.length || buf.readUInt32LE(e.local) !== 0x04034b50) return unreadable();
    const start = e.local + 30 + buf.readUInt16LE(e.local + 26) + buf.readUInt16LE(e.local + 28);
    if (start + e.compressed > buf.length) return unreadable();
    if (e.method === 0) {
      if (e.compressed !== e.size) return tooLarge();
      continue;
    }
    if (e.method !== 8) return unreadable();
    try {
      const out = inflateRawSync(buf.subarray(start, start + e.compressed), {
        maxOutputLength: Math.max(1, e.size),
      });
      if (out.length > e.size) return tooLarge();
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return tooLarge();
      return unreadable();
    }
  }
  return undefined;
}

/** Where a job's list comes from: its name (for the kind) and its bytes, whole or as a stream. */
export type OrderSource =
  | { name: string; bytes: Uint8Array }
  | { name: string; chunks: AsyncIterable<Uint8Array> };

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

async function whole(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts);
}

/**
 * Read orders from a source, by kind. Text and CSV are read as a stream of capped lines (memory
 * bounded by the order ids found, not by the file); an XLSX is checked against its size cap first.
 */
export async function readOrders(source: OrderSource, opts: { column?: string } = {}): Promise<InputResult> {
  const kind = sourceKind(source.name, opts.column);
  if (typeof kind !== 'string') return { ok: false, error: { error: kind, columns: [] } };
  if (kind === 'xlsx') {
    const bytes = 'bytes' in source ? source.bytes : await whole(source.chunks);
    const refused = checkXlsxSize(bytes);
    if (refused) return { ok: false, error: { error: refused, columns: [] } };
    const rows = await readXlsx(bytes);
    if (!Array.isArray(rows)) return { ok: false, error: { error: rows, columns: [] } };
    return ordersFromTable(rows, opts.column);
  }
  const lines = readLines('bytes' in source ? once(source.bytes) : source.chunks);
  if (kind === 'text') {
    const list = new TextList();
    for await (const l of lines) {
      if ('tooLong' in l) list.tooLong(l.line);
      else list.line(l.text, l.line);
    }
    return { ok: true, value: list.finish() };
  }
  const table = new TableReader(opts.column);
  let csv: CsvRows | undefined;
  for await (const l of lines) {
    if ('tooLong' in l) {
      table.tooLong(l.line);
      continue;
    }
    csv ??= new CsvRows(guessDelimiter(l.text));
    const row = csv.line(l.text, l.line);
    if (row) table.row(row);
  }
  const last = csv?.end();
  if (last) table.row(last);
  return table.finish();
}

/**
 * A table's rows (CSV or XLSX), read by the same rules as a job's list — lines decoded one by one
 * (UTF-8, GB 18030, UTF-16), each capped; an XLSX checked against its size cap first — for a
 * reader that needs every column (the order sheet, core/orders/sheet.ts).
 */
export async function readTableRows(source: OrderSource): Promise<TableRow[] | ClearanceError> {
  const kind = sourceKind(source.name, 'table');
  if (typeof kind !== 'string') return kind;
  if (kind === 'xlsx') {
    const bytes = 'bytes' in source ? source.bytes : await whole(source.chunks);
    return checkXlsxSize(bytes) ?? (await readXlsx(bytes));
  }
  const rows: TableRow[] = [];
  let csv: CsvRows | undefined;
  for await (const l of readLines('bytes' in source ? once(source.bytes) : source.chunks)) {
    if ('tooLong' in l)
      return clearanceError('input-too-large', {
        detail: `line ${l.line} > ${MAX_LINE_BYTES / 1024 / 1024} MiB`,
      });
    csv ??= new CsvRows(guessDelimiter(l.text));
    const row = csv.line(l.text, l.line);
    if (row) rows.push(row);
  }
  const last = csv?.end();
  if (last) rows.push(last);
  return rows;
}
