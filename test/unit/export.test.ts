import PDFDocument from 'pdfkit';
import { describe, expect, it } from 'vitest';
import { FontSet, loadFonts } from '../../electron/core/export/fonts';
import { checkImage } from '../../electron/core/export/images';
import { csvCell, csvLine, defuseCell, manifestFormat } from '../../electron/core/export/manifest';
import { checkWatermark, DEFAULT_WATERMARK } from '../../electron/core/export/run';
import { loadTemplate } from '../../electron/core/export/template';
import { exportDestination, exportMode } from '../../electron/core/export/vault-source';
import { BACK, FRONT, makePng } from '../integration/export-helpers';

describe('checkWatermark', () => {
  it('accepts the default and ordinary text, trimmed', () => {
    expect(checkWatermark(DEFAULT_WATERMARK)).toEqual({ ok: true, value: '仅供清关使用' });
    expect(checkWatermark('  报关专用 ABC ')).toEqual({ ok: true, value: '报关专用 ABC' });
  });
  it.each(['复印件无效', '無效', '作废', '', '   ', 'x'.repeat(41), 'a\nb'])('refuses %j', (text) => {
    const r = checkWatermark(text);
    expect(r.ok ? 'ok' : r.error.reason).toBe('export-watermark-invalid');
  });
});

describe('manifest cells', () => {
  it('prefixes formula starters with an apostrophe', () => {
    for (const s of ['=1+1', '+86 138', '-5', '@SUM(A1)', '\tx']) expect(defuseCell(s)).toBe(`'${s}`);
    for (const s of ['张三', '3728150192837465928', '2034-01-01', "'quoted"]) expect(defuseCell(s)).toBe(s);
  });
  it('quotes per RFC 4180', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=A1,B1')).toBe(`"'=A1,B1"`);
    expect(csvLine(['1', '二', ''])).toBe('1,二,\r\n');
  });
  it('chooses the format by extension', () => {
    expect(manifestFormat('a/b.CSV')).toBe('csv');
    expect(manifestFormat('m.xlsx')).toBe('xlsx');
    expect(manifestFormat('m.xls')).toBeUndefined();
  });
});

describe('checkImage', () => {
  it('accepts whole JPEG and PNG, by their bytes', () => {
    expect(checkImage(FRONT)).toMatchObject({ state: 'ok', mime: 'image/jpeg' });
    expect(checkImage(BACK).state).toBe('ok');
    // A mislabelled PNG is still a PNG.
    expect(checkImage({ mime: 'image/jpeg', bytes: makePng(8, 4) })).toMatchObject({
      state: 'ok',
      mime: 'image/png',
    });
  });
  it('finds cut-off and broken images', () => {
    expect(
      checkImage({ mime: 'image/jpeg', bytes: FRONT.bytes.subarray(0, FRONT.bytes.length - 100) }).state,
    ).toBe('damaged');
    expect(checkImage({ mime: 'image/jpeg', bytes: FRONT.bytes.subarray(0, 600) }).state).toBe('damaged');
    const png = makePng(30, 20);
    expect(checkImage({ mime: 'image/png', bytes: png.subarray(0, png.length - 20) }).state).toBe('damaged');
    const flipped = Buffer.from(png);
    flipped[45] = (flipped[45] as number) ^ 0xff; // inside the compressed pixels
    expect(checkImage({ mime: 'image/png', bytes: flipped }).state).toBe('damaged');
    expect(checkImage({ mime: 'image/png', bytes: Buffer.from('<html>') }).state).toBe('damaged');
    expect(checkImage(undefined).state).toBe('missing');
  });
});

describe('FontSet', () => {
  const fonts = new FontSet(new PDFDocument({ autoFirstPage: false }), loadFonts([]));
  it('keeps Chinese, Latin and digits in the bundled face', () => {
    expect(fonts.runs('王芳 Wang 110105')).toEqual([{ text: '王芳 Wang 110105', face: 0 }]);
  });
  it('isolates each character no face has (U+2A6A5 of the demo name 王𪚥)', () => {
    expect(fonts.runs('王𪚥𪚥')).toEqual([
      { text: '王', face: 0 },
      { text: '𪚥', face: -1 },
      { text: '𪚥', face: -1 },
    ]);
  });
});

describe('audit facts', () => {
  it('names the mode and the places, never a record', () => {
    const job = { pdf: '/x/all.pdf', perOrderDir: '/x/per', imagesDir: '/x/per', manifest: '/x/m.xlsx' };
    expect(exportMode(job)).toBe('pdf+per-order+images+manifest');
    expect(exportDestination(job)).toBe('/x/all.pdf | /x/per | /x/m.xlsx');
  });
});

describe('loadTemplate', () => {
  it('knows its built-ins by their own names only, never an object property like toString', () => {
    expect(loadTemplate('ceb621').name).toBe('ceb621');
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty'])
      expect(() => loadTemplate(name), name).toThrow(/no template named/);
  });
});
