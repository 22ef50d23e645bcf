/**
 * Running an export off the calling thread. The worker gets the job (plain data) and asks the
 * host, over a MessagePort, for one record or image at a time; the source (the vault) stays on the
 * host's thread, and only plain data crosses. Progress comes back as messages; cancelling the
 * host's signal cancels the worker's export, which removes its temporary files before it answers.
 *
 * This file is both sides: bundle it as its own entry (e.g. dist/export/worker.js) and pass that
 * file to {@link runExportInWorker}; loaded in a worker with our workerData, it serves at once.
 */
import {
  isMainThread,
  MessageChannel,
  type MessagePort,
  parentPort,
  Worker,
  workerData,
} from 'node:worker_threads';
import { clearanceError, fail, type Result } from '../errors';
import type { ImageSide } from '../gateway/clearance';
import { runExport } from './run';
import type { ExportImage, ExportItem, ExportJob, ExportProgress, ExportReport, ExportSource } from './types';

const KIND = 'clearance-export';

type Request =
  | { t: 'count'; id: number }
  | { t: 'next'; id: number }
  | { t: 'rewind'; id: number }
  | { t: 'image'; id: number; orderId: string; side: ImageSide };
type Reply = { t: 'reply'; id: number; value?: unknown; error?: string } | { t: 'cancel' };
type Event = { t: 'progress'; progress: ExportProgress } | { t: 'done'; result: Result<ExportReport> };

/** The worker's view of the host's source. */
function portSource(port: MessagePort): ExportSource {
  let seq = 0;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  port.on('message', (m: Reply) => {
    if (m.t !== 'reply') return;
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error !== undefined) {
      // Only the error's class name crosses: it ends up as the export error's detail.
      const e = new Error('source failed');
      e.name = m.error;
      w?.reject(e);
    } else w?.resolve(m.value);
  });
  const ask = <T>(req: Omit<Request, 'id'>): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = ++seq;
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      port.postMessage({ ...req, id });
    });
  return {
    count: () => ask<number>({ t: 'count' }),
    async *records() {
      // Each pass starts from the first record (a strict export reads the findings first).
      await ask<null>({ t: 'rewind' });
      for (;;) {
        const r = await ask<ExportItem | null>({ t: 'next' });
        if (!r) return;
        yield r;
      }
    },
    image: (orderId, side) =>
      ask<ExportImage | undefined>({ t: 'image', orderId, side } as Omit<Request, 'id'>),
  };
}

async function serve() {
  const { job, port } = workerData as { kind: string; job: ExportJob; port: MessagePort };
  const controller = new AbortController();
  port.on('message', (m: Reply) => {
    if (m.t === 'cancel') controller.abort();
  });
  const result = await runExport(job, portSource(port), {
    signal: controller.signal,
    onProgress: (progress) => port.postMessage({ t: 'progress', progress } satisfies Event),
  });
  port.postMessage({ t: 'done', result } satisfies Event);
  port.close();
}

if (!isMainThread && parentPort && (workerData as { kind?: string } | null)?.kind === KIND) void serve();

/**
 * Run {@link runExport} in a worker thread that loads `workerFile` (this module, bundled). The
 * source is read here, on the caller's thread, one record at a time as the worker asks.
 */
export function runExportInWorker(
  job: ExportJob,
  source: ExportSource,
  opts: { workerFile: string | URL; signal?: AbortSignal; onProgress?: (p: ExportProgress) => void },
): Promise<Result<ExportReport>> {
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(opts.workerFile, {
    workerData: { kind: KIND, job, port: port2 },
    transferList: [port2],
  });
  let iterator: Iterator<ExportItem> | AsyncIterator<ExportItem> | undefined;
  const next = async () => {
    if (!iterator) {
      const it = source.records();
      iterator = Symbol.asyncIterator in it ? it[Symbol.asyncIterator]() : it[Symbol.iterator]();
    }
    const r = await iterator.next();
    return r.done ? null : r.value;
  };
  const onAbort = () => port1.postMessage({ t: 'cancel' } satisfies Reply);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) onAbort();

  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: Result<ExportReport>) => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      port1.close();
      void worker.terminate();
      resolve(r);
    };
    port1.on('message', async (m: Request | Event) => {
      if (m.t === 'progress') return opts.onProgress?.(m.progress);
      if (m.t === 'done') return finish(m.result);
      try {
        if (m.t === 'rewind') iterator = undefined;
        const value =
          m.t === 'count'
            ? await source.count()
            : m.t === 'next'
              ? await next()
              : m.t === 'rewind'
                ? null
                : await source.image(m.orderId, m.side);
        port1.postMessage({ t: 'reply', id: m.id, value } satisfies Reply);
      } catch (err) {
        // The worker's export fails on this answer, removes its temporary files, then reports.
        port1.postMessage({ t: 'reply', id: m.id, error: (err as Error)?.name ?? 'Error' } satisfies Reply);
      }
    });
    worker.on('error', (err) => finish(fail(clearanceError('export-failed', { detail: err.name }))));
    worker.on('exit', (code) =>
      finish(fail(clearanceError('export-failed', { detail: `worker exit ${code}` }))),
    );
  });
}
