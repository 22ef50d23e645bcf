/**
 * `profile authorize` and `profile refresh`: the authorisation code flow from a terminal. The
 * authorize URL goes to stderr (and to the browser on a desktop); the code comes from the loopback
 * callback or from a pasted landed URL or code on stdin. Tokens go straight to the secret store.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { type Simulator, startSimulator } from '../../core/demo/simulator';
import {
  type ClearanceError,
  ClearanceFailure,
  clearanceError,
  exitCodeFor,
  fail,
  type Result,
} from '../../core/errors';
import { readPastedCode } from '../../core/gateway/oauth';
import { secretAccount } from '../../core/secrets';
import { FileSecretStore } from '../../core/secrets/file-store';
import {
  type AuthorizationOutcome,
  authTarget,
  beginAuthorization,
  completeAuthorization,
  redirectUriFor,
  renewSession,
} from '../../core/settings/authorize';
import type { SettingsStore } from '../../core/settings/store';
import { type Io, printError, say } from '../output';
import type { CommandContext } from './types';

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** A desktop session, where opening the system browser makes sense. */
function hasDesktop(env: NodeJS.ProcessEnv): boolean {
  if (process.platform === 'darwin' || process.platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** Hand the URL to the system browser; a failure only means the user opens it by hand. */
function openBrowser(url: string) {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['rundll32', ['url.dll,FileProtocolHandler', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(cmd as string, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    // printed already: the user can open it by hand
  }
}

/** The first non-empty line of stdin (null at its end); the pasted landed URL or code. */
function firstLine(ctx: CommandContext): { line: Promise<string | null>; stop: () => void } {
  const rl = createInterface({ input: ctx.stdin, terminal: false });
  let settle!: (v: string | null) => void;
  const line = new Promise<string | null>((resolve) => {
    settle = resolve;
  });
  rl.on('line', (l) => {
    if (l.trim()) {
      settle(l);
      rl.close();
    }
  });
  rl.on('close', () => settle(null));
  return { line, stop: () => rl.close() };
}

/** Where the new session went, in words (the keychain, or the file a variable names). */
function whereStored(settings: SettingsStore, name: string): string {
  const s = settings.secrets;
  const file = s instanceof FileSecretStore ? s.fileFor(secretAccount(name, 'session')) : null;
  return file ?? s.label;
}

function printOutcome(
  io: Io,
  json: boolean,
  settings: SettingsStore,
  name: string,
  o: AuthorizationOutcome,
  verb: 'authorize' | 'refresh',
) {
  const a = o.profile.authorization;
  if (json) {
    io.stdout(
      `${JSON.stringify({
        ok: true,
        profile: name,
        action: verb,
        userNick: a?.userNick ?? null,
        userId: a?.userId ?? null,
        obtainedAt: a?.obtainedAt ?? null,
        expiresAt: a?.expiresAt ?? null,
        refreshExpiresAt: a?.refreshExpiresAt ?? null,
        r1ExpiresAt: a?.r1ExpiresAt ?? null,
        r2ExpiresAt: a?.r2ExpiresAt ?? null,
        w1ExpiresAt: a?.w1ExpiresAt ?? null,
        w2ExpiresAt: a?.w2ExpiresAt ?? null,
        refreshable: o.refreshable,
        requestId: o.requestId,
      })}\n`,
    );
    return;
  }
  const t = (v: string | undefined) => (v ? v.replace('T', ' ').replace('+08:00', ' (UTC+8)') : '—');
  const lines = [
    verb === 'authorize'
      ? say(
          io,
          `账号 ${name} 已授权；SessionKey 已存入 ${whereStored(settings, name)}。`,
          `Account ${name} is authorised; the session key is in ${whereStored(settings, name)}.`,
        )
      : say(
          io,
          `账号 ${name} 的授权已续期；新的 SessionKey 已存入 ${whereStored(settings, name)}。`,
          `The session of account ${name} was renewed; the new key is in ${whereStored(settings, name)}.`,
        ),
    a?.userNick
      ? `${say(io, '授权账号', 'Authorised as')}  ${a.userNick}${a.userId ? ` (${a.userId})` : ''}`
      : '',
    `${say(io, 'SessionKey 到期', 'Session expires')}  ${t(a?.expiresAt)}`,
    `${say(io, '刷新令牌到期', 'Refresh token expires')}  ${o.refreshable ? t(a?.refreshExpiresAt) : say(io, '无（到期须重新授权）', 'none (re-authorise when it expires)')}`,
    `r1 ${t(a?.r1ExpiresAt)}  r2 ${t(a?.r2ExpiresAt)}  w1 ${t(a?.w1ExpiresAt)}  w2 ${t(a?.w2ExpiresAt)}`,
  ];
  io.stdout(`${lines.filter(Boolean).join('\n')}\n`);
}

/** A demo profile's token calls go to a demo gateway started for this run (and stopped after). */
async function withDemo<T>(f: (demo: () => Promise<Simulator>) => Promise<T>) {
  let sim: Simulator | undefined;
  try {
    return await f(async () => {
      sim ??= await startSimulator();
      return sim;
    });
  } finally {
    await sim?.close();
  }
}

const report = (io: Io, json: boolean, e: ClearanceError, name: string) => {
  printError(io, e, json);
  if (!json && e.kind === 'auth' && e.reason !== 'secret-missing')
    io.stderr(
      `! ${say(io, `重新授权：clearance-desk profile authorize ${name}`, `Re-authorise: clearance-desk profile authorize ${name}`)}\n`,
    );
  return exitCodeFor(e.kind);
};

export async function authorize(ctx: CommandContext, settings: SettingsStore, name: string): Promise<number> {
  const { io, values, env, signal } = ctx;
  const json = values.json === true;
  const profile = settings.profile(name);
  return withDemo(async (demoGateway) => {
    const target = await authTarget(settings, name, { demoGateway });
    const given = str(values.code);
    let code: Result<string, ClearanceError>;
    if (given !== undefined) {
      code = readPastedCode(given, null);
    } else {
      const redirect = redirectUriFor(profile, target, str(values['redirect-uri']));
      if (!redirect.ok) throw new ClearanceFailure(redirect.error);
      const begun = await beginAuthorization({ target, redirectUri: redirect.value, signal });
      if (!begun.ok) throw new ClearanceFailure(begun.error);
      const pending = begun.value;
      try {
        io.stderr(
          `${say(io, '在浏览器中打开此网址并授权：', 'Open this URL in a browser and authorise:')}\n${pending.url}\n` +
            (pending.listener
              ? say(
                  io,
                  `正在 ${pending.redirectUri} 等待回调；也可粘贴授权后的网址或授权码并回车。\n`,
                  `Waiting for the callback on ${pending.redirectUri}; or paste the landed URL or the code and press Enter.\n`,
                )
              : say(
                  io,
                  '授权后，粘贴浏览器地址栏中的网址（或授权码）并回车：\n',
                  'After authorising, paste the URL the browser landed on (or the code) and press Enter:\n',
                )),
        );
        if (values['no-browser'] !== true && hasDesktop(env)) openBrowser(pending.url);
        const pasted = firstLine(ctx);
        const fromPaste = pasted.line.then(
          (l): Promise<Result<string, ClearanceError>> | Result<string, ClearanceError> =>
            l === null
              ? // stdin ended without a line: only the listener can still bring the code
                (pending.listener?.code ?? fail(clearanceError('auth-code-unreadable')))
              : readPastedCode(l, pending.state),
        );
        code = await Promise.race([fromPaste, ...(pending.listener ? [pending.listener.code] : [])]);
        pasted.stop();
      } finally {
        await pending.close();
      }
    }
    if (!code.ok) return report(io, json, code.error, name);
    const done = await completeAuthorization(settings, name, target, code.value, { signal });
    if (!done.ok) return report(io, json, done.error, name);
    printOutcome(io, json, settings, name, done.value, 'authorize');
    return 0;
  });
}

export async function refresh(ctx: CommandContext, settings: SettingsStore, name: string): Promise<number> {
  const { io, values, signal } = ctx;
  const json = values.json === true;
  settings.profile(name);
  return withDemo(async (demoGateway) => {
    const target = await authTarget(settings, name, { demoGateway });
    const done = await renewSession(settings, name, target, { signal });
    if (!done.ok) return report(io, json, done.error, name);
    printOutcome(io, json, settings, name, done.value, 'refresh');
    return 0;
  });
}
