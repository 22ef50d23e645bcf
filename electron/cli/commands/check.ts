import { checkAll, declarationDateFrom, limitsFrom, orderContext } from '../../core/checks';
import { clearanceError } from '../../core/errors';
import { normalizeOrderId } from '../../core/gateway/order-id';
import type { Finding, FindingCode } from '../../core/orders/types';
import { FINDING_CODES } from '../../core/rules';
import { printError, say } from '../output';
import { withDesk } from './records';
import type { Command } from './types';

const USAGE = 'check [--order ID]… | --sheet | --all [--date YYYY-MM-DD] [--strict] [--json]';

/**
 * Exit status: 0 the checks ran (findings or not); with --strict, 3 when there is any finding;
 * 2 bad options; 4 keychain, 1 the vault, as every command.
 */
export const checkCommand: Command = {
  name: 'check',
  summary: {
    zh: '申报前检查：姓名不符、超单笔/年度限额、一证多人、证件在申报日前到期、缺身份信息或订单表',
    en: 'Checks before declaring: name mismatch, order and annual limits, shared ID, ID expiring before the declaration, missing identity or sheet row',
  },
  usage: USAGE,
  options: {
    order: { type: 'string', multiple: true },
    sheet: { type: 'boolean' },
    all: { type: 'boolean' },
    date: { type: 'string' },
    strict: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(ctx) {
    const { values, io, positionals } = ctx;
    const json = values.json === true;
    const bad = (detail: string) => {
      printError(io, clearanceError('usage', { detail }), json);
      return 2;
    };
    const orders = ((values.order as string[] | undefined) ?? []).map(String);
    const modes = [orders.length > 0, values.sheet === true, values.all === true].filter(Boolean).length;
    if (positionals.length || modes > 1) return bad(USAGE);
    const ids: string[] = [];
    for (const o of orders) {
      const id = normalizeOrderId(o);
      if (!id.ok) {
        printError(io, id.error, json);
        return 2;
      }
      ids.push(id.value);
    }
    const date = declarationDateFrom(values.date);
    if (date === null) return bad(`--date ${values.date}: YYYY-MM-DD`);
    return withDesk(ctx, async (desk) => {
      const vault = await desk.vault();
      const limits = limitsFrom(desk.settings.preferences());
      const opts = { declarationDate: date, limits };
      const found: Map<string, Finding[]> =
        ids.length > 0
          ? new Map([...orderContext(vault, ids, opts)].map(([id, c]) => [id, c.findings]))
          : checkAll(vault, { ...opts, sheetOnly: values.sheet === true });
      const findings = [...found.values()].flat();
      const counts = Object.fromEntries(FINDING_CODES.map((c) => [c, 0])) as Record<FindingCode, number>;
      for (const f of findings) counts[f.code]++;
      const lang = io.lang === 'zh-CN' ? 'zh' : 'en';
      if (json) {
        io.stdout(
          `${JSON.stringify({
            ok: true,
            declarationDate: date,
            limits,
            orders: found.size,
            counts,
            findings: findings.map((f) => ({ orderId: f.orderId, code: f.code, message: f.message[lang] })),
          })}\n`,
        );
      } else {
        const lines = findings.slice(0, 500).map((f) => `✗ ${f.orderId} [${f.code}] ${f.message[lang]}`);
        if (findings.length > 500) lines.push(`… +${findings.length - 500} (--json)`);
        const tally = FINDING_CODES.filter((c) => counts[c] > 0)
          .map((c) => `${c} ${counts[c]}`)
          .join(', ');
        lines.push(
          `${say(io, '已检查', 'Checked')} ${found.size} ${say(io, '个订单，申报日', 'orders for declaration on')} ${date}: ` +
            (findings.length
              ? `${findings.length} ${say(io, '项问题', 'findings')} (${tally})`
              : say(io, '没有问题', 'no findings')),
        );
        io.stdout(`${lines.join('\n')}\n`);
      }
      return values.strict === true && findings.length > 0 ? 3 : 0;
    });
  },
};
