/**
 * The ID images on their way into an export: checked whole and of a sane size before anything
 * decodes them, and, for the image files a broker receives, re-encoded only when a template caps
 * their size.
 */
import { inflateSync } from 'node:zlib';
import { imageSize } from 'image-size';
import { type ImageMime, sniffImage } from '../gateway/images';
import type { ExportImage } from './types';

/**
 * Largest width and height accepted, in pixels. A phone photo of an ID card is at most ~4000 px
 * wide; above 8000 × 8000 an image is treated as damaged, because decoding it (PNG into the PDF)
 * would take gigabytes: a 400 KB PNG can declare 20000 × 20000.
 */
export const MAX_IMAGE_SIDE = 8000;

/** An image ready for a page, or the reason it cannot be drawn. */
export type CheckedImage =
  | { state: 'ok'; mime: ImageMime; bytes: Buffer; width: number; height: number }
  | { state: 'damaged'; oversize?: { width: number; height: number } }
  | { state: 'missing' };

/** Offset of the first start-of-scan marker, walking the segments (never the scan data). */
function jpegScanStart(b: Buffer): number {
  let pos = 2;
  while (pos + 4 <= b.length) {
    if (b[pos] !== 0xff) return -1;
    const marker = b[pos + 1] as number;
    if (marker === 0xff) {
      pos++; // fill byte
      continue;
    }
    if (marker === 0xda) return pos;
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      pos += 2;
      continue;
    }
    pos += 2 + b.readUInt16BE(pos + 2);
  }
  return -1;
}

const EOI = Buffer.from([0xff, 0xd9]);

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

/**
 * Is this image whole, and small enough to decode? The size comes from the header alone
 * (image-size), before any pixel is decoded. JPEG: its scan must be followed by the end-of-image
 * marker (a cut-off download is not); PNG: the pixels must inflate, to no more than the header's
 * size says. pdfkit's own parser runs afterwards.
 */
export function checkImage(img: ExportImage | undefined): CheckedImage {
  if (!img) return { state: 'missing' };
  const bytes = Buffer.from(img.bytes.buffer, img.bytes.byteOffset, img.bytes.byteLength);
  const mime = sniffImage(bytes);
  if (!mime) return { state: 'damaged' };
  let width: number;
  let height: number;
  try {
    const size = imageSize(bytes);
    width = size.width;
    height = size.height;
  } catch {
    return { state: 'damaged' };
  }
  if (!(width > 0 && height > 0)) return { state: 'damaged' };
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE)
    return { state: 'damaged', oversize: { width, height } };
  try {
    if (mime === 'image/jpeg') {
      const sos = jpegScanStart(bytes);
      if (sos < 0 || bytes.lastIndexOf(EOI) < sos) return { state: 'damaged' };
    } else {
      // 8 bytes per pixel (16-bit RGBA) plus a filter byte per row is the most a PNG can declare.
      inflateSync(pngData(bytes), { maxOutputLength: height * (1 + width * 8) + 1024 });
    }
  } catch {
    return { state: 'damaged' };
  }
  return { state: 'ok', mime, bytes, width, height };
}

export interface FittedImage {
  bytes: Buffer;
  ext: 'jpg' | 'png';
  reencoded: boolean;
}

/**
 * The bytes a broker receives for one image: unchanged unless the template forces another type
 * (a `.jpg` name for a PNG) or caps the size (`maxBytes`) and the image is above it. Then it is
 * re-encoded as JPEG, quality stepped down 85 → 55 and then the size reduced by a fifth at a time
 * until it fits. Returns undefined when even the smallest attempt does not fit.
 */
export async function fitImage(
  img: Extract<CheckedImage, { state: 'ok' }>,
  opts: { maxBytes?: number; forceType?: 'jpg' | 'png' },
): Promise<FittedImage | undefined> {
  const ext = img.mime === 'image/png' ? 'png' : 'jpg';
  const typeOk = !opts.forceType || opts.forceType === ext;
  if (typeOk && (opts.maxBytes === undefined || img.bytes.byteLength <= opts.maxBytes))
    return { bytes: img.bytes, ext, reencoded: false };
  // sharp (libvips) loads only when an image has to change.
  const { default: sharp } = await import('sharp');
  if (opts.forceType === 'png') {
    const out = await sharp(img.bytes).rotate().png({ compressionLevel: 9 }).toBuffer();
    if (opts.maxBytes === undefined || out.byteLength <= opts.maxBytes)
      return { bytes: out, ext: 'png', reencoded: true };
  }
  let quality = 85;
  let scale = 1;
  for (let attempt = 0; attempt < 16; attempt++) {
    const width = Math.max(64, Math.round(img.width * scale));
    const out = await sharp(img.bytes)
      .rotate()
      .resize(scale < 1 ? { width } : undefined)
      .flatten({ background: '#ffffff' })
      .jpeg({ quality })
      .toBuffer();
    if (opts.maxBytes === undefined || out.byteLength <= opts.maxBytes)
      return { bytes: out, ext: 'jpg', reencoded: true };
    if (quality > 55) quality -= 10;
    else scale *= 0.8;
  }
  return undefined;
}
