/**
 * The export's files, checked with real tools: poppler (pdfinfo, pdffonts, pdftotext, pdfimages)
 * for the PDFs, exceljs and a CSV parse for the manifests.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { findSample, SAMPLE_ORDERS } from '../../electron/core/demo/samples';
import { DEFAULT_FALLBACK_FONTS } from '../../electron/core/export/fonts';
import { demoSource, recordFromSample } from '../../electron/core/export/memory-source';
import { CARD } from '../../electron/core/export/page';
import { runExport } from '../../electron/core/export/run';
import type { ExportImage, ExportSource } from '../../electron/core/export/types';
import type { StoredRecord } from '../../electron/core/vault/types';
import {
  BACK,
  DEMO_IMAGES,
  extractImages,
  FRONT,
  makePng,
  pageText,
  pdfFonts,
  pdfInfo,
  tool,
} from './export-helpers';

const root = mkdtempSync(join(tmpdir(), 'cd-export-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const dir = (name: string) => mkdtempSync(join(root, `${name}-`));
const SAMPLE_IDS = SAMPLE_ORDERS.map((s) => s.orderId);
const NOW = '2026-03-01T02:00:00.000Z';

/** A source of hand-made records (names the demo does not have). */
function customSource(
  records: StoredRecord[],
  images: (id: string) => Partial<Record<'front' | 'back', ExportImage>>,
): ExportSource {
  return {
    count: () => records.length,
    records: () => records,
    image: (id, side) => images(id)[side],
  };
}

describe('combined PDF of the demo orders', () => {
  const out = dir('combined');
  const pdf = join(out, 'all.pdf');
  const progress: number[] = [];
  const run = runExport({ pdf, exporter: 'tester', now: NOW }, demoSource(SAMPLE_IDS, DEMO_IMAGES), {
    onProgress: (p) => progress.push(p.done),
  });

  it('writes one A4 portrait page per order and reports progress', async () => {
    const r = await run;
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.files).toEqual([pdf]);
    expect(r.value.orderIds).toEqual(SAMPLE_IDS);
    expect(pdfInfo(pdf)).toEqual({ pages: SAMPLE_IDS.length, size: '595.28 x 841.89 pts (A4)' });
    expect(progress).toEqual(SAMPLE_IDS.map((_, i) => i + 1));
    expect(readdirSync(out)).toEqual(['all.pdf']);
  });

  it('embeds Noto Sans SC as subsets (and nothing else)', async () => {
    await run;
    const fonts = pdfFonts(pdf);
    expect(fonts.map((f) => f.name.replace(/^[A-Z]{6}\+/, '')).sort()).toEqual([
      'NotoSansSC-Bold',
      'NotoSansSC-Regular',
    ]);
    for (const f of fonts) expect([f.emb, f.sub]).toEqual(['yes', 'yes']);
  });

  it('extracts the Chinese header text exactly, 19-digit order id intact', async () => {
    await run;
    const page2 = pageText(pdf, 2);
    const wang = findSample('3728150192837465928');
    expect(page2).toContain('3728150192837465928');
    expect(page2).toContain(wang?.name);
    expect(page2).toContain('11010519491231002X');
    expect(page2).toContain('居民身份证 / Resident ID card');
    expect(page2).toContain('2034-01-01（有效 / valid');
    expect(page2).toContain('清关身份信息');
    expect(page2).toContain('第 2 / 9 页');
    expect(page2).toContain('导出人 Exporter tester');
    const page1 = pageText(pdf, 1);
    expect(page1).toContain('证件号码校验位不正确');
    expect(page1).toContain('已过期 / expired');
  });

  it('puts the JPEGs in unchanged: pdfimages gives back the very bytes', async () => {
    await run;
    const files = extractImages(pdf, dir('images'));
    // 8 of the 9 sample orders have images, two sides each.
    expect(files).toHaveLength(16);
    for (const [i, f] of files.entries()) {
      expect(f.endsWith('.jpg')).toBe(true);
      expect(readFileSync(f).equals(i % 2 === 0 ? FRONT.bytes : BACK.bytes)).toBe(true);
    }
  });

  it('says so on the page of an order without images', async () => {
    const r = await run;
    const page = SAMPLE_IDS.indexOf('2000000000000005') + 1;
    expect(pageText(pdf, page)).toContain('此订单没有证件照片 · No ID images on record for this order');
    expect(r.ok && r.value.warnings.filter((w) => w.code === 'images-missing').map((w) => w.orderId)).toEqual(
      ['2000000000000005'],
    );
  });

  it('marks the rare character of 王𪚥 (in no installed font) instead of dropping it', async () => {
    const r = await run;
    const page = SAMPLE_IDS.indexOf('2000000000000007') + 1;
    const text = pageText(pdf, page);
    expect(text).toContain('王[U+2A6A5]');
    expect(text).toContain('1 name character(s) have no font');
    expect(r.ok && r.value.warnings.find((w) => w.orderId === '2000000000000007')).toMatchObject({
      code: 'glyph-missing',
      count: 1,
    });
    // The report says how many, never which name.
    expect(JSON.stringify(r.ok && r.value.warnings)).not.toContain('𪚥');
  });
});

describe('fallback font', () => {
  const hasWqy = existsSync(DEFAULT_FALLBACK_FONTS[0]?.path ?? '');
  it.skipIf(!hasWqy)(
    'draws a character Noto Sans SC lacks with WenQuanYi Micro Hei and reports it',
    async () => {
      const s = findSample('2000000000000006');
      if (!s) throw new Error('sample missing');
      const record = recordFromSample({ ...s, name: '김민준' }, { images: DEMO_IMAGES });
      const pdf = join(dir('fallback'), 'k.pdf');
      const r = await runExport(
        { pdf },
        customSource([record], () => DEMO_IMAGES),
      );
      expect(r.ok).toBe(true);
      expect(pageText(pdf, 1)).toContain('김민준');
      const fonts = pdfFonts(pdf);
      expect(fonts.some((f) => f.name.endsWith('+WenQuanYiMicroHei'))).toBe(true);
      for (const f of fonts) expect([f.emb, f.sub]).toEqual(['yes', 'yes']);
      expect(r.ok && r.value.warnings).toEqual([
        expect.objectContaining({ code: 'glyph-fallback', count: 3 }),
      ]);
    },
  );

  it('without any fallback font, the same name is marked and reported', async () => {
    const s = findSample('2000000000000006');
    if (!s) throw new Error('sample missing');
    const record = recordFromSample({ ...s, name: '김민' }, { images: DEMO_IMAGES });
    const pdf = join(dir('nofallback'), 'k.pdf');
    const r = await runExport(
      { pdf, fallbackFonts: [] },
      customSource([record], () => DEMO_IMAGES),
    );
    expect(pageText(pdf, 1)).toContain('[U+AE40][U+BBFC]');
    expect(r.ok && r.value.warnings).toEqual([expect.objectContaining({ code: 'glyph-missing', count: 2 })]);
  });
});

describe('per-order PDFs, raw images and manifests', () => {
  const ids = ['3728150192837465928', '2000000000000005', '2000000000000002'];

  it('writes <order_id>.pdf, <order_id>-front/back.jpg and a CSV with BOM whose rows match', async () => {
    const out = dir('per');
    const csv = join(out, 'manifest.csv');
    const r = await runExport(
      { perOrderDir: out, imagesDir: out, manifest: csv, now: NOW },
      demoSource(ids, DEMO_IMAGES),
    );
    expect(r.ok).toBe(true);
    expect(readdirSync(out).sort()).toEqual(
      [
        '2000000000000002-back.jpg',
        '2000000000000002-front.jpg',
        '2000000000000002.pdf',
        '2000000000000005.pdf',
        '3728150192837465928-back.jpg',
        '3728150192837465928-front.jpg',
        '3728150192837465928.pdf',
        'manifest.csv',
      ].sort(),
    );
    for (const id of ids) {
      expect(pdfInfo(join(out, `${id}.pdf`)).pages).toBe(1);
      expect(pageText(join(out, `${id}.pdf`), 1)).toContain(id);
    }
    expect(readFileSync(join(out, '3728150192837465928-front.jpg')).equals(FRONT.bytes)).toBe(true);
    expect(readFileSync(join(out, '3728150192837465928-back.jpg')).equals(BACK.bytes)).toBe(true);

    const raw = readFileSync(csv);
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = raw
      .toString('utf8')
      .slice(1)
      .trimEnd()
      .split('\r\n')
      .map((l) => l.split(','));
    const head = rows[0] ?? [];
    const cell = (row: string[] | undefined, header: string) => row?.[head.indexOf(header)];
    expect(head[0]).toBe('订单号 Order id');
    // Sorted by order id (numerically), whatever order the pages were made in.
    expect(rows.slice(1).map((row) => row[0])).toEqual(
      [...ids].sort((a, b) => a.length - b.length || (a < b ? -1 : 1)),
    );
    const wang = rows[3];
    expect(
      [
        '姓名 Name',
        '证件号码 ID number',
        '证件号码（原样）ID number (raw)',
        '证件类型 Type',
        '有效期至 Expiry',
        '有效期状态 Expiry status',
      ].map((h) => cell(wang, h)),
    ).toEqual([
      '王芳',
      '110105 19491231 002X',
      '11010519491231002X',
      '居民身份证',
      '2034-01-01',
      '有效 valid',
    ]);
    expect(
      ['PDF 文件 PDF file', 'PDF 页码 Page', '正面照片 Front image', '背面照片 Back image'].map((h) =>
        cell(wang, h),
      ),
    ).toEqual([
      '3728150192837465928.pdf',
      '1',
      '3728150192837465928-front.jpg',
      '3728150192837465928-back.jpg',
    ]);
    const noImages = rows[2];
    expect(cell(noImages, '标记 Flags')).toBe('无照片 no images');
    // Said once, not as the validation's and the export's warning both.
    expect(cell(noImages, '警告 Warnings')).toBe('没有证件照片，页面已注明');
    expect(['正面照片 Front image', '背面照片 Back image'].map((h) => cell(noImages, h))).toEqual(['', '']);
  });

  it('XLSX keeps order ids and ID numbers as text; --mask masks names and ID numbers in the PDF and the manifest', async () => {
    const out = dir('xlsx');
    const xlsx = join(out, 'm.xlsx');
    const pdf = join(out, 'all.pdf');
    const r = await runExport({ pdf, manifest: xlsx, mask: true }, demoSource(ids, DEMO_IMAGES));
    expect(r.ok && r.value.masked).toBe(true);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(xlsx);
    const sheet = book.worksheets[0];
    if (!sheet) throw new Error('no sheet');
    expect(sheet.rowCount).toBe(ids.length + 1);
    const idCells = ids.map((_, i) => sheet.getRow(i + 2).getCell(1));
    expect(idCells.map((c) => c.value)).toEqual([
      '2000000000000002',
      '2000000000000005',
      '3728150192837465928',
    ]);
    for (const c of idCells) expect(c.type).toBe(ExcelJS.ValueType.String);
    const head = (sheet.getRow(1).values as string[]).slice(1);
    const cell = (row: number, h: string) => sheet.getRow(row).getCell(head.indexOf(h) + 1).value;
    expect(cell(4, '姓名 Name')).toBe('王*');
    expect(cell(4, '证件号码（原样）ID number (raw)')).toBe('1101**********002X');
    expect(cell(4, 'PDF 文件 PDF file')).toBe('all.pdf');
    // Wang is the first of the three pages, whatever the sheet's order.
    expect(cell(4, 'PDF 页码 Page')).toBe('1');
    const text = pageText(pdf, 1);
    expect(text).toContain('1101**********002X');
    expect(text).not.toContain('11010519491231002X');
    expect(text).toContain('姓名和证件号码已遮盖');
  });

  it('defuses cells a spreadsheet would run as formulas', async () => {
    const s = findSample('2000000000000002');
    if (!s) throw new Error('sample missing');
    const record = recordFromSample({ ...s, name: '=HYPERLINK("http://x","y")' });
    const csv = join(dir('formula'), 'm.csv');
    const r = await runExport(
      { manifest: csv },
      customSource([record], () => ({})),
    );
    expect(r.ok).toBe(true);
    const line = readFileSync(csv, 'utf8').split('\r\n')[1] ?? '';
    expect(line).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
  });
});

describe('images that are not plain JPEG', () => {
  it('embeds a PNG (with transparency)', async () => {
    const png: ExportImage = { mime: 'image/png', bytes: makePng(428, 270) };
    const out = dir('png');
    const pdf = join(out, 'p.pdf');
    const r = await runExport(
      { pdf, imagesDir: out },
      demoSource(['2000000000000002'], { front: png, back: BACK }),
    );
    expect(r.ok && r.value.warnings).toEqual([]);
    const listed = extractImages(pdf, dir('png-x')).map((f) => f.slice(f.lastIndexOf('.')));
    // The PNG (its colour and its alpha mask) and the JPEG back.
    expect(listed).toContain('.png');
    expect(listed).toContain('.jpg');
    expect(readFileSync(join(out, '2000000000000002-front.png')).equals(png.bytes)).toBe(true);
  });

  it('turns damaged images into marked placeholders and warnings, not a failed export', async () => {
    const cut: ExportImage = { mime: 'image/jpeg', bytes: FRONT.bytes.subarray(0, 40_000) };
    const junk: ExportImage = { mime: 'image/png', bytes: Buffer.from('not really a png at all') };
    const badPng: ExportImage = {
      mime: 'image/png',
      bytes: Buffer.concat([makePng(40, 20).subarray(0, 60), Buffer.alloc(30)]),
    };
    const pdf = join(dir('damaged'), 'd.pdf');
    const r = await runExport(
      { pdf },
      demoSource(['2000000000000001', '2000000000000002'], DEMO_IMAGES, {
        imagesFor: (id) =>
          id === '2000000000000001' ? { front: cut, back: junk } : { front: badPng, back: BACK },
      }),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.warnings.map((w) => [w.orderId, w.code, w.side])).toEqual([
      ['2000000000000001', 'image-damaged', 'front'],
      ['2000000000000001', 'image-damaged', 'back'],
      ['2000000000000002', 'image-damaged', 'front'],
    ]);
    expect(pdfInfo(pdf).pages).toBe(2);
    expect(pageText(pdf, 1)).toContain('正面照片已损坏，无法显示');
    expect(pageText(pdf, 1)).toContain('背面照片已损坏，无法显示');
    const files = extractImages(pdf, dir('damaged-x'));
    expect(files).toHaveLength(1);
    expect(readFileSync(files[0] as string).equals(BACK.bytes)).toBe(true);
  });
});

describe('no half-written files', () => {
  it('a cancelled export leaves nothing behind, and an older file of the same name untouched', async () => {
    const out = dir('cancel');
    writeFileSync(join(out, 'all.pdf'), 'older');
    const ctl = new AbortController();
    const ids = Array.from({ length: 30 }, (_, i) => `3${String(i + 1).padStart(15, '0')}`);
    const r = await runExport(
      { pdf: join(out, 'all.pdf'), perOrderDir: join(out, 'per'), manifest: join(out, 'm.xlsx') },
      demoSource(ids, DEMO_IMAGES),
      { signal: ctl.signal, onProgress: (p) => p.done === 3 && ctl.abort() },
    );
    expect(r.ok || r.error.reason).toBe('cancelled');
    expect(readdirSync(out)).toEqual(['all.pdf', 'per']);
    expect(readdirSync(join(out, 'per'))).toEqual([]);
    expect(readFileSync(join(out, 'all.pdf'), 'utf8')).toBe('older');
  });

  it('a source that fails midway is an error value, and its temporary files are gone', async () => {
    const out = dir('fail');
    const base = demoSource(['2000000000000001', '2000000000000002', '2000000000000003'], DEMO_IMAGES);
    const failing: ExportSource = {
      ...base,
      image: (id, side) => {
        if (id === '2000000000000003') throw Object.assign(new Error('disk'), { code: 'EIO' });
        return base.image(id, side);
      },
    };
    const r = await runExport(
      { pdf: join(out, 'a.pdf'), manifest: join(out, 'm.csv'), imagesDir: out },
      failing,
    );
    expect(r.ok ? 'ok' : [r.error.reason, r.error.kind]).toEqual(['export-failed', 'internal']);
    expect(readdirSync(out)).toEqual([]);
  });

  it('refuses a watermark that says 无效, before writing anything', async () => {
    const out = dir('wm');
    const r = await runExport(
      { pdf: join(out, 'a.pdf'), watermark: '复印件无效' },
      demoSource(['2000000000000002'], DEMO_IMAGES),
    );
    expect(r.ok ? 'ok' : r.error.reason).toBe('export-watermark-invalid');
    expect(readdirSync(out)).toEqual([]);
  });

  it('draws a custom watermark across each image only, clear of the header fields', async () => {
    const pdf = join(dir('wm2'), 'a.pdf');
    const r = await runExport({ pdf, watermark: '报关专用' }, demoSource(['2000000000000002'], DEMO_IMAGES));
    expect(r.ok).toBe(true);
    const words = [
      ...tool('pdftotext', ['-bbox', pdf, '-']).matchAll(
        /xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)</g,
      ),
    ].map((m) => ({
      x0: Number(m[1]),
      y0: Number(m[2]),
      x1: Number(m[3]),
      y1: Number(m[4]),
      text: m[5] as string,
    }));
    // The stamp in the title line is one word; the rotated watermark comes out one glyph per word.
    expect(words.filter((w) => w.text === '报关专用')).toHaveLength(1);
    const glyphs = words.filter((w) => w.text.length === 1 && '报关专用'.includes(w.text));
    expect(glyphs).toHaveLength(8);
    const cardLeft = (595.28 - CARD.width) / 2;
    for (const g of glyphs) {
      const cx = (g.x0 + g.x1) / 2;
      const cy = (g.y0 + g.y1) / 2;
      expect(cx).toBeGreaterThan(cardLeft);
      expect(cx).toBeLessThan(cardLeft + CARD.width);
      expect(cy).toBeGreaterThan(318); // below every header field
    }
  });
});
