import { open } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import {
  type BatchOutcome,
  type BatchProgress,
  BatchRun,
  batchExitCode,
  type InputProblem,
  JOB_ID_PATTERN,
  type JobInfo,
  type OrderFailure,
  type OrderRow,
  type OrderSource,
  readOrders,
  SqliteJobStore,
  validateOptions,
} from '../../core/batch';
import type { Desk } from '../../core/desk';
import {
  type ClearanceError,
  ClearanceFailure,
  clearanceError,
  ERRORS,
  exitCodeFor,
  orderFailureMessage,
} from '../../core/errors';
import { OrderStore } from '../../core/orders/store';
import { openTeam } from '../../core/team/team';
import { CONNECTION_OPTIONS, type Connection, type ConnectionFlags, resolveConnection } from '../connection';
import { errorJson, type Io, printError, say, shown } from '../output';
import { withDesk } from './records';
import type { Command, CommandContext } from './types';

const USAGE = [
  'batch <file|-> [--column NAME|N] [--image] [--refresh] [--concurrency N] [--qps N] [--json] [--demo] [--profile P]',
  'batch --resume <job> [--json]',
  'batch --sheet | --waiting [--image] [--json] [--demo] [--profile P]',
  'batch list [--json]',
  'batch show <job> [--json]',
];

/** Input files are lists of ids: anything larger is a wrong file, not a big job. */
const MAX_INPUT_BYTES = 50 * 1024 * 1024;

export const batchCommand: Command = {
  name: 'batch',
  summary: {
    zh: '批量查询订单（文本、CSV 或 XLSX），遵守网关限速，可中断后继续',
    en: 'Look up many orders (text, CSV or XLSX) within the gateway limits; resumable',
  },
  usage: USAGE.join('\n  '),
  options: {
    column: { type: 'string' },
    image: { type: 'boolean' },
    refresh: { type: 'boolean' },
    concurrency: { type: 'string' },
    qps: { type: 'string' },
    json: { type: 'boolean' },
    resume: { type: 'string' },
    sheet: { type: 'boolean' },
    waiting: { type: 'boolean' },
    ...CONNECTION_OPTIONS,
  },
  async run(ctx) {
    const { positionals, values, io } = ctx;
    const json = values.json === true;
    const resume = values.resume as string | undefined;
    const [first, second] = positionals;
    if (resume !== undefined) {
      if (positionals.length) return usage(io, json, 'batch --resume <job>');
      return withDesk(ctx, (desk) => runJob(ctx, desk, { resume }));
    }
    if (values.sheet === true || values.waiting === true) {
      if (positionals.length || (values.sheet && values.waiting))
        return usage(io, json, 'batch --sheet | --waiting');
      const which = values.sheet ? 'sheet' : 'waiting';
      return withDesk(ctx, async (desk) => {
        const orders = new OrderStore(await desk.vault());
        const ids = which === 'sheet' ? orders.withoutIdentity() : orders.waiting().map((w) => w.orderId);
        return runJob(ctx, desk, { ids, label: which });
      });
    }
    if (first === 'list' && positionals.length === 1)
      return withDesk(ctx, (desk) => listJobs(io, desk, json));
    if (first === 'show' && second && positionals.length === 2)
      return withDesk(ctx, (desk) => showJob(io, desk, second, json));
    if (positionals.length !== 1 || !first) return usage(io, json, USAGE[0] as string);
    return withDesk(ctx, (desk) => runJob(ctx, desk, { source: first }));
  },
};

function usage(io: Io, json: boolean, detail: string) {
  printError(io, clearanceError('usage', { detail }), json);
  return 2;
}

async function openStore(desk: Desk) {
  return new SqliteJobStore(await desk.vault(), { channel: 'cli' });
}

function parseCount(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const s = String(v).trim();
  return /^\d+(\.\d+)?$/.test(s) ? Number(s) : Number.NaN;
}

/** The bytes of a stream, refused past MAX_INPUT_BYTES as they arrive (never buffered whole). */
async function* capped(stream: AsyncIterable<Buffer | string>, label: string): AsyncGenerator<Uint8Array> {
  let size = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += b.length;
    if (size > MAX_INPUT_BYTES)
      throw new ClearanceFailure(clearanceError('usage', { detail: `${label}: over 50 MB` }));
    yield b;
  }
}

/** The list as a stream: text and CSV are read line by line, so a huge file costs no more than its ids. */
export async function readSource(ctx: CommandContext, source: string): Promise<OrderSource> {
  if (source === '-') {
    return { name: 'stdin', chunks: capped(ctx.stdin as AsyncIterable<Buffer | string>, 'stdin') };
  }
  const path = resolve(ctx.cwd, source);
  try {
    const handle = await open(path, 'r');
    if ((await handle.stat()).isDirectory()) {
      await handle.close();
      throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    }
    return {
      name: basename(path),
      chunks: capped(handle.createReadStream({ highWaterMark: 256 * 1024 }), source),
    };
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'I/O';
    throw new ClearanceFailure(clearanceError('usage', { detail: `${source}: cannot read (${code})` }));
  }
}

export function printInputProblem(io: Io, p: InputProblem, json: boolean) {
  if (json) {
    io.stdout(`${JSON.stringify({ ...errorJson(p.error, io.lang), columns: p.columns })}\n`);
    return;
  }
  printError(io, p.error, false);
  if (p.columns.length)
    io.stderr(`${say(io, '可选的列：', 'Columns:')}\n${p.columns.map((c) => `  ${c}`).join('\n')}\n`);
}

const profileLabel = (c: Connection) => c.profile ?? (c.demo ? 'demo' : 'env');

/**
 * Run a job: a new one from a source file, a new one of given orders (the sheet's orders without
 * an identity, the waiting list: `label` names them), or a resumed one.
 */
export async function runJob(
  ctx: CommandContext,
  desk: Desk,
  what: { source: string } | { resume: string } | { ids: string[]; label: string },
): Promise<number> {
  const { values, io, env, signal } = ctx;
  const json = values.json === true;

  let parsed: { duplicates: number } = { duplicates: 0 };
  let orderIds: string[] = [];
  let invalid: JobInfo['invalid'] = [];
  if ('source' in what) {
    const src = await readSource(ctx, what.source);
    const got = await readOrders(src, values.column ? { column: String(values.column) } : {});
    if (!got.ok) {
      printInputProblem(io, got.error, json);
      return exitCodeFor(got.error.error.kind);
    }
    ({ orderIds, invalid } = got.value);
    parsed = got.value;
    if (!json && invalid.length) printInvalid(io, invalid);
    if (orderIds.length === 0) {
      const e = clearanceError('usage', { detail: say(io, '输入中没有订单号', 'no order ids in the input') });
      if (json) io.stdout(`${JSON.stringify({ ...errorJson(e, io.lang), invalid })}\n`);
      else printError(io, e, false);
      return 2;
    }
  } else if ('ids' in what) {
    orderIds = what.ids;
    if (orderIds.length === 0) {
      // Nothing to ask the gateway: not a failure.
      if (json) io.stdout(`${JSON.stringify({ ok: true, job: null, total: 0 })}\n`);
      else io.stdout(`${say(io, '没有需要查询的订单。', 'No orders to look up.')}\n`);
      return 0;
    }
  } else if (!JOB_ID_PATTERN.test(what.resume)) {
    return usage(
      io,
      json,
      `--resume ${what.resume}: ${say(io, '批次编号形如', 'job ids look like')} 20250314-3fa9c1`,
    );
  }

  const conn = await resolveConnection(values as ConnectionFlags, env);
  if (!conn.ok) {
    printError(io, conn.error, json);
    return exitCodeFor(conn.error.kind);
  }
  try {
    const store = await openStore(desk);
    let job: JobInfo;
    if ('resume' in what) {
      const found = store.getJob(what.resume);
      if (!found)
        return usage(io, json, `${say(io, '没有批次', 'no batch job')} ${what.resume} (batch list)`);
      if (found.status === 'cancelled')
        return usage(
          io,
          json,
          `${what.resume}: ${say(io, '该批次已被取消，不能继续；请新建批次', 'the job was cancelled and cannot continue; start a new one')}`,
        );
      const now = profileLabel(conn.value);
      if (found.profile !== now && conn.value.profile !== null && !['env', 'demo'].includes(found.profile)) {
        return usage(
          io,
          json,
          `${say(io, '该批次属于账号', 'the job belongs to profile')} ${found.profile}: --profile ${found.profile}`,
        );
      }
      job = found;
    } else {
      const profileQps = conn.value.profile ? desk.settings.findProfile(conn.value.profile)?.qps : undefined;
      const options = validateOptions({
        needImage: values.image === true,
        refresh: values.refresh === true,
        ...(values.concurrency !== undefined ? { concurrency: parseCount(values.concurrency) } : {}),
        ...(values.qps !== undefined
          ? { qps: parseCount(values.qps) }
          : profileQps
            ? { qps: profileQps }
            : {}),
      });
      if (!options.ok) {
        printError(io, options.error, json);
        return 2;
      }
      job = store.createJob({
        profile: profileLabel(conn.value),
        options: options.value,
        source: 'ids' in what ? what.label : what.source === '-' ? 'stdin' : basename(what.source),
        orderIds,
        invalid,
      });
    }
    const total = Object.values(job.counts).reduce((a, b) => a + b, 0);
    io.stderr(
      `${say(io, '批次', 'Job')} ${job.id}: ${total} ${say(io, '个订单', 'orders')}` +
        `${parsed.duplicates ? say(io, `（已去除重复 ${parsed.duplicates} 个）`, ` (${parsed.duplicates} duplicates dropped)`) : ''}` +
        ` · ${job.options.concurrency} ${say(io, '并发', 'at once')} · ≤${job.options.qps} ${say(io, '次/秒', 'calls/s')}\n`,
    );

    const bar = !json && process.stderr.isTTY ? new ProgressBar(io) : undefined;
    // In a team every desk's calls for this App Key share one budget (the team's token bucket).
    const team = await openTeam(desk, env).catch(() => null);
    const appKey = conn.value.client.credentials.appKey;
    const run = new BatchRun(
      {
        store,
        ...(team ? { gate: (qps: number) => team.budgetGate(appKey, qps) } : {}),
        client: {
          ...conn.value.client,
          onCall: values.verbose
            ? (e) =>
                io.stderr(
                  `call order=${e.orderId} attempt=${e.attempt} ${e.ms}ms ${e.outcome}${e.requestId ? ` request=${e.requestId}` : ''}\n`,
                )
            : undefined,
        },
      },
      job.id,
      { signal, onProgress: bar ? (p) => bar.draw(p) : undefined },
    );
    const outcome = await run.run();
    bar?.done();
    if (outcome.stopError) conn.value.reportFailure(outcome.stopError);
    const failed = store.orders(job.id, ['failed']);
    const code = batchExitCode(
      outcome,
      failed.map((o) => (o.failure as OrderFailure).kind),
      outcome.job.invalid.length,
    );
    if (json) printSummaryJson(io, outcome, failed, run.progress(), parsed.duplicates);
    else printSummary(io, outcome, failed);
    return code;
  } finally {
    await conn.value.close();
  }
}

function printInvalid(io: Io, invalid: JobInfo['invalid']) {
  io.stderr(
    `${say(io, `${invalid.length} 项不是有效订单号，未加入批次：`, `${invalid.length} entries are not valid order ids and were left out:`)}\n`,
  );
  // Grouped by why, so each explanation is said once, with the lines it applies to.
  const byReason = new Map<string, JobInfo['invalid']>();
  for (const e of invalid) byReason.set(e.reason, [...(byReason.get(e.reason) ?? []), e]);
  for (const [reason, entries] of byReason) {
    const shownEntries = entries
      .slice(0, 20)
      .map((e) => `${say(io, '第', 'line ')}${e.line}${say(io, ' 行', '')} ${shown(e.preview)}`);
    const more = entries.length > shownEntries.length ? ` … +${entries.length - shownEntries.length}` : '';
    const why = clearanceError(reason in ERRORS ? (reason as keyof typeof ERRORS) : 'order-id-invalid')
      .message[io.lang];
    io.stderr(`  ${why}\n    ${shownEntries.join('; ')}${more}\n`);
  }
}

const failureMessage = (io: Io, f: OrderFailure): string => orderFailureMessage(f)[io.lang];

const fmtEta = (s: number | null) => {
  if (s === null) return '--:--';
  const m = Math.floor(s / 60);
  return m >= 60
    ? `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`
    : `${m}:${String(s % 60).padStart(2, '0')}`;
};

/** One line on the terminal, redrawn in place. */
class ProgressBar {
  private last = '';
  constructor(private readonly io: Io) {}

  draw(p: BatchProgress) {
    const finished = p.counts.done + p.counts.failed + p.counts.skipped;
    const width = 24;
    const filled = p.total ? Math.round((finished / p.total) * width) : 0;
    const io = this.io;
    const line =
      `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${finished}/${p.total}` +
      ` ${say(io, '完成', 'done')} ${p.counts.done} ${say(io, '失败', 'failed')} ${p.counts.failed} ${say(io, '跳过', 'skipped')} ${p.counts.skipped}` +
      ` · ${p.callsPerSecond.toFixed(1)} ${say(io, '次/秒', 'calls/s')} · ETA ${fmtEta(p.etaSeconds)}` +
      (p.paused ? ` · ${say(io, '已暂停', 'paused')}` : '') +
      (p.throttledCalls ? ` · ${say(io, '限流', 'throttled')} ${p.throttledCalls}` : '');
    if (line === this.last) return;
    this.last = line;
    this.io.stderr(`\r\x1b[2K${line}`);
  }

  done() {
    if (this.last) this.io.stderr('\n');
  }
}

function printSummary(io: Io, o: BatchOutcome, failed: OrderRow[]) {
  const c = o.job.counts;
  const lines = [
    `${say(io, '批次', 'Job')} ${o.job.id}: ${say(io, '完成', 'done')} ${c.done}, ${say(io, '失败', 'failed')} ${c.failed}, ` +
      `${say(io, '跳过（已存储）', 'skipped (already stored)')} ${c.skipped}, ${say(io, '待处理', 'pending')} ${c.pending}` +
      (o.job.invalid.length ? `; ${say(io, '无效输入', 'invalid entries')} ${o.job.invalid.length}` : ''),
  ];
  for (const f of failed.slice(0, 50)) {
    const e = f.failure as OrderFailure;
    lines.push(
      `  ✗ ${f.orderId} [${e.kind}] ${shown(failureMessage(io, e))}${e.requestId ? ` (request ${shown(e.requestId)})` : ''}`,
    );
  }
  if (failed.length > 50) lines.push(`  … +${failed.length - 50} (batch show ${o.job.id})`);
  io.stdout(`${lines.join('\n')}\n`);
  if (o.ended === 'stopped' && o.stopError) {
    printError(io, o.stopError, false);
    io.stderr(
      `${say(io, '批次已停止，剩余订单保持待处理。解决后继续：', 'The job stopped; the remaining orders stay pending. When fixed, continue with:')} clearance-desk batch --resume ${o.job.id}\n`,
    );
  } else if (o.ended === 'cancelled') {
    io.stderr(
      `${say(io, '已中断。继续：', 'Interrupted. Continue with:')} clearance-desk batch --resume ${o.job.id}\n`,
    );
  }
}

function failureJson(io: Io, f: OrderRow) {
  const e = f.failure as OrderFailure;
  return {
    orderId: f.orderId,
    kind: e.kind,
    reason: e.reason,
    code: e.code,
    subCode: e.subCode,
    requestId: e.requestId,
    message: failureMessage(io, e),
  };
}

function stopJson(io: Io, e: ClearanceError | null) {
  return e ? errorJson(e, io.lang).error : null;
}

function printSummaryJson(io: Io, o: BatchOutcome, failed: OrderRow[], p: BatchProgress, duplicates: number) {
  const seconds = o.elapsedMs / 1000;
  io.stdout(
    `${JSON.stringify({
      ok: o.ended === 'finished' && o.job.counts.failed === 0 && o.job.invalid.length === 0,
      job: o.job.id,
      status: o.job.status,
      ended: o.ended,
      counts: o.job.counts,
      total: p.total,
      invalid: o.job.invalid,
      duplicates,
      failures: failed.map((f) => failureJson(io, f)),
      stopError: stopJson(io, o.stopError),
      calls: o.calls,
      seconds: Math.round(seconds * 10) / 10,
      callsPerSecond: seconds > 0 ? Math.round((o.calls / seconds) * 100) / 100 : 0,
      resume: o.ended === 'finished' ? null : `clearance-desk batch --resume ${o.job.id}`,
    })}\n`,
  );
}

function jobJson(j: JobInfo) {
  return {
    id: j.id,
    createdAt: j.createdAt,
    updatedAt: j.updatedAt,
    profile: j.profile,
    status: j.status,
    source: j.source,
    options: j.options,
    counts: j.counts,
    invalid: j.invalid.length,
    stopError: j.stopError,
  };
}

async function listJobs(io: Io, desk: Desk, json: boolean): Promise<number> {
  const jobs = (await openStore(desk)).listJobs(100);
  if (json) {
    io.stdout(`${JSON.stringify({ ok: true, jobs: jobs.map(jobJson) })}\n`);
    return 0;
  }
  if (!jobs.length) {
    io.stdout(`${say(io, '还没有批次。', 'No batch jobs yet.')}\n`);
    return 0;
  }
  const status: Record<JobInfo['status'], [string, string]> = {
    created: ['未开始', 'created'],
    running: ['运行中/被中断', 'running/interrupted'],
    paused: ['已中断', 'interrupted'],
    stopped: ['已停止', 'stopped'],
    cancelled: ['已取消', 'cancelled'],
    finished: ['已完成', 'finished'],
  };
  for (const j of jobs) {
    const total = Object.values(j.counts).reduce((a, b) => a + b, 0);
    const [zh, en] = status[j.status];
    io.stdout(
      `${j.id}  ${j.createdAt.slice(0, 16).replace('T', ' ')}Z  ${say(io, zh, en).padEnd(10)} ` +
        `${j.counts.done}/${total} ${say(io, '失败', 'failed')} ${j.counts.failed} ${say(io, '待处理', 'pending')} ${j.counts.pending + j.counts.running}  ${shown(j.profile)}  ${shown(j.source)}\n`,
    );
  }
  return 0;
}

async function showJob(io: Io, desk: Desk, id: string, json: boolean): Promise<number> {
  const store = await openStore(desk);
  const job = JOB_ID_PATTERN.test(id) ? store.getJob(id) : undefined;
  if (!job) return usage(io, json, `${say(io, '没有批次', 'no batch job')} ${id}`);
  const failed = store.orders(id, ['failed']);
  if (json) {
    // Every order, written a keyset page at a time: a 100,000-order job is never one string.
    const head = JSON.stringify({
      ok: true,
      job: { ...jobJson(job), invalid: job.invalid },
      failures: failed.map((f) => failureJson(io, f)),
    });
    io.stdout(`${head.slice(0, -1)},"orders":[`);
    let afterSeq = -1;
    let first = true;
    for (;;) {
      const page = store.orders(id, undefined, { afterSeq, limit: 2000 });
      if (page.length === 0) break;
      const items = page.map((o) =>
        JSON.stringify({ orderId: o.orderId, state: o.state, updatedAt: o.updatedAt }),
      );
      io.stdout(`${first ? '' : ','}${items.join(',')}`);
      first = false;
      afterSeq = (page.at(-1) as { seq: number }).seq;
    }
    io.stdout(']}\n');
    return 0;
  }
  const c = job.counts;
  const lines = [
    `${say(io, '批次', 'Job')} ${job.id} (${job.status}) ${shown(job.source)} · ${shown(job.profile)}`,
    `${say(io, '完成', 'done')} ${c.done}, ${say(io, '失败', 'failed')} ${c.failed}, ${say(io, '跳过', 'skipped')} ${c.skipped}, ${say(io, '待处理', 'pending')} ${c.pending + c.running}`,
    ...failed.map((f) => {
      const e = f.failure as OrderFailure;
      return `  ✗ ${f.orderId} [${e.kind}] ${shown(failureMessage(io, e))}`;
    }),
  ];
  if (job.stopError) lines.push(`! ${shown(failureMessage(io, job.stopError))}`);
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}
