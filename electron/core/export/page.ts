/**
 * One A4 page per order: header fields, the two sides of the ID card at their true ID-1 size
 * (85.6 × 54 mm) with a watermark clipped to each image, and a footer naming the export.
 * JPEG bytes are handed to pdfkit untouched (it embeds them as DCTDecode as they are).
 *
 * Speed: what every page of an export shares (title, labels, rules, footer, the watermark) is
 * drawn once into form XObjects and placed on each page by reference; only the order's own values
 * are laid out per page, each string shaped once.
 */
import type PDFDocument from 'pdfkit';
import type { ImageSide } from '../gateway/clearance';
import { shanghaiTimestamp } from '../gateway/timestamp';
import {
  credentialTypeLabel,
  ID_FORM_LABELS,
  maskIdNumber,
  maskName,
  validateIdentity,
  WARNINGS,
} from '../idcard';
import { EXPIRY_STATUS_LABELS } from '../rules';
import type { StoredRecord } from '../vault/types';
import { codePointLabel, type FontSet } from './fonts';
import { type CheckedImage, MAX_IMAGE_SIDE } from './images';
import type { ExportItem } from './types';

type Doc = InstanceType<typeof PDFDocument>;

export const A4 = { width: 595.28, height: 841.89 } as const;
const MM = 72 / 25.4;
/** ISO/IEC 7810 ID-1, the size of a Chinese resident ID card. */
export const CARD = { width: 85.6 * MM, height: 54 * MM } as const;
const MARGIN = 42;
const INK = '#111111';
const GREY = '#666666';
const ALERT = '#b00020';

export const EXPIRY_STATUS_TEXT = EXPIRY_STATUS_LABELS;

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

/** The parts of pdfkit's document and font this module reaches past the public types for. */
interface PdfkitFont {
  id: string;
  ref(): unknown;
  encode(
    text: string,
  ): [string[], { xAdvance: number; advanceWidth: number; xOffset: number; yOffset: number }[]];
  /** The fontkit face, its subset for this document, and the tables pdfkit writes at the end. */
  font?: { glyphForCodePoint(cp: number): { id: number; advanceWidth: number } };
  subset?: { includeGlyph(id: number): number };
  scale?: number;
  widths?: number[];
  unicode?: number[][];
}
interface PdfkitPage {
  height: number;
  content: unknown;
  resources: { data: Record<string, unknown> };
  fonts: Record<string, unknown>;
  xobjects: Record<string, unknown>;
}
const internals = (doc: Doc) => doc as unknown as { _font: PdfkitFont; page: PdfkitPage };

const num = (n: number) => String(Math.round(n * 1000) / 1000);

/**
 * Characters whose shaping in Noto Sans SC is one glyph each with its own advance (CJK ideographs
 * and punctuation, Latin letters, digits, Latin-1 signs such as · and ×): for these the glyph comes
 * straight from the font's character map, cached per document, instead of a full layout pass.
 */
const SIMPLE = /^[\u0020-\u007e\u00a0-\u00ff\u2000-\u206f\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]*$/;
const glyphCache = new WeakMap<PdfkitFont, Map<number, { hex: string; advance: number }>>();

/** Hex glyph ids (as pdfkit's `encode` writes them) and the width in text space, or undefined. */
function simpleEncode(f: PdfkitFont, text: string): { hex: string; width: number } | undefined {
  if (!f.font || !f.subset || !f.widths || !f.unicode || f.scale === undefined || !SIMPLE.test(text)) return;
  let cache = glyphCache.get(f);
  if (!cache) {
    cache = new Map();
    glyphCache.set(f, cache);
  }
  let hex = '';
  let width = 0;
  for (let i = 0; i < text.length; i++) {
    const cp = text.charCodeAt(i);
    let g = cache.get(cp);
    if (!g) {
      const glyph = f.font.glyphForCodePoint(cp);
      if (glyph.id === 0) return; // not in this face: let the full path decide
      const gid = f.subset.includeGlyph(glyph.id);
      const advance = glyph.advanceWidth * f.scale;
      // What pdfkit's encode records for the font's widths and ToUnicode tables.
      f.widths[gid] ??= advance;
      f.unicode[gid] ??= [cp];
      g = { hex: `0000${gid.toString(16)}`.slice(-4), advance };
      cache.set(cp, g);
    }
    hex += g.hex;
    width += g.advance;
  }
  return { hex, width };
}

/**
 * One run of text in one face at a baseline, written straight into the page: the string is shaped
 * once (its glyphs give both the drawing and the width), where pdfkit's own `text()` shapes it
 * three times. A run with glyph offsets (marks placed by the font) goes through pdfkit instead.
 */
function emitRun(
  doc: Doc,
  font: string,
  size: number,
  color: string,
  text: string,
  x: number,
  y: number,
): number {
  doc.font(font).fontSize(size);
  const { _font: f, page } = internals(doc);
  doc.fillColor(color);
  const h = page.height;
  const simple = simpleEncode(f, text);
  if (simple) {
    if (page.fonts[f.id] == null) page.fonts[f.id] = f.ref();
    doc.addContent(
      `q 1 0 0 -1 0 ${num(h)} cm BT 1 0 0 1 ${num(x)} ${num(h - y)} Tm /${f.id} ${num(size)} Tf <${simple.hex}> Tj ET Q`,
    );
    return (simple.width * size) / 1000;
  }
  const [encoded, positions] = f.encode(text);
  if (positions.some((p) => p.xOffset || p.yOffset)) {
    doc.text(text, x, y, { lineBreak: false, baseline: 'alphabetic' });
    return doc.widthOfString(text);
  }
  if (page.fonts[f.id] == null) page.fonts[f.id] = f.ref();
  const scale = size / 1000;
  const parts: string[] = [];
  let start = 0;
  let width = 0;
  for (let i = 0; i < positions.length; i++) {
    const p = positions[i] as (typeof positions)[number];
    width += p.xAdvance * scale;
    // A kerning adjustment ends a segment, as pdfkit writes it.
    if (p.xAdvance !== p.advanceWidth || i === positions.length - 1) {
      parts.push(`<${encoded.slice(start, i + 1).join('')}> ${num(-(p.xAdvance - p.advanceWidth))}`);
      start = i + 1;
    }
  }
  doc.addContent(
    `q 1 0 0 -1 0 ${num(h)} cm BT 1 0 0 1 ${num(x)} ${num(h - y)} Tm /${f.id} ${num(size)} Tf [${parts.join(' ')}] TJ ET Q`,
  );
  return width;
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
    cx += emitRun(
      doc,
      fonts.fontName(missing ? 0 : run.face, o.bold === true),
      o.size,
      missing ? ALERT : (o.color ?? INK),
      shown,
      cx,
      y,
    );
    if (o.tally) {
      const n = [...run.text].length;
      if (missing) o.tally.missingChars += n;
      else if (run.face > 0) o.tally.fallbackChars += n;
    }
  }
  return cx - x;
}

/** Width of a line in the bundled face (for right-aligned and centred text). */
function widthOf(doc: Doc, fonts: FontSet, text: string, size: number, bold = false): number {
  doc.font(fonts.fontName(0, bold)).fontSize(size);
  const simple = simpleEncode(internals(doc)._font, text);
  return simple ? (simple.width * size) / 1000 : doc.widthOfString(text);
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

const TITLE_Y = MARGIN + 16;
const FIELDS_Y = TITLE_Y + 10 + 22;
const FIELD_LABELS: [string, string][] = [
  ['订单号', 'Order id'],
  ['姓名', 'Name'],
  ['证件号码', 'ID number'],
  ['号码类别', 'Number form'],
  ['证件类型', 'Credential type'],
  ['有效期至', 'Expiry'],
  ['获取时间', 'Fetched'],
  ['账号', 'Profile'],
];
const CARD_X = (A4.width - CARD.width) / 2;
/** From a card section's top: the label row, the card 14 pt lower, the next side after the card. */
const SIDE_STEP = 14 + CARD.height + 18;

/**
 * What every page of one document shares, drawn once as form XObjects the first time a page needs
 * them: the page furniture (title, stamp, labels, rules, footer line), the two card labels, and the
 * watermark with the card's frame (placed over each image at its position).
 */
export class PageFurniture {
  private forms: { page: string; labels: string; watermark: string } | undefined;
  private seq = 0;
  constructor(
    private readonly doc: Doc,
    readonly fonts: FontSet,
  ) {}

  /** Record what `draw` writes into a new form XObject (bounding box from the page's top left). */
  private capture(width: number, height: number, draw: () => void): string {
    const doc = this.doc;
    const page = internals(doc).page;
    const form = doc.ref({ Type: 'XObject', Subtype: 'Form', FormType: 1, BBox: [0, 0, width, height] });
    const resources = doc.ref({ ProcSet: ['PDF', 'Text', 'ImageB', 'ImageC', 'ImageI'] });
    const saved = { content: page.content, resources: page.resources };
    page.content = form;
    page.resources = resources as unknown as PdfkitPage['resources'];
    try {
      draw();
    } finally {
      page.content = saved.content;
      page.resources = saved.resources;
    }
    (form as unknown as { data: Record<string, unknown> }).data.Resources = resources;
    (resources as unknown as { end(): void }).end();
    (form as unknown as { end(): void }).end();
    const name = `CdF${++this.seq}`;
    this.refs.set(name, form);
    return name;
  }
  private readonly refs = new Map<string, unknown>();

  private build(ctx: PageContext) {
    const { doc, fonts } = this;
    const right = A4.width - MARGIN;
    const page = this.capture(A4.width, A4.height, () => {
      drawLine(doc, fonts, '清关身份信息', MARGIN, TITLE_Y, { size: 16, bold: true });
      drawLine(doc, fonts, 'Customs clearance identity', MARGIN + 104, TITLE_Y, { size: 10, color: GREY });
      const wm = ctx.watermark;
      drawLine(doc, fonts, wm, right - widthOf(doc, fonts, wm, 10, true), TITLE_Y, {
        size: 10,
        bold: true,
        color: ALERT,
      });
      doc
        .moveTo(MARGIN, TITLE_Y + 10)
        .lineTo(right, TITLE_Y + 10)
        .lineWidth(0.8)
        .strokeColor('#333333')
        .stroke();
      FIELD_LABELS.forEach(([zh, en], i) => {
        const y = FIELDS_Y + i * 24;
        drawLine(doc, fonts, zh, MARGIN, y, { size: 9.5, bold: true });
        drawLine(doc, fonts, en, MARGIN, y + 9, { size: 6.5, color: GREY });
      });
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
    });
    // Relative to the card section's top left (CARD_X, y).
    const labels = this.capture(A4.width, 2 * SIDE_STEP, () => {
      for (const [i, side] of (['front', 'back'] as const).entries()) {
        const y = i * SIDE_STEP;
        drawLine(doc, fonts, side === 'front' ? '证件正面（人像面）' : '证件背面（国徽面）', 0, y + 8, {
          size: 9,
          bold: true,
        });
        drawLine(doc, fonts, side === 'front' ? 'Front' : 'Back', 88, y + 8, { size: 8, color: GREY });
        drawLine(doc, fonts, '85.6 × 54 mm', CARD.width - 52, y + 8, { size: 7, color: GREY });
      }
    });
    // Relative to the card's top left.
    const watermark = this.capture(CARD.width, CARD.height, () => {
      drawWatermark(doc, fonts, ctx.watermark, 0, 0, CARD.width, CARD.height);
      doc.lineWidth(0.5).strokeColor('#999999').rect(0, 0, CARD.width, CARD.height).stroke();
    });
    this.forms = { page, labels, watermark };
  }

  /** Place a form on the current page with its origin at (x, y). */
  place(ctx: PageContext, which: 'page' | 'labels' | 'watermark', x = 0, y = 0) {
    if (!this.forms) this.build(ctx);
    const name = (this.forms as NonNullable<typeof this.forms>)[which];
    internals(this.doc).page.xobjects[name] = this.refs.get(name);
    this.doc.addContent(`q 1 0 0 1 ${num(x)} ${num(y)} cm /${name} Do Q`);
  }
}

function drawCardBox(
  doc: Doc,
  furniture: PageFurniture,
  img: CheckedImage,
  side: ImageSide,
  x: number,
  y: number,
  ctx: PageContext,
) {
  const fonts = furniture.fonts;
  const { width: w, height: h } = CARD;
  if (img.state === 'ok') {
    // pdfkit accepts its own parsed image; `fit` keeps the aspect ratio (ID-1 photos fill the box exactly).
    doc.image(img.bytes, x, y, { fit: [w, h], align: 'center', valign: 'center' });
    furniture.place(ctx, 'watermark', x, y);
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
  const big = img.state === 'damaged' && img.oversize;
  const zh = big
    ? `${sideZh}照片尺寸过大，视为损坏`
    : damaged
      ? `${sideZh}照片已损坏，无法显示`
      : `无${sideZh}照片`;
  const en = big
    ? `The ${side} image is over ${MAX_IMAGE_SIDE} × ${MAX_IMAGE_SIDE} px: treated as damaged`
    : damaged
      ? `The ${side} image is damaged and cannot be shown`
      : `No ${side} image on record`;
  const zw = widthOf(doc, fonts, zh, 11, true);
  doc.rect(x + w / 2 - zw / 2 - 6, y + h / 2 - 20, zw + 12, 38).fill('#ffffff');
  drawLine(doc, fonts, zh, x + w / 2 - zw / 2, y + h / 2 - 4, {
    size: 11,
    bold: true,
    color: damaged ? ALERT : GREY,
  });
  const ew = widthOf(doc, fonts, en, 7.5);
  drawLine(doc, fonts, en, x + w / 2 - ew / 2, y + h / 2 + 10, { size: 7.5, color: damaged ? ALERT : GREY });
}

/** Render one order as a new page. `images` were checked with `checkImage` (images.ts). */
export function renderOrderPage(
  doc: Doc,
  furniture: PageFurniture,
  record: ExportItem,
  images: Record<ImageSide, CheckedImage>,
  ctx: PageContext,
  page: { n: number; total: number },
): PageResult {
  const fonts = furniture.fonts;
  doc.addPage({ size: 'A4', layout: 'portrait', margin: 0 });
  const tally: PageResult = { fallbackChars: 0, missingChars: 0 };
  const right = A4.width - MARGIN;
  furniture.place(ctx, 'page');

  // Above the title, on demo exports, the DEMO mark: invented data must never pass for real.
  if (ctx.demoProfiles.includes(record.profile))
    drawLine(doc, fonts, DEMO_MARK, MARGIN, MARGIN + 2, { size: 8, bold: true, color: ALERT });

  // Header values beside the labels of the furniture.
  const v = validateOnExportDay(record, ctx);
  const status = EXPIRY_STATUS_TEXT[v.expiry.status];
  const expiryShown = v.expiry.date ?? record.expiry;
  const daysLeft =
    v.expiry.daysLeft !== undefined && v.expiry.status !== 'expired'
      ? `，剩余 ${v.expiry.daysLeft} 天 / ${v.expiry.daysLeft} days left`
      : '';
  const form = ID_FORM_LABELS[v.form];
  const values: [string, TextOpts?][] = [
    [record.orderId, { size: 12, bold: true }],
    [ctx.mask ? maskName(record.name) : record.name, { size: 12, bold: true, tally }],
    [ctx.mask ? maskIdNumber(record.idNumber) : record.idNumber, { size: 12 }],
    [`${form.zh} / ${form.en}`],
    [`${credentialTypeLabel(record.idType, 'zh-CN')} / ${credentialTypeLabel(record.idType, 'en-US')}`],
    [
      `${expiryShown}（${status.zh} / ${status.en}${daysLeft}）`,
      { size: 11, color: v.expiry.status === 'expired' || v.expiry.status === 'unparsed' ? ALERT : INK },
    ],
    [`${shanghaiTimestamp(new Date(record.fetchedAt))}（北京时间 / Beijing time）`],
    [record.profile || ctx.profile || '-'],
  ];
  let y = FIELDS_Y;
  for (const [value, opts] of values) {
    drawLine(doc, fonts, value, MARGIN + 92, y + 2, { size: 11, ...opts });
    y += 24;
  }
  if (tally.missingChars > 0) {
    const n = tally.missingChars;
    const note = { size: 7.5, color: ALERT };
    // Masked, the name shows one character: the note still counts what the full name lacks.
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

  // Validation warnings and the order sheet's findings, which a broker should see before filing.
  const notes = v.warnings
    .filter((w) => w !== 'images-missing')
    .map((w) => ({ text: `${WARNINGS[w].zh} · ${WARNINGS[w].en}`, color: ALERT }));
  for (const f of record.findings ?? [])
    notes.push({ text: `核对 Check: ${f.message.zh} · ${f.message.en}`, color: ALERT });
  if (ctx.mask) {
    notes.push({
      text: '姓名和证件号码已遮盖（证件照片上的未遮盖） · Name and ID number are masked (not on the card images)',
      color: GREY,
    });
  }
  for (const note of notes) {
    drawLine(doc, fonts, `! ${note.text}`, MARGIN, y, { size: 8.5, color: note.color });
    y += 13;
  }

  // The card, front above back, centred, at true size.
  y = Math.max(y + 10, 318);
  const none = images.front.state === 'missing' && images.back.state === 'missing';
  if (none) {
    drawLine(doc, fonts, '此订单没有证件照片 · No ID images on record for this order', CARD_X, y + 4, {
      size: 10,
      bold: true,
      color: ALERT,
    });
    y += 16;
  }
  furniture.place(ctx, 'labels', CARD_X, y);
  for (const side of ['front', 'back'] as const) {
    drawCardBox(doc, furniture, images[side], side, CARD_X, y + 14, ctx);
    y += SIDE_STEP;
  }

  const pageText = `第 ${page.n} / ${page.total} 页 · Page ${page.n} / ${page.total}`;
  drawLine(doc, fonts, pageText, right - widthOf(doc, fonts, pageText, 7.5), A4.height - MARGIN, {
    size: 7.5,
    color: GREY,
  });
  doc.fillOpacity(1).fillColor(INK);
  return tally;
}
