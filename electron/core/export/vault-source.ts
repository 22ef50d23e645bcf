/**
 * The vault as an export source, and the export's audit entry. The renderer (run.ts) knows
 * nothing of the vault; this adapter is where the two meet, for the command and the app alike.
 */
import type { Vault } from '../vault/types';
import type { ExportJob, ExportReport, ExportSource } from './types';

/**
 * The given orders, read one at a time. The list of ids is fixed first, so the page count
 * ("page n / N") is exact; an id missing from the vault is skipped (and absent from the report).
 */
export function vaultSource(vault: Pick<Vault, 'get' | 'image'>, orderIds: string[]): ExportSource {
  return {
    count: () => orderIds.length,
    *records() {
      for (const id of orderIds) {
        const r = vault.get(id);
        if (r) yield r;
      }
    },
    image: (orderId, side) => vault.image(orderId, side),
  };
}

/** What the job wrote and where, as short non-personal facts for the audit detail. */
export function exportMode(job: ExportJob): string {
  return [
    job.pdf && 'pdf',
    job.perOrderDir && 'per-order',
    job.imagesDir && 'images',
    job.manifest && 'manifest',
  ]
    .filter(Boolean)
    .join('+');
}

export function exportDestination(job: ExportJob): string {
  return [
    job.pdf,
    job.perOrderDir,
    job.imagesDir !== job.perOrderDir ? job.imagesDir : undefined,
    job.manifest,
  ]
    .filter(Boolean)
    .join(' | ');
}

/**
 * One audit entry per export attempt: who (the vault adds the OS user and host), which orders,
 * which mode, where, masked or not, and how it ended. A failed or cancelled export is audited too:
 * the records were read either way.
 */
export function auditExport(
  vault: Pick<Vault, 'audit'>,
  job: ExportJob,
  outcome: { report?: ExportReport; orderIds: string[]; error?: string },
  actor: { profile: string | null; channel: string },
): void {
  vault.audit({
    action: 'export',
    profile: actor.profile,
    orderIds: outcome.report?.orderIds ?? outcome.orderIds,
    detail: {
      mode: exportMode(job),
      destination: exportDestination(job),
      masked: job.mask === true,
      count: outcome.report?.count ?? 0,
      outcome: outcome.error ?? 'ok',
      channel: actor.channel,
      ...(outcome.report ? { exportId: outcome.report.exportId, files: outcome.report.files.length } : {}),
    },
  });
}
