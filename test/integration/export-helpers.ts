/** Shared by the export tests: demo images, poppler wrappers and a tiny PNG encoder. */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { createDeflate, deflateSync } from 'node:zlib';
import type { ExportImage } from '../../electron/core/export/types';

const ASSETS = new URL('../../electron/core/demo/assets/', import.meta.url);
export const FRONT: ExportImage = {
  mime: 'image/jpeg',
  bytes: readFileSync(new URL('id-front.jpg', ASSETS)),
};
export const BACK: ExportImage = { mime: 'image/jpeg', bytes: readFileSync(new URL('id-back.jpg', ASSETS)) };
export const DEMO_IMAGES = { front: FRONT, back: BACK };

export const tool = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' });
export const pageText = (pdf: string, page: number) =>
  tool('pdftotext', ['-f', String(page), '-l', String(page), pdf, '-']);

export function pdfInfo(pdf: string): { pages: number; size: string } {
  const out = tool('pdfinfo', [pdf]);
  return {
    pages: Number(/^Pages:\s+(\d+)/m.exec(out)?.[1]),
    size: /^Page size:\s+(.+)$/m.exec(out)?.[1]?.trim() ?? '',
  };
}

/** pdffonts rows: name, emb, sub. */
export function pdfFonts(pdf: string): { name: string; emb: string; sub: string }[] {
  return tool('pdffonts', [pdf])
    .split('\n')
    .slice(2)
    .filter(Boolean)
    .map((line) => {
      const cols = line.trim().split(/\s+/);
      // name type… encoding emb sub uni objectId gen
      return {
        name: cols[0] as string,
        emb: cols[cols.length - 5] as string,
        sub: cols[cols.length - 4] as string,
      };
    });
}

/** `pdfimages -all` into dir; returns the extracted files in page order. */
export function extractImages(pdf: string, dir: string): string[] {
  tool('pdfimages', ['-all', pdf, join(dir, 'img')]);
  return readdirSync(dir)
    .filter((f) => f.startsWith('img-'))
    .sort()
    .map((f) => join(dir, f));
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (b: Buffer) => {
  let c = 0xffffffff;
  for (const x of b) c = (CRC_TABLE[(c ^ x) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type: string, data: Buffer) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
};

/** An RGBA PNG (8-bit), a gradient with a translucent band: exercises pdfkit's alpha path. */
export function makePng(width: number, height: number): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 4);
    for (let x = 0; x < width; x++) {
      row.set(
        [(x * 255) / width, (y * 255) / height, 160, y > height / 3 && y < (2 * height) / 3 ? 128 : 255],
        1 + x * 4,
      );
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A grayscale PNG of `width` × `height` zero pixels: 20000 × 20000 is ~400 KB on disk and 400 MB
 * once inflated (a decompression bomb). Deflated as a stream, never held whole.
 */
export async function makeBombPng(width: number, height: number): Promise<Buffer> {
  const rowsPerSlice = 200;
  const slice = Buffer.alloc((1 + width) * rowsPerSlice);
  const deflate = createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (d: Buffer) => parts.push(d));
  for (let y = 0; y < height; y += rowsPerSlice) {
    const rows = Math.min(rowsPerSlice, height - y);
    if (!deflate.write(slice.subarray(0, (1 + width) * rows))) await once(deflate, 'drain');
  }
  deflate.end();
  await finished(deflate);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', Buffer.concat(parts)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
