import { DEMO_CREDENTIALS, startSimulator } from '../../core/demo/simulator';
import { type ClearanceError, ClearanceFailure, clearanceError, exitCodeFor } from '../../core/errors';
import { SIGN_METHODS } from '../../core/gateway/sign';
import { shanghaiDate } from '../../core/gateway/timestamp';
import { labelIn, SESSION_HEALTH_LABELS } from '../../core/rules';
import { openSecretStore, secretFilesFrom } from '../../core/secrets';
import { type ConnectionReport, testConnection } from '../../core/settings/connection-test';
import { resolveDataDir } from '../../core/settings/paths';
import { isoDateSchema, type ProfileInput } from '../../core/settings/schema';
import {
  needsReauthFor,
  openSettings,
  type ProfileView,
  type SessionHealth,
  type SettingsStore,
} from '../../core/settings/store';
import { type Io, printError, say, shown } from '../output';
import { authorize, refresh } from './profile-auth';
import type { Command, CommandContext } from './types';

const USAGE = [
  'profile add <name> --app-key K [--gateway production|overseas|demo|URL] [--sign-method M] [--display-name D] [--target-app-key T] [--redirect-uri URI] [--expires YYYY-MM-DD]',
  'profile list [--json]',
  'profile use <name>',
  'profile remove <name>',
  'profile test <name> [--json]',
  'profile set-session <name> [--expires YYYY-MM-DD]',
  'profile authorize <name> [--code CODE_OR_URL] [--redirect-uri URI] [--no-browser] [--json]',
  'profile refresh <name> [--json]',
];

type Stdin = CommandContext['stdin'];

/** Standard input as text, capped: secrets are short, a runaway pipe must not fill memory. */
export async function readAll(stdin: Stdin, maxBytes = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin as AsyncIterable<Buffer | string>) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += b.length;
    if (size > maxBytes) throw new ClearanceFailure(clearanceError('usage', { detail: 'stdin: too long' }));
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

type RawStdin = Stdin & { setRawMode?: (raw: boolean) => void };

/** One line typed on the terminal without echo (the prompt on stderr, so stdout stays clean). */
export function readHidden(stdin: RawStdin, io: Io, prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    io.stderr(prompt);
    let value = '';
    stdin.setRawMode?.(true);
    stdin.resume();
    const done = (err?: ClearanceFailure) => {
      stdin.removeListener('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      io.stderr('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (data: Buffer | string) => {
      for (const ch of data.toString()) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003' || ch === '\u0004')
          return done(new ClearanceFailure(clearanceError('cancelled')));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/**
 * The App Secret and the session key: hidden prompts on a terminal; from a pipe, the secret on the
 * first line and the session on the second (never from argv, where `ps` and history show them).
 */
async function readSecrets(ctx: CommandContext, want: { secret: boolean }) {
  const { stdin, io } = ctx;
  if (stdin.isTTY) {
    const appSecret = want.secret ? (await readHidden(stdin, io, 'App Secret: ')).trim() : '';
    const session = (
      await readHidden(stdin, io, say(io, 'SessionKey（授权码，可留空）: ', 'Session key (may be empty): '))
    ).trim();
    return { appSecret, session };
  }
  const lines = (await readAll(stdin)).split(/\r?\n/).map((l) => l.trim());
  if (!want.secret) return { appSecret: '', session: lines[0] ?? '' };
  return { appSecret: lines[0] ?? '', session: lines[1] ?? '' };
}

function healthText(io: Io, h: SessionHealth | null) {
  if (h === null) return say(io, '钥匙串不可用', 'keychain unavailable');
  return labelIn(SESSION_HEALTH_LABELS[h], io.lang);
}

/** "expires in N days" / "re-authorise": the one line a profile's session gets in `profile list`. */
function expiryText(io: Io, p: ProfileView): string {
  if (p.health === 'needs-reauth') return say(io, '请重新授权', 're-authorise');
  if (p.sessionExpiry === null || p.sessionDaysLeft === null) return '';
  const when = p.sessionExpiry.replace('T', ' ').replace('+08:00', ' (UTC+8)');
  if (p.health === 'expired')
    return say(io, `已于 ${when} 过期，请重新授权`, `expired ${when}, re-authorise`);
  const days =
    p.sessionDaysLeft < 1
      ? say(io, '不到 1 天后过期', 'expires in less than a day')
      : say(io, `${p.sessionDaysLeft} 天后过期`, `expires in ${p.sessionDaysLeft} days`);
  return `${days} (${when})`;
}

/** What to do about a session that is not ok. */
function healthAdvice(io: Io, p: ProfileView): string | null {
  if (p.health === 'needs-reauth' || p.health === 'expired') {
    return say(
      io,
      `账号 ${p.name}：请重新授权：clearance-desk profile authorize ${p.name}（或手动填写新的 SessionKey：profile set-session ${p.name}）`,
      `Account ${p.name}: re-authorise: clearance-desk profile authorize ${p.name} (or enter a new key by hand: profile set-session ${p.name})`,
    );
  }
  if (p.health === 'expiring') {
    const renew = p.hasRefreshToken
      ? say(
          io,
          `续期：clearance-desk profile refresh ${p.name}`,
          `renew: clearance-desk profile refresh ${p.name}`,
        )
      : say(
          io,
          `重新授权：clearance-desk profile authorize ${p.name}`,
          `re-authorise: clearance-desk profile authorize ${p.name}`,
        );
    return say(
      io,
      `账号 ${p.name}：授权${expiryText(io, p)}；${renew}`,
      `Account ${p.name}: the session ${expiryText(io, p)}; ${renew}`,
    );
  }
  if (p.health === 'missing') {
    return say(
      io,
      `账号 ${p.name}：尚未授权：clearance-desk profile authorize ${p.name}（或手动填写：profile set-session ${p.name}）。`,
      `Account ${p.name}: not authorised yet: clearance-desk profile authorize ${p.name} (or enter a key by hand: profile set-session ${p.name}).`,
    );
  }
  return null;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

function expiresFlag(v: unknown): string | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  if (!isoDateSchema.safeParse(s).success)
    throw new ClearanceFailure(clearanceError('usage', { detail: '--expires YYYY-MM-DD' }));
  return s;
}

function one(positionals: string[], usage: string): string {
  if (positionals.length !== 1) throw new ClearanceFailure(clearanceError('usage', { detail: usage }));
  return positionals[0] as string;
}

async function add(ctx: CommandContext, settings: SettingsStore, args: string[]) {
  const { values, io } = ctx;
  const name = one(args, USAGE[0] as string);
  const appKey = str(values['app-key']);
  if (!appKey) throw new ClearanceFailure(clearanceError('usage', { detail: `--app-key — ${USAGE[0]}` }));
  const input: ProfileInput = { name, appKey, displayName: str(values['display-name']) ?? name };
  const gateway = str(values.gateway);
  if (gateway) input.gateway = gateway;
  const signMethod = str(values['sign-method']);
  if (signMethod) input.signMethod = signMethod as ProfileInput['signMethod'];
  const target = str(values['target-app-key']);
  if (target) input.targetAppKey = target;
  const redirect = str(values['redirect-uri']);
  if (redirect) input.redirectUri = redirect;
  const expires = expiresFlag(values.expires);
  if (expires) input.sessionExpiresAt = expires;
  if (settings.findProfile(name))
    throw new ClearanceFailure(clearanceError('profile-exists', { detail: name }));
  const { appSecret, session } = await readSecrets(ctx, { secret: true });
  // On a server the App Secret may come from CLEARANCE_APP_SECRET_FILE instead of the keychain.
  if (!appSecret && input.gateway !== 'demo' && !secretFilesFrom(ctx.env).appSecret) {
    throw new ClearanceFailure(
      clearanceError('usage', {
        detail: say(
          io,
          '需要 App Secret（标准输入第一行）',
          'the App Secret is needed (first line of stdin)',
        ),
      }),
    );
  }
  await settings.addProfile(input, { appSecret, session });
  io.stdout(
    `${say(io, `已添加账号 ${name}；密钥已存入${settings.secrets.label}。`, `Added account ${name}; its secrets are in the ${settings.secrets.label}.`)}\n`,
  );
  if (!session)
    io.stdout(
      `${say(io, `尚未设置 SessionKey：profile set-session ${name}`, `No session key yet: profile set-session ${name}`)}\n`,
    );
  return 0;
}

async function list(ctx: CommandContext, settings: SettingsStore) {
  const { io, values } = ctx;
  const now = new Date();
  const views = await settings.views(shanghaiDate(now), now);
  if (values.json) {
    io.stdout(
      `${JSON.stringify({ ok: true, defaultProfile: settings.defaultProfile(), profiles: views })}\n`,
    );
    return 0;
  }
  if (views.length === 0) {
    io.stdout(
      `${say(io, '尚无账号。添加：clearance-desk profile add <名称> --app-key K', 'No accounts yet. Add one: clearance-desk profile add <name> --app-key K')}\n`,
    );
    return 0;
  }
  const yes = (b: boolean | null) =>
    b === null ? '?' : b ? say(io, '已存', 'stored') : say(io, '缺失', 'missing');
  for (const p of views) {
    io.stdout(
      `${p.isDefault ? '*' : ' '} ${p.name}  ${p.displayName && p.displayName !== p.name ? `(${p.displayName})  ` : ''}` +
        `App Key ${p.appKey}  ${say(io, '网关', 'gateway')} ${p.gateway}  ${p.signMethod}  ` +
        `App Secret: ${yes(p.hasSecret)}  ${healthText(io, p.health)}` +
        `${expiryText(io, p) ? ` — ${expiryText(io, p)}` : ''}` +
        `${p.authorization?.userNick ? `  ${say(io, '授权账号', 'authorised as')} ${p.authorization.userNick}` : ''}\n`,
    );
  }
  for (const p of views) {
    const advice = healthAdvice(io, p);
    if (advice) io.stderr(`! ${advice}\n`);
  }
  if (views.some((p) => p.hasSecret === null)) {
    io.stderr(`! ${clearanceError('keychain-unavailable').message[io.lang]}\n`);
  }
  return 0;
}

async function runTest(ctx: CommandContext, settings: SettingsStore, args: string[]) {
  const { io, values, signal } = ctx;
  const name = one(args, USAGE[4] as string);
  const profile = settings.profile(name);
  const sim = profile.gateway === 'demo' ? await startSimulator() : null;
  let report: ConnectionReport;
  try {
    const r = await testConnection(profile, settings.secrets, {
      signal,
      ...(sim ? { gatewayUrl: sim.url, credentials: { ...DEMO_CREDENTIALS } } : {}),
    });
    if (!r.ok) throw new ClearanceFailure(r.error);
    report = r.value;
  } finally {
    await sim?.close();
  }
  if (report.error && needsReauthFor(report.error)) settings.markNeedsReauth(name);
  else if (report.sessionValid && profile.needsReauth)
    settings.updateProfile(name, { needsReauth: false, needsReauthSince: undefined });
  if (values.json)
    io.stdout(
      `${JSON.stringify({ ok: report.ok, profile: name, report: { ...report, error: report.error ? report.error.reason : null } })}\n`,
    );
  else printReport(io, name, report);
  if (report.error) {
    if (!values.json) printError(io, report.error, false);
    return exitCodeFor(report.error.kind);
  }
  return 0;
}

function printReport(io: Io, name: string, r: ConnectionReport) {
  const mark = (v: boolean | null, good: [string, string], bad: [string, string]) =>
    v === null ? say(io, '未检查', 'not checked') : v ? say(io, ...good) : say(io, ...bad);
  const skew =
    r.clockSkewSeconds === null
      ? say(io, '未知（网关未返回 Date）', 'unknown (no Date header)')
      : `${r.clockSkewSeconds > 0 ? '+' : ''}${r.clockSkewSeconds} s`;
  const lines = [
    `${say(io, '账号', 'Account')}      ${name}  ${r.gateway}`,
    `${say(io, '网关可达', 'Reachable')}    ${mark(r.reachable, ['是', 'yes'], ['否', 'no'])}`,
    `${say(io, '签名', 'Signature')}    ${mark(r.signatureAccepted, ['通过', 'accepted'], ['被拒绝', 'rejected'])}`,
    `${say(io, '授权', 'Session')}      ${mark(r.sessionValid, ['有效', 'valid'], ['无效', 'invalid'])}`,
    `${say(io, '时钟偏差', 'Clock skew')}   ${skew}`,
    r.clockWarning
      ? `! ${say(io, '本机时钟与网关相差超过 1 分钟，请校准时钟（超过 10 分钟网关会拒绝请求）。', "This computer's clock is more than a minute off the gateway's: set it right (beyond 10 minutes the gateway refuses calls).")}`
      : '',
    r.requestId ? `request ${shown(r.requestId)}` : '',
  ];
  io.stdout(`${lines.filter(Boolean).join('\n')}\n`);
}

async function dispatch(ctx: CommandContext, settings: SettingsStore): Promise<number> {
  const { io } = ctx;
  const [sub, ...args] = ctx.positionals;
  switch (sub) {
    case 'add':
      return add(ctx, settings, args);
    case 'list':
      return list(ctx, settings);
    case 'use': {
      const name = one(args, USAGE[2] as string);
      settings.setDefault(name);
      io.stdout(`${say(io, `默认账号：${name}`, `Default account: ${name}`)}\n`);
      return 0;
    }
    case 'remove': {
      const name = one(args, USAGE[3] as string);
      await settings.removeProfile(name);
      io.stdout(
        `${say(io, `已删除账号 ${name} 及其钥匙串条目。`, `Removed account ${name} and its keychain entries.`)}\n`,
      );
      return 0;
    }
    case 'test':
      return runTest(ctx, settings, args);
    case 'set-session': {
      const name = one(args, USAGE[5] as string);
      settings.profile(name);
      const expires = expiresFlag(ctx.values.expires);
      const { session } = await readSecrets(ctx, { secret: false });
      if (!session)
        throw new ClearanceFailure(
          clearanceError('usage', { detail: say(io, '需要 SessionKey', 'a session key is needed') }),
        );
      await settings.setSession(name, session, expires);
      io.stdout(
        `${say(io, `已更新账号 ${name} 的 SessionKey。`, `Updated the session key of account ${name}.`)}\n`,
      );
      return 0;
    }
    case 'authorize':
      return authorize(ctx, settings, one(args, USAGE[6] as string));
    case 'refresh':
      return refresh(ctx, settings, one(args, USAGE[7] as string));
    default:
      throw new ClearanceFailure(clearanceError('usage', { detail: USAGE.join(' | ') }));
  }
}

export const profileCommand: Command = {
  name: 'profile',
  summary: {
    zh: '管理账号：App Key、网关；App Secret 与 SessionKey 存于系统钥匙串',
    en: 'Manage accounts: App Key and gateway; the App Secret and session key live in the OS keychain',
  },
  usage: USAGE.join('\n  '),
  options: {
    json: { type: 'boolean' },
    'app-key': { type: 'string' },
    gateway: { type: 'string' },
    'sign-method': { type: 'string', choices: SIGN_METHODS },
    'display-name': { type: 'string' },
    'target-app-key': { type: 'string' },
    expires: { type: 'string' },
    'redirect-uri': { type: 'string' },
    code: { type: 'string' },
    'no-browser': { type: 'boolean' },
  },
  async run(ctx) {
    const json = ctx.values.json === true;
    const dataDir = resolveDataDir(ctx.env);
    const opened = openSettings(dataDir, openSecretStore(dataDir, 'keychain', ctx.env));
    if (!opened.ok) {
      printError(ctx.io, opened.error, json);
      return exitCodeFor(opened.error.kind);
    }
    const settings = opened.value;
    if (settings.recovered) ctx.io.stderr(`! ${settings.recovered.message[ctx.io.lang]}\n`);
    try {
      return await dispatch(ctx, settings);
    } catch (err) {
      if (!(err instanceof ClearanceFailure)) throw err;
      const e: ClearanceError = err.error;
      printError(ctx.io, e, json);
      return exitCodeFor(e.kind);
    }
  },
};
