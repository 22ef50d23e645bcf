/**
 * XLSX-shaped zip bombs for the input-size tests, built directly (a real deflate stream, real
 * headers) in milliseconds: one 1 MiB block of spaces is compressed once, with a full flush so it
 * stands alone, and repeated; a final empty block ends the stream.
 */
import { constants, crc32, deflateRawSync } from 'node:zlib';

interface Entry {
  name: string;
  method: 0 | 8;
  data: Buffer;
  size: number;
  crc: number;
}

function stored(name: string, text: string): Entry {
  const data = Buffer.from(text);
  return { name, method: 0, data, size: data.length, crc: crc32(data) };
}

function spaces(name: string, mebibytes: number): Entry {
  const block = Buffer.alloc(1024 * 1024, 0x20);
  const one = deflateRawSync(block, { finishFlush: constants.Z_FULL_FLUSH });
  const end = deflateRawSync(Buffer.alloc(0));
  let crc = 0;
  for (let i = 0; i < mebibytes; i++) crc = crc32(block, crc);
  const data = Buffer.concat([...Array.from({ length: mebibytes }, () => one), end]);
  return { name, method: 8, data, size: mebibytes * 1024 * 1024, crc };
}

function zip(entries: Entry[], declared: (e: Entry) => number = (e) => e.size): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const size = declared(e);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(e.method, 8);
    local.writeUInt32LE(e.crc >>> 0, 14);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(e.method, 10);
    cd.writeUInt32LE(e.crc >>> 0, 16);
    cd.writeUInt32LE(e.data.length, 20);
    cd.writeUInt32LE(size, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    locals.push(local, name, e.data);
    central.push(cd, name);
    offset += 30 + name.length + e.data.length;
  }
  const cd = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

const CONTENT_TYPES =
  '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>';

/** An XLSX whose worksheet expands to `mebibytes` MiB of spaces. */
export function zipBomb(mebibytes: number, opts: { declaredSheetSize?: number } = {}): Buffer {
  const entries = [
    stored('[Content_Types].xml', CONTENT_TYPES),
    spaces('xl/worksheets/sheet1.xml', mebibytes),
  ];
  const lie = opts.declaredSheetSize;
  return zip(entries, (e) => (lie !== undefined && e.method === 8 ? lie : e.size));
}
