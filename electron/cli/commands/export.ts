import { dirname, resolve } from 'node:path';
import { openDesk } from '../../core/desk';
import { type ClearanceError, ClearanceFailure, clearanceError, exitCodeFor } from '../../core/errors';
import { runExport } from '../../core/export/run';
import type { ExportJob, ExportReport } from '../../core/export/types';
import { auditExport, vaultSource } from '../../core/export/vault-source';
import { normalizeOrderId, splitOrderIdList } from '../../core/gateway/order-id';
import type { Vault } from '../../core/vault/types';
import { type Io, printError, say } from '../output';
import type { Command } from './types';

const USAGE =
  'export [--order ID… | --all | --search TEXT] [--pdf FILE] [--per-order DIR] [--images] [--manifest FILE.csv|FILE.xlsx] [--mask] [--watermark TEXT] [--profile P] [--json]';

const usage = (zh: string, en: string) => clearanceError('usage', { detail: `${zh} / ${en} — ${USAGE}` });

/** Which orders: listed ids in the given order (each must be stored), or all / a search, by order id. */
function selectOrders(
  vault: Vault,
  values: Record<string, unknown>,
  positionals: string[],
): { ok: true; ids: string[] } | { ok: false; error: ClearanceError } {
  const listed = [...((values.order as string[] | undefined) ?? []), ...positionals].flatMap(
    splitOrderIdList,
  );
  const modes = [listed.length > 0, values.all === true, typeof values.search === 'string'].filter(
    Boolean,
  ).length;
  if (modes !== 1)
    return {
      ok: false,
      error: usage('请指定 --order、--all 或 --search 之一', 'give one of --order, --all, --search'),
    };
  const profile = typeof values.profile === 'string' ? values.profile : undefined;
  if (listed.length > 0) {
    const ids: string[] = [];
    for (const raw of listed) {
      const id = normalizeOrderId(raw);
      if (!id.ok) return { ok: false, error: id.error };
      const r = vault.get(id.value);
      if (!r || (profile && r.profile !== profile))
        return { ok: false, error: clearanceError('not-found', { orderId: id.value }) };
      if (!ids.includes(id.value)) ids.push(id.value);
    }
    return { ok: true, ids };
  }
  // Ids first (the iterator holds the connection), then the export reads each record on its own.
  const ids: string[] = [];
  const query = {
    sort: 'orderId' as const,
    order: 'asc' as const,
    ...(typeof values.search === 'string' ? { text: values.search } : {}),
    ...(profile ? { profile } : {}),
  };
  for (const r of vault.iterate(query)) ids.push(r.orderId);
  if (ids.length === 0) return { ok: false, error: usage('没有符合条件的记录', 'no stored record matches') };
  return { ok: true, ids };
}

function jobFrom(
  values: Record<string, unknown>,
  cwd: string,
): { ok: true; job: ExportJob } | { ok: false; error: ClearanceError } {
  const str = (k: string) => (typeof values[k] === 'string' ? resolve(cwd, values[k] as string) : undefined);
  const pdf = str('pdf');
  const perOrderDir = str('per-order');
  const manifest = str('manifest');
  if (!pdf && !perOrderDir && !manifest && !values.images) {
    return {
      ok: false,
      error: usage(
        '请指定 --pdf、--per-order、--manifest 或 --images',
        'give --pdf, --per-order, --manifest or --images',
      ),
    };
  }
  let imagesDir: string | undefined;
  if (values.images) {
    imagesDir = perOrderDir ?? (pdf ? dirname(pdf) : undefined);
    if (!imagesDir)
      return {
        ok: false,
        error: usage(
          '--images 需要 --per-order 或 --pdf 指定位置',
          '--images needs --per-order or --pdf for a place',
        ),
      };
  }
  const job: ExportJob = {
    ...(pdf ? { pdf } : {}),
    ...(perOrderDir ? { perOrderDir } : {}),
    ...(imagesDir ? { imagesDir } : {}),
    ...(manifest ? { manifest } : {}),
    mask: values.mask === true,
    ...(typeof values.watermark === 'string' ? { watermark: values.watermark } : {}),
    ...(typeof values.profile === 'string' ? { profile: values.profile } : {}),
  };
  return { ok: true, job };
}

export const exportCommand: Command = {
  name: 'export',
  summary: {
    zh: '为报关行导出 PDF（合并或每单一份）、证件照片和清单（CSV/XLSX）；每次导出均记入审计日志',
    en: 'Export PDFs (combined or one per order), ID images and a manifest (CSV/XLSX) for customs brokers; every export is audited',
  },
  usage: USAGE,
  options: {
    order: { type: 'string', multiple: true },
    all: { type: 'boolean' },
    search: { type: 'string' },
    pdf: { type: 'string' },
    'per-order': { type: 'string' },
    images: { type: 'boolean' },
    manifest: { type: 'string' },
    mask: { type: 'boolean' },
    watermark: { type: 'string' },
    profile: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ positionals, values, io, env, cwd, signal }) {
    const json = values.json === true;
    const built = jobFrom(values, cwd);
    if (!built.ok) {
      printError(io, built.error, json);
      return exitCodeFor(built.error.kind);
    }
    const { job } = built;
    let desk: ReturnType<typeof openDesk> | undefined;
    try {
      desk = openDesk({ env, channel: 'cli' });
      const vault = await desk.vault();
      const selected = selectOrders(vault, values, positionals);
      if (!selected.ok) {
        printError(io, selected.error, json);
        return exitCodeFor(selected.error.kind);
      }
      const actor = { profile: typeof values.profile === 'string' ? values.profile : null, channel: 'cli' };
      const result = await runExport(
        { ...job, demoProfiles: desk.settings.demoProfileNames() },
        vaultSource(vault, selected.ids),
        {
          signal,
          onProgress:
            io.isTTY && !json
              ? (p) => io.stderr(`\r${say(io, '导出', 'Exporting')} ${p.done}/${p.total}`)
              : undefined,
        },
      );
      if (io.isTTY && !json) io.stderr('\n');
      auditExport(
        vault,
        job,
        result.ok
          ? { report: result.value, orderIds: selected.ids }
          : { orderIds: selected.ids, error: result.error.reason },
        actor,
      );
      if (!result.ok) {
        printError(io, result.error, json);
        return exitCodeFor(result.error.kind);
      }
      printReport(io, result.value, json);
      return 0;
    } catch (err) {
      if (err instanceof ClearanceFailure) {
        printError(io, err.error, json);
        return exitCodeFor(err.error.kind);
      }
      throw err;
    } finally {
      desk?.close();
    }
  },
};

function printReport(io: Io, report: ExportReport, json: boolean) {
  if (json) {
    const warnings = report.warnings.map((w) => ({
      orderId: w.orderId,
      code: w.code,
      side: w.side ?? null,
      message: w.message[io.lang],
    }));
    io.stdout(`${JSON.stringify({ ok: true, report: { ...report, warnings } })}\n`);
    return;
  }
  const lines = [
    say(
      io,
      `已导出 ${report.count} 个订单（导出编号 ${report.exportId}）`,
      `Exported ${report.count} order(s) (export ${report.exportId})`,
    ),
    ...report.files.map((f) => `  ${f}`),
    ...report.warnings.map((w) => `! ${w.orderId}: ${w.message[io.lang]}`),
    report.masked ? say(io, '证件号码已遮盖。', 'ID numbers are masked.') : '',
  ];
  io.stdout(`${lines.filter(Boolean).join('\n')}\n`);
}
