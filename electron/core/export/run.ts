/**
 * runExport: one pass over the source, one record and its two images at a time, into every output
 * the job asks for. Each output is written under a hidden temporary name in its own folder and
 * renamed into place only when the whole export has succeeded; a failure or a cancel removes them,
 * so no half-written file ever carries a final name (and a killed export's leftovers are swept by
 * the next one: staging.ts).
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import type PDFKit from 'pdfkit';
import { type ClearanceError, ClearanceFailure, clearanceError, fail, ok, type Result } from '../errors';
import type { ImageSide } from '../gateway/clearance';
import { shanghaiDate, shanghaiTimestamp } from '../gateway/timestamp';
import { credentialTypeLabel, maskIdNumber, maskName, WARNINGS } from '../idcard';
import type { Finding } from '../orders/types';
import { DEFAULT_WATERMARK, diskFull, FIELD, isOrderIdText, RECORD_FLAG_LABELS } from '../rules';
import { DEFAULT_FALLBACK_FONTS, type FontBytes, FontSet, loadFonts } from './fonts';
import { type CheckedImage, checkImage, type FittedImage, fitImage, MAX_IMAGE_SIDE } from './images';
import { type ManifestFormat, type ManifestWriter, manifestFormat, openManifest } from './manifest';
import { PackageOut } from './package';
import {
  DEMO_MARK,
  EXPIRY_STATUS_TEXT,
  type PageContext,
  PageFurniture,
  renderOrderPage,
  validateOnExportDay,
} from './page';
import { checkFolderTarget, checkTarget, Staging, sweepPartials, WRITE_BUFFER_BYTES } from './staging';
import {
  BUILT_IN_TEMPLATES,
  type ExportTemplate,
  forcedImageType,
  formatAmount,
  formatDate,
  groupIdNumber,
  imageFileName,
  maskPhone,
  PERSONAL_FIELDS,
  TEMPLATE_FIELDS,
  type TemplateField,
  validateTemplate,
} from './template';
import type {
  ExportItem,
  ExportJob,
  ExportProgress,
  ExportReport,
  ExportSource,
  ExportWarning,
  ExportWarningCode,
} from './types';

export { DEFAULT_WATERMARK } from '../rules';

type Doc = InstanceType<typeof PDFKit>;

/** Bytes of finished pages allowed to wait for the disk before the next page is drawn. */
const PENDING_LIMIT = 4 * 1024 * 1024;

/** Watermark text is ours to vet: short, printable, and never a word that voids the copy (无效). */
export function checkWatermark(text: string): Result<string, ClearanceError> {
  const t = text.normalize('NFKC').trim();
  const bad = (zh: string, en: string) =>
    fail(clearanceError('export-watermark-invalid', { detail: `${zh} / ${en}` }));
  if (!t) return bad('为空', 'empty');
  const max = FIELD.watermark.max;
  if ([...t].length > max) return bad(`超过 ${max} 个字`, `over ${max} characters`);
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
    'image-oversize': (side) => ({
      zh: `${side === 'back' ? '背面' : '正面'}照片尺寸超过 ${MAX_IMAGE_SIDE}×${MAX_IMAGE_SIDE} 像素，按损坏处理，页面已注明`,
      en: `The ${side ?? 'front'} image is over ${MAX_IMAGE_SIDE}×${MAX_IMAGE_SIDE} pixels and treated as damaged; the page says so`,
    }),
    'image-over-cap': (side) => ({
      zh: `${side === 'back' ? '背面' : '正面'}照片无法压缩到模板的大小上限以内，未放入图片文件`,
      en: `The ${side ?? 'front'} image cannot be made to fit the template's size cap; no image file written`,
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

/** A pdfkit document streaming into a file. */
class PdfOut {
  readonly doc: Doc;
  readonly furniture: PageFurniture;
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
    this.stream = createWriteStream(tmpPath, { mode: 0o600, highWaterMark: WRITE_BUFFER_BYTES });
    // A write error (full disk) is kept and raised at the next drain or close, never left unhandled.
    this.stream.on('error', (err) => {
      this.error ??= err;
    });
    this.doc.pipe(this.stream);
    this.furniture = new PageFurniture(this.doc, new FontSet(this.doc, fontBytes));
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

const FLAG_OF = {
  expired: 'expired',
  expiring: 'expiring',
  invalid: 'invalid',
  noImages: 'no-images',
} as const;

/** From this many orders on, image files go into an `images/` subfolder (a folder of thousands is unusable). */
export const IMAGE_SUBFOLDER_FROM = 50;

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (p: ExportProgress) => void;
}

/** A new export's id, e.g. EX20260301100000-3FA2C1; callers that audit the start choose it first. */
export function newExportId(at: Date = new Date()): string {
  return `EX${shanghaiTimestamp(at).replace(/\D/g, '')}-${randomBytes(3).toString('hex').toUpperCase()}`;
}

/** `all.pdf` part 2 of a split export → `all-002.pdf`. */
export function pdfPartPath(pdf: string, part: number, split: boolean): string {
  if (!split) return pdf;
  const ext = extname(pdf) || '.pdf';
  return `${pdf.slice(0, pdf.length - extname(pdf).length)}-${String(part).padStart(3, '0')}${ext}`;
}

/** The findings of every record, read before anything is written (a strict export). */
async function collectFindings(source: ExportSource): Promise<Finding[]> {
  const out: Finding[] = [];
  for await (const r of source.records()) out.push(...(r.findings ?? []));
  return out;
}

const findingsDetail = (f: Finding[]) => {
  const ids = [...new Set(f.map((x) => x.orderId))];
  const shown = ids.slice(0, 5).join(', ') + (ids.length > 5 ? ' …' : '');
  return `${f.length} 项，订单 ${shown} / ${f.length} finding(s), orders ${shown}`;
};

/** One combined PDF, or its parts when split: a part opens with its first order. */
class CombinedPdf {
  private part = 0;
  private inPart = 0;
  current: PdfOut | undefined;
  readonly parts: { tmp: string; name: string }[] = [];
  constructor(
    private readonly open: (tmp: string) => PdfOut,
    private readonly stage: (final: string) => string,
    private readonly pdf: string,
    private readonly split: number | undefined,
    private readonly total: number,
  ) {}
  /** The page an order goes on: the part's file name, the page in it, and the part's page count. */
  async next(): Promise<{ out: PdfOut; name: string; page: number; pages: number }> {
    if (!this.current || (this.split && this.inPart >= this.split)) {
      await this.current?.close();
      this.part++;
      this.inPart = 0;
      const final = pdfPartPath(this.pdf, this.part, this.split !== undefined);
      const tmp = this.stage(final);
      this.parts.push({ tmp, name: basename(final) });
      this.current = this.open(tmp);
    }
    this.inPart++;
    const before = this.split ? (this.part - 1) * this.split : 0;
    const pages = this.split ? Math.min(this.split, Math.max(this.total - before, this.inPart)) : this.total;
    return {
      out: this.current,
      name: this.parts[this.parts.length - 1]?.name as string,
      page: this.inPart,
      pages: Math.max(pages, this.inPart),
    };
  }
  async close() {
    await this.current?.close();
    this.current = undefined;
  }
  abort() {
    this.current?.abort();
  }
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
  if (!job.pdf && !job.perOrderDir && !job.imagesDir && !job.manifest && !job.package)
    return usage('没有指定导出内容', 'nothing to export');
  const format = job.manifest ? manifestFormat(job.manifest) : undefined;
  if (job.manifest && !format)
    return usage('清单文件须以 .csv 或 .xlsx 结尾', 'the manifest must end in .csv or .xlsx');
  if (job.package && !/\.zip$/i.test(job.package))
    return usage('打包文件须以 .zip 结尾', 'the package must end in .zip');
  if (job.split !== undefined && !(Number.isInteger(job.split) && job.split >= 1 && job.split <= 100_000))
    return usage('--split 须为 1–100000 的整数', '--split must be an integer 1–100000');
  if (job.split !== undefined && !job.pdf && !job.package)
    return usage('--split 需要 --pdf 或 --package', '--split needs --pdf or --package');
  const wm = checkWatermark(job.watermark ?? DEFAULT_WATERMARK);
  if (!wm.ok) return wm;
  let template: ExportTemplate;
  try {
    // Plain data from IPC or a file: checked here too, whoever built it.
    template = validateTemplate(job.template ?? BUILT_IN_TEMPLATES.default);
  } catch (err) {
    if (err instanceof ClearanceFailure) return fail(err.error);
    throw err;
  }

  const at = job.now ? new Date(job.now) : new Date();
  const exportId = job.exportId ?? newExportId(at);
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
    findings: [],
    reencodedImages: 0,
    sweptPartials: 0,
    failedListed: 0,
    masked: ctx.mask,
  };

  const staging = new Staging();
  let combined: CombinedPdf | undefined;
  let single: PdfOut | undefined;
  const manifests: { writer: ManifestWriter; format: ManifestFormat; tmp: string }[] = [];
  let pkg: PackageOut | undefined;
  try {
    const abs = (p: string | undefined) => (p ? resolve(p) : undefined);
    const pdfPath = abs(job.pdf);
    const packagePath = abs(job.package);
    const manifestPath = abs(job.manifest);
    const perOrderDir = abs(job.perOrderDir);
    const imagesDir = abs(job.imagesDir);
    // Before anything else: a special file (a device, a FIFO) is never a target.
    for (const f of [pdfPath, packagePath, manifestPath]) if (f) checkTarget(f);
    for (const d of [perOrderDir, imagesDir]) if (d) checkFolderTarget(d);
    const folders = [pdfPath, packagePath, manifestPath]
      .filter((p): p is string => Boolean(p))
      .map((p) => dirname(p));
    for (const d of [perOrderDir, imagesDir]) if (d) folders.push(d, join(d, 'images'));
    report.sweptPartials = sweepPartials(folders);

    if (job.strict) {
      const found = await collectFindings(source);
      if (found.length) return fail(clearanceError('export-findings', { detail: findingsDetail(found) }));
    }

    // pdfkit (and fontkit under it) loads on the first export, not with every command.
    const { default: PDFDocument } = await import('pdfkit');
    const fontBytes = loadFonts(job.fallbackFonts ?? DEFAULT_FALLBACK_FONTS);
    const total = await source.count();
    // The watermark must be drawable in the bundled face: a missing glyph there would be a blank stamp.
    const probe = new FontSet(new PDFDocument({ autoFirstPage: false }), fontBytes);
    if (probe.runs(wm.value).some((r) => r.face !== 0)) {
      return fail(clearanceError('export-watermark-invalid', { detail: '字体不支持 / not in the font' }));
    }
    const openPdf = (tmp: string) => new PdfOut(PDFDocument, tmp, fontBytes, at, exportId);
    const combinedBase = pdfPath ?? (packagePath ? packagePath.replace(/\.zip$/i, '.pdf') : undefined);
    if (combinedBase) {
      // Inside a package only: the PDF is a scratch file, zipped at the end.
      const stage = pdfPath
        ? (final: string) => staging.stage(final)
        : (final: string) => staging.scratchFile(final, 'pdf');
      combined = new CombinedPdf(openPdf, stage, combinedBase, job.split, total);
    }
    if (packagePath) pkg = new PackageOut(staging.stage(packagePath), at);
    const columns = template.columns.map((c) => ({
      header: c.header ?? TEMPLATE_FIELDS[c.field],
      width: Math.min(40, Math.max(10, [...(c.header ?? TEMPLATE_FIELDS[c.field])].length + 4)),
    }));
    if (manifestPath && format) {
      const tmp = staging.stage(manifestPath);
      manifests.push({ writer: openManifest(format, tmp, columns), format, tmp });
    }
    let packageManifest: string | undefined;
    if (pkg && packagePath) {
      packageManifest = staging.scratchFile(packagePath, 'manifest');
      manifests.push({
        writer: openManifest('xlsx', packageManifest, columns),
        format: 'xlsx',
        tmp: packageManifest,
      });
    }
    const imageSub = Math.max(total, 0) >= IMAGE_SUBFOLDER_FROM ? 'images/' : '';
    const forceType = forcedImageType(template);
    const imageNames = new Set<string>();

    let n = 0;
    for await (const record of source.records()) {
      if (opts.signal?.aborted) throw new ClearanceFailure(clearanceError('cancelled'));
      if (!isOrderIdText(record.orderId)) throw new ClearanceFailure(clearanceError('order-id-invalid'));
      n++;
      const firstWarning = report.warnings.length;
      const findings = record.findings ?? [];
      report.findings.push(...findings);
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
        const img = images[side];
        if (img.state === 'damaged')
          report.warnings.push(
            warning(record.orderId, img.oversize ? 'image-oversize' : 'image-damaged', { side }),
          );
      }

      let tally = { fallbackChars: 0, missingChars: 0 };
      let place = { pdf: '', page: '' };
      if (combined) {
        const at = await combined.next();
        tally = renderOrderPage(at.out.doc, at.out.furniture, record, images, ctx, {
          n: at.page,
          total: at.pages,
        });
        place = { pdf: at.name, page: String(at.page) };
      }
      if (perOrderDir) {
        const name = `${record.orderId}.pdf`;
        single = openPdf(staging.stage(join(perOrderDir, name)));
        tally = renderOrderPage(single.doc, single.furniture, record, images, ctx, { n: 1, total: 1 });
        await single.close();
        single = undefined;
        if (!combined) place = { pdf: name, page: '1' };
      }
      if (tally.fallbackChars)
        report.warnings.push(warning(record.orderId, 'glyph-fallback', { count: tally.fallbackChars }));
      if (tally.missingChars)
        report.warnings.push(warning(record.orderId, 'glyph-missing', { count: tally.missingChars }));

      const files: Record<ImageSide, string> = { front: '', back: '' };
      if (imagesDir || pkg) {
        for (const side of ['front', 'back'] as const) {
          const img = images[side];
          if (img.state !== 'ok') continue;
          const fitted: FittedImage | undefined = await fitImage(img, {
            ...(template.imageMaxBytes ? { maxBytes: template.imageMaxBytes } : {}),
            ...(forceType ? { forceType } : {}),
          });
          if (!fitted) {
            report.warnings.push(warning(record.orderId, 'image-over-cap', { side }));
            continue;
          }
          if (fitted.reencoded && template.imageMaxBytes && img.bytes.byteLength > template.imageMaxBytes)
            report.reencodedImages++;
          let name = imageFileName(template, {
            orderId: record.orderId,
            ...(record.order?.waybill ? { waybill: record.order.waybill } : {}),
            side,
            ext: fitted.ext,
          });
          // Two orders on one waybill must not overwrite each other's images.
          if (imageNames.has(name)) name = `${record.orderId}-${name}`;
          imageNames.add(name);
          files[side] = `${imageSub}${name}`;
          if (imagesDir) {
            const out = createWriteStream(staging.stage(join(imagesDir, files[side])), { mode: 0o600 });
            out.end(fitted.bytes);
            await finished(out);
          }
          pkg?.addBuffer(fitted.bytes, `${imageSub}${name}`);
        }
      }
      if (manifests.length) {
        const cells = manifestCells(template, {
          record,
          ctx,
          pdf: place.pdf,
          page: place.page,
          images: files,
          warnings: report.warnings.slice(firstWarning),
          findings,
        });
        for (const m of manifests) m.writer.add(record.orderId, cells);
      }

      report.orderIds.push(record.orderId);
      report.count = n;
      await combined?.current?.drain();
      await pkg?.drain();
      opts.onProgress?.({ done: n, total: Math.max(total, n) });
    }
    if (opts.signal?.aborted) throw new ClearanceFailure(clearanceError('cancelled'));
    // Only a template with a result column shows failures: a broker's fixed format gets no odd rows.
    const failed =
      template.columns.some((c) => c.field === 'result') && manifests.length ? (job.failed ?? []) : [];
    for (const f of failed) {
      if (!isOrderIdText(f.orderId) || report.orderIds.includes(f.orderId)) continue;
      const cells = failedCells(
        template,
        f.orderId,
        `未导出：${f.reason['zh-CN']} / not exported: ${f.reason['en-US']}`,
      );
      for (const m of manifests) m.writer.add(f.orderId, cells);
      report.failedListed++;
    }
    await combined?.close();
    for (const m of manifests) await m.writer.finish();
    if (pkg && packagePath) {
      if (packageManifest) pkg.addFile(packageManifest, 'manifest.xlsx');
      for (const part of combined?.parts ?? []) pkg.addFile(part.tmp, part.name, false);
      pkg.addBuffer(Buffer.from(checksText(report), 'utf8'), 'checks.txt', true);
      await pkg.close();
      pkg = undefined;
    }
    report.files = staging.commit();
    report.finishedAt = new Date().toISOString();
    return ok(report);
  } catch (err) {
    combined?.abort();
    single?.abort();
    for (const m of manifests) m.writer.abort();
    pkg?.abort();
    if (err instanceof ClearanceFailure) return fail(err.error);
    if (diskFull(err)) return fail(clearanceError('disk-full'));
    const code = (err as { code?: string }).code;
    return fail(clearanceError('export-failed', { detail: code ?? (err as Error)?.name ?? 'Error' }));
  } finally {
    // After a success every temporary name has been renamed, so this removes only leftovers.
    staging.discard();
  }
}

/** checks.txt: the findings of the package's orders, one per line, or a line saying there are none. */
function checksText(report: ExportReport): string {
  const head = [
    `核对结果 Checks — 导出编号 Export ${report.exportId}`,
    `订单 Orders: ${report.count} · 发现 Findings: ${report.findings.length}`,
    '',
  ];
  const lines = report.findings.length
    ? report.findings.map((f) => `${f.orderId}\t${f.code}\t${f.message.zh} / ${f.message.en}`)
    : ['没有发现问题 / No findings'];
  return `${[...head, ...lines].join('\r\n')}\r\n`;
}

interface RowFacts {
  record: ExportItem;
  ctx: PageContext;
  pdf: string;
  page: string;
  images: Record<ImageSide, string>;
  warnings: ExportWarning[];
  findings: Finding[];
}

/** One manifest row in the template's columns (the page and the row share one validation). */
function manifestCells(t: ExportTemplate, f: RowFacts): string[] {
  const r = f.record;
  const v = validateOnExportDay(r, f.ctx);
  const status = EXPIRY_STATUS_TEXT[v.expiry.status];
  const flags = (Object.keys(FLAG_OF) as (keyof typeof FLAG_OF)[])
    .filter((k) => v.flags[k])
    .map((k) => RECORD_FLAG_LABELS[FLAG_OF[k]])
    .map((l) => `${l.zh} ${l.en}`);
  const own = f.warnings.map((w) => w.message['zh-CN']);
  // The export's own "no images" warning says more than the validation's: say it once.
  const fromValidation = v.warnings
    .filter((w) => !(w === 'images-missing' && f.warnings.some((x) => x.code === 'images-missing')))
    .map((w) => WARNINGS[w].zh);
  const o = r.order;
  const values: Record<TemplateField, string> = {
    orderId: r.orderId,
    waybill: o?.waybill ?? '',
    consignee: o?.consignee ?? '',
    phone: o?.phone ?? '',
    amount: '',
    paymentNo: o?.paymentNo ?? '',
    orderTime: o?.orderTime ?? '',
    name: r.name,
    idNumber: r.idNumber,
    idNumberGrouped: r.idNumber,
    idType: credentialTypeLabel(r.idType, 'zh-CN'),
    idTypeCode: r.idType === null ? '' : String(r.idType),
    expiry: v.expiry.date ?? r.expiry,
    expiryStatus: `${status.zh} ${status.en}`,
    fetchedAt: shanghaiTimestamp(new Date(r.fetchedAt)),
    profile: r.profile,
    pdf: f.pdf,
    page: f.page,
    frontImage: f.images.front,
    backImage: f.images.back,
    flags: [...(f.ctx.demoProfiles.includes(r.profile) ? [DEMO_MARK] : []), ...flags].join('; '),
    warnings: [...new Set([...fromValidation, ...own])].join('; '),
    findings: f.findings.map((x) => x.message.zh).join('; '),
    result: '已导出 exported',
  };
  return t.columns.map((c) => {
    const masked = f.ctx.mask || c.mask === true;
    let value = values[c.field];
    if (c.field === 'amount')
      return formatAmount(o?.amountFen, (c.format as never) ?? t.amountFormat ?? 'yuan');
    if (masked && (PERSONAL_FIELDS.has(c.field) || c.field === 'phone') && value) {
      value =
        c.field === 'name' || c.field === 'consignee'
          ? maskName(value)
          : c.field === 'phone'
            ? maskPhone(value)
            : maskIdNumber(value);
    }
    if (c.field === 'idNumberGrouped') value = groupIdNumber(value);
    if ((c.field === 'expiry' || c.field === 'orderTime' || c.field === 'fetchedAt') && value)
      value = formatDate(value, (c.format as never) ?? t.dateFormat ?? 'YYYY-MM-DD');
    return value;
  });
}

/** A row for an order the batch could not fetch: its id and why; nothing else is known. */
function failedCells(t: ExportTemplate, orderId: string, reason: string): string[] {
  return t.columns.map((c) => (c.field === 'orderId' ? orderId : c.field === 'result' ? reason : ''));
}
