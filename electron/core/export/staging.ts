/**
 * Where an export's files are born: each under a hidden temporary name beside its final one,
 * renamed into place together only when the whole export succeeded. The temporary name carries the
 * writing process's id, so that a later export can tell the leftovers of a killed one (its process
 * is gone, or it is older than the process now holding that id) from the files of an export still
 * running, and remove only those.
 */
import { randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ClearanceFailure, clearanceError } from '../errors';

/**
 * The output files' write buffer. With the default 16 KB, pdfkit's many small chunks each became
 * a write of their own and the export waited on the disk between pages (1,000 orders: 1.9 s, of
 * which a third idle); with 1 MB the writes keep pace with the pages (1.1 s). Memory is bounded by
 * PENDING_LIMIT either way.
 */
export const WRITE_BUFFER_BYTES = 1024 * 1024;

/** `.<final name>.cd-<pid>-<8 hex>.partial`: the only files the sweep ever removes. */
export const PARTIAL_PATTERN = /^\..+\.cd-(\d{1,10})-[0-9a-f]{8}\.partial$/;

/**
 * A final path may be missing or a regular file (then the export replaces it on success). Anything
 * else there — a folder, a device such as /dev/null, a FIFO, a socket — is refused before any byte
 * is written, so an export never replaces or feeds a special file.
 */
export function checkTarget(path: string): void {
  let st: ReturnType<typeof statSync>;
  try {
    // Followed: a link to /dev/null is refused like /dev/null; a link to a plain file is replaced.
    st = statSync(path);
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return;
    throw err;
  }
  if (st.isFile()) return;
  const what = st.isDirectory()
    ? { zh: '文件夹', en: 'a folder' }
    : st.isFIFO()
      ? { zh: '命名管道', en: 'a FIFO' }
      : st.isSocket()
        ? { zh: '套接字', en: 'a socket' }
        : { zh: '设备文件', en: 'a device' };
  throw new ClearanceFailure(
    clearanceError('export-target-not-file', { detail: `${basename(path)}: ${what.zh} / ${what.en}` }),
  );
}

/** A folder target (per-order PDFs, images) may be missing or a folder; nothing else. */
export function checkFolderTarget(path: string): void {
  try {
    if (statSync(path).isDirectory()) return;
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return;
    throw err;
  }
  throw new ClearanceFailure(
    clearanceError('export-target-not-file', { detail: `${basename(path)}: 不是文件夹 / not a folder` }),
  );
}

export class Staging {
  private readonly files: { tmp: string; final: string }[] = [];
  private readonly scratch: string[] = [];
  /** A temporary file for `finalPath`, renamed to it by {@link commit}. */
  stage(finalPath: string): string {
    checkTarget(finalPath);
    const tmp = this.tmpName(finalPath);
    this.files.push({ tmp, final: finalPath });
    return tmp;
  }
  /** A temporary file beside `nearPath` that is removed at the end whatever happens. */
  scratchFile(nearPath: string, label: string): string {
    const tmp = this.tmpName(join(dirname(nearPath), `${basename(nearPath)}-${label}`));
    this.scratch.push(tmp);
    return tmp;
  }
  private tmpName(finalPath: string): string {
    mkdirSync(dirname(finalPath), { recursive: true });
    return join(
      dirname(finalPath),
      `.${basename(finalPath)}.cd-${process.pid}-${randomBytes(4).toString('hex')}.partial`,
    );
  }
  commit(): string[] {
    // Refuse again at the last moment: a special file could have appeared while the export ran.
    for (const f of this.files) checkTarget(f.final);
    for (const f of this.files) renameSync(f.tmp, f.final);
    for (const s of this.scratch) rmSync(s, { force: true });
    return this.files.map((f) => f.final);
  }
  discard() {
    for (const f of this.files) rmSync(f.tmp, { force: true });
    for (const s of this.scratch) rmSync(s, { force: true });
  }
}

/** When a process started (ms since the epoch), from /proc on Linux; undefined elsewhere or when gone. */
function processStart(pid: number): number | undefined {
  if (pid === process.pid) return Date.now() - process.uptime() * 1000;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const btime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    // USER_HZ is 100 on every Linux this runs on.
    return Number.isFinite(ticks) && btime ? btime * 1000 + ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

/**
 * Remove the temporary files that killed exports left in these folders: only names of our own
 * pattern, only when their process is dead or the file is older than the process now holding that
 * id (a reused pid). Returns how many were removed.
 */
export function sweepPartials(folders: Iterable<string>): number {
  let removed = 0;
  for (const folder of new Set(folders)) {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      continue;
    }
    for (const name of names) {
      const m = PARTIAL_PATTERN.exec(name);
      if (!m) continue;
      const path = join(folder, name);
      try {
        const st = lstatSync(path);
        if (!st.isFile()) continue;
        const pid = Number(m[1]);
        if (alive(pid)) {
          const started = processStart(pid);
          // Of unknown age (not Linux), or written by the live process: it may be an export still running.
          if (started === undefined || st.mtimeMs >= started) continue;
        }
        rmSync(path, { force: true });
        removed++;
      } catch {
        // Gone meanwhile, or not ours to remove: leave it.
      }
    }
  }
  return removed;
}
