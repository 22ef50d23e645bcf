/**
 * Authorising an account inside the app, and renewing its session. The authorize URL goes to the
 * system browser (the host's `openExternal`, never an app window); a loopback callback is taken by
 * a one-shot listener here in main, a landed URL or code pasted by the user comes through
 * `profile.authorizeComplete`. Tokens go from the platform's reply to the keychain: no reply or
 * event carries one.
 */
import type { ProfileView as ProfileViewDto } from '../../contract';
import { type ClearanceError, clearanceError } from '../../core/errors';
import { isAuthorizeUrl, readPastedCode } from '../../core/gateway/oauth';
import {
  type AuthTarget,
  authTarget,
  beginAuthorization,
  completeAuthorization,
  type PendingAuthorization,
  redirectUriFor,
  renewSession,
} from '../../core/settings/authorize';
import type { Handlers } from '../ipc';
import type { BackendContext } from './context';
import { guard, refuse } from './reply';

type AuthHandlers = Pick<
  Handlers,
  'profile.authorizeStart' | 'profile.authorizeComplete' | 'profile.authorizeCancel' | 'profile.refresh'
>;

interface Under {
  pending: PendingAuthorization;
  target: AuthTarget;
}

export function authHandlers(ctx: BackendContext): AuthHandlers & { cancelAll(): Promise<void> } {
  const { settings } = ctx;
  /** One authorisation under way per profile; a new start replaces (and closes) the old one. */
  const underWay = new Map<string, Under>();
  const viewOf = async (name: string) =>
    (await ctx.profiles()).find((x) => x.name === name) as ProfileViewDto;

  const drop = async (name: string, which?: Under) => {
    const u = underWay.get(name);
    if (!u || (which && u !== which)) return;
    underWay.delete(name);
    await u.pending.close();
  };

  /** The listener brought a code: finish here and tell the renderer how it went. */
  const finishFromListener = async (name: string, u: Under) => {
    const r = await u.pending.listener?.code;
    if (!r || underWay.get(name) !== u) return; // replaced or cancelled meanwhile
    await drop(name, u);
    let error: ClearanceError | null = r.ok ? null : r.error;
    if (r.ok) {
      const done = await completeAuthorization(settings, name, u.target, r.value).catch(() => ({
        ok: false as const,
        error: clearanceError('internal', { detail: 'authorisation' }),
      }));
      if (!done.ok) error = done.error;
    }
    if (error?.reason === 'cancelled') return;
    if (error) ctx.host.emit('profile.authorized', { name, ok: false, error });
    else ctx.host.emit('profile.authorized', { name, ok: true, profile: await viewOf(name) });
    await ctx.announceStatus();
  };

  return {
    'profile.authorizeStart': ({ name, redirectUri }) =>
      guard(async () => {
        const profile = settings.profile(name);
        await drop(name);
        const target = await authTarget(settings, name, {
          demoGateway: ctx.demoGateway,
          ...(ctx.dispatcher ? { dispatcher: ctx.dispatcher } : {}),
        });
        const redirect = redirectUriFor(profile, target, redirectUri);
        if (!redirect.ok) return refuse(redirect.error);
        const begun = await beginAuthorization({ target, redirectUri: redirect.value });
        if (!begun.ok) return refuse(begun.error);
        const u: Under = { pending: begun.value, target };
        underWay.set(name, u);
        if (u.pending.listener) void finishFromListener(name, u);
        let opened = false;
        // Only the platform's pages (or the loopback demo gateway's) ever reach the system browser.
        if (ctx.host.openExternal && isAuthorizeUrl(u.pending.url)) {
          try {
            await ctx.host.openExternal(u.pending.url);
            opened = true;
          } catch {
            // the dialog shows the URL to open by hand
          }
        }
        return {
          url: u.pending.url,
          redirectUri: u.pending.redirectUri,
          listening: u.pending.listener !== null,
          opened,
        };
      }),
    'profile.authorizeComplete': ({ name, input }) =>
      guard(async () => {
        settings.profile(name);
        const u = underWay.get(name);
        // Without an authorisation under way (the app restarted) a bare code is still accepted.
        const code = readPastedCode(input, u?.pending.state ?? null);
        if (!code.ok) return refuse(code.error);
        const target =
          u?.target ??
          (await authTarget(settings, name, {
            demoGateway: ctx.demoGateway,
            ...(ctx.dispatcher ? { dispatcher: ctx.dispatcher } : {}),
          }));
        const done = await completeAuthorization(settings, name, target, code.value);
        if (!done.ok) return refuse(done.error);
        await drop(name, u);
        await ctx.announceStatus();
        return viewOf(name);
      }),
    'profile.authorizeCancel': ({ name }) =>
      guard(async () => {
        const had = underWay.has(name);
        await drop(name);
        return { cancelled: had };
      }),
    'profile.refresh': ({ name }) =>
      guard(async () => {
        settings.profile(name);
        const target = await authTarget(settings, name, {
          demoGateway: ctx.demoGateway,
          ...(ctx.dispatcher ? { dispatcher: ctx.dispatcher } : {}),
        });
        const done = await renewSession(settings, name, target);
        if (!done.ok) return refuse(done.error);
        await ctx.announceStatus();
        return viewOf(name);
      }),
    async cancelAll() {
      for (const name of [...underWay.keys()]) await drop(name);
    },
  };
}
