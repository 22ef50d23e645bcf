/**
 * Authorising an account inside the app and the command, and renewing its session: one home for
 * the steps both faces take (the gateway calls are in gateway/auth.ts, the browser half in
 * gateway/oauth.ts). Tokens go from the platform's reply straight to the secret store; what
 * callers get back is the profile's facts, never a token.
 */
import type { Dispatcher } from 'undici';
import { DEMO_CREDENTIALS, type Simulator } from '../demo/simulator';
import { type ClearanceError, ClearanceFailure, clearanceError, fail, ok, type Result } from '../errors';
import { createToken, refreshToken, type TokenResult, tokenExpiries } from '../gateway/auth';
import { resolveGatewayUrl } from '../gateway/client';
import {
  authorizeEndpoint,
  authorizeUrl,
  type CodeListener,
  listenForCode,
  loopbackOf,
  newState,
} from '../gateway/oauth';
import type { SignMethod } from '../gateway/sign';
import { type Profile, redirectUriSchema } from './schema';
import type { SettingsStore } from './store';

/** Where a profile's token calls go, with what (the App Secret: the calls carry no session). */
export interface AuthTarget {
  gatewayUrl: string;
  appKey: string;
  appSecret: string;
  signMethod: SignMethod;
  targetAppKey?: string;
  dispatcher?: Dispatcher;
}

/**
 * The callback when the profile has none registered: for a loopback gateway (the demo) any free
 * port; for the platform a fixed one, so it can be registered once (`http://127.0.0.1:47615/callback`).
 */
export const DEFAULT_REDIRECT_URI = 'http://127.0.0.1:47615/callback';
const DEMO_REDIRECT_URI = 'http://127.0.0.1:0/callback';

export async function authTarget(
  settings: SettingsStore,
  name: string,
  opts: { demoGateway: () => Promise<Simulator>; dispatcher?: Dispatcher },
): Promise<AuthTarget> {
  const profile = settings.profile(name);
  const base = {
    signMethod: profile.signMethod,
    ...(profile.targetAppKey ? { targetAppKey: profile.targetAppKey } : {}),
  };
  if (profile.gateway === 'demo') {
    const sim = await opts.demoGateway();
    return {
      ...base,
      gatewayUrl: sim.url,
      appKey: DEMO_CREDENTIALS.appKey,
      appSecret: DEMO_CREDENTIALS.appSecret,
    };
  }
  const gw = resolveGatewayUrl(profile.gateway);
  if (!gw.ok) throw new ClearanceFailure(gw.error);
  return {
    ...base,
    gatewayUrl: gw.value,
    appKey: profile.appKey,
    appSecret: await settings.appSecretOf(name),
    ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
  };
}

/** The callback to use: the one asked for, else the profile's, else the default for its gateway. */
export function redirectUriFor(
  profile: Profile,
  target: AuthTarget,
  asked?: string,
): Result<string, ClearanceError> {
  const raw =
    asked ??
    profile.redirectUri ??
    (loopbackOf(target.gatewayUrl) || profile.gateway === 'demo' ? DEMO_REDIRECT_URI : DEFAULT_REDIRECT_URI);
  const parsed = redirectUriSchema.safeParse(raw);
  if (!parsed.success) return fail(clearanceError('auth-redirect-invalid'));
  return ok(parsed.data);
}

export interface PendingAuthorization {
  url: string;
  redirectUri: string;
  state: string;
  /** The loopback listener, when the callback is on this machine: it resolves with the code. */
  listener: CodeListener | null;
  close(): Promise<void>;
}

/**
 * Start an authorisation: a fresh state, the listener when the callback is a loopback URL (and
 * `listen` is not false), and the authorize URL to open in the system browser.
 */
export async function beginAuthorization(o: {
  target: AuthTarget;
  redirectUri: string;
  listen?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
}): Promise<Result<PendingAuthorization, ClearanceError>> {
  const state = newState();
  let redirectUri = o.redirectUri;
  let listener: CodeListener | null = null;
  if (o.listen !== false && loopbackOf(redirectUri)) {
    const l = await listenForCode({
      redirectUri,
      state,
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    });
    if (!l.ok) return l;
    listener = l.value;
    redirectUri = listener.redirectUri;
  } else if (loopbackOf(redirectUri)?.port === 0) {
    // Nobody listens, so "any free port" has no meaning: the browser would land nowhere.
    return fail(clearanceError('auth-redirect-invalid', { detail: 'port 0 needs the listener' }));
  }
  const url = authorizeUrl({
    endpoint: authorizeEndpoint(o.target.gatewayUrl),
    appKey: o.target.appKey,
    redirectUri,
    state,
  });
  return ok({ url, redirectUri, state, listener, close: async () => listener?.close() });
}

/** What an authorisation or renewal tells the user (the profile's facts; no token). */
export interface AuthorizationOutcome {
  profile: Profile;
  refreshable: boolean;
  requestId: string | null;
}

const clientOf = (t: AuthTarget, clock?: () => Date) => ({
  gateway: t.gatewayUrl,
  credentials: { appKey: t.appKey, appSecret: t.appSecret },
  signMethod: t.signMethod,
  ...(t.targetAppKey ? { targetAppKey: t.targetAppKey } : {}),
  ...(t.dispatcher ? { dispatcher: t.dispatcher } : {}),
  ...(clock ? { clock } : {}),
});

async function keep(
  settings: SettingsStore,
  name: string,
  got: { token: TokenResult; receivedAt: Date; requestId?: string },
  via: 'authorize' | 'refresh',
): Promise<AuthorizationOutcome> {
  const profile = await settings.storeToken(name, got.token, tokenExpiries(got.token, got.receivedAt), via);
  return {
    profile,
    refreshable: (await settings.refreshTokenOf(name)) !== null,
    requestId: got.requestId ?? null,
  };
}

/** Exchange a code for the session (`taobao.top.auth.token.create`) and keep it. A refusal changes nothing. */
export async function completeAuthorization(
  settings: SettingsStore,
  name: string,
  target: AuthTarget,
  code: string,
  opts: { signal?: AbortSignal; clock?: () => Date } = {},
): Promise<Result<AuthorizationOutcome, ClearanceError>> {
  const got = await createToken(clientOf(target, opts.clock), code, opts.signal);
  if (!got.ok) return got;
  return ok(await keep(settings, name, got.value, 'authorize'));
}

/**
 * Renew the session (`taobao.top.auth.token.refresh`) once. A refusal is reported as "re-authorise"
 * and never retried; the current session stays as it was (it may still work until it expires).
 */
export async function renewSession(
  settings: SettingsStore,
  name: string,
  target: AuthTarget,
  opts: { signal?: AbortSignal; clock?: () => Date } = {},
): Promise<Result<AuthorizationOutcome, ClearanceError>> {
  const token = await settings.refreshTokenOf(name);
  if (!token) return fail(clearanceError('auth-no-refresh-token'));
  const got = await refreshToken(clientOf(target, opts.clock), token, opts.signal);
  if (!got.ok) return got;
  return ok(await keep(settings, name, got.value, 'refresh'));
}
