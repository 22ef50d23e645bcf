/** The audit viewer (and its Excel export) and the retention purge. */
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { openManifest } from '../../core/export/manifest';
import { fsError } from '../../core/fsutil';
import type { Handlers } from '../ipc';
import type { BackendContext } from './context';
import { guard, refuse } from './reply';

type AuditHandlers = Pick<Handlers, 'audit.list' | 'audit.exportXlsx' | 'vault.purge' | 'vault.purgePreview'>;

const DAY_MS = 86_400_000;

export function auditHandlers(ctx: BackendContext): AuditHandlers {
  return {
    'audit.list': (q) =>
      guard(async () =>
        (await ctx.openVault()).auditLog({
          ...(q.since ? { since: q.since } : {}),
          ...(q.until ? { until: q.until } : {}),
          ...(q.action ? { action: q.action } : {}),
          ...(q.orderId ? { orderId: q.orderId } : {}),
          ...(q.orderIdPart ? { orderIdPart: q.orderIdPart } : {}),
          ...(q.idNumber ? { idNumber: q.idNumber } : {}),
          ...(q.osUser ? { osUser: q.osUser } : {}),
          ...(q.host ? { host: q.host } : {}),
          limit: q.limit,
        }),
      ),
    'audit.exportXlsx': ({ headers, rows }) =>
      guard(async () => {
        const target = await ctx.host.chooseExportTarget(
          'xlsx',
          `audit-${ctx.clock().toISOString().slice(0, 10)}.xlsx`,
        );
        if (!target) return { written: false, rows: 0, fileName: null };
        // Written beside the target, then renamed: the file appears complete or not at all.
        const tmp = join(dirname(target), `.${randomBytes(6).toString('hex')}.partial`);
        try {
          mkdirSync(dirname(target), { recursive: true });
        } catch (err) {
          return refuse(fsError(err));
        }
        const sheet = openManifest(
          'xlsx',
          tmp,
          headers.map((header, i) => ({ header, width: i === headers.length - 1 ? 60 : 20 })),
          '审计日志 Audit',
        );
        // The writer sorts by its key: the row's position, padded, keeps the order shown (newest first).
        rows.forEach((cells, i) => {
          sheet.add(String(i).padStart(6, '0'), cells);
        });
        try {
          await sheet.finish();
          renameSync(tmp, target);
        } catch (err) {
          sheet.abort();
          rmSync(tmp, { force: true });
          return refuse(fsError(err));
        }
        return { written: true, rows: rows.length, fileName: basename(target) };
      }),
    'vault.purgePreview': () =>
      guard(async () => {
        const vault = await ctx.openVault();
        const retentionDays = ctx.settings.preferences().retentionDays;
        // The purge's own cut: records fetched before now minus the retention period (fetchedTo is inclusive).
        const cut = ctx.clock().getTime() - retentionDays * DAY_MS;
        const page = vault.search({
          fetchedTo: new Date(cut - 1).toISOString(),
          sort: 'fetchedAt',
          order: 'asc',
          offset: 0,
          limit: 1,
        });
        return { records: page.total, retentionDays };
      }),
    'vault.purge': () =>
      guard(async () => {
        await ctx.openVault();
        return ctx.desk.applyRetention();
      }),
  };
}
