import type { Dispatcher } from 'undici';
import { type ClearanceError, clearanceError, fail, ok, type Result } from '../errors';
import { classifyPlatformError } from './classify';
import { type Envelope, parseEnvelope, type ReplyFormat, type ReplyObject } from './envelope';
import { isLoopbackHost } from './images';
import { DEFAULT_SIGN_METHOD, type SignMethod, signParams } from './sign';
import { shanghaiTimestamp } from './timestamp';
import { exchange, type TransportOptions } from './transport';

export const GATEWAYS = {
  production: 'https://gw.api.taobao.com/router/rest',
  overseas: 'https://api.taobao.com/router/rest',
} as const;

/** A gateway setting: `production`, `overseas`, or a URL (http only makes sense for loopback). */
export function resolveGatewayUrl(nameOrUrl: string): Result<string, ClearanceError> {
  if (nameOrUrl in GATEWAYS) return ok(GATEWAYS[nameOrUrl as keyof typeof GATEWAYS]);
  try {
    const u = new URL(nameOrUrl);
    // Plain http would carry the session key in clear: only to this machine (the demo gateway, a local relay).
    if (u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackHost(u.hostname)))
      return ok(u.toString());
  } catch {}
  return fail(
    clearanceError('usage', {
      detail: `gateway "${nameOrUrl}": production | overseas | demo | https://… (http only to 127.0.0.1)`,
    }),
  );
}

export interface TopCredentials {
  appKey: string;
  appSecret: string;
  session?: string;
}

export interface RetryPolicy {
  /** Retries after the first attempt (the official client retries up to 3 times). */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A ban longer than this is reported rather than waited out. */
  maxBanWaitSeconds: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxRetries: 3,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxBanWaitSeconds: 60,
};

/** Something that spaces calls out (the batch engine's calls-per-second cap). */
export interface CallGate {
  acquire(signal?: AbortSignal): Promise<void>;
}

/** What a log line may hold about a call: never a parameter value other than the order id. */
export interface CallEvent {
  method: string;
  orderId?: string;
  attempt: number;
  ms: number;
  outcome: 'ok' | ClearanceError['reason'];
  requestId?: string;
  httpStatus?: number;
}

export interface TopClientOptions extends TransportOptions {
  gateway: string;
  credentials: TopCredentials;
  signMethod?: SignMethod;
  format?: ReplyFormat;
  targetAppKey?: string;
  partnerId?: string;
  retry?: Partial<RetryPolicy>;
  dispatcher?: Dispatcher;
  gate?: CallGate;
  clock?: () => Date;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  onCall?: (event: CallEvent) => void;
}

export interface TopReply {
  body: ReplyObject;
  requestId?: string;
  /** The reply exactly as received, for the vault (digits intact). */
  raw: string;
  attempts: number;
}

export const PARTNER_ID = 'clearance-desk-0.1';

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The signed gateway client. Each call: sign, POST (system parameters in the query string,
 * business parameters in the form body), read the envelope, classify, and retry only what is
 * worth retrying. A throttling reply pauses every call of this client until the ban ends.
 */
export class TopClient {
  private readonly retry: RetryPolicy;
  private pausedUntil = 0;

  constructor(readonly options: TopClientOptions) {
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
  }

  /** The exact parameters a call sends, signed. Exposed for tests and the bench. */
  buildRequest(method: string, business: Record<string, string>, at: Date) {
    const o = this.options;
    const system: Record<string, string> = {
      method,
      app_key: o.credentials.appKey,
      timestamp: shanghaiTimestamp(at),
      v: '2.0',
      sign_method: o.signMethod ?? DEFAULT_SIGN_METHOD,
      format: o.format ?? 'json',
      partner_id: o.partnerId ?? PARTNER_ID,
    };
    if (o.format !== 'xml') system.simplify = 'false';
    if (o.credentials.session) system.session = o.credentials.session;
    if (o.targetAppKey) system.target_app_key = o.targetAppKey;
    const sentBusiness = Object.fromEntries(Object.entries(business).filter(([, v]) => v !== ''));
    system.sign = signParams(
      { ...system, ...sentBusiness },
      o.credentials.appSecret,
      o.signMethod ?? DEFAULT_SIGN_METHOD,
    );
    const url = new URL(o.gateway);
    for (const [k, v] of Object.entries(system)) url.searchParams.set(k, v);
    return { url: url.toString(), body: new URLSearchParams(sentBusiness).toString() };
  }

  private backoffMs(retryIndex: number): number {
    const exp = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** retryIndex);
    const jitter = (this.options.random ?? Math.random)();
    return Math.round(exp / 2 + (exp / 2) * jitter); // "equal jitter": never less than half the step
  }

  private async wait(ms: number, signal?: AbortSignal) {
    if (ms > 0) await (this.options.sleep ?? sleep)(ms, signal);
  }

  async call(
    method: string,
    business: Record<string, string>,
    opts: { signal?: AbortSignal; orderId?: string } = {},
  ): Promise<Result<TopReply, ClearanceError>> {
    const o = this.options;
    const clock = o.clock ?? (() => new Date());
    let retries = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.wait(this.pausedUntil - clock().getTime(), opts.signal);
        await o.gate?.acquire(opts.signal);
      } catch {
        return fail(clearanceError('cancelled', {}, { orderId: opts.orderId }));
      }
      const started = performance.now();
      const { url, body } = this.buildRequest(method, business, clock());
      const sent = await exchange(
        {
          method: 'POST',
          url,
          body,
          headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
        },
        { ...o, signal: opts.signal },
      );
      const outcome = sent.ok
        ? this.interpret(sent.value, method)
        : { error: sent.error.error, retry: sent.error.retryable ? ('backoff' as const) : ('no' as const) };
      const event: CallEvent = {
        method,
        attempt,
        ms: Math.round(performance.now() - started),
        outcome: 'reply' in outcome ? 'ok' : outcome.error.reason,
      };
      if (opts.orderId) event.orderId = opts.orderId;
      const requestId = 'reply' in outcome ? outcome.reply.requestId : outcome.error.requestId;
      if (requestId) event.requestId = requestId;
      if (sent.ok) event.httpStatus = sent.value.status;
      o.onCall?.(event);

      if ('reply' in outcome) return ok({ ...outcome.reply, attempts: attempt });
      const { error } = outcome;
      if (opts.orderId) error.orderId = opts.orderId;
      if (outcome.retry === 'no' || retries >= this.retry.maxRetries || opts.signal?.aborted)
        return fail(error);
      if (outcome.retry === 'ban') {
        const seconds = outcome.seconds;
        if (seconds > this.retry.maxBanWaitSeconds) return fail(error);
        // +1 s: the gateway counts whole seconds; arriving on the boundary earns a fresh ban.
        this.pausedUntil = Math.max(this.pausedUntil, clock().getTime() + (seconds + 1) * 1000);
      } else {
        try {
          await this.wait(this.backoffMs(retries), opts.signal);
        } catch {
          return fail(clearanceError('cancelled', {}, { orderId: opts.orderId }));
        }
      }
      retries++;
    }
  }

  /** Turn an HTTP reply into a reply or a classified error with its retry advice. */
  private interpret(
    res: { status: number; contentType: string; body: Buffer },
    method: string,
  ):
    | { reply: Omit<TopReply, 'attempts'> }
    | { error: ClearanceError; retry: 'no' | 'backoff' }
    | { error: ClearanceError; retry: 'ban'; seconds: number } {
    const raw = res.body.toString('utf8');
    if (res.status === 502 || res.status === 503 || res.status === 504) {
      return { error: clearanceError('transient', { code: res.status }), retry: 'backoff' };
    }
    if (res.status === 429) {
      return { error: clearanceError('throttled', { seconds: 1 }), retry: 'ban', seconds: 1 };
    }
    const parsed: Result<Envelope, ClearanceError> = parseEnvelope(
      raw,
      this.options.format ?? 'json',
      method,
    );
    if (!parsed.ok) {
      // A non-200 that is not an envelope says more by its status than by its body.
      if (res.status !== 200 && parsed.error.reason !== 'protocol-html') {
        return { error: clearanceError('protocol-status', { status: res.status }), retry: 'no' };
      }
      return { error: parsed.error, retry: 'no' };
    }
    const env = parsed.value;
    if (env.type === 'response') {
      const reply: Omit<TopReply, 'attempts'> = { body: env.body, raw };
      if (env.requestId) reply.requestId = env.requestId;
      return { reply };
    }
    const e = env.error;
    const c = classifyPlatformError(e);
    const facts: { code?: number; subCode?: string; seconds?: number } = {};
    if (e.code !== undefined) facts.code = e.code;
    if (e.subCode) facts.subCode = e.subCode;
    if (c.advice.retry === 'ban') facts.seconds = c.advice.seconds;
    const error = clearanceError(c.reason, facts, e.requestId ? { requestId: e.requestId } : {});
    if (c.advice.retry === 'ban') return { error, retry: 'ban', seconds: c.advice.seconds };
    return { error, retry: c.advice.retry };
  }
}
