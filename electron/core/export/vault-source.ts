/**
 * The vault as an export source, and the export's audit entry. The renderer (run.ts) knows
 * nothing of the vault; this adapter is where the two meet, for the command and the app alike.
 */
import type { Finding, OrderFacts } from '../orders/types';
import type { Vault } from '../vault/types';
import type { ExportItem, ExportJob, ExportReport, ExportSource } from './types';

/** The order sheet's facts and the checks' findings for one order, when there are any. */
export type OrderFactsLookup = (orderId: string) => { order?: OrderFacts; findings?: Finding[] } | undefined;

/**
 * The given orders, read one at a time. The list of ids is fixed first, so the page count
 * ("page n / N") is exact; an id missing from the vault is skipped (and absent from the report).
 */
export function vaultSource(
  vault: Pick<Vault, 'get' | 'image'>,
  orderIds: string[],
  facts?: OrderFactsLookup,
): ExportSource {
  return {
    count: () => orderIds.length,
    *records(): Generator<ExportItem> {
      for (const id of orderIds) {
        const r = vault.get(id);
        if (!r) continue;
        const f = facts?.(id);
        yield f
          ? { ...r, ...(f.order ? { order: f.order } : {}), ...(f.findings ? { findings: f.findings } : {}) }
          : r;
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
    job.package && 'package',
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
    job.package,
  ]
    .filter(Boolean)
    .join(' | ');
}

/**
 * The entry written before the export's first byte: which orders, where, how. An export that is
 * killed leaves this entry and no `export` entry with the same export id: the log shows the
 * attempt, and its outcome stays `started`.
 */
export function auditExportStarted(
  vault: Pick<Vault, 'audit'>,
  job: ExportJob & { exportId: string },
  orderIds: string[],
  actor: { profile: string | null; channel: string },
): void {
  vault.audit({
    action: 'export',
    profile: actor.profile,
    orderIds,
    detail: {
      mode: exportMode(job),
      destination: exportDestination(job),
      masked: job.mask === true,
      count: orderIds.length,
      outcome: 'started',
      channel: actor.channel,
      exportId: job.exportId,
      ...(job.template ? { template: job.template.name } : {}),
    },
  });
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
      ...(job.exportId ? { exportId: job.exportId } : {}),
      ...(job.template ? { template: job.template.name } : {}),
      ...(outcome.report
        ? {
            exportId: outcome.report.exportId,
            files: outcome.report.files.length,
            findings: outcome.report.findings.length,
            sweptPartials: outcome.report.sweptPartials,
          }
        : {}),
    },
  });
}
