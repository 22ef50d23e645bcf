/** Accounts: save, set secrets (write-only), remove, switch, test the connection. */
import type { ProfileView as ProfileViewDto } from '../../contract';
import { DEMO_CREDENTIALS } from '../../core/demo/simulator';
import { testConnection } from '../../core/settings/connection-test';
import type { Handlers } from '../ipc';
import type { BackendContext } from './context';
import { guard, refuse } from './reply';

type ProfileHandlers = Pick<
  Handlers,
  | 'demo.enable'
  | 'app.status'
  | 'profile.save'
  | 'profile.setSecrets'
  | 'profile.remove'
  | 'profile.use'
  | 'profile.test'
>;

export function profileHandlers(ctx: BackendContext): ProfileHandlers {
  const { settings } = ctx;
  const viewOf = async (name: string) =>
    (await ctx.profiles()).find((x) => x.name === name) as ProfileViewDto;
  return {
    'app.status': () => guard(ctx.status),
    'demo.enable': () =>
      guard(async () => {
        await ctx.ensureDemoProfile();
        return ctx.status();
      }),
    'profile.save': (p) =>
      guard(async () => {
        const fields = {
          displayName: p.displayName,
          appKey: p.appKey,
          gateway: p.gateway,
          signMethod: p.signMethod,
          targetAppKey: p.targetAppKey ?? undefined,
          sessionExpiresAt: p.sessionExpiresAt ?? undefined,
          qps: p.qps,
          // Absent: keep the registered callback; null: remove it.
          ...(p.redirectUri === undefined ? {} : { redirectUri: p.redirectUri || undefined }),
        };
        // A gateway on another server clears the profile's secrets (changeProfile): they must be entered again.
        const before = settings.findProfile(p.name);
        if (before) await settings.changeProfile(p.name, fields);
        else await settings.addProfile({ name: p.name, ...fields });
        // Another key, gateway or sign method: what the gateway said before was about other credentials.
        if (
          before &&
          (before.appKey !== p.appKey ||
            before.gateway !== p.gateway ||
            before.signMethod !== p.signMethod ||
            (before.targetAppKey ?? null) !== p.targetAppKey)
        )
          ctx.forgetCheck(p.name);
        if (!settings.defaultProfile()) settings.setDefault(p.name);
        const view = await viewOf(p.name);
        await ctx.announceStatus();
        return view;
      }),
    'profile.setSecrets': ({ name, appSecret, session }) =>
      guard(async () => {
        settings.profile(name);
        if (appSecret) await settings.setSecret(name, 'app-secret', appSecret);
        if (session) await settings.setSession(name, session);
        if (appSecret || session) ctx.forgetCheck(name);
        await ctx.announceStatus();
        return viewOf(name);
      }),
    'profile.remove': ({ name }) =>
      guard(async () => {
        if (!settings.findProfile(name)) return { removed: false };
        await settings.removeProfile(name);
        await ctx.announceStatus();
        return { removed: true };
      }),
    'profile.use': ({ name }) =>
      guard(async () => {
        settings.setDefault(name);
        return ctx.announceStatus();
      }),
    'profile.test': ({ name }) =>
      guard(async () => {
        const profile = settings.profile(name);
        const demo = profile.gateway === 'demo' ? await ctx.demoGateway() : undefined;
        const r = await testConnection(profile, ctx.desk.secrets, {
          ...(demo ? { gatewayUrl: demo.url, credentials: { ...DEMO_CREDENTIALS } } : {}),
          ...(ctx.dispatcher ? { dispatcher: ctx.dispatcher } : {}),
        });
        if (!r.ok) return refuse(r.error);
        const rep = r.value;
        // Testing another account says nothing about the one the desk works with: online stays as it is.
        ctx.learnFrom(rep.error ?? null, name, { network: name === ctx.activeProfileName(), via: 'test' });
        const messages = [
          ...(rep.error ? [rep.error.message] : []),
          ...(demo
            ? [
                {
                  'zh-CN':
                    '演示网关不检查填入的 App Secret 和 SessionKey：测试用的是演示密钥，“签名正确”不代表您的密钥可用。',
                  'en-US':
                    'The demo gateway ignores the typed App Secret and session key: the test signs with the demo keys, so “signature accepted” says nothing about yours.',
                },
              ]
            : []),
          ...(rep.clockWarning
            ? [
                {
                  'zh-CN': `本机时钟与网关相差 ${rep.clockSkewSeconds} 秒，请校准时钟。`,
                  'en-US': `This computer's clock is ${rep.clockSkewSeconds} s off the gateway's: set it right.`,
                },
              ]
            : []),
        ];
        return {
          reachable: rep.reachable,
          signatureAccepted: rep.signatureAccepted === true,
          sessionValid: rep.sessionValid === true,
          clockSkewSeconds: rep.clockSkewSeconds,
          messages,
        };
      }),
  };
}
