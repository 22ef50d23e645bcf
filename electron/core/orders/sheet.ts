/**
 * The day's order sheet (an ERP export) read into OrderFacts: CSV (UTF-8 or GB 18030) or XLSX,
 * through the batch import's own readers. Columns are recognised by their headings in Chinese and
 * English, or named with `--map column=field`. A sheet with any bad row is refused as a whole, row
 * by row (the header is row 1), so it is never half-imported.
 */
import { type InputProblem, type OrderSource, readTableRows, type TableRow } from '../batch/input';
import { clearanceError } from '../errors';
import { normalizeOrderId } from '../gateway/order-id';
import type { OrderFacts } from './types';

export type SheetField = keyof OrderFacts;
export const SHEET_FIELDS: readonly SheetField[] = [
  'orderId',
  'waybill',
  'consignee',
  'phone',
  'amountFen',
  'paymentNo',
  'orderTime',
];

/** The headings each field is known by (compared after NFKC, lower case, spaces and `_-.:：` removed). */
const HEADINGS: Record<SheetField, string[]> = {
  orderId: ['订单号', '交易订单号', '订单编号', 'orderid', 'orderno', 'ordernumber'],
  waybill: ['运单号', '物流单号', '快递单号', 'waybill', 'waybillno', 'trackingno', 'trackingnumber'],
  consignee: ['收件人', '收货人', '收件人姓名', '收货人姓名', 'consignee', 'consigneename', 'receiver'],
  phone: ['手机', '电话', '手机号', '手机号码', '联系电话', '收件人手机', '收货人手机', 'phone', 'mobile'],
  amountFen: ['实付金额', '支付金额', '实付款', 'amount', 'amountpaid', 'paidamount'],
  paymentNo: ['支付单号', '支付流水号', '支付交易号', 'paymentno', 'paymentnumber', 'paymentid'],
  orderTime: ['下单时间', '支付时间', '付款时间', 'ordertime', 'paidat', 'paymenttime'],
};

/** What `--map` accepts on its right side: the field names above, or `-` / `ignore` to skip a column. */
const FIELD_ALIASES: Record<string, SheetField | null> = {
  orderid: 'orderId',
  waybill: 'waybill',
  consignee: 'consignee',
  phone: 'phone',
  amount: 'amountFen',
  amountfen: 'amountFen',
  paymentno: 'paymentNo',
  ordertime: 'orderTime',
  '-': null,
  ignore: null,
};

const key = (s: string) =>
  s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-.:：()（）]/g, '');

export type BadField = 'orderId' | 'amountFen' | 'orderTime';

/** A row the sheet cannot be imported with: where, which field, why. Never the cell's content. */
export interface BadRow {
  row: number;
  field: BadField;
  reason: 'order-id-invalid' | 'order-id-imprecise' | 'order-id-missing' | 'amount-invalid' | 'time-invalid';
}

export interface ParsedSheet {
  rows: OrderFacts[];
  /** Column used per field (1-based number and heading). */
  columns: Partial<Record<SheetField, { index: number; name: string }>>;
  /** Headings no field was recognised in. */
  ignored: string[];
  /** Later rows of an order already on the sheet (the later row is kept). */
  repeated: number;
}

export type SheetResult =
  | { ok: true; value: ParsedSheet }
  | { ok: false; error: InputProblem; badRows: BadRow[] };

export function badRowText(b: BadRow, lang: 'zh-CN' | 'en-US'): string {
  const zh: Record<BadRow['reason'], string> = {
    'order-id-invalid': '订单号无效（应为 1–20 位数字）',
    'order-id-imprecise': '订单号以数字保存已丢失精度（请将该列设为文本）',
    'order-id-missing': '缺少订单号',
    'amount-invalid': '金额无法识别（应为元，如 5000.00，最多两位小数）',
    'time-invalid': '时间无法识别（应为 YYYY-MM-DD HH:mm:ss）',
  };
  const en: Record<BadRow['reason'], string> = {
    'order-id-invalid': 'the order id is not 1–20 digits',
    'order-id-imprecise': 'the order id was stored as a number and lost digits (format the column as Text)',
    'order-id-missing': 'no order id',
    'amount-invalid': 'the amount is not a sum in yuan such as 5000.00 (at most two decimals)',
    'time-invalid': 'the time is not a date and time such as 2025-06-15 10:30:00',
  };
  return lang === 'zh-CN' ? `第 ${b.row} 行：${zh[b.reason]}` : `Row ${b.row}: ${en[b.reason]}`;
}

/**
 * Yuan as written on a sheet → integer fen, by the digits (never through a float): `5000`,
 * `5,000.01`, `¥5000.1`, `￥5,000.00元`, full-width digits. Negative or more than two decimals
 * (other than trailing zeros) is refused.
 */
export function parseYuan(text: string): number | undefined {
  const s = text
    .normalize('NFKC')
    .replace(/\s+/g, '')
    .replace(/^[¥￥]|^cny|^rmb/i, '')
    .replace(/元$/, '');
  const m = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d*))?$/.exec(s);
  if (!m) return undefined;
  const whole = (m[1] as string).replace(/,/g, '');
  let frac = m[2] ?? '';
  if (frac.length > 2) {
    if (!/^0*$/.test(frac.slice(2))) return undefined;
    frac = frac.slice(0, 2);
  }
  const fen = BigInt(whole) * 100n + BigInt(frac.padEnd(2, '0') || '0');
  if (fen > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return Number(fen);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * An order time → `YYYY-MM-DD HH:mm:ss` in Beijing time. A time without a zone is taken as Beijing
 * wall-clock (what a Chinese ERP writes); one with `Z` or an offset is converted. Dates alone get 00:00:00.
 */
export function parseOrderTime(text: string): string | undefined {
  const s = text.normalize('NFKC').trim();
  const m =
    /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(
      s,
    );
  if (!m) return undefined;
  const [y, mo, d, h, mi, se] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (h > 23 || mi > 59 || se > 59) return undefined;
  const wall = Date.UTC(y, mo - 1, d, h, mi, se);
  const t = new Date(wall);
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return undefined;
  let beijing = wall;
  const zone = m[7];
  if (zone) {
    const offsetMin =
      zone.toUpperCase() === 'Z'
        ? 0
        : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
    beijing = wall - offsetMin * 60_000 + 8 * 3_600_000;
  }
  const b = new Date(beijing);
  return `${pad(b.getUTCFullYear(), 4)}-${pad(b.getUTCMonth() + 1)}-${pad(b.getUTCDate())} ${pad(b.getUTCHours())}:${pad(b.getUTCMinutes())}:${pad(b.getUTCSeconds())}`;
}

function columnIndex(spec: string, headers: string[], width: number): number | undefined {
  const want = key(spec);
  const byName = headers.findIndex((h) => key(h) === want);
  if (byName >= 0) return byName;
  if (/^\d+$/.test(spec.trim())) {
    const n = Number(spec.trim()) - 1;
    return n >= 0 && n < width ? n : undefined;
  }
  if (/^[A-Za-z]{1,3}$/.test(spec.trim())) {
    let n = 0;
    for (const ch of spec.trim().toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
    return n - 1 < width ? n - 1 : undefined;
  }
  return undefined;
}

const problem = (detail: string, columns: string[]): SheetResult => ({
  ok: false,
  error: { error: clearanceError('usage', { detail }), columns },
  badRows: [],
});

/**
 * A sheet's rows as order facts. `map`: `column=field` pairs (column: heading, 1-based number or
 * letter; field: orderId, waybill, consignee, phone, amount, paymentNo, orderTime, or `-`).
 */
export function sheetFromTable(rows: TableRow[], map: string[] = []): SheetResult {
  if (rows.length === 0) return problem('the sheet is empty', []);
  const header = rows[0] as TableRow;
  const width = Math.max(...rows.map((r) => r.cells.length));
  const headers = Array.from({ length: width }, (_, i) => header.cells[i]?.text.trim() ?? '');
  const listing = () => headers.map((h, i) => `${i + 1}: ${h || `#${i + 1}`}`);

  const chosen = new Map<SheetField, number>();
  const skipped = new Set<number>();
  for (const pair of map) {
    const eq = pair.lastIndexOf('=');
    if (eq <= 0) return problem(`--map ${pair}: write column=field`, listing());
    const col = columnIndex(pair.slice(0, eq), headers, width);
    const right = pair.slice(eq + 1).trim();
    const fieldKey = right === '-' ? '-' : key(right);
    if (col === undefined) return problem(`--map ${pair}: no such column`, listing());
    if (!(fieldKey in FIELD_ALIASES))
      return problem(
        `--map ${pair}: field is one of orderId, waybill, consignee, phone, amount, paymentNo, orderTime, -`,
        listing(),
      );
    const field = FIELD_ALIASES[fieldKey] ?? null;
    if (field === null) skipped.add(col);
    else chosen.set(field, col);
  }
  const taken = new Set(chosen.values());
  const ambiguous: { field: SheetField; hits: number[] }[] = [];
  for (const field of SHEET_FIELDS) {
    if (chosen.has(field)) continue;
    const names = HEADINGS[field];
    const hits = headers
      .map((h, i) => (names.includes(key(h)) && !taken.has(i) && !skipped.has(i) ? i : -1))
      .filter((i) => i >= 0);
    if (hits.length === 1) chosen.set(field, hits[0] as number);
    else if (hits.length > 1) ambiguous.push({ field, hits });
  }
  if (ambiguous.length > 0) {
    // The same answer as the batch import's: the candidate columns, to choose from.
    return problem(
      `several columns could hold ${ambiguous.map((a) => a.field).join(', ')}; choose with --map column=field (or column=- to skip one)`,
      ambiguous.flatMap((a) => a.hits.map((i) => `${i + 1}: ${headers[i]} → ${a.field}`)),
    );
  }
  if (!chosen.has('orderId'))
    return problem('no order id column (订单号/order id); choose one with --map column=orderId', listing());

  const used = new Set(chosen.values());
  const ignored = headers.filter((h, i) => !used.has(i) && h !== '');
  const columns: ParsedSheet['columns'] = {};
  for (const [f, i] of chosen) columns[f] = { index: i + 1, name: headers[i] || `#${i + 1}` };

  const bad: BadRow[] = [];
  const byOrder = new Map<string, OrderFacts>();
  let repeated = 0;
  const cell = (r: TableRow, f: SheetField) => {
    const i = chosen.get(f);
    return i === undefined ? undefined : r.cells[i];
  };
  const textOf = (r: TableRow, f: SheetField) => {
    const t = cell(r, f)?.text.normalize('NFKC').trim();
    return t ? t : undefined;
  };
  for (const r of rows.slice(1)) {
    const idCell = cell(r, 'orderId');
    const rawId = idCell?.text.trim() ?? '';
    let orderId: string | undefined;
    if (rawId === '') bad.push({ row: r.line, field: 'orderId', reason: 'order-id-missing' });
    else if (idCell?.imprecise) bad.push({ row: r.line, field: 'orderId', reason: 'order-id-imprecise' });
    else {
      const id = normalizeOrderId(rawId);
      if (id.ok) orderId = id.value;
      else bad.push({ row: r.line, field: 'orderId', reason: 'order-id-invalid' });
    }
    const facts: OrderFacts = { orderId: orderId ?? '' };
    const amountText = textOf(r, 'amountFen');
    if (amountText !== undefined) {
      const fen = parseYuan(amountText);
      if (fen === undefined) bad.push({ row: r.line, field: 'amountFen', reason: 'amount-invalid' });
      else facts.amountFen = fen;
    }
    const timeText = textOf(r, 'orderTime');
    if (timeText !== undefined) {
      const t = parseOrderTime(timeText);
      if (t === undefined) bad.push({ row: r.line, field: 'orderTime', reason: 'time-invalid' });
      else facts.orderTime = t;
    }
    for (const f of ['waybill', 'consignee', 'phone', 'paymentNo'] as const) {
      const v = textOf(r, f);
      if (v !== undefined) facts[f] = v;
    }
    if (orderId === undefined) continue;
    if (byOrder.has(orderId)) {
      repeated++;
      byOrder.delete(orderId); // the later row wins, and takes the later place
    }
    byOrder.set(orderId, facts);
  }
  if (bad.length > 0) {
    return {
      ok: false,
      error: {
        error: clearanceError('usage', {
          detail: `${bad.length} bad row(s) (${[...new Set(bad.map((b) => b.row))].slice(0, 20).join(', ')}); nothing was imported`,
        }),
        columns: [],
      },
      badRows: bad,
    };
  }
  return { ok: true, value: { rows: [...byOrder.values()], columns, ignored, repeated } };
}

/** Read an order sheet from a file's bytes or a stream of them (by its name: .csv/.tsv or .xlsx). */
export async function readSheet(source: OrderSource, map: string[] = []): Promise<SheetResult> {
  const rows = await readTableRows(source);
  if (!Array.isArray(rows)) return { ok: false, error: { error: rows, columns: [] }, badRows: [] };
  return sheetFromTable(rows, map);
}
