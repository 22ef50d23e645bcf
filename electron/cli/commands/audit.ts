import { clearanceError } from '../../core/errors';
import { AUDIT_ACTIONS } from '../../core/vault/audit';
import type { AuditAction, AuditQuery } from '../../core/vault/types';
import { printError, say, shown } from '../output';
import { idNumberOption, localTime, withDesk } from './records';
import { requireTeam } from './team';
import type { Command } from './types';

const USAGE =
  'audit list [--since DATE] [--until DATE] [--action A] [--order ORDER_ID] [--order-part DIGITS] [--id-number ID|-] [--user U] [--desk HOST] [--limit N] [--json] | audit verify [--json]';

export const auditCommand: Command = {
  name: 'audit',
  summary: {
    zh: '查看审计日志：谁在何时获取、显示、复制、导出、打印、删除了哪些订单',
    en: 'Show the audit log: who fetched, revealed, copied, exported, printed or deleted which orders, and when',
  },
  usage: USAGE,
  options: {
    since: { type: 'string' },
    until: { type: 'string' },
    action: { type: 'string' },
    order: { type: 'string' },
    'order-part': { type: 'string' },
    'id-number': { type: 'string' },
    user: { type: 'string' },
    desk: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(ctx) {
    const { positionals, values, io } = ctx;
    const json = values.json === true;
    const bad = (detail: string) => {
      printError(io, clearanceError('usage', { detail }), json);
      return 2;
    };
    if (positionals.length === 1 && positionals[0] === 'verify') return verify(ctx);
    if (positionals.length !== 1 || positionals[0] !== 'list') return bad(USAGE);
    const q: AuditQuery = { limit: 200 };
    for (const k of ['since', 'until'] as const) {
      const v = values[k];
      if (typeof v !== 'string') continue;
      if (Number.isNaN(Date.parse(v))) return bad(`--${k} ${v}: YYYY-MM-DD or an ISO time`);
      q[k] = v;
    }
    if (typeof values.action === 'string') {
      if (!AUDIT_ACTIONS.includes(values.action as AuditAction))
        return bad(`--action: ${AUDIT_ACTIONS.join(' | ')}`);
      q.action = values.action as AuditAction;
    }
    if (typeof values.order === 'string') q.orderId = values.order.trim();
    const part = values['order-part'];
    if (typeof part === 'string') {
      if (!/^\d{1,20}$/.test(part.trim())) return bad('--order-part: 1–20 digits (a prefix or suffix)');
      q.orderIdPart = part.trim();
    }
    // The number is only hashed, never printed back or logged; `-` reads it from stdin.
    const idNumber = await idNumberOption(ctx);
    if (idNumber === 'bad') return bad('--id-number: 17 digits and a check character (or - for stdin)');
    if (idNumber !== null) q.idNumber = idNumber;
    if (typeof values.user === 'string') q.osUser = values.user;
    if (typeof values.desk === 'string') q.host = values.desk;
    if (values.limit !== undefined) {
      if (!/^\d{1,6}$/.test(String(values.limit))) return bad('--limit: a whole number');
      q.limit = Number(values.limit);
    }
    return withDesk(ctx, async (desk) => {
      const entries = (await desk.vault()).auditLog(q);
      if (json) {
        io.stdout(`${JSON.stringify({ ok: true, entries })}\n`);
        return 0;
      }
      const lines = entries.map((e) => {
        const orders =
          e.orderIds.length > 5
            ? `${e.orderIds.slice(0, 5).join(',')},…(+${e.orderIds.length - 5})`
            : e.orderIds.join(',');
        const detail = Object.entries(e.detail)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ');
        return [
          localTime(e.at),
          e.action.padEnd(7),
          `${e.osUser}@${e.host}${e.desk ? ` [${e.desk}]` : ''}`,
          e.profile ?? '-',
          orders || '-',
          detail,
        ]
          .map(shown)
          .join('  ');
      });
      lines.push(
        say(
          io,
          `共 ${entries.length} 条（北京时间，最新在前）`,
          `${entries.length} entries (Beijing time, newest first)`,
        ),
      );
      io.stdout(`${lines.join('\n')}\n`);
      return 0;
    });
  },
};

/**
 * `audit verify`: walks the team server's audit chain. Every link must name the one before it and
 * hash (with the team key) to what it says; the newest link this desk saw must still be there. An
 * entry deleted or edited with the owner's rights breaks one of these. Exit 0 intact, 3 broken.
 */
function verify(ctx: Parameters<Command['run']>[0]): Promise<number> {
  const { io, env } = ctx;
  const json = ctx.values.json === true;
  return withDesk(ctx, async (desk) => {
    const team = await requireTeam(desk, env);
    const r = await team.verifyAudit();
    if (json) io.stdout(`${JSON.stringify({ ok: r.breaks.length === 0, ...r })}\n`);
    else if (r.breaks.length === 0)
      io.stdout(
        say(io, `审计链完整：${r.entries} 条记录。\n`, `The audit chain holds: ${r.entries} entries.\n`),
      );
    else {
      const what = (p: string) =>
        p === 'edited'
          ? say(io, '内容被修改', 'edited')
          : p === 'previous-missing'
            ? say(io, '前一条被删除或顺序被改动', 'the entry before it was deleted or moved')
            : say(
                io,
                '本机见过的最新条目已不在服务器上',
                'the newest entry this desk saw is gone from the server',
              );
      io.stdout(
        `${say(io, `审计链被破坏（共 ${r.entries} 条）：`, `The audit chain is broken (${r.entries} entries):`)}\n${r.breaks
          .map((b) => `  seq ${b.seq}: ${what(b.problem)}`)
          .join('\n')}\n`,
      );
    }
    return r.breaks.length === 0 ? 0 : 3;
  });
}
