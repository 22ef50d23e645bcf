/**
 * Manifest templates: which columns a broker's spreadsheet has, under which headers, in which
 * order; how dates and amounts are written; which columns are masked; how the ID images are named
 * and how large they may be. Built in: `default`, `ceb621`, `images-only`; a user's template is a
 * small JSON file, validated here with messages that name the offending field.
 */
import { readFileSync } from 'node:fs';
import { ClearanceFailure, clearanceError } from '../errors';
import type { BuiltInTemplateName } from '../rules';

/** Every value a column can show. One home: the README lists these. */
export const TEMPLATE_FIELDS = {
  orderId: '订单号 Order id',
  waybill: '运单号 Waybill',
  consignee: '收件人 Consignee',
  phone: '电话 Phone',
  amount: '金额 Amount',
  paymentNo: '支付单号 Payment no.',
  orderTime: '下单时间 Order time',
  name: '姓名 Name',
  idNumber: '证件号码（原样）ID number (raw)',
  idNumberGrouped: '证件号码 ID number',
  idType: '证件类型 Type',
  idTypeCode: '证件类型代码 Type code',
  expiry: '有效期至 Expiry',
  expiryStatus: '有效期状态 Expiry status',
  fetchedAt: '获取时间 Fetched',
  profile: '账号 Profile',
  pdf: 'PDF 文件 PDF file',
  page: 'PDF 页码 Page',
  frontImage: '正面照片 Front image',
  backImage: '背面照片 Back image',
  flags: '标记 Flags',
  warnings: '警告 Warnings',
  findings: '核对结果 Checks',
  result: '导出结果 Result',
} as const;

export type TemplateField = keyof typeof TEMPLATE_FIELDS;

/** Fields that hold a name or an ID number: masked whenever the export masks. */
export const PERSONAL_FIELDS: ReadonlySet<TemplateField> = new Set([
  'name',
  'consignee',
  'idNumber',
  'idNumberGrouped',
]);

export const DATE_FORMATS = ['YYYY-MM-DD', 'YYYYMMDD', 'YYYY/MM/DD'] as const;
export const AMOUNT_FORMATS = ['yuan', 'fen', 'yuan-symbol'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];
export type AmountFormat = (typeof AMOUNT_FORMATS)[number];

export interface TemplateColumn {
  field: TemplateField;
  /** Default: the field's own bilingual header. */
  header?: string;
  /** Mask this column even when the export as a whole does not. */
  mask?: boolean;
  /** For date columns (expiry, orderTime, fetchedAt) and `amount`; else the template's. */
  format?: DateFormat | AmountFormat;
}

export interface ExportTemplate {
  name: string;
  columns: TemplateColumn[];
  /** Image file name: `{orderId}`, `{waybill}` (the order id when there is none), `{side}`, `{ext}`. */
  imageName?: string;
  /** Images above this many bytes are re-encoded (JPEG) until they fit; smaller ones stay byte for byte. */
  imageMaxBytes?: number;
  dateFormat?: DateFormat;
  amountFormat?: AmountFormat;
}

export const DEFAULT_IMAGE_NAME = '{orderId}-{side}.{ext}';

const col = (field: TemplateField, header?: string): TemplateColumn =>
  header ? { field, header } : { field };

export const BUILT_IN_TEMPLATES: Record<BuiltInTemplateName, ExportTemplate> = {
  default: {
    name: 'default',
    columns: (
      [
        'orderId',
        'page',
        'name',
        'idNumberGrouped',
        'idNumber',
        'idType',
        'expiry',
        'expiryStatus',
        'flags',
        'warnings',
        'findings',
        'waybill',
        'consignee',
        'phone',
        'amount',
        'paymentNo',
        'orderTime',
        'pdf',
        'frontImage',
        'backImage',
        'result',
      ] as TemplateField[]
    ).map((f) => col(f)),
  },
  // The first six are the inventory head's own (CEB621 InventoryHead, in its order); the inventory
  // has no paid amount or payment number, so those two carry the order message's (CEB311
  // OrderHead) names, `acturalPaid` spelt as that message spells it.
  ceb621: {
    name: 'ceb621',
    columns: [
      col('orderId', 'orderNo'),
      col('waybill', 'logisticsNo'),
      col('idTypeCode', 'buyerIdType'),
      col('idNumber', 'buyerIdNumber'),
      col('name', 'buyerName'),
      col('phone', 'buyerTelephone'),
      col('amount', 'acturalPaid'),
      col('paymentNo', 'payTransactionId'),
    ],
    amountFormat: 'yuan',
  },
  'images-only': {
    name: 'images-only',
    columns: [col('orderId'), col('frontImage'), col('backImage'), col('result')],
  },
};

const bad = (detail: string) => new ClearanceFailure(clearanceError('export-template-invalid', { detail }));

const TEMPLATE_KEYS = ['name', 'columns', 'imageName', 'imageMaxBytes', 'dateFormat', 'amountFormat'];
const COLUMN_KEYS = ['field', 'header', 'mask', 'format'];
const DATE_FIELDS: ReadonlySet<TemplateField> = new Set(['expiry', 'orderTime', 'fetchedAt']);

/** Validate a parsed template; throws `export-template-invalid` naming the first problem. */
export function validateTemplate(value: unknown): ExportTemplate {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw bad('模板须为 JSON 对象 / the template must be a JSON object');
  const t = value as Record<string, unknown>;
  for (const k of Object.keys(t))
    if (!TEMPLATE_KEYS.includes(k))
      throw bad(`未知字段 "${k}" / unknown field "${k}" (allowed: ${TEMPLATE_KEYS.join(', ')})`);
  if (typeof t.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/.test(t.name))
    throw bad('"name" 须为 1–40 个字母、数字或 _.- / "name" must be 1–40 letters, digits or _.-');
  if (!Array.isArray(t.columns) || t.columns.length === 0 || t.columns.length > 60)
    throw bad('"columns" 须为 1–60 列的数组 / "columns" must be a list of 1–60 columns');
  const columns = t.columns.map((c, i): TemplateColumn => {
    const where = `columns[${i}]`;
    if (!c || typeof c !== 'object' || Array.isArray(c)) throw bad(`${where} 须为对象 / must be an object`);
    const o = c as Record<string, unknown>;
    for (const k of Object.keys(o))
      if (!COLUMN_KEYS.includes(k)) throw bad(`${where}: 未知字段 "${k}" / unknown field "${k}"`);
    if (typeof o.field !== 'string' || !(o.field in TEMPLATE_FIELDS))
      throw bad(
        `${where}: 未知的值 "field": ${JSON.stringify(o.field)} / unknown "field" (one of: ${Object.keys(TEMPLATE_FIELDS).join(', ')})`,
      );
    const field = o.field as TemplateField;
    if (o.header !== undefined && (typeof o.header !== 'string' || !o.header.trim() || o.header.length > 60))
      throw bad(`${where}: "header" 须为 1–60 个字 / "header" must be 1–60 characters`);
    if (o.mask !== undefined && typeof o.mask !== 'boolean')
      throw bad(`${where}: "mask" 须为 true 或 false / "mask" must be true or false`);
    if (o.format !== undefined) {
      const allowed: readonly string[] = DATE_FIELDS.has(field)
        ? DATE_FORMATS
        : field === 'amount'
          ? AMOUNT_FORMATS
          : [];
      if (!allowed.includes(o.format as string))
        throw bad(
          `${where}: "format" ${JSON.stringify(o.format)} 不适用于 ${field} / not a format for ${field}${allowed.length ? ` (one of: ${allowed.join(', ')})` : ''}`,
        );
    }
    return {
      field,
      ...(typeof o.header === 'string' ? { header: o.header.trim() } : {}),
      ...(o.mask !== undefined ? { mask: o.mask as boolean } : {}),
      ...(o.format !== undefined ? { format: o.format as DateFormat | AmountFormat } : {}),
    };
  });
  const out: ExportTemplate = { name: t.name, columns };
  if (t.imageName !== undefined) {
    if (typeof t.imageName !== 'string' || !validImageName(t.imageName))
      throw bad(
        '"imageName" 须含 {side}，只用 {orderId} {waybill} {side} {ext}，不含路径 / "imageName" must contain {side}, use only {orderId} {waybill} {side} {ext}, and no path',
      );
    out.imageName = t.imageName;
  }
  if (t.imageMaxBytes !== undefined) {
    if (
      typeof t.imageMaxBytes !== 'number' ||
      !Number.isInteger(t.imageMaxBytes) ||
      t.imageMaxBytes < 20_000 ||
      t.imageMaxBytes > 50_000_000
    )
      throw bad(
        '"imageMaxBytes" 须为 20000–50000000 的整数 / "imageMaxBytes" must be an integer 20000–50000000',
      );
    out.imageMaxBytes = t.imageMaxBytes;
  }
  if (t.dateFormat !== undefined) {
    if (!DATE_FORMATS.includes(t.dateFormat as DateFormat))
      throw bad(`"dateFormat" 须为 / must be one of ${DATE_FORMATS.join(', ')}`);
    out.dateFormat = t.dateFormat as DateFormat;
  }
  if (t.amountFormat !== undefined) {
    if (!AMOUNT_FORMATS.includes(t.amountFormat as AmountFormat))
      throw bad(`"amountFormat" 须为 / must be one of ${AMOUNT_FORMATS.join(', ')}`);
    out.amountFormat = t.amountFormat as AmountFormat;
  }
  return out;
}

function validImageName(name: string): boolean {
  if (name.length > 80 || !name.includes('{side}') || /[/\\\0]|^\./.test(name)) return false;
  const rest = name.replace(/\{(orderId|waybill|side|ext)\}/g, '');
  return !/[{}]/.test(rest) && /\.(jpe?g|png|\{ext\})$/i.test(name);
}

/** A built-in template by name, or a JSON file (a name containing `/` or ending in .json). */
export function loadTemplate(nameOrFile: string): ExportTemplate {
  if (Object.hasOwn(BUILT_IN_TEMPLATES, nameOrFile))
    return BUILT_IN_TEMPLATES[nameOrFile as BuiltInTemplateName];
  if (!/[/\\]|\.json$/i.test(nameOrFile))
    throw bad(
      `没有名为 "${nameOrFile}" 的模板 / no template named "${nameOrFile}" (built in: ${Object.keys(BUILT_IN_TEMPLATES).join(', ')}; or a .json file)`,
    );
  let text: string;
  try {
    text = readFileSync(nameOrFile, 'utf8');
  } catch (err) {
    throw bad(
      `无法读取模板文件 / cannot read the template file (${(err as { code?: string }).code ?? 'error'})`,
    );
  }
  if (text.length > 64 * 1024) throw bad('模板文件超过 64 KB / the template file is over 64 KB');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    // Only the position: the parser's message quotes the file's text.
    const at = /position (\d+)/.exec((err as Error).message)?.[1];
    throw bad(`不是有效的 JSON / not valid JSON${at ? ` (at character ${at})` : ''}`);
  }
  return validateTemplate(parsed);
}

/** YYYY-MM-DD[ HH:mm:ss] in the chosen form; anything else unchanged. */
export function formatDate(value: string, format: DateFormat): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(.*)$/.exec(value);
  if (!m) return value;
  const [, y, mo, d, rest] = m;
  const date =
    format === 'YYYYMMDD' ? `${y}${mo}${d}` : format === 'YYYY/MM/DD' ? `${y}/${mo}/${d}` : `${y}-${mo}-${d}`;
  return `${date}${rest}`;
}

/** Fen (integer) as the broker wants it: 500001 → 5000.01 / 500001 / ¥5000.01. */
export function formatAmount(fen: number | undefined, format: AmountFormat): string {
  if (fen === undefined || !Number.isFinite(fen)) return '';
  if (format === 'fen') return String(Math.round(fen));
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(Math.round(fen));
  const yuan = `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
  return format === 'yuan-symbol' ? `¥${yuan}` : yuan;
}

/** 11010519491231002X → 110105 19491231 002X (region, birth date, sequence + check), for retyping. */
export function groupIdNumber(id: string): string {
  return /^[0-9*]{17}[0-9Xx*]$/.test(id) ? `${id.slice(0, 6)} ${id.slice(6, 14)} ${id.slice(14)}` : id;
}

/** 13812345678 → 138****5678. */
export function maskPhone(phone: string): string {
  const d = [...phone];
  if (d.length <= 4) return '*'.repeat(d.length);
  if (d.length <= 7) return `${d.slice(0, 1).join('')}${'*'.repeat(d.length - 3)}${d.slice(-2).join('')}`;
  return `${d.slice(0, 3).join('')}${'*'.repeat(d.length - 7)}${d.slice(-4).join('')}`;
}

/** The image file name a template's rule gives, made safe as a single file name. */
export function imageFileName(
  template: ExportTemplate,
  v: { orderId: string; waybill?: string; side: 'front' | 'back'; ext: 'jpg' | 'png' },
): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40);
  return (template.imageName ?? DEFAULT_IMAGE_NAME)
    .replaceAll('{orderId}', v.orderId)
    .replaceAll('{waybill}', v.waybill ? safe(v.waybill) : v.orderId)
    .replaceAll('{side}', v.side)
    .replaceAll('{ext}', v.ext);
}

/** The extension a rule forces (`.jpg`, `.png`), or undefined when it says `{ext}`. */
export function forcedImageType(template: ExportTemplate): 'jpg' | 'png' | undefined {
  const m = /\.(jpe?g|png)$/i.exec(template.imageName ?? DEFAULT_IMAGE_NAME);
  if (!m) return undefined;
  return (m[1] as string).toLowerCase() === 'png' ? 'png' : 'jpg';
}
