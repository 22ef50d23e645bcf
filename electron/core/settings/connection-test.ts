import { type Dispatcher, request } from 'undici';
import { type ClearanceError, ClearanceFailure, clearanceError, fail, ok, type Result } from '../errors';
import { fetchClearance } from '../gateway/clearance';
import { resolveGatewayUrl, TopClient, type TopClientOptions, type TopCredentials } from '../gateway/client';
import { defaultDispatcher } from '../gateway/transport';
import { secretAccount } from '../secrets';
import type { SecretStore } from '../secrets/types';
import type { Profile } from './schema';

/** Above this much difference from the gateway's clock, the test warns (the gateway refuses beyond 10 minutes). */
export const CLOCK_SKEW_WARN_SECONDS = 60;

/** An order id no account owns: a business refusal of it proves the call got past signature and session. */
export const PROBE_ORDER_ID = '1';

/** The client settings of a profile (one place for the CLI, the app and the test to agree on). */
export function profileClientOptions(
  profile: Pick<Profile, 'signMethod' | 'targetAppKey'>,
  gateway: string,
  credentials: TopCredentials,
): Omit<TopClientOptions, 'onCall'> {
  return {
    gateway,
    credentials,
    signMethod: profile.signMethod,
    ...(profile.targetAppKey ? { targetAppKey: profile.targetAppKey } : {}),
  };
}

/** `null` means the step was not reached (an earlier check failed), so nothing is known. */
export interface ConnectionReport {
  gateway: string;
  reachable: boolean;
  signatureAccepted: boolean | null;
  sessionValid: boolean | null;
  /** Gateway clock minus ours, in whole seconds (from its HTTP `Date` header); null if it sent none. */
  clockSkewSeconds: number | null;
  clockWarning: boolean;
  /** The failure that decided the outcome (a business refusal of the probe order is not one). */
  error: ClearanceError | null;
  requestId: string | null;
  /** Everything checked out. */
  ok: boolean;
}

export interface ConnectionTestOptions {
  /** The URL to call when the profile's gateway is `demo` (the caller runs the simulator). */
  gatewayUrl?: string;
  /** Credentials to use instead of the keychain's (the demo gateway has its own). */
  credentials?: TopCredentials;
  dispatcher?: Dispatcher;
  signal?: AbortSignal;
  clock?: () => Date;
  totalTimeoutMs?: number;
}

/** What each refusal tells about the checks the gateway made before it (its order: key, time, signature, session). */
function verdict(
  reason: ClearanceError['reason'],
): Pick<ConnectionReport, 'reachable' | 'signatureAccepted' | 'sessionValid'> {
  switch (reason) {
    case 'business':
    case 'argument-invalid':
      return { reachable: true, signatureAccepted: true, sessionValid: true };
    case 'permission':
      return { reachable: true, signatureAccepted: true, sessionValid: null };
    case 'session-invalid':
    case 'session-missing':
      return { reachable: true, signatureAccepted: true, sessionValid: false };
    case 'signature-invalid':
      return { reachable: true, signatureAccepted: false, sessionValid: null };
    case 'app-key-invalid':
    case 'timestamp-invalid':
    case 'throttled':
    case 'quota-exhausted':
    case 'transient':
    case 'platform-other':
      return { reachable: true, signatureAccepted: null, sessionValid: null };
    default:
      return { reachable: false, signatureAccepted: null, sessionValid: null };
  }
}

/**
 * Measure the gateway's clock: a GET whose `Date` header is compared with the midpoint of our
 * request (the header has whole-second resolution, so ±1 s is noise). Kept apart from the signed call.
 */
export async function gatewayClockSkew(
  url: string,
  opts: { dispatcher?: Dispatcher; signal?: AbortSignal; clock?: () => Date; totalTimeoutMs?: number } = {},
): Promise<number | null> {
  const clock = opts.clock ?? (() => new Date());
  const timeout = AbortSignal.timeout(opts.totalTimeoutMs ?? 10_000);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  try {
    const before = clock().getTime();
    const res = await request(url, {
      method: 'GET',
      signal,
      dispatcher: opts.dispatcher ?? defaultDispatcher(),
    });
    const after = clock().getTime();
    await res.body.dump();
    const header = res.headers.date;
    const served = typeof header === 'string' ? Date.parse(header) : Number.NaN;
    if (Number.isNaN(served)) return null;
    return Math.round((served - (before + after) / 2) / 1000);
  } catch {
    return null;
  }
}

/**
 * Test a profile against its gateway: one signed call for a probe order (no retries) and one plain
 * GET for the clock. A business refusal ("Wrong order_id") proves the gateway answered, the
 * signature was accepted and the session is valid. Secrets come from the store and go nowhere else.
 */
export async function testConnection(
  profile: Profile,
  secrets: SecretStore,
  opts: ConnectionTestOptions = {},
): Promise<Result<ConnectionReport, ClearanceError>> {
  const target = profile.gateway === 'demo' ? opts.gatewayUrl : (opts.gatewayUrl ?? profile.gateway);
  if (!target) return fail(clearanceError('config-missing', { detail: 'gateway' }));
  const gateway = resolveGatewayUrl(target);
  if (!gateway.ok) return gateway;
  let credentials = opts.credentials;
  if (!credentials) {
    try {
      const appSecret = await secrets.get(secretAccount(profile.name, 'app-secret'));
      if (!appSecret) return fail(clearanceError('secret-missing'));
      const session = await secrets.get(secretAccount(profile.name, 'session'));
      // No session is a finding of the test, not a reason to skip it: the gateway reports it (code 26).
      credentials = { appKey: profile.appKey, appSecret, ...(session ? { session } : {}) };
    } catch (err) {
      if (err instanceof ClearanceFailure) return fail(err.error);
      throw err;
    }
  }
  const client = new TopClient({
    ...profileClientOptions(profile, gateway.value, credentials),
    retry: { maxRetries: 0 },
    ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.totalTimeoutMs ? { totalTimeoutMs: opts.totalTimeoutMs } : {}),
  });
  const [probe, skew] = await Promise.all([
    fetchClearance(client, PROBE_ORDER_ID, {
      needImage: false,
      ...(opts.signal ? { signal: opts.signal } : {}),
    }),
    gatewayClockSkew(gateway.value, opts),
  ]);
  const error = probe.ok || probe.error.reason === 'business' ? null : probe.error;
  const v = probe.ok ? verdict('business') : verdict(probe.error.reason);
  const requestId = probe.ok ? (probe.value.requestId ?? null) : (probe.error.requestId ?? null);
  const clockWarning = skew !== null && Math.abs(skew) > CLOCK_SKEW_WARN_SECONDS;
  return ok({
    gateway: gateway.value,
    ...v,
    clockSkewSeconds: skew,
    clockWarning,
    error,
    requestId,
    ok: error === null && !clockWarning,
  });
}
