/**
 * What brokers receive: manifest templates (columns, headers, formats, masking), the ZIP package
 * read back entry by entry with yauzl, image size caps, split PDFs, batch failures in the manifest,
 * findings on the pages, in the report and in checks.txt, and --strict.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { demoSource } from '../../electron/core/export/memory-source';
import { IMAGE_SUBFOLDER_FROM, runExport } from '../../electron/core/export/run';
import {
  BUILT_IN_TEMPLATES,
  groupIdNumber,
  loadTemplate,
  validateTemplate,
} from '../../electron/core/export/template';
import type { ExportTemplate } from '../../electron/core/export/types';
import type { OrderFactsLookup } from '../../electron/core/export/vault-source';
import type { Finding, OrderFacts } from '../../electron/core/orders/types';
import { BACK, DEMO_IMAGES, FRONT, pageText, pdfInfo } from './export-helpers';

const root = mkdtempSync(join(tmpdir(), 'cd-export-broker-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const dir = (name: string) => mkdtempSync(join(root, `${name}-`));

const WANG = '3728150192837465928';
const IDS = [WANG, '2000000000000002', '2000000000000001'];
const ORDERS: Record<string, OrderFacts> = {
  [WANG]: {
    orderId: WANG,
    waybill: 'SF1234567890',
    consignee: '王芳',
    phone: '13812345678',
    amountFen: 500001,
    paymentNo: 'P2026030100001',
    orderTime: '2026-02-28 21:15:00',
  },
  '2000000000000002': { orderId: '2000000000000002', waybill: 'YT0000000002', amountFen: 1999 },
};
const FINDINGS: Finding[] = [
  {
    orderId: '2000000000000001',
    code: 'over-order-limit',
    message: { zh: '单笔超过 5000 元限值', en: 'Over the ¥5,000 single-order limit' },
  },
];
const facts: OrderFactsLookup = (id) => ({
  ...(ORDERS[id] ? { order: ORDERS[id] } : {}),
  findings: FINDINGS.filter((f) => f.orderId === id),
});
const source = (ids = IDS, images = DEMO_IMAGES) => demoSource(ids, images, { facts });

/** Every entry of a ZIP with its bytes, in the archive's order. */
function readZip(path: string): Promise<{ name: string; bytes: Buffer; compressed: boolean }[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out: { name: string; bytes: Buffer; compressed: boolean }[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const parts: Buffer[] = [];
          stream.on('data', (d: Buffer) => parts.push(d));
          stream.on('end', () => {
            out.push({
              name: entry.fileName,
              bytes: Buffer.concat(parts),
              compressed: entry.compressionMethod !== 0,
            });
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

async function sheetRows(bytesOrPath: Buffer | string): Promise<string[][]> {
  const book = new ExcelJS.Workbook();
  if (typeof bytesOrPath === 'string') await book.xlsx.readFile(bytesOrPath);
  else await book.xlsx.load(bytesOrPath as unknown as ArrayBuffer);
  const rows: string[][] = [];
  const sheet = book.worksheets[0];
  // Empty cells are holes in row.values: read each column by number.
  sheet?.eachRow((row) => {
    rows.push(Array.from({ length: sheet.columnCount }, (_, i) => String(row.getCell(i + 1).value ?? '')));
  });
  return rows;
}

const csvRows = (path: string) =>
  readFileSync(path, 'utf8')
    .slice(1)
    .trimEnd()
    .split('\r\n')
    .map((l) => l.split(','));

describe('templates', () => {
  it('validates a user template and names what is wrong', () => {
    const good = {
      name: 'broker-x',
      columns: [
        { field: 'orderId', header: '订单号' },
        { field: 'waybill', header: '运单号' },
      ],
      imageName: '{waybill}-{side}.jpg',
      imageMaxBytes: 512000,
    };
    expect(validateTemplate(good)).toEqual(good);
    const reason = (t: unknown) => {
      try {
        validateTemplate(t);
        return 'ok';
      } catch (e) {
        return (e as { error: { reason: string; message: { 'en-US': string } } }).error.message['en-US'];
      }
    };
    expect(reason({ ...good, colour: 'red' })).toContain('unknown field "colour"');
    expect(reason({ ...good, columns: [{ field: 'orderId', width: 3 }] })).toContain(
      'columns[0]: 未知字段 "width"',
    );
    expect(reason({ ...good, columns: [{ field: 'shoeSize' }] })).toContain('unknown "field"');
    expect(reason({ ...good, columns: [{ field: 'name', format: 'YYYYMMDD' }] })).toContain(
      'not a format for name',
    );
    expect(reason({ ...good, imageName: '../{side}.jpg' })).toContain('"imageName"');
    expect(reason({ ...good, imageName: '{orderId}.jpg' })).toContain('{side}');
    expect(reason({ ...good, imageMaxBytes: 10 })).toContain('imageMaxBytes');
    expect(reason({ name: 'x', columns: [] })).toContain('"columns"');
  });

  it('loads a built-in by name or a JSON file by path, with clear errors', () => {
    expect(loadTemplate('ceb621')).toBe(BUILT_IN_TEMPLATES.ceb621);
    const d = dir('tpl');
    writeFileSync(join(d, 'x.json'), '{"name":"x","columns":[{"field":"orderId"}]}');
    expect(loadTemplate(join(d, 'x.json')).name).toBe('x');
    writeFileSync(join(d, 'bad.json'), '{"name":');
    expect(() => loadTemplate(join(d, 'bad.json'))).toThrow();
    expect(() => loadTemplate('nope')).toThrow();
    expect(() => loadTemplate(join(d, 'missing.json'))).toThrow();
  });

  it('groups an 18-character ID number for retyping', () => {
    expect(groupIdNumber('11010519491231002X')).toBe('110105 19491231 002X');
    expect(groupIdNumber('1101**********002X')).toBe('1101** ******** 002X');
    expect(groupIdNumber('A1234567')).toBe('A1234567');
  });

  it('ceb621: its columns and headers, amounts in yuan, the order sheet facts beside the identity', async () => {
    const csv = join(dir('ceb'), 'ceb.csv');
    const r = await runExport({ manifest: csv, template: BUILT_IN_TEMPLATES.ceb621 }, source());
    expect(r.ok).toBe(true);
    const rows = csvRows(csv);
    expect(rows[0]).toEqual([
      'orderNo',
      'logisticsNo',
      'buyerIdType',
      'buyerIdNumber',
      'buyerName',
      'buyerTelephone',
      'acturalPaid',
      'payTransactionId',
    ]);
    expect(rows.map((row) => row[0]).slice(1)).toEqual(['2000000000000001', '2000000000000002', WANG]);
    expect(rows[3]).toEqual([
      WANG,
      'SF1234567890',
      '1',
      '11010519491231002X',
      '王芳',
      '13812345678',
      '5000.01',
      'P2026030100001',
    ]);
    expect(rows[2]?.[6]).toBe('19.99');
  });

  it('a user template: its order, headers, date and amount formats, and masking per column', async () => {
    const template: ExportTemplate = validateTemplate({
      name: 'broker-y',
      columns: [
        { field: 'waybill', header: '运单号' },
        { field: 'orderId', header: '订单号' },
        { field: 'name', header: '姓名', mask: true },
        { field: 'idNumberGrouped', header: '身份证号' },
        { field: 'phone', header: '电话', mask: true },
        { field: 'amount', header: '金额（分）', format: 'fen' },
        { field: 'orderTime', header: '下单', format: 'YYYYMMDD' },
        { field: 'expiry', header: '有效期' },
      ],
      dateFormat: 'YYYY/MM/DD',
    });
    const csv = join(dir('user'), 'u.csv');
    const r = await runExport({ manifest: csv, template }, source([WANG]));
    expect(r.ok).toBe(true);
    expect(csvRows(csv)).toEqual([
      ['运单号', '订单号', '姓名', '身份证号', '电话', '金额（分）', '下单', '有效期'],
      [
        'SF1234567890',
        WANG,
        '王*',
        '110105 19491231 002X',
        '138****5678',
        '500001',
        '20260228 21:15:00',
        '2034/01/01',
      ],
    ]);
  });

  it('images-only: order id and image files, nothing personal', async () => {
    const out = dir('images-only');
    const r = await runExport(
      { manifest: join(out, 'm.csv'), imagesDir: out, template: BUILT_IN_TEMPLATES['images-only'] },
      source([WANG]),
    );
    expect(r.ok).toBe(true);
    const rows = csvRows(join(out, 'm.csv'));
    expect(rows[1]).toEqual([WANG, `${WANG}-front.jpg`, `${WANG}-back.jpg`, '已导出 exported']);
    expect(readFileSync(join(out, 'm.csv'), 'utf8')).not.toMatch(/王|11010519491231002X/);
  });
});

describe('the package', () => {
  const template = validateTemplate({
    name: 'broker-x',
    columns: [
      { field: 'orderId', header: '订单号' },
      { field: 'waybill', header: '运单号' },
      { field: 'page', header: '页码' },
      { field: 'findings', header: '核对' },
    ],
    imageName: '{waybill}-{side}.jpg',
    // The front (110,575 bytes) is under the cap, the back (124,102 bytes) over it.
    imageMaxBytes: 120_000,
  });

  it('holds the images named by the rule, the manifest, the PDF and checks.txt; only images over the cap change', async () => {
    const out = dir('pkg');
    const zip = join(out, 'broker.zip');
    const r = await runExport({ package: zip, template, now: '2026-03-01T02:00:00.000Z' }, source());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.files).toEqual([zip]);
    expect(readdirSync(out)).toEqual(['broker.zip']);
    expect(r.value.reencodedImages).toBe(3);
    expect(r.value.findings).toEqual(FINDINGS);

    const entries = await readZip(zip);
    expect(entries.map((e) => e.name)).toEqual([
      'SF1234567890-front.jpg',
      'SF1234567890-back.jpg',
      'YT0000000002-front.jpg',
      'YT0000000002-back.jpg',
      // No waybill on the sheet: the order id stands in.
      '2000000000000001-front.jpg',
      '2000000000000001-back.jpg',
      'manifest.xlsx',
      'broker.pdf',
      'checks.txt',
    ]);
    const entry = (name: string) => entries.find((e) => e.name === name) as (typeof entries)[number];
    for (const prefix of ['SF1234567890', 'YT0000000002', '2000000000000001']) {
      const front = entry(`${prefix}-front.jpg`);
      const back = entry(`${prefix}-back.jpg`);
      expect(front.bytes.equals(FRONT.bytes), `${prefix} front unchanged`).toBe(true);
      expect(back.bytes.equals(BACK.bytes), `${prefix} back re-encoded`).toBe(false);
      expect(back.bytes.length).toBeLessThanOrEqual(120_000);
      expect([...back.bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
      // JPEGs are stored, not deflated again.
      expect(front.compressed).toBe(false);
    }

    const rows = await sheetRows(entry('manifest.xlsx').bytes);
    expect(rows).toEqual([
      ['订单号', '运单号', '页码', '核对'],
      ['2000000000000001', '', '3', '单笔超过 5000 元限值'],
      ['2000000000000002', 'YT0000000002', '2', ''],
      [WANG, 'SF1234567890', '1', ''],
    ]);

    const pdf = join(dir('pkg-pdf'), 'p.pdf');
    writeFileSync(pdf, entry('broker.pdf').bytes);
    expect(pdfInfo(pdf).pages).toBe(3);
    expect(pageText(pdf, 3)).toContain('核对 Check: 单笔超过 5000 元限值');
    expect(pageText(pdf, 1)).not.toContain('核对 Check');

    const checks = entry('checks.txt').bytes.toString('utf8');
    expect(checks).toContain('发现 Findings: 1');
    expect(checks).toContain(
      '2000000000000001\tover-order-limit\t单笔超过 5000 元限值 / Over the ¥5,000 single-order limit',
    );
  });

  it('--strict refuses findings before writing anything (a business error: exit 3)', async () => {
    const out = dir('strict');
    const r = await runExport(
      { package: join(out, 'b.zip'), pdf: join(out, 'a.pdf'), strict: true },
      source(),
    );
    expect(r.ok ? 'ok' : [r.error.reason, r.error.kind]).toEqual(['export-findings', 'business']);
    expect(r.ok || r.error.message['en-US']).toContain('orders 2000000000000001');
    expect(readdirSync(out)).toEqual([]);
    const clean = await runExport({ pdf: join(out, 'a.pdf'), strict: true }, source([WANG]));
    expect(clean.ok).toBe(true);
  });
});

describe('large exports', () => {
  it('splits the combined PDF every N orders; the manifest names each order’s file and page', async () => {
    const out = dir('split');
    const ids = Array.from({ length: 5 }, (_, i) => `3${String(i + 1).padStart(15, '0')}`);
    const r = await runExport(
      { pdf: join(out, 'all.pdf'), manifest: join(out, 'm.csv'), split: 2 },
      demoSource(ids, DEMO_IMAGES),
    );
    expect(r.ok).toBe(true);
    expect(readdirSync(out).sort()).toEqual(['all-001.pdf', 'all-002.pdf', 'all-003.pdf', 'm.csv']);
    expect([1, 2, 3].map((k) => pdfInfo(join(out, `all-00${k}.pdf`)).pages)).toEqual([2, 2, 1]);
    expect(pageText(join(out, 'all-002.pdf'), 2)).toContain('第 2 / 2 页');
    expect(pageText(join(out, 'all-003.pdf'), 1)).toContain('第 1 / 1 页');
    const rows = csvRows(join(out, 'm.csv'));
    const head = rows[0] as string[];
    const at = (h: string) => rows.slice(1).map((row) => row[head.indexOf(h)]);
    expect(at('PDF 文件 PDF file')).toEqual([
      'all-001.pdf',
      'all-001.pdf',
      'all-002.pdf',
      'all-002.pdf',
      'all-003.pdf',
    ]);
    expect(at('PDF 页码 Page')).toEqual(['1', '2', '1', '2', '1']);
  });

  it(`puts images in an images/ subfolder from ${IMAGE_SUBFOLDER_FROM} orders on`, async () => {
    const out = dir('many');
    const ids = Array.from({ length: IMAGE_SUBFOLDER_FROM }, (_, i) => `3${String(i + 1).padStart(15, '0')}`);
    const r = await runExport({ imagesDir: out, manifest: join(out, 'm.csv') }, demoSource(ids, DEMO_IMAGES));
    expect(r.ok).toBe(true);
    expect(readdirSync(out).sort()).toEqual(['images', 'm.csv']);
    expect(readdirSync(join(out, 'images'))).toHaveLength(2 * IMAGE_SUBFOLDER_FROM);
    const rows = csvRows(join(out, 'm.csv'));
    expect(rows[1]?.[(rows[0] as string[]).indexOf('正面照片 Front image')]).toBe(
      `images/${ids[0]}-front.jpg`,
    );
  });

  it('lists the failed orders of a batch in the manifest, sorted in, with their reason', async () => {
    const csv = join(dir('failed'), 'm.csv');
    const r = await runExport(
      {
        manifest: csv,
        failed: [
          { orderId: '2500000000000000', reason: { 'zh-CN': '订单不存在', 'en-US': 'No such order' } },
          { orderId: WANG, reason: { 'zh-CN': '不应出现', 'en-US': 'exported after all' } },
        ],
      },
      source(['2000000000000002', WANG]),
    );
    expect(r.ok && r.value.failedListed).toBe(1);
    const rows = csvRows(csv);
    const head = rows[0] as string[];
    expect(rows.slice(1).map((row) => [row[0], row[head.indexOf('导出结果 Result')]])).toEqual([
      ['2000000000000002', '已导出 exported'],
      ['2500000000000000', '未导出：订单不存在 / not exported: No such order'],
      [WANG, '已导出 exported'],
    ]);
  });
});
