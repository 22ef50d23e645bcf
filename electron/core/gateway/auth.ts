/**
 * The two token calls of the platform's OAuth 2.0 (authorisation code) and their `token_result`:
 * `taobao.top.auth.token.create` turns a code into a session, `taobao.top.auth.token.refresh`
 * renews one. Both are signed with the App Secret and carry no session. Neither is retried: a code
 * works once and a refresh may rotate the refresh token, so a retry after a lost reply would only
 * turn a success into a confusing refusal.
 */
import { parse as parseLossless } from 'lossless-json';
import { type ClearanceError, clearanceError, fail, ok, type Result } from '../errors';
import { TopClient, type TopClientOptions } from './client';
import { shanghaiTimestamp } from './timestamp';

export const TOKEN_CREATE_METHOD = 'taobao.top.auth.token.create';
export const TOKEN_REFRESH_METHOD = 'taobao.top.auth.token.refresh';

/** `token_result`, read: secrets (the two tokens) and the facts the profile keeps. */
export interface TokenResult {
  accessToken: string;
  refreshToken: string | null;
  /** Seconds from issue; null when the platform did not say (or said 0). */
  expiresIn: number | null;
  reExpiresIn: number | null;
  r1ExpiresIn: number | null;
  r2ExpiresIn: number | null;
  w1ExpiresIn: number | null;
  w2ExpiresIn: number | null;
  userNick: string | null;
  userId: string | null;
}

/** The same facts as absolute Beijing times (`2026-12-02T14:00:00+08:00`), for the profile. */
export interface TokenExpiries {
  obtainedAt: string;
  expiresAt?: string;
  refreshExpiresAt?: string;
  r1ExpiresAt?: string;
  r2ExpiresAt?: string;
  w1ExpiresAt?: string;
  w2ExpiresAt?: string;
}

/** An instant as Beijing wall time with its offset: readable, and `Date.parse` reads it back exactly. */
export const beijingIso = (at: Date) => `${shanghaiTimestamp(at).replace(' ', 'T')}+08:00`;

const seconds = (v: unknown): number | null => {
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
  if (!/^\d{1,12}$/.test(s)) return null;
  const n = Number(s);
  return n > 0 ? n : null;
};

const textOf = (v: unknown): string | null => {
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string') return null;
  const t = v.trim();
  return t ? t : null;
};

/** The platform sends the nick URL-encoded (`%E5%BA%97…`); shown decoded, kept as sent if it is not. */
function nick(v: string | null): string | null {
  if (v === null || !/%[0-9A-Fa-f]{2}/.test(v)) return v;
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

/**
 * Read `token_result` (a JSON string inside the envelope; some gateways hand it as an object).
 * Numbers are kept as their digits (user ids may pass 2^53). No access token: a malformed reply.
 */
export function parseTokenResult(raw: unknown): Result<TokenResult, ClearanceError> {
  let o: Record<string, unknown>;
  try {
    const v =
      typeof raw === 'string' ? (parseLossless(raw, null, (digits: string) => digits) as unknown) : raw;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('shape');
    o = v as Record<string, unknown>;
  } catch {
    return fail(clearanceError('auth-reply-invalid'));
  }
  const accessToken = textOf(o.access_token);
  if (!accessToken || accessToken.length > 512) return fail(clearanceError('auth-reply-invalid'));
  const refresh = textOf(o.refresh_token);
  return ok({
    accessToken,
    refreshToken: refresh && refresh.length <= 512 ? refresh : null,
    expiresIn: seconds(o.expires_in),
    reExpiresIn: seconds(o.re_expires_in),
    r1ExpiresIn: seconds(o.r1_expires_in),
    r2ExpiresIn: seconds(o.r2_expires_in),
    w1ExpiresIn: seconds(o.w1_expires_in),
    w2ExpiresIn: seconds(o.w2_expires_in),
    userNick: nick(textOf(o.taobao_user_nick) ?? textOf(o.sub_taobao_user_nick)),
    userId: textOf(o.taobao_user_id) ?? textOf(o.sub_taobao_user_id),
  });
}

/** The lifetimes of a token result as absolute times, counted from when the reply came. */
export function tokenExpiries(t: TokenResult, receivedAt: Date): TokenExpiries {
  const at = (s: number | null) =>
    s === null ? undefined : beijingIso(new Date(receivedAt.getTime() + s * 1000));
  const out: TokenExpiries = { obtainedAt: beijingIso(receivedAt) };
  const put = (k: Exclude<keyof TokenExpiries, 'obtainedAt'>, s: number | null) => {
    const v = at(s);
    if (v) out[k] = v;
  };
  put('expiresAt', t.expiresIn);
  put('refreshExpiresAt', t.reExpiresIn);
  put('r1ExpiresAt', t.r1ExpiresIn);
  put('r2ExpiresAt', t.r2ExpiresIn);
  put('w1ExpiresAt', t.w1ExpiresIn);
  put('w2ExpiresAt', t.w2ExpiresIn);
  return out;
}

export type TokenClientOptions = Omit<TopClientOptions, 'credentials' | 'retry'> & {
  credentials: { appKey: string; appSecret: string };
};

/** A refusal of the business parameter (the code, the refresh token) in the table's words. */
function refusal(e: ClearanceError, as: 'auth-code-invalid' | 'auth-refresh-refused'): ClearanceError {
  const refusedArgument =
    e.reason === 'argument-invalid' ||
    e.reason === 'platform-other' ||
    e.reason === 'session-invalid' ||
    e.reason === 'session-missing' ||
    e.reason === 'business' ||
    (as === 'auth-refresh-refused' && e.reason === 'permission');
  if (!refusedArgument) return e;
  const facts: { code?: number | string; subCode?: string } = {};
  if (e.code !== undefined) facts.code = e.code;
  if (e.subCode) facts.subCode = e.subCode;
  return clearanceError(as, facts, e.requestId ? { requestId: e.requestId } : {});
}

async function tokenCall(
  opts: TokenClientOptions,
  method: string,
  business: Record<string, string>,
  as: 'auth-code-invalid' | 'auth-refresh-refused',
  signal?: AbortSignal,
): Promise<Result<{ token: TokenResult; receivedAt: Date; requestId?: string }, ClearanceError>> {
  // No session on either call: the credentials carry only the App Key and Secret.
  const client = new TopClient({
    ...opts,
    credentials: { appKey: opts.credentials.appKey, appSecret: opts.credentials.appSecret },
    retry: { maxRetries: 0 },
  });
  const reply = await client.call(method, business, signal ? { signal } : {});
  if (!reply.ok) return fail(refusal(reply.error, as));
  const receivedAt = (opts.clock ?? (() => new Date()))();
  const raw = reply.value.body.token_result;
  const parsed = parseTokenResult(raw);
  if (!parsed.ok) {
    const e = parsed.error;
    if (reply.value.requestId) e.requestId = reply.value.requestId;
    return fail(e);
  }
  return ok({
    token: parsed.value,
    receivedAt,
    ...(reply.value.requestId ? { requestId: reply.value.requestId } : {}),
  });
}

/** `taobao.top.auth.token.create`: the code from the authorisation page, for a session. */
export function createToken(opts: TokenClientOptions, code: string, signal?: AbortSignal) {
  return tokenCall(opts, TOKEN_CREATE_METHOD, { code }, 'auth-code-invalid', signal);
}

/** `taobao.top.auth.token.refresh`: a refresh token, for a renewed session (and maybe a new refresh token). */
export function refreshToken(opts: TokenClientOptions, token: string, signal?: AbortSignal) {
  return tokenCall(opts, TOKEN_REFRESH_METHOD, { refresh_token: token }, 'auth-refresh-refused', signal);
}
