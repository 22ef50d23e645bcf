import { parseArgs } from 'node:util';
import { clearanceError } from '../core/errors';
import { auditCommand } from './commands/audit';
import { batchCommand } from './commands/batch';
import { checkCommand } from './commands/check';
import { exportCommand } from './commands/export';
import { getCommand } from './commands/get';
import { ordersCommand } from './commands/orders';
import { profileCommand } from './commands/profile';
import { recordsCommand } from './commands/records';
import { teamCommand } from './commands/team';
import type { Command, OptionSpec } from './commands/types';
import { vaultCommand } from './commands/vault';
import { type Io, langFrom, printError, say } from './output';
import { teamExchange } from './team-sync';

/** Every command of `clearance-desk`, in the order `--help` lists them. */
export const COMMANDS: Command[] = [
  getCommand,
  profileCommand,
  recordsCommand,
  exportCommand,
  batchCommand,
  ordersCommand,
  checkCommand,
  auditCommand,
  vaultCommand,
  teamCommand,
];

const GLOBAL: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h' },
  lang: { type: 'string', choices: ['zh', 'zh-CN', 'en', 'en-US'] },
};

/** The first value of an enumerated option that is not one of its choices, as a usage detail. */
function badChoice(options: Record<string, OptionSpec>, values: Record<string, unknown>): string | undefined {
  for (const [name, spec] of Object.entries(options)) {
    const v = values[name];
    if (!spec.choices || v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) {
      if (typeof one === 'string' && !spec.choices.includes(one))
        return `--${name} ${one}: ${spec.choices.join(' | ')}`;
    }
  }
  return undefined;
}

function help(io: Io) {
  const lines = [
    `clearance-desk — ${say(io, '天猫国际分销清关身份查询', 'Tmall Global distribution clearance identities')}`,
    '',
    ...COMMANDS.map((c) => `  ${c.usage}\n      ${say(io, c.summary.zh, c.summary.en)}`),
    '',
    say(
      io,
      '连接：CLEARANCE_GATEWAY、CLEARANCE_APP_KEY、CLEARANCE_SIGN_METHOD（或对应参数）；密钥仅从环境变量 CLEARANCE_APP_SECRET、CLEARANCE_SESSION 读取，或从 CLEARANCE_APP_SECRET_FILE、CLEARANCE_SESSION_FILE、CLEARANCE_VAULT_KEY_FILE 指向的文件（仅本人可读，0600）。--demo 使用内置演示网关。',
      'Connection: CLEARANCE_GATEWAY, CLEARANCE_APP_KEY, CLEARANCE_SIGN_METHOD (or the flags); secrets only from CLEARANCE_APP_SECRET and CLEARANCE_SESSION in the environment, or from the files CLEARANCE_APP_SECRET_FILE, CLEARANCE_SESSION_FILE, CLEARANCE_VAULT_KEY_FILE name (yours only, 0600). --demo uses the built-in demo gateway.',
    ),
    say(
      io,
      '退出码：0 成功，2 输入错误，3 业务失败，4 授权/权限/配置，5 限流/网络，6 协议错误，1 其他。',
      'Exit status: 0 ok, 2 bad input, 3 business failure, 4 auth/permission/configuration, 5 throttled/network, 6 protocol, 1 other.',
    ),
  ];
  io.stdout(`${lines.join('\n')}\n`);
}

/** Run one command line; returns the exit status. Never throws: a crash is reported without a stack. */
export async function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv,
  io0: Omit<Io, 'lang'>,
  extra: { cwd: string; signal: AbortSignal; stdin: NodeJS.ReadableStream & { isTTY?: boolean } },
): Promise<number> {
  const langIndex = argv.indexOf('--lang');
  const io: Io = { ...io0, lang: langFrom(langIndex >= 0 ? argv[langIndex + 1] : undefined, env) };
  const [name, ...rest] = argv;
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    help(io);
    return name === undefined || name === '--help' || name === '-h' || name === 'help' ? 0 : 2;
  }
  const json = rest.includes('--json');
  const options = { ...GLOBAL, ...command.options };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: Object.fromEntries(
        Object.entries(options).map(([k, { choices: _, ...spec }]) => [k, spec]),
      ) as Record<string, Omit<OptionSpec, 'choices'>>,
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    printError(io, clearanceError('usage', { detail: `${(err as Error).message} — ${command.usage}` }), json);
    return 2;
  }
  const bad = badChoice(options, parsed.values);
  if (bad) {
    printError(io, clearanceError('usage', { detail: `${bad} — ${command.usage}` }), json);
    return 2;
  }
  if (parsed.values.help) {
    io.stdout(`clearance-desk ${command.usage}\n${say(io, command.summary.zh, command.summary.en)}\n`);
    return 0;
  }
  try {
    // Team mode: other desks' changes before the command, this desk's after it (a no-op outside a team;
    // never around commands that manage the vault file or the accounts themselves).
    const team = !['team', 'profile', 'vault'].includes(command.name);
    if (team) await teamExchange(env, io, { quiet: true });
    const code = await command.run({
      positionals: parsed.positionals,
      values: parsed.values,
      io,
      env,
      ...extra,
    });
    if (team) await teamExchange(env, io, { quiet: false });
    return code;
  } catch (err) {
    // Last resort: say what kind of thing failed, never the stack or any data it may hold.
    printError(io, clearanceError('internal', { detail: (err as Error)?.name ?? 'Error' }), json);
    return 1;
  }
}
