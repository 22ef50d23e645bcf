import type { Desk } from '../../core/desk';
import { ClearanceFailure, clearanceError, exitCodeFor } from '../../core/errors';
import { readTeamConfig } from '../../core/team/config';
import { initTeam, joinTeam, openTeam, type Team } from '../../core/team/team';
import { printError, say } from '../output';
import { readAll, readHidden } from './profile';
import { localTime, withDesk } from './records';
import type { Command, CommandContext } from './types';

const USAGE = [
  'team init --server postgres://user@host[:port]/db [--ca FILE] [--name DESK]',
  'team join --server postgres://user@host[:port]/db [--ca FILE] [--name DESK]   (join code on stdin)',
  'team status [--json]',
  'team sync [--json]',
  'team leave',
];

/** The team of the desk, or the table's `team-not-joined`. */
export async function requireTeam(desk: Desk, env: NodeJS.ProcessEnv): Promise<Team> {
  const team = await openTeam(desk, env);
  if (!team) throw new ClearanceFailure(clearanceError('team-not-joined'));
  return team;
}

/**
 * What stdin carries: for `join` the join code first; then the database password, unless
 * CLEARANCE_TEAM_PASSWORD_FILE names a file (or the server needs none: an empty line).
 */
async function readInput(ctx: CommandContext, wantCode: boolean) {
  const { stdin, io, env } = ctx;
  const wantPassword = !env.CLEARANCE_TEAM_PASSWORD_FILE;
  if (stdin.isTTY) {
    const code = wantCode ? (await readHidden(stdin, io, say(io, '加入码: ', 'Join code: '))).trim() : '';
    const password = wantPassword
      ? await readHidden(stdin, io, say(io, '数据库密码（可留空）: ', 'Database password (may be empty): '))
      : '';
    return { code, password: password || undefined };
  }
  const lines = (await readAll(stdin)).split(/\r?\n/);
  const code = wantCode ? (lines.shift() ?? '').trim() : '';
  const password = wantPassword ? (lines[0] ?? '') : '';
  return { code, password: password || undefined };
}

function options(ctx: CommandContext) {
  const v = ctx.values;
  if (typeof v.server !== 'string')
    throw new ClearanceFailure(clearanceError('usage', { detail: USAGE[0] as string }));
  return {
    server: v.server,
    ...(typeof v.ca === 'string' ? { ca: v.ca } : {}),
    ...(typeof v.name === 'string' ? { label: v.name } : {}),
  };
}

export const teamCommand: Command = {
  name: 'team',
  summary: {
    zh: '团队模式：多台机器通过 PostgreSQL 共享记录、审计日志和调用额度（init / join / status / sync / leave）',
    en: 'Team mode: desks share records, the audit log and the call budget on PostgreSQL (init / join / status / sync / leave)',
  },
  usage: USAGE.join('\n  '),
  options: {
    server: { type: 'string' },
    ca: { type: 'string' },
    name: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(ctx) {
    const { positionals, io, env } = ctx;
    const json = ctx.values.json === true;
    const sub = positionals[0];
    if (!sub || !['init', 'join', 'status', 'sync', 'leave'].includes(sub) || positionals.length > 1) {
      printError(io, clearanceError('usage', { detail: USAGE.join(' | ') }), json);
      return 2;
    }
    return withDesk(ctx, async (desk) => {
      if (sub === 'init' || sub === 'join') {
        const o = options(ctx);
        if (readTeamConfig(desk.dataDir)) throw new ClearanceFailure(clearanceError('team-already-joined'));
        const input = await readInput(ctx, sub === 'join');
        const password = input.password !== undefined ? { password: input.password } : {};
        if (sub === 'init') {
          const { config, joinCode } = await initTeam(desk, env, { ...o, ...password });
          if (json)
            io.stdout(
              `${JSON.stringify({ ok: true, teamId: config.teamId, deskId: config.deskId, joinCode })}\n`,
            );
          else
            io.stdout(
              `${say(io, '团队已创建。加入码（只显示这一次，请妥善转交其他机器）：', 'Team created. Join code (shown this once; hand it to the other desks safely):')}\n${joinCode}\n`,
            );
        } else {
          const config = await joinTeam(desk, env, { ...o, ...password, joinCode: input.code });
          if (json)
            io.stdout(`${JSON.stringify({ ok: true, teamId: config.teamId, deskId: config.deskId })}\n`);
          else io.stdout(`${say(io, '已加入团队。', 'Joined the team.')} ${config.deskLabel}\n`);
        }
        // The first exchange right away; out of reach is fine, the outbox keeps it.
        const team = await requireTeam(desk, env);
        const r = await team.trySync();
        if ('kind' in r && !json) printError(io, r, false);
        return 0;
      }
      const team = await requireTeam(desk, env);
      if (sub === 'sync') {
        const r = await team.sync();
        if (json) io.stdout(`${JSON.stringify({ ok: true, ...r })}\n`);
        else
          io.stdout(
            say(
              io,
              `已上传 ${r.pushed} 项，已下载 ${r.pulled} 条记录、${r.sheetPulled} 行订单表、${r.auditPulled} 条审计${r.skipped ? `，跳过 ${r.skipped} 条无法解密的记录` : ''}。\n`,
              `Pushed ${r.pushed} changes; pulled ${r.pulled} records, ${r.sheetPulled} order-sheet rows and ${r.auditPulled} audit entries${r.skipped ? `; skipped ${r.skipped} rows that do not open with this key` : ''}.\n`,
            ),
          );
        return 0;
      }
      if (sub === 'status') {
        const s = await team.status();
        if (json) {
          io.stdout(
            `${JSON.stringify({ ok: true, ...s, problem: s.problem ? { reason: s.problem.reason, message: s.problem.message[io.lang] } : null })}\n`,
          );
          return 0;
        }
        const lines = [
          `${say(io, '服务器', 'Server')}: ${s.server} ${s.reachable ? say(io, '（已连接）', '(reachable)') : say(io, '（无法连接）', '(unreachable)')}`,
          `${say(io, '本机', 'This desk')}: ${s.deskLabel} (${s.deskId})`,
          `${say(io, '上次同步', 'Last sync')}: ${s.lastSync ? localTime(s.lastSync) : say(io, '从未', 'never')}`,
          `${say(io, '待上传', 'Outbox')}: ${s.outbox}`,
          ...(s.desks
            ? [
                `${say(io, '团队成员', 'Desks')}: ${s.desks.length}`,
                ...s.desks.map(
                  (d) =>
                    `  ${d.self ? '*' : ' '} ${d.label}  ${d.osUser}@${d.host}  ${localTime(d.lastSeen)}`,
                ),
              ]
            : []),
          ...(s.problem ? [`! ${s.problem.message[io.lang]}`] : []),
        ];
        io.stdout(`${lines.join('\n')}\n`);
        return 0;
      }
      // leave: whatever can still go up goes first; what cannot stays in this desk's vault.
      const r = await team.trySync();
      const left = 'kind' in r ? (await team.status()).outbox : 0;
      await team.leave();
      if (left > 0)
        io.stderr(
          say(
            io,
            `注意：${left} 项本地改动未能上传到团队服务器；它们仍保存在本机。\n`,
            `Note: ${left} local changes could not be sent to the team server; they remain on this desk.\n`,
          ),
        );
      io.stdout(`${say(io, '已退出团队；本地记录保留。', 'Left the team; local records are kept.')}\n`);
      return 0;
    }).catch((err) => {
      if (!(err instanceof ClearanceFailure)) throw err;
      printError(io, err.error, json);
      return exitCodeFor(err.error.kind);
    });
  },
};
