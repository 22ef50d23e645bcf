/**
 * The broker's package: one ZIP streamed to its (staged) file as the export runs. Images go in as
 * they come (stored, not deflated: JPEG and PNG are compressed already); the manifest, the PDF and
 * checks.txt are added from their scratch files at the end. Memory stays flat: the next order waits
 * while more than a few MB are queued for the disk.
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import { WRITE_BUFFER_BYTES } from './staging';

const PENDING_LIMIT = 4 * 1024 * 1024;

export class PackageOut {
  private readonly zip = new ZipFile();
  private readonly file: WriteStream;
  private error: Error | undefined;
  private readonly mtime: Date;
  constructor(tmpPath: string, at: Date) {
    this.mtime = at;
    this.file = createWriteStream(tmpPath, { mode: 0o600, highWaterMark: WRITE_BUFFER_BYTES });
    this.file.on('error', (err) => {
      this.error ??= err;
    });
    this.zip.on('error', (err: Error) => {
      this.error ??= err;
    });
    this.zip.outputStream.pipe(this.file);
  }
  addBuffer(bytes: Buffer, name: string, compress = false) {
    this.zip.addBuffer(bytes, name, { compress, mtime: this.mtime, mode: 0o100600 });
  }
  addFile(path: string, name: string, compress = true) {
    this.zip.addFile(path, name, { compress, mtime: this.mtime, mode: 0o100600 });
  }
  async drain() {
    const out = this.zip.outputStream as unknown as { readableLength: number };
    for (;;) {
      if (this.error) throw this.error;
      if (out.readableLength + this.file.writableLength <= PENDING_LIMIT) return;
      if (this.file.writableNeedDrain) await once(this.file, 'drain');
      else await new Promise((r) => setImmediate(r));
    }
  }
  async close() {
    this.zip.end();
    await finished(this.file);
    if (this.error) throw this.error;
  }
  abort() {
    this.zip.outputStream.unpipe(this.file);
    this.file.destroy();
  }
}
