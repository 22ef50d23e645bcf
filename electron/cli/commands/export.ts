import { dirname, resolve } from 'node:path';
import { JOB_ID_PATTERN, SqliteJobStore } from '../../core/batch';
import { batchFailures } from '../../core/batch/failures';
import { contextLookup, declarationDateFrom, limitsFrom } from '../../core/checks';
import { openDesk } from '../../core/desk';
import { type ClearanceError, ClearanceFailure, clearanceError, exitCodeFor } from '../../core/errors';
import { newExportId, runExport } from '../../core/export/run';
import { loadTemplate } from '../../core/export/template';
import type { ExportJob, ExportReport, FailedOrder } from '../../core/export/types';
import { auditExport, auditExportStarted, vaultSource } from '../../core/export/vault-source';
import { normalizeOrderId, splitOrderIdList } from '../../core/gateway/order-id';
import type { Vault } from '../../core/vault/types';
import { type Io, printError, say } from '../output';
import type { Command } from './types';

const USAGE =
  'export [--order ID… | --all | --search TEXT | --batch JOB] [--pdf FILE] [--per-order DIR] [--images] [--manifest FILE.csv|FILE.xlsx] [--package FILE.zip] [--template NAME|FILE.json] [--split N] [--strict] [--date YYYY-MM-DD] [--mask] [--watermark TEXT] [--profile P] [--json]';

const usage = (zh: string, en: string) => clearanceError('usage', { detail: `${zh} / ${en} — ${USAGE}` });

/** Which orders: listed ids in the given order (each must be stored), or all / a search, by order id. */
function selectOrders(
  vault: Vault,
  values: Record<string, unknown>,
  positionals: string[],
): { ok: true; ids: string[]; failed?: FailedOrder[] } | { ok: false; error: ClearanceError } {
  const listed = [...((values.order as string[] | undefined) ?? []), ...positionals].flatMap(
    splitOrderIdList,
  );
  const modes = [
    listed.length > 0,
    values.all === true,
    typeof values.search === 'string',
    typeof values.batch === 'string',
  ].filter(Boolean).length;
  if (modes !== 1)
    return {
      ok: false,
      error: usage(
        '请指定 --order、--all、--search 或 --batch 之一',
        'give one of --order, --all, --search, --batch',
      ),
    };
  const profile = typeof values.profile === 'string' ? values.profile : undefined;
  if (typeof values.batch === 'string') return selectBatch(vault, values.batch);
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

/** A batch job's fetched orders (done, or skipped as already stored) and its failed ones with their reason. */
function selectBatch(
  vault: Vault,
  jobId: string,
): { ok: true; ids: string[]; failed: FailedOrder[] } | { ok: false; error: ClearanceError } {
  if (!JOB_ID_PATTERN.test(jobId))
    return { ok: false, error: usage('批量任务编号格式不对', 'not a batch job id (batch list shows them)') };
  const store = new SqliteJobStore(vault, { channel: 'cli' });
  if (!store.getJob(jobId))
    return {
      ok: false,
      error: usage(`没有批量任务 ${jobId}`, `no batch job ${jobId} (batch list shows them)`),
    };
  const ids = store
    .orders(jobId, ['done', 'skipped'])
    .map((o) => o.orderId)
    .filter((id) => vault.get(id) !== undefined);
  const failed = batchFailures(store, jobId);
  if (ids.length === 0 && failed.length === 0)
    return { ok: false, error: usage('该批量任务没有可导出的订单', 'the batch job has no order to export') };
  return { ok: true, ids, failed };
}

function jobFrom(
  values: Record<string, unknown>,
  cwd: string,
): { ok: true; job: ExportJob } | { ok: false; error: ClearanceError } {
  const str = (k: string) => (typeof values[k] === 'string' ? resolve(cwd, values[k] as string) : undefined);
  const pdf = str('pdf');
  const perOrderDir = str('per-order');
  const manifest = str('manifest');
  const pkg = str('package');
  if (!pdf && !perOrderDir && !manifest && !values.images && !pkg) {
    return {
      ok: false,
      error: usage(
        '请指定 --pdf、--per-order、--manifest、--package 或 --images',
        'give --pdf, --per-order, --manifest, --package or --images',
      ),
    };
  }
  let split: number | undefined;
  if (typeof values.split === 'string') {
    split = Number(values.split);
    if (!/^\d{1,6}$/.test(values.split) || split < 1)
      return { ok: false, error: usage('--split 须为正整数', '--split must be a whole number of orders') };
  }
  let template: ExportJob['template'];
  if (typeof values.template === 'string') {
    const name = values.template;
    try {
      template = loadTemplate(/[/\\]|\.json$/i.test(name) ? resolve(cwd, name) : name);
    } catch (err) {
      if (err instanceof ClearanceFailure) return { ok: false, error: err.error };
      throw err;
    }
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
    ...(pkg ? { package: pkg } : {}),
    ...(template ? { template } : {}),
    ...(split ? { split } : {}),
    ...(values.strict === true ? { strict: true } : {}),
    mask: values.mask === true,
    ...(typeof values.watermark === 'string' ? { watermark: values.watermark } : {}),
    ...(typeof values.profile === 'string' ? { profile: values.profile } : {}),
  };
  return { ok: true, job };
}

export const exportCommand: Command = {
  name: 'export',
  summary: {
    zh: '为报关行导出 PDF（合并、分册或每单一份）、证件照片、按模板的清单（CSV/XLSX）或一个 ZIP 包；每次导出均记入审计日志',
    en: 'Export PDFs (combined, split or one per order), ID images, a manifest by template (CSV/XLSX) or one ZIP package for customs brokers; every export is audited',
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
    package: { type: 'string' },
    template: { type: 'string' },
    split: { type: 'string' },
    strict: { type: 'boolean' },
    date: { type: 'string' },
    batch: { type: 'string' },
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
    // The day the parcels are declared, for the expiry check (default: today, Beijing time).
    const declarationDate = declarationDateFrom(values.date);
    if (declarationDate === null) {
      const e = usage('--date 应为 YYYY-MM-DD', `--date ${values.date}: YYYY-MM-DD`);
      printError(io, e, json);
      return exitCodeFor(e.kind);
    }
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
      // Audited before the first byte: a killed export still leaves its attempt in the log.
      const preferredSplit = desk.settings.preferences().exportSplitEvery;
      const started: ExportJob & { exportId: string } = {
        ...job,
        // --split, else the preference (for a combined PDF or a package only).
        ...(job.split === undefined && preferredSplit && (job.pdf || job.package)
          ? { split: preferredSplit }
          : {}),
        exportId: newExportId(),
        ...(selected.failed?.length ? { failed: selected.failed } : {}),
      };
      auditExportStarted(vault, started, selected.ids, actor);
      const result = await runExport(
        { ...started, demoProfiles: desk.settings.demoProfileNames() },
        vaultSource(
          vault,
          selected.ids,
          contextLookup(vault, selected.ids, {
            declarationDate,
            limits: limitsFrom(desk.settings.preferences()),
          }),
        ),
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
        started,
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
    ...report.findings.map(
      (f) => `? ${f.orderId}: ${io.lang === 'zh-CN' ? f.message.zh : f.message.en} [${f.code}]`,
    ),
    report.reencodedImages
      ? say(
          io,
          `${report.reencodedImages} 张照片超过模板的大小上限，已重新压缩。`,
          `${report.reencodedImages} image(s) over the template's size cap were re-encoded.`,
        )
      : '',
    report.failedListed
      ? say(
          io,
          `清单中列出了 ${report.failedListed} 个未能获取的订单及原因。`,
          `The manifest lists ${report.failedListed} order(s) the batch could not fetch, with the reason.`,
        )
      : '',
    report.sweptPartials
      ? say(
          io,
          `已清除 ${report.sweptPartials} 个此前被中断的导出留下的临时文件。`,
          `Removed ${report.sweptPartials} temporary file(s) left by an interrupted earlier export.`,
        )
      : '',
    report.masked ? say(io, '姓名和证件号码已遮盖。', 'Names and ID numbers are masked.') : '',
  ];
  io.stdout(`${lines.filter(Boolean).join('\n')}\n`);
}
