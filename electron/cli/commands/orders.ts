import { clearanceError, ERRORS, exitCodeFor } from '../../core/errors';
import { shanghaiTimestamp } from '../../core/gateway/timestamp';
import { badRowText, readSheet } from '../../core/orders/sheet';
import { OrderStore } from '../../core/orders/store';
import { errorJson, type Io, printError, say } from '../output';
import { printInputProblem, readSource, runJob } from './batch';
import { withDesk } from './records';
import type { Command, CommandContext } from './types';

const USAGE = [
  'orders import <file> [--map column=field]… [--lookup] [--json] [--demo] [--profile P]',
  'orders waiting [--json]',
  'orders recheck [--json] [--demo] [--profile P]',
];

export const ordersCommand: Command = {
  name: 'orders',
  summary: {
    zh: '导入当天的订单表（CSV/XLSX），查看等待身份信息的订单并重新查询',
    en: "Import the day's order sheet (CSV/XLSX); see and recheck the orders waiting for an identity",
  },
  usage: USAGE.join('\n  '),
  options: {
    map: { type: 'string', multiple: true },
    lookup: { type: 'boolean' },
    json: { type: 'boolean' },
    image: { type: 'boolean' },
    demo: { type: 'boolean' },
    gateway: { type: 'string' },
    'app-key': { type: 'string' },
    'sign-method': { type: 'string' },
    format: { type: 'string' },
    profile: { type: 'string' },
    verbose: { type: 'boolean' },
  },
  async run(ctx) {
    const { positionals, values, io } = ctx;
    const json = values.json === true;
    const [sub, file, ...rest] = positionals;
    if (sub === 'import' && file && rest.length === 0) return importSheet(ctx, file);
    if (sub === 'waiting' && !file)
      return withDesk(ctx, async (desk) => listWaiting(io, new OrderStore(await desk.vault()), json));
    if (sub === 'recheck' && !file)
      return withDesk(ctx, async (desk) => {
        const ids = new OrderStore(await desk.vault()).waiting().map((w) => w.orderId);
        return runJob(ctx, desk, { ids, label: 'waiting' });
      });
    printError(io, clearanceError('usage', { detail: USAGE.join(' | ') }), json);
    return 2;
  },
};

async function importSheet(ctx: CommandContext, file: string): Promise<number> {
  const { values, io } = ctx;
  const json = values.json === true;
  const map = ((values.map as string[] | undefined) ?? []).map(String);
  return withDesk(ctx, async (desk) => {
    const src = await readSource(ctx, file);
    const got = await readSheet(src, map);
    if (!got.ok) {
      if (got.badRows.length) {
        if (json)
          io.stdout(
            `${JSON.stringify({
              ...errorJson(got.error.error, io.lang),
              badRows: got.badRows.map((b) => ({ ...b, message: badRowText(b, io.lang) })),
            })}\n`,
          );
        else {
          printError(io, got.error.error, false);
          const shown = got.badRows.slice(0, 50).map((b) => `  ${badRowText(b, io.lang)}`);
          if (got.badRows.length > 50) shown.push(`  … +${got.badRows.length - 50}`);
          io.stderr(`${shown.join('\n')}\n`);
        }
        return 2;
      }
      printInputProblem(io, got.error, json);
      return exitCodeFor(got.error.error.kind);
    }
    const vault = await desk.vault();
    const store = new OrderStore(vault);
    const profile = desk.settings.defaultProfile();
    const counts = store.import(got.value.rows, { source: src.name, profile, channel: 'cli' });
    const missing = store.withoutIdentity().length;
    const summary = {
      ok: true,
      file: src.name,
      ...counts,
      repeated: got.value.repeated,
      columns: got.value.columns,
      ignored: got.value.ignored,
      withoutIdentity: missing,
    };
    const text =
      `${say(io, '已导入', 'Imported')} ${src.name}: ${counts.rows} ${say(io, '行', 'rows')} — ` +
      `${say(io, '新增', 'new')} ${counts.new}, ${say(io, '变更', 'changed')} ${counts.changed}, ${say(io, '未变', 'unchanged')} ${counts.unchanged}` +
      (got.value.repeated
        ? say(
            io,
            `（表中重复 ${got.value.repeated} 行，以后一行为准）`,
            ` (${got.value.repeated} repeated rows: the later one kept)`,
          )
        : '') +
      `\n${say(io, '未识别的列（未导入）：', 'Columns not imported: ')}${got.value.ignored.join(', ') || say(io, '无', 'none')}` +
      `\n${say(io, '尚无身份信息的订单：', 'Orders without an identity yet: ')}${missing}\n`;
    if (values.lookup === true) {
      // The batch's own summary is the output (one JSON object with --json); the import's goes to stderr.
      io.stderr(text);
      return runJob(ctx, desk, { ids: store.withoutIdentity(), label: 'sheet' });
    }
    if (json) io.stdout(`${JSON.stringify(summary)}\n`);
    else io.stdout(text);
    return 0;
  });
}

function listWaiting(io: Io, store: OrderStore, json: boolean): number {
  const list = store.waiting();
  const message = (reason: string, code: string | null) =>
    clearanceError(reason in ERRORS ? (reason as keyof typeof ERRORS) : 'business', code ? { code } : {})
      .message[io.lang];
  if (json) {
    io.stdout(
      `${JSON.stringify({
        ok: true,
        waiting: list.map((w) => ({ ...w, message: message(w.reason, w.code) })),
      })}\n`,
    );
    return 0;
  }
  if (list.length === 0) {
    io.stdout(`${say(io, '没有等待身份信息的订单。', 'No orders are waiting for an identity.')}\n`);
    return 0;
  }
  const lines = list.map(
    (w) =>
      `${w.orderId}  ${say(io, '自', 'since')} ${shanghaiTimestamp(new Date(w.since))}  ${say(io, '已查询', 'asked')} ${w.checks}×  ${w.code ?? w.reason}`,
  );
  io.stdout(
    `${lines.join('\n')}\n${say(io, `共 ${list.length} 个订单等待身份信息；重新查询：clearance-desk orders recheck`, `${list.length} orders waiting for an identity; ask again with: clearance-desk orders recheck`)}\n`,
  );
  return 0;
}
