/** Exports for brokers: the target is chosen in the host's dialog; progress and the result come as events. */

import { dirname, join } from 'node:path';
import { SqliteJobStore } from '../../core/batch';
import { batchFailures } from '../../core/batch/failures';
import { contextLookup, limitsFrom } from '../../core/checks';
import { ClearanceFailure, clearanceError } from '../../core/errors';
import { newExportId, runExport } from '../../core/export/run';
import { loadTemplate } from '../../core/export/template';
import type { ExportJob, ExportReport } from '../../core/export/types';
import { auditExport, auditExportStarted, vaultSource } from '../../core/export/vault-source';
import { runExportInWorker } from '../../core/export/worker';
import type { Handlers } from '../ipc';
import type { BackendContext } from './context';
import { guard, refuse } from './reply';

type ExportHandlers = Pick<Handlers, 'export.start' | 'export.cancel' | 'export.openFolder'>;

export function exportHandlers(ctx: BackendContext): ExportHandlers & { abortAll(): void } {
  const { settings, host } = ctx;
  const running = new Map<string, AbortController>();
  // Finished exports' folders, so that "open folder" takes an export id and never a path from the page.
  const folders = new Map<string, string>();
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
        let template: ExportJob['template'];
        try {
          // Before the dialog: a template that cannot be used is said at once.
          if (req.template) template = loadTemplate(req.template);
        } catch (err) {
          if (err instanceof ClearanceFailure) return refuse(err.error);
          throw err;
        }
        const stamp = ctx.clock().toISOString().slice(0, 19).replace(/[-:T]/g, '');
        const kind = req.package ? 'zip' : req.mode === 'combined' ? 'pdf' : 'folder';
        const ext = req.package ? 'zip' : 'pdf';
        const suggested = ids.length === 1 ? `${ids[0]}.${ext}` : `clearance-${stamp}.${ext}`;
        const target = await host.chooseExportTarget(kind, suggested);
        if (!target) return { cancelledByUser: true as const };
        const folder = kind === 'folder' ? target : dirname(target);
        const profile = ctx.activeProfileName();
        const exportId = newExportId(ctx.clock());
        // A batch's failures go into the manifest (a template with a result column shows them).
        const batchStore = req.batchJob ? new SqliteJobStore(vault) : undefined;
        if (req.batchJob && !batchStore?.getJob(req.batchJob))
          return refuse(clearanceError('usage', { detail: `batch ${req.batchJob}` }));
        const failed = req.batchJob && batchStore ? batchFailures(batchStore, req.batchJob) : [];
        // The request's own split, else the preference.
        const split =
          req.package || req.mode === 'combined'
            ? (req.split ?? settings.preferences().exportSplitEvery)
            : undefined;
        // A package carries the manifest, the combined PDF and the images itself.
        const files: ExportJob = req.package
          ? { package: target }
          : {
              ...(req.mode === 'combined' ? { pdf: target } : { perOrderDir: target }),
              ...(req.images ? { imagesDir: folder } : {}),
              ...(req.manifest !== 'none'
                ? { manifest: join(folder, `manifest-${stamp}.${req.manifest}`) }
                : {}),
            };
        const job: ExportJob & { exportId: string } = {
          ...files,
          exportId,
          mask: req.mask,
          ...(template ? { template } : {}),
          ...(split ? { split } : {}),
          ...(req.strict ? { strict: true } : {}),
          ...(failed.length ? { failed } : {}),
          watermark: settings.preferences().watermarkText,
          demoProfiles: settings.demoProfileNames(),
          ...(profile ? { profile } : {}),
        };
        // Audited before the first byte: an export killed with the app still shows in the log.
        auditExportStarted(vault, job, ids, { profile, channel: 'app' });
        const controller = new AbortController();
        running.set(exportId, controller);
        // The sheet row and the checks' findings per order, as of the export day (the declaration day).
        const facts = contextLookup(vault, ids, {
          declarationDate: ctx.today(),
          limits: limitsFrom(settings.preferences()),
        });
        const source = vaultSource(vault, ids, facts);
        const onProgress = (p: { done: number; total: number }) =>
          host.emit('export.progress', {
            exportId,
            done: p.done,
            total: p.total,
            state: 'running',
            destination: null,
            files: [],
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
          if (r.ok) folders.set(exportId, folder);
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
            // A split PDF has no file by the chosen name: point at its first part.
            destination: r.ok ? (job.split && job.pdf ? (r.value.files[0] ?? target) : target) : null,
            files: r.ok ? r.value.files : [],
            warnings: r.ok ? reportNotes(r.value) : [r.error.message],
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
    'export.openFolder': ({ exportId }) =>
      guard(async () => {
        const folder = folders.get(exportId);
        if (!folder || !host.openFolder) return { opened: false };
        await host.openFolder(folder);
        return { opened: true };
      }),
  };
}

/** What the finished export tells the user: its warnings, the checks' findings, swept leftovers. */
function reportNotes(report: ExportReport): { 'zh-CN': string; 'en-US': string }[] {
  return [
    ...report.warnings.map((w) => w.message),
    ...report.findings.map((f) => ({
      'zh-CN': `${f.orderId}：${f.message.zh}`,
      'en-US': `${f.orderId}: ${f.message.en}`,
    })),
    ...(report.sweptPartials
      ? [
          {
            'zh-CN': `已清除 ${report.sweptPartials} 个此前被中断的导出留下的临时文件`,
            'en-US': `Removed ${report.sweptPartials} temporary file(s) left by an interrupted export`,
          },
        ]
      : []),
  ];
}
