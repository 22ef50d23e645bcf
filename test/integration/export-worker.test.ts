/**
 * The export in a worker thread: the worker module is bundled as the app would bundle it, the
 * source stays on this thread, progress and cancel cross as messages.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSource } from '../../electron/core/export/memory-source';
import type { ExportSource } from '../../electron/core/export/types';
import { runExportInWorker } from '../../electron/core/export/worker';
import { bundleForNode } from '../support/bundle';
import { DEMO_IMAGES, pdfInfo } from './export-helpers';

const repo = new URL('../../', import.meta.url).pathname;
// Inside the repository, so that the bundle's external packages (pdfkit, exceljs, fonts) resolve.
const _bundleDir = join(repo, 'node_modules/.cache');
let workerFile = '';
const out = mkdtempSync(join(tmpdir(), 'cd-export-worker-'));

beforeAll(async () => {
  workerFile = await bundleForNode('electron/core/export/worker.ts');
});
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  if (workerFile) rmSync(join(workerFile, '..'), { recursive: true, force: true });
});

const ids = Array.from({ length: 12 }, (_, i) => `3${String(i + 1).padStart(15, '0')}`);

describe('runExportInWorker', () => {
  it('exports with the source read on this thread, reporting progress', async () => {
    let reads = 0;
    const base = demoSource(ids, DEMO_IMAGES);
    const source: ExportSource = {
      ...base,
      image: (id, side) => {
        reads++;
        return base.image(id, side);
      },
    };
    const progress: number[] = [];
    const pdf = join(out, 'w.pdf');
    const r = await runExportInWorker({ pdf, manifest: join(out, 'w.csv') }, source, {
      workerFile,
      onProgress: (p) => progress.push(p.done),
    });
    expect(r.ok ? r.value.count : r.error).toBe(ids.length);
    expect(pdfInfo(pdf).pages).toBe(ids.length);
    expect(progress).toEqual(ids.map((_, i) => i + 1));
    expect(reads).toBe(ids.length * 2);
  });

  it('cancels from this thread; the worker removes its temporary files', async () => {
    const dir = join(out, 'cancel');
    const ctl = new AbortController();
    const r = await runExportInWorker(
      { pdf: join(dir, 'c.pdf'), perOrderDir: dir },
      demoSource(ids, DEMO_IMAGES),
      {
        workerFile,
        signal: ctl.signal,
        onProgress: (p) => p.done === 2 && ctl.abort(),
      },
    );
    expect(r.ok ? 'ok' : r.error.reason).toBe('cancelled');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a source that throws on this thread fails the export cleanly', async () => {
    const dir = join(out, 'fail');
    const base = demoSource(ids, DEMO_IMAGES);
    const source: ExportSource = {
      ...base,
      image: (id, side) => {
        if (id === ids[3]) throw new TypeError('boom');
        return base.image(id, side);
      },
    };
    const r = await runExportInWorker({ pdf: join(dir, 'f.pdf') }, source, { workerFile });
    expect(r.ok ? 'ok' : [r.error.reason, r.error.message['en-US']]).toEqual([
      'export-failed',
      expect.stringContaining('(TypeError)'),
    ]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a strict export reads the findings first, then reads the records again from the start', async () => {
    const findings = (id: string) =>
      id === ids[5]
        ? [
            {
              orderId: id,
              code: 'shared-id' as const,
              message: { zh: '证件被多个订单使用', en: 'ID used by several orders' },
            },
          ]
        : [];
    const dirty = demoSource(ids, DEMO_IMAGES, { facts: (id) => ({ findings: findings(id) }) });
    const refused = await runExportInWorker({ pdf: join(out, 'strict.pdf'), strict: true }, dirty, {
      workerFile,
    });
    expect(refused.ok ? 'ok' : [refused.error.reason, refused.error.kind]).toEqual([
      'export-findings',
      'business',
    ]);
    expect(readdirSync(out).filter((f) => f.startsWith('strict') || f.includes('strict.pdf'))).toEqual([]);
    const clean = await runExportInWorker(
      { pdf: join(out, 'strict.pdf'), strict: true },
      demoSource(ids, DEMO_IMAGES),
      { workerFile },
    );
    expect(clean.ok ? clean.value.orderIds : clean.error).toEqual(ids);
    expect(pdfInfo(join(out, 'strict.pdf')).pages).toBe(ids.length);
  });
});
