/** Exports for brokers: the target is chosen in the host's dialog; progress and the result come as events. */
import { dirname, join } from 'node:path';
import { clearanceError } from '../../core/errors';
import { runExport } from '../../core/export/run';
import type { ExportJob } from '../../core/export/types';
import { auditExport, vaultSource } from '../../core/export/vault-source';
import { runExportInWorker } from '../../core/export/worker';
import type { Handlers } from '../ipc';
import type { BackendContext } from './context';
import { guard, refuse } from './reply';

type ExportHandlers = Pick<Handlers, 'export.start' | 'export.cancel'>;

export function exportHandlers(ctx: BackendContext): ExportHandlers & { abortAll(): void } {
  const { settings, host } = ctx;
  const running = new Map<string, AbortController>();
  return {
    abortAll() {
      for (const c of running.values()) c.abort();
    },
    'export.start': (req) =>
      guard(async () => {
        const vault = await ctx.openVault();
        const ids = req.orderIds === 'all' ? vault.orderIds({ sort: 'orderId', order: 'asc' }) : req.orderIds;
        if (ids.length === 0)
          return refuse(clearanceError('usage', { detail: '没有可导出的记录 / nothing to export' }));
        const stamp = ctx.clock().toISOString().slice(0, 19).replace(/[-:T]/g, '');
        const suggested = ids.length === 1 ? `${ids[0]}.pdf` : `clearance-${stamp}.pdf`;
        const target = await host.chooseExportTarget(req.mode === 'combined' ? 'pdf' : 'folder', suggested);
        if (!target) return { cancelledByUser: true as const };
        const folder = req.mode === 'combined' ? dirname(target) : target;
        const profile = ctx.activeProfileName();
        const job: ExportJob = {
          ...(req.mode === 'combined' ? { pdf: target } : { perOrderDir: target }),
          ...(req.images ? { imagesDir: folder } : {}),
          ...(req.manifest !== 'none' ? { manifest: join(folder, `manifest-${stamp}.${req.manifest}`) } : {}),
          mask: req.mask,
          watermark: settings.preferences().watermarkText,
          demoProfiles: settings.demoProfileNames(),
          ...(profile ? { profile } : {}),
        };
        const exportId = `${stamp}-${Math.random().toString(16).slice(2, 8)}`;
        const controller = new AbortController();
        running.set(exportId, controller);
        const source = vaultSource(vault, ids);
        const onProgress = (p: { done: number; total: number }) =>
          host.emit('export.progress', {
            exportId,
            done: p.done,
            total: p.total,
            state: 'running',
            destination: null,
            warnings: [],
          });
        const result = ctx.exportWorkerFile
          ? runExportInWorker(job, source, {
              workerFile: ctx.exportWorkerFile,
              signal: controller.signal,
              onProgress,
            })
          : runExport(job, source, { signal: controller.signal, onProgress });
        void result.then((r) => {
          running.delete(exportId);
          auditExport(
            vault,
            job,
            r.ok ? { report: r.value, orderIds: ids } : { orderIds: ids, error: r.error.reason },
            { profile: ctx.activeProfileName(), channel: 'app' },
          );
          host.emit('export.progress', {
            exportId,
            done: r.ok ? r.value.count : 0,
            total: ids.length,
            state: r.ok ? 'finished' : r.error.kind === 'cancelled' ? 'cancelled' : 'failed',
            destination: r.ok ? target : null,
            warnings: r.ok ? r.value.warnings.map((w) => w.message) : [r.error.message],
          });
        });
        return { exportId };
      }),
    'export.cancel': ({ exportId }) =>
      guard(async () => {
        const c = running.get(exportId);
        c?.abort();
        return { cancelled: Boolean(c) };
      }),
  };
}
