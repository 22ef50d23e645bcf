/**
 * runExport: one pass over the source, one record and its two images at a time, into every output
 * the job asks for. Each output is written under a hidden temporary name in its own folder and
 * renamed into place only when the whole export has succeeded; a failure or a cancel removes them,
 * so no half-written file ever carries a final name.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, renameSync, rmSync, type WriteStream } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import type PDFKit from 'pdfkit';
import { type ClearanceError, ClearanceFailure, clearanceError, fail, ok, type Result } from '../errors';
import type { ImageSide } from '../gateway/clearance';
import { shanghaiDate, shanghaiTimestamp } from '../gateway/timestamp';
import { credentialTypeLabel, maskIdNumber, WARNINGS } from '../idcard';
import type { StoredRecord } from '../vault/types';
import { DEFAULT_FALLBACK_FONTS, type FontBytes, FontSet, loadFonts } from './fonts';
import { type ManifestRow, type ManifestWriter, manifestFormat, openManifest } from './manifest';
import {
  type CheckedImage,
  checkImage,
  DEMO_MARK,
  EXPIRY_STATUS_TEXT,
  type PageContext,
  renderOrderPage,
  validateOnExportDay,
} from './page';
import type {
  ExportJob,
  ExportProgress,
  ExportReport,
  ExportSource,
  ExportWarning,
  ExportWarningCode,
} from './types';

export const DEFAULT_WATERMARK = '仅供清关使用';

type Doc = InstanceType<typeof PDFKit>;

/** Bytes of finished pages allowed to wait for the disk before the next page is drawn. */
const PENDING_LIMIT = 4 * 1024 * 1024;

/** Watermark text is ours to vet: short, printable, and never a word that voids the copy (无效). */
export function checkWatermark(text: string): Result<string, ClearanceError> {
  const t = text.normalize('NFKC').trim();
  const bad = (zh: string, en: string) =>
    fail(clearanceError('export-watermark-invalid', { detail: `${zh} / ${en}` }));
  if (!t) return bad('为空', 'empty');
  if ([...t].length > 40) return bad('超过 40 个字', 'over 40 characters');
  if (/无效|無效|作废|作廢/.test(t)) return bad('含“无效/作废”字样', 'says invalid or void');
  if (/[\u0000-\u001f\u007f]/.test(t)) return bad('含控制字符', 'control characters');
  return ok(t);
}

const WARNING_TEXT: Record<ExportWarningCode, (side?: ImageSide, n?: number) => { zh: string; en: string }> =
  {
    'image-damaged': (side) => ({
      zh: `${side === 'back' ? '背面' : '正面'}照片已损坏，页面上以占位框标出`,
      en: `The ${side ?? 'front'} image is damaged; the page shows a marked placeholder`,
    }),
    'images-missing': () => ({ zh: '没有证件照片，页面已注明', en: 'No ID images; the page says so' }),
    'glyph-fallback': (_s, n) => ({
      zh: `姓名中 ${n ?? 0} 个字符由备用字体显示`,
      en: `${n ?? 0} name character(s) drawn with the fallback font`,
    }),
    'glyph-missing': (_s, n) => ({
      zh: `姓名中 ${n ?? 0} 个字符没有可用字体，页面上以编码（U+…）标出，请核对`,
      en: `${n ?? 0} name character(s) have no font; the page shows their code (U+…): check them`,
    }),
  };

function warning(
  orderId: string,
  code: ExportWarningCode,
  extra: { side?: ImageSide; count?: number } = {},
): ExportWarning {
  const t = WARNING_TEXT[code](extra.side, extra.count);
  return { orderId, code, ...extra, message: { 'zh-CN': t.zh, 'en-US': t.en } };
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

/** Temporary names beside the final ones; renamed together at the end, removed on failure. */
class Staging {
  private readonly files: { tmp: string; final: string }[] = [];
  stage(finalPath: string): string {
    mkdirSync(dirname(finalPath), { recursive: true });
    const tmp = join(dirname(finalPath), `.${basename(finalPath)}.${randomBytes(4).toString('hex')}.partial`);
    this.files.push({ tmp, final: finalPath });
    return tmp;
  }
  commit(): string[] {
    for (const f of this.files) renameSync(f.tmp, f.final);
    return this.files.map((f) => f.final);
  }
  discard() {
    for (const f of this.files) rmSync(f.tmp, { force: true });
  }
}

/** A pdfkit document streaming into a file. */
class PdfOut {
  readonly doc: Doc;
  readonly fonts: FontSet;
  private readonly stream: WriteStream;
  private error: Error | undefined;
  constructor(Pdf: typeof PDFKit, tmpPath: string, fontBytes: FontBytes, at: Date, exportId: string) {
    this.doc = new Pdf({
      autoFirstPage: false,
      size: 'A4',
      margin: 0,
      compress: true,
      // No personal data in the document's metadata.
      info: {
        Title: `Clearance export ${exportId}`,
        Creator: 'Clearance Desk',
        Producer: 'Clearance Desk (pdfkit)',
        CreationDate: at,
      },
    });
    this.stream = createWriteStream(tmpPath, { mode: 0o600 });
    // A write error (full disk) is kept and raised at the next drain or close, never left unhandled.
    this.stream.on('error', (err) => {
      this.error ??= err;
    });
    this.doc.pipe(this.stream);
    this.fonts = new FontSet(this.doc, fontBytes);
  }
  /** Let the file stream catch up so that pages do not pile up in memory. */
  async drain() {
    // pdfkit pushes without waiting, so bytes wait either in its readable side (pipe paused) or
    // in the file stream's queue; hold the next page until both are nearly empty.
    for (;;) {
      if (this.error) throw this.error;
      if (this.doc.readableLength + this.stream.writableLength <= PENDING_LIMIT) return;
      if (this.stream.writableNeedDrain) await once(this.stream, 'drain');
      else await new Promise((r) => setImmediate(r));
    }
  }
  async close() {
    this.doc.end();
    await finished(this.stream);
    if (this.error) throw this.error;
  }
  abort() {
    this.doc.unpipe(this.stream);
    this.stream.destroy();
  }
}

const FLAG_TEXT = {
  expired: '已过期 expired',
  expiring: '即将过期 expiring',
  invalid: '号码有误 invalid',
  noImages: '无照片 no images',
};

const isOrderId = (id: string) => /^\d{1,20}$/.test(id);

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (p: ExportProgress) => void;
}

/**
 * Export the source's records as the job says. Never throws: a failure or a cancel comes back as
 * an error value, after every temporary file has been removed.
 */
export async function runExport(
  job: ExportJob,
  source: ExportSource,
  opts: RunOptions = {},
): Promise<Result<ExportReport>> {
  const usage = (zh: string, en: string) => fail(clearanceError('usage', { detail: `${zh} / ${en}` }));
  if (!job.pdf && !job.perOrderDir && !job.imagesDir && !job.manifest)
    return usage('没有指定导出内容', 'nothing to export');
  const format = job.manifest ? manifestFormat(job.manifest) : undefined;
  if (job.manifest && !format)
    return usage('清单文件须以 .csv 或 .xlsx 结尾', 'the manifest must end in .csv or .xlsx');
  const wm = checkWatermark(job.watermark ?? DEFAULT_WATERMARK);
  if (!wm.ok) return wm;

  const at = job.now ? new Date(job.now) : new Date();
  const exportId = `EX${shanghaiTimestamp(at).replace(/\D/g, '')}-${randomBytes(3).toString('hex').toUpperCase()}`;
  const ctx: PageContext = {
    exportId,
    exporter: job.exporter ?? osUser(),
    at,
    today: shanghaiDate(at),
    watermark: wm.value,
    mask: job.mask === true,
    demoProfiles: job.demoProfiles ?? [],
    ...(job.profile ? { profile: job.profile } : {}),
  };
  const report: ExportReport = {
    exportId,
    exporter: ctx.exporter,
    startedAt: new Date().toISOString(),
    finishedAt: '',
    count: 0,
    orderIds: [],
    files: [],
    warnings: [],
    masked: ctx.mask,
  };

  const staging = new Staging();
  let combined: PdfOut | undefined;
  let single: PdfOut | undefined;
  let manifest: ManifestWriter | undefined;
  try {
    // pdfkit (and fontkit under it) loads on the first export, not with every command.
    const { default: PDFDocument } = await import('pdfkit');
    const fontBytes = loadFonts(job.fallbackFonts ?? DEFAULT_FALLBACK_FONTS);
    const total = await source.count();
    // The watermark must be drawable in the bundled face: a missing glyph there would be a blank stamp.
    const probe = new FontSet(new PDFDocument({ autoFirstPage: false }), fontBytes);
    if (probe.runs(wm.value).some((r) => r.face !== 0)) {
      return fail(clearanceError('export-watermark-invalid', { detail: '字体不支持 / not in the font' }));
    }
    if (job.pdf) combined = new PdfOut(PDFDocument, staging.stage(resolve(job.pdf)), fontBytes, at, exportId);
    if (job.manifest && format) manifest = await openManifest(format, staging.stage(resolve(job.manifest)));

    let n = 0;
    for await (const record of source.records()) {
      if (opts.signal?.aborted) throw new ClearanceFailure(clearanceError('cancelled'));
      if (!isOrderId(record.orderId)) throw new ClearanceFailure(clearanceError('order-id-invalid'));
      n++;
      const firstWarning = report.warnings.length;
      const raw = {
        front: await source.image(record.orderId, 'front'),
        back: await source.image(record.orderId, 'back'),
      };
      const images: Record<ImageSide, CheckedImage> = {
        front: checkImage(raw.front),
        back: checkImage(raw.back),
      };
      if (images.front.state === 'missing' && images.back.state === 'missing') {
        report.warnings.push(warning(record.orderId, 'images-missing'));
      }
      for (const side of ['front', 'back'] as const) {
        if (images[side].state === 'damaged')
          report.warnings.push(warning(record.orderId, 'image-damaged', { side }));
      }

      let tally = { fallbackChars: 0, missingChars: 0 };
      if (combined) {
        tally = renderOrderPage(combined.doc, combined.fonts, record, images, ctx, {
          n,
          total: Math.max(total, n),
        });
      }
      let pdfName = job.pdf ? basename(job.pdf) : '';
      if (job.perOrderDir) {
        pdfName = `${record.orderId}.pdf`;
        single = new PdfOut(
          PDFDocument,
          staging.stage(resolve(job.perOrderDir, pdfName)),
          fontBytes,
          at,
          exportId,
        );
        tally = renderOrderPage(single.doc, single.fonts, record, images, ctx, { n: 1, total: 1 });
        await single.close();
        single = undefined;
      }
      if (tally.fallbackChars)
        report.warnings.push(warning(record.orderId, 'glyph-fallback', { count: tally.fallbackChars }));
      if (tally.missingChars)
        report.warnings.push(warning(record.orderId, 'glyph-missing', { count: tally.missingChars }));

      const imageNames: Record<ImageSide, string> = { front: '', back: '' };
      if (job.imagesDir) {
        for (const side of ['front', 'back'] as const) {
          const img = raw[side];
          if (!img) continue;
          const checked = images[side];
          const mime = checked.state === 'ok' ? checked.mime : img.mime;
          imageNames[side] = `${record.orderId}-${side}.${mime === 'image/png' ? 'png' : 'jpg'}`;
          const out = createWriteStream(staging.stage(resolve(job.imagesDir, imageNames[side])), {
            mode: 0o600,
          });
          out.end(img.bytes);
          await finished(out);
        }
      }
      if (manifest)
        await manifest.add(
          manifestRow(record, ctx, pdfName, imageNames, report.warnings.slice(firstWarning)),
        );

      report.orderIds.push(record.orderId);
      report.count = n;
      if (combined) await combined.drain();
      opts.onProgress?.({ done: n, total: Math.max(total, n) });
    }
    if (opts.signal?.aborted) throw new ClearanceFailure(clearanceError('cancelled'));
    await combined?.close();
    await manifest?.finish();
    report.files = staging.commit();
    report.finishedAt = new Date().toISOString();
    return ok(report);
  } catch (err) {
    combined?.abort();
    single?.abort();
    manifest?.abort();
    if (err instanceof ClearanceFailure) return fail(err.error);
    const code = (err as { code?: string }).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') return fail(clearanceError('disk-full'));
    return fail(clearanceError('export-failed', { detail: code ?? (err as Error)?.name ?? 'Error' }));
  } finally {
    // After a success every temporary name has been renamed, so this removes only leftovers.
    staging.discard();
  }
}

function manifestRow(
  r: StoredRecord,
  ctx: PageContext,
  pdf: string,
  images: Record<ImageSide, string>,
  warnings: ExportWarning[],
): ManifestRow {
  const v = validateOnExportDay(r, ctx);
  const status = EXPIRY_STATUS_TEXT[v.expiry.status];
  const flags = (Object.keys(FLAG_TEXT) as (keyof typeof FLAG_TEXT)[])
    .filter((k) => v.flags[k])
    .map((k) => FLAG_TEXT[k]);
  const own = warnings.map((w) => w.message['zh-CN']);
  return {
    orderId: r.orderId,
    name: r.name,
    idNumber: ctx.mask ? maskIdNumber(r.idNumber) : r.idNumber,
    type: credentialTypeLabel(r.idType, 'zh-CN'),
    expiry: v.expiry.date ?? r.expiry,
    expiryStatus: `${status.zh} ${status.en}`,
    flags: [...(ctx.demoProfiles.includes(r.profile) ? [DEMO_MARK] : []), ...flags].join('; '),
    warnings: [...v.warnings.map((w) => WARNINGS[w].zh), ...own].join('; '),
    pdf,
    front: images.front,
    back: images.back,
  };
}
