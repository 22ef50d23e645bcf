/**
 * One A4 page per order: header fields, the two sides of the ID card at their true ID-1 size
 * (85.6 × 54 mm) with a watermark clipped to each image, and a footer naming the export.
 * JPEG bytes are handed to pdfkit untouched (it embeds them as DCTDecode as they are).
 */
import { inflateSync } from 'node:zlib';
import type PDFDocument from 'pdfkit';
import type { ImageSide } from '../gateway/clearance';
import { type ImageMime, sniffImage } from '../gateway/images';
import { shanghaiTimestamp } from '../gateway/timestamp';
import {
  credentialTypeLabel,
  type ExpiryStatus,
  ID_FORM_LABELS,
  maskIdNumber,
  validateIdentity,
  WARNINGS,
} from '../idcard';
import type { StoredRecord } from '../vault/types';
import { codePointLabel, type FontSet } from './fonts';
import type { ExportImage } from './types';

type Doc = InstanceType<typeof PDFDocument>;

export const A4 = { width: 595.28, height: 841.89 } as const;
const MM = 72 / 25.4;
/** ISO/IEC 7810 ID-1, the size of a Chinese resident ID card. */
export const CARD = { width: 85.6 * MM, height: 54 * MM } as const;
const MARGIN = 42;
const INK = '#111111';
const GREY = '#666666';
const ALERT = '#b00020';

export const EXPIRY_STATUS_TEXT: Record<ExpiryStatus, { zh: string; en: string }> = {
  valid: { zh: '有效', en: 'valid' },
  expiring: { zh: '即将过期', en: 'expiring soon' },
  expired: { zh: '已过期', en: 'expired' },
  'long-term': { zh: '长期有效', en: 'long-term' },
  unparsed: { zh: '无法识别', en: 'unreadable' },
};

/** An image ready for a page, or the reason it cannot be drawn. */
export type CheckedImage =
  | { state: 'ok'; mime: ImageMime; bytes: Buffer }
  | { state: 'damaged' }
  | { state: 'missing' };

const lastIndexOfPair = (b: Uint8Array, hi: number, lo: number) => {
  for (let i = b.length - 2; i >= 0; i--) if (b[i] === hi && b[i + 1] === lo) return i;
  return -1;
};

/**
 * Is this image whole? JPEG: its scan data must be followed by the end-of-image marker (a cut-off
 * download is not); PNG: the compressed pixels must inflate. pdfkit's own parser runs afterwards.
 */
export function checkImage(img: ExportImage | undefined): CheckedImage {
  if (!img) return { state: 'missing' };
  const bytes = Buffer.from(img.bytes.buffer, img.bytes.byteOffset, img.bytes.byteLength);
  const mime = sniffImage(bytes);
  if (!mime) return { state: 'damaged' };
  try {
    if (mime === 'image/jpeg') {
      const sos = lastIndexOfPair(bytes, 0xff, 0xda);
      if (sos < 0 || lastIndexOfPair(bytes, 0xff, 0xd9) < sos) return { state: 'damaged' };
    } else {
      inflateSync(pngData(bytes));
    }
  } catch {
    return { state: 'damaged' };
  }
  return { state: 'ok', mime, bytes };
}

/** The concatenated IDAT chunks of a PNG (throws when the chunk structure is broken). */
function pngData(b: Buffer): Buffer {
  const parts: Buffer[] = [];
  let pos = 8;
  while (pos + 8 <= b.length) {
    const len = b.readUInt32BE(pos);
    const type = b.toString('latin1', pos + 4, pos + 8);
    if (pos + 12 + len > b.length) throw new Error('PNG chunk runs past the end');
    if (type === 'IDAT') parts.push(b.subarray(pos + 8, pos + 8 + len));
    if (type === 'IEND') return Buffer.concat(parts);
    pos += 12 + len;
  }
  throw new Error('PNG without IEND');
}

/** Every page and manifest row of an export from the demo gateway says so. */
export const DEMO_MARK = '演示数据 DEMO — 虚构信息，不得用于清关 / invented, not for customs';

/**
 * A record's validation as of the export's own day (printed in the footer), for its page and its
 * manifest row alike.
 */
export function validateOnExportDay(r: StoredRecord, ctx: Pick<PageContext, 'today'>) {
  return validateIdentity(
    {
      name: r.name,
      idNumber: r.idNumber,
      expiry: r.expiry,
      idType: r.idType,
      hasImages: Boolean(r.images.front || r.images.back),
    },
    ctx.today,
  );
}

export interface PageContext {
  exportId: string;
  exporter: string;
  /** When the export ran. */
  at: Date;
  /** Shanghai date for the expiry status, YYYY-MM-DD. */
  today: string;
  watermark: string;
  mask: boolean;
  /** Accounts on the demo gateway (their records are invented). */
  demoProfiles: string[];
  profile?: string;
}

export interface PageResult {
  /** Name characters drawn with a fallback face / not drawable at all (marked on the page). */
  fallbackChars: number;
  missingChars: number;
}

interface TextOpts {
  size: number;
  bold?: boolean;
  color?: string;
  /** Count what could not be drawn, for the report. */
  tally?: PageResult;
}

/**
 * Draw one line at a baseline, switching faces per character where Noto Sans SC lacks one; a
 * character no face has is written as its code (U+XXXX) in red, never silently dropped.
 * Returns the width used.
 */
export function drawLine(doc: Doc, fonts: FontSet, text: string, x: number, y: number, o: TextOpts): number {
  let cx = x;
  for (const run of fonts.runs(text)) {
    const missing = run.face === -1;
    const shown = missing ? `[${codePointLabel(run.text)}]` : run.text;
    doc.font(fonts.fontName(missing ? 0 : run.face, o.bold === true)).fontSize(o.size);
    doc.fillColor(missing ? ALERT : (o.color ?? INK));
    doc.text(shown, cx, y, { lineBreak: false, baseline: 'alphabetic' });
    cx += doc.widthOfString(shown);
    if (o.tally) {
      const n = [...run.text].length;
      if (missing) o.tally.missingChars += n;
      else if (run.face > 0) o.tally.fallbackChars += n;
    }
  }
  return cx - x;
}

function drawWatermark(doc: Doc, fonts: FontSet, text: string, x: number, y: number, w: number, h: number) {
  doc.save();
  doc.rect(x, y, w, h).clip();
  const cx = x + w / 2;
  const cy = y + h / 2;
  doc.rotate((-Math.atan2(h, w) * 180) / Math.PI, { origin: [cx, cy] });
  doc.font(fonts.fontName(0, true)).fontSize(1);
  // As large as fits along the diagonal, within reason.
  const size = Math.min(40, (Math.hypot(w, h) * 0.78) / Math.max(doc.widthOfString(text), 0.01));
  doc.fontSize(size).fillColor('#d00000').fillOpacity(0.32);
  const tw = doc.widthOfString(text);
  doc.text(text, cx - tw / 2, cy + size * 0.35, { lineBreak: false, baseline: 'alphabetic' });
  doc.restore();
}

function drawCardBox(
  doc: Doc,
  fonts: FontSet,
  img: CheckedImage,
  side: ImageSide,
  x: number,
  y: number,
  ctx: PageContext,
) {
  const { width: w, height: h } = CARD;
  if (img.state === 'ok') {
    // pdfkit accepts its own parsed image; `fit` keeps the aspect ratio (ID-1 photos fill the box exactly).
    doc.image(img.bytes, x, y, { fit: [w, h], align: 'center', valign: 'center' });
    drawWatermark(doc, fonts, ctx.watermark, x, y, w, h);
    doc.lineWidth(0.5).strokeColor('#999999').rect(x, y, w, h).stroke();
    return;
  }
  const damaged = img.state === 'damaged';
  doc.save();
  doc
    .lineWidth(1)
    .strokeColor(damaged ? ALERT : '#999999')
    .dash(4, { space: 3 })
    .rect(x, y, w, h)
    .stroke();
  doc.restore();
  if (damaged) {
    // A cross marks the placeholder as "something was here and is broken", not "nothing on record".
    doc
      .save()
      .lineWidth(0.5)
      .strokeColor(ALERT)
      .moveTo(x, y)
      .lineTo(x + w, y + h)
      .moveTo(x + w, y)
      .lineTo(x, y + h)
      .stroke()
      .restore();
  }
  const sideZh = side === 'front' ? '正面' : '背面';
  const zh = damaged ? `${sideZh}照片已损坏，无法显示` : `无${sideZh}照片`;
  const en = damaged ? `The ${side} image is damaged and cannot be shown` : `No ${side} image on record`;
  doc.font(fonts.fontName(0, true)).fontSize(11);
  const zw = doc.widthOfString(zh);
  doc.rect(x + w / 2 - zw / 2 - 6, y + h / 2 - 20, zw + 12, 38).fill('#ffffff');
  drawLine(doc, fonts, zh, x + w / 2 - zw / 2, y + h / 2 - 4, {
    size: 11,
    bold: true,
    color: damaged ? ALERT : GREY,
  });
  doc.font(fonts.fontName(0, false)).fontSize(7.5);
  const ew = doc.widthOfString(en);
  drawLine(doc, fonts, en, x + w / 2 - ew / 2, y + h / 2 + 10, { size: 7.5, color: damaged ? ALERT : GREY });
}

/** Render one order as a new page. `images` were checked with {@link checkImage}. */
export function renderOrderPage(
  doc: Doc,
  fonts: FontSet,
  record: StoredRecord,
  images: Record<ImageSide, CheckedImage>,
  ctx: PageContext,
  page: { n: number; total: number },
): PageResult {
  doc.addPage({ size: 'A4', layout: 'portrait', margin: 0 });
  const tally: PageResult = { fallbackChars: 0, missingChars: 0 };
  const right = A4.width - MARGIN;

  // Title (above it, on demo exports, the DEMO mark: invented data must never pass for real)
  if (ctx.demoProfiles.includes(record.profile))
    drawLine(doc, fonts, DEMO_MARK, MARGIN, MARGIN + 2, { size: 8, bold: true, color: ALERT });
  let y = MARGIN + 16;
  drawLine(doc, fonts, '清关身份信息', MARGIN, y, { size: 16, bold: true });
  drawLine(doc, fonts, 'Customs clearance identity', MARGIN + 104, y, { size: 10, color: GREY });
  doc.font(fonts.fontName(0, true)).fontSize(10);
  const wm = ctx.watermark;
  drawLine(doc, fonts, wm, right - doc.widthOfString(wm), y, { size: 10, bold: true, color: ALERT });
  y += 10;
  doc.moveTo(MARGIN, y).lineTo(right, y).lineWidth(0.8).strokeColor('#333333').stroke();

  // Header fields: Chinese label, English label underneath, value on the right.
  const v = validateOnExportDay(record, ctx);
  const status = EXPIRY_STATUS_TEXT[v.expiry.status];
  const expiryShown = v.expiry.date ?? record.expiry;
  const daysLeft =
    v.expiry.daysLeft !== undefined && v.expiry.status !== 'expired'
      ? `，剩余 ${v.expiry.daysLeft} 天 / ${v.expiry.daysLeft} days left`
      : '';
  const form = ID_FORM_LABELS[v.form];
  const fields: [string, string, string, TextOpts?][] = [
    ['订单号', 'Order id', record.orderId, { size: 12, bold: true }],
    ['姓名', 'Name', record.name, { size: 12, bold: true, tally }],
    ['证件号码', 'ID number', ctx.mask ? maskIdNumber(record.idNumber) : record.idNumber, { size: 12 }],
    ['号码类别', 'Number form', `${form.zh} / ${form.en}`],
    [
      '证件类型',
      'Credential type',
      `${credentialTypeLabel(record.idType, 'zh-CN')} / ${credentialTypeLabel(record.idType, 'en-US')}`,
    ],
    [
      '有效期至',
      'Expiry',
      `${expiryShown}（${status.zh} / ${status.en}${daysLeft}）`,
      { size: 11, color: v.expiry.status === 'expired' || v.expiry.status === 'unparsed' ? ALERT : INK },
    ],
    ['获取时间', 'Fetched', `${shanghaiTimestamp(new Date(record.fetchedAt))}（北京时间 / Beijing time）`],
    ['账号', 'Profile', record.profile || ctx.profile || '-'],
  ];
  y += 22;
  for (const [zh, en, value, opts] of fields) {
    drawLine(doc, fonts, zh, MARGIN, y, { size: 9.5, bold: true });
    drawLine(doc, fonts, en, MARGIN, y + 9, { size: 6.5, color: GREY });
    drawLine(doc, fonts, value, MARGIN + 92, y + 2, { size: 11, ...opts });
    y += 24;
  }
  if (tally.missingChars > 0) {
    const n = tally.missingChars;
    const note = { size: 7.5, color: ALERT };
    drawLine(
      doc,
      fonts,
      `姓名中有 ${n} 个字符没有可用字体，已按编码（U+…）标出，请核对证件原件`,
      MARGIN + 92,
      y - 8,
      note,
    );
    drawLine(
      doc,
      fonts,
      `${n} name character(s) have no font and are shown by code (U+…): check the card`,
      MARGIN + 92,
      y + 1,
      note,
    );
    y += 18;
  }

  // Validation warnings a broker should see before filing.
  const notes = v.warnings
    .filter((w) => w !== 'images-missing')
    .map((w) => ({ text: `${WARNINGS[w].zh} · ${WARNINGS[w].en}`, color: ALERT }));
  if (ctx.mask) {
    notes.push({
      text: '证件号码已遮盖（证件照片上的号码未遮盖） · The ID number is masked (not on the card images)',
      color: GREY,
    });
  }
  for (const note of notes) {
    drawLine(doc, fonts, `! ${note.text}`, MARGIN, y, { size: 8.5, color: note.color });
    y += 13;
  }

  // The card, front above back, centred, at true size.
  y = Math.max(y + 10, 318);
  const x = (A4.width - CARD.width) / 2;
  const none = images.front.state === 'missing' && images.back.state === 'missing';
  if (none) {
    drawLine(doc, fonts, '此订单没有证件照片 · No ID images on record for this order', x, y + 4, {
      size: 10,
      bold: true,
      color: ALERT,
    });
    y += 16;
  }
  for (const side of ['front', 'back'] as const) {
    drawLine(doc, fonts, side === 'front' ? '证件正面（人像面）' : '证件背面（国徽面）', x, y + 8, {
      size: 9,
      bold: true,
    });
    drawLine(doc, fonts, side === 'front' ? 'Front' : 'Back', x + (side === 'front' ? 88 : 88), y + 8, {
      size: 8,
      color: GREY,
    });
    drawLine(doc, fonts, '85.6 × 54 mm', x + CARD.width - 52, y + 8, { size: 7, color: GREY });
    drawCardBox(doc, fonts, images[side], side, x, y + 14, ctx);
    y += 14 + CARD.height + 18;
  }

  // Footer
  const fy = A4.height - MARGIN;
  doc
    .moveTo(MARGIN, fy - 14)
    .lineTo(right, fy - 14)
    .lineWidth(0.5)
    .strokeColor('#999999')
    .stroke();
  drawLine(
    doc,
    fonts,
    `导出编号 Export ${ctx.exportId} · 导出人 Exporter ${ctx.exporter} · ${shanghaiTimestamp(ctx.at)}（北京时间）`,
    MARGIN,
    fy,
    { size: 7.5, color: GREY },
  );
  const pageText = `第 ${page.n} / ${page.total} 页 · Page ${page.n} / ${page.total}`;
  doc.font(fonts.fontName(0, false)).fontSize(7.5);
  drawLine(doc, fonts, pageText, right - doc.widthOfString(pageText), fy, { size: 7.5, color: GREY });
  doc.fillOpacity(1).fillColor(INK);
  return tally;
}
