/**
 * The demo gateway: an HTTP server on 127.0.0.1 that answers `tmall.hk.clearance.distribution.get`
 * the way the real gateway does. It checks app key, signature (all three methods), timestamp
 * window, version and session, answers in JSON or XML, serves ID images, and can be told to
 * misbehave (latency, throttling, faults, a calls-per-second limit) for tests and benchmarks.
 * The client does not know it is talking to a simulator.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { isSignMethod, signParams } from '../gateway/sign';
import { parseShanghaiTimestamp, shanghaiDate } from '../gateway/timestamp';
import { isOrderIdText } from '../rules';
import { expiryOf, findSample, SCENARIO_ORDERS, type Scenario } from './samples';

/** The account name demo records are kept under (the app's demo profile, and `get --demo`). */
export const DEMO_PROFILE = 'demo';

export const DEMO_CREDENTIALS = {
  appKey: 'demo-app-key',
  appSecret: 'demo-app-secret',
  session: 'demo-session-key',
} as const;

const METHOD = 'tmall.hk.clearance.distribution.get';
const TOKEN_CREATE = 'taobao.top.auth.token.create';
const TOKEN_REFRESH = 'taobao.top.auth.token.refresh';
const KNOWN_METHODS = new Set([METHOD, TOKEN_CREATE, TOKEN_REFRESH]);

/** Lifetimes (seconds) the demo gateway's token_result announces. */
export interface DemoTokenLifetimes {
  expiresIn: number;
  reExpiresIn: number;
  r1ExpiresIn: number;
  r2ExpiresIn: number;
  w1ExpiresIn: number;
  w2ExpiresIn: number;
}

export const DEMO_TOKEN_LIFETIMES: DemoTokenLifetimes = {
  expiresIn: 30 * 86_400,
  reExpiresIn: 60 * 86_400,
  r1ExpiresIn: 30 * 86_400,
  r2ExpiresIn: 30 * 86_400,
  w1ExpiresIn: 30 * 86_400,
  w2ExpiresIn: 1_800,
};

/** The demo account the stand-in authorisation page signs in as. */
export const DEMO_USER = { nick: '演示供应商 demo-supplier', id: '2200000000001' } as const;

export interface DemoAuthOptions {
  /** 'refused': token.refresh always says no (an app type that may not renew). */
  refresh?: 'allowed' | 'refused';
  /** A code works once, within this many seconds of being issued. */
  codeTtlSeconds?: number;
  lifetimes?: Partial<DemoTokenLifetimes>;
}
const TIMESTAMP_WINDOW_MS = 10 * 60 * 1000;

export type Fault =
  | { kind: 'throttle'; seconds: number }
  | { kind: 'isp' }
  | { kind: 'http'; status: number }
  | { kind: 'html' }
  | { kind: 'truncate' }
  | { kind: 'oversize'; bytes: number }
  | { kind: 'stall'; ms: number }
  | { kind: 'stall-gzip'; ms: number }
  | { kind: 'reset' }
  /** A business failure for the order (the consignee has not given an identity yet); then it answers. */
  | { kind: 'no-identity' };

/** A fault to apply to the next `times` calls (optionally only to one order). */
export interface FaultRule {
  fault: Fault;
  times: number;
  orderId?: string;
}

export interface SimulatorCall {
  at: number;
  orderId: string | undefined;
  needImage: boolean;
  /** `ok`, `business`, a platform error code as text, or the fault applied. */
  outcome: string;
}

export interface SimulatorOptions {
  port?: number;
  credentials?: { appKey: string; appSecret: string; session: string };
  latencyMs?: number;
  /** A random 0–N ms before the gateway counts a call: how arrival times wobble on a real network. */
  latencyJitterMs?: number;
  /** Calls above this many in any one second window get an `accesscontrol` ban of 1 s. */
  maxCallsPerSecond?: number;
  clock?: () => Date;
  auth?: DemoAuthOptions;
}

export interface Simulator {
  /** The gateway URL to configure a client with. */
  readonly url: string;
  readonly origin: string;
  readonly credentials: { appKey: string; appSecret: string; session: string };
  readonly calls: SimulatorCall[];
  inject(rule: FaultRule): void;
  setLatency(ms: number): void;
  /** Change how the token calls behave from now on. */
  setAuth(auth: DemoAuthOptions): void;
  /** A fresh authorisation code, as the stand-in page would hand out (tests that paste a code). */
  issueCode(): string;
  /** Every access and refresh token handed out (tests look for them where they must not be). */
  readonly issuedTokens: string[];
  close(): Promise<void>;
}

const ASSET_DIR = new URL('./assets/', import.meta.url);
let imageCache: { front: Buffer; back: Buffer } | undefined;
export function demoImages() {
  imageCache ??= {
    front: readFileSync(new URL('id-front.jpg', ASSET_DIR)),
    back: readFileSync(new URL('id-back.jpg', ASSET_DIR)),
  };
  return imageCache;
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

type Tree = { [key: string]: string | number | boolean | Tree };

function toXml(name: string, value: string | number | boolean | Tree): string {
  if (typeof value !== 'object') return `<${name}>${xmlEscape(String(value))}</${name}>`;
  return `<${name}>${Object.entries(value)
    .map(([k, v]) => toXml(k, v))
    .join('')}</${name}>`;
}

/** JSON as the gateway writes it: `order_id` a bare number even above 2^53. */
function toJson(root: Tree): string {
  return JSON.stringify(root).replace(/"order_id":"(\d+)"/g, '"order_id":$1');
}

function render(root: Tree, format: string): { body: string; type: string } {
  if (format === 'xml') {
    const [name, value] = Object.entries(root)[0] as [string, Tree];
    return {
      body: `<?xml version="1.0" encoding="utf-8" ?>${toXml(name, value)}`,
      type: 'text/xml;charset=UTF-8',
    };
  }
  return { body: toJson(root), type: 'application/json;charset=UTF-8' };
}

const requestId = () => Math.random().toString(36).slice(2, 14);

/** An `error_response` as the gateway writes it, request id included (support asks for it). */
function errorTree(code: number, msg: string, subCode?: string, subMsg?: string): Tree {
  const e: Tree = { code, msg };
  if (subCode) e.sub_code = subCode;
  if (subMsg) e.sub_msg = subMsg;
  e.request_id = requestId();
  return { error_response: e };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The demo gateway's tokens carry their own proof (an HMAC under the App Secret) and expiry, so a
 * session issued by one run of the demo gateway works in the next (each command starts its own).
 */
function signToken(secret: string, kind: 'at' | 'rt', payload: { exp: number; n: string }): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const mac = createHmac('sha256', secret).update(`${kind}.${body}`).digest('base64url').slice(0, 32);
  return `demo${kind}.${body}.${mac}`;
}

function verifyToken(secret: string, kind: 'at' | 'rt', token: string, now: number): { n: string } | null {
  const m = /^demo(at|rt)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{32})$/.exec(token);
  if (!m || m[1] !== kind) return null;
  const want = createHmac('sha256', secret).update(`${kind}.${m[2]}`).digest('base64url').slice(0, 32);
  if (!timingSafeEqual(Buffer.from(want), Buffer.from(m[3] as string))) return null;
  try {
    const p = JSON.parse(Buffer.from(m[2] as string, 'base64url').toString('utf8')) as {
      exp: number;
      n: string;
    };
    return typeof p.exp === 'number' && p.exp > now && typeof p.n === 'string' ? { n: p.n } : null;
  } catch {
    return null;
  }
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const credentials = opts.credentials ?? { ...DEMO_CREDENTIALS };
  const clock = opts.clock ?? (() => new Date());
  let auth: Required<Omit<DemoAuthOptions, 'lifetimes'>> & { lifetimes: DemoTokenLifetimes } = {
    refresh: opts.auth?.refresh ?? 'allowed',
    codeTtlSeconds: opts.auth?.codeTtlSeconds ?? 600,
    lifetimes: { ...DEMO_TOKEN_LIFETIMES, ...opts.auth?.lifetimes },
  };
  /** Codes handed out and not yet used: code → when it stops working (ms). */
  const codes = new Map<string, number>();
  /** Refresh tokens already spent (a renewal rotates them), and sessions they replaced. */
  const spent = new Set<string>();
  const issuedTokens: string[] = [];
  const issueCode = () => {
    const code = randomBytes(12).toString('base64url');
    codes.set(code, clock().getTime() + auth.codeTtlSeconds * 1000);
    return code;
  };
  const calls: SimulatorCall[] = [];
  const rules: FaultRule[] = [];
  let latencyMs = opts.latencyMs ?? 0;
  const recent: number[] = [];
  let bannedUntil = 0;
  let origin = '';

  const takeFault = (orderId: string | undefined): Fault | undefined => {
    const i = rules.findIndex((r) => r.times > 0 && (!r.orderId || r.orderId === orderId));
    if (i < 0) return undefined;
    const rule = rules[i] as FaultRule;
    rule.times--;
    if (rule.times === 0) rules.splice(i, 1);
    return rule.fault;
  };

  function scenarioFault(s: Scenario): Fault | Tree {
    switch (s) {
      case 'throttled-long':
        return errorTree(
          7,
          'App Call Limited',
          'accesscontrol.limited-by-app-access-count',
          'This ban will last for 300 more seconds',
        );
      case 'isp-unavailable':
        return { kind: 'isp' };
      case 'permission':
        return errorTree(
          11,
          'Insufficient isv permissions',
          'isv.permission-api-package-limit',
          '没有调用该接口的权限',
        );
      case 'session-invalid':
        return errorTree(27, 'Invalid session', 'invalid-sessionkey', 'SessionKey非法');
      case 'invalid-argument':
        return errorTree(41, 'Invalid arguments', 'isv.invalid-parameter', '非法参数');
      case 'html':
        return { kind: 'html' };
      case 'truncated':
        return { kind: 'truncate' };
      case 'reset':
        return { kind: 'reset' };
    }
  }

  /** Check everything the real gateway checks, in its order; the first failure answers. */
  function authenticate(p: Record<string, string>): Tree | undefined {
    if (!p.method) return errorTree(21, 'Missing Method');
    if (!KNOWN_METHODS.has(p.method)) return errorTree(22, 'Invalid Method');
    if (!p.app_key) return errorTree(28, 'Missing App Key');
    if (p.app_key !== credentials.appKey) return errorTree(29, 'Invalid App Key');
    if (!p.timestamp) return errorTree(30, 'Missing Timestamp');
    const at = parseShanghaiTimestamp(p.timestamp);
    if (!at || Math.abs(at.getTime() - clock().getTime()) > TIMESTAMP_WINDOW_MS) {
      return errorTree(31, 'Invalid Timestamp', 'isv.invalid-timestamp', '时间戳超出允许范围');
    }
    if (!p.v) return errorTree(32, 'Missing Version');
    if (p.v !== '2.0') return errorTree(34, 'Unsupported Version');
    if (!p.sign) return errorTree(24, 'Missing Signature');
    const method = p.sign_method ?? 'md5';
    if (!isSignMethod(method))
      return errorTree(25, 'Invalid Signature', undefined, 'unsupported sign_method');
    const expected = signParams(p, credentials.appSecret, method);
    if (expected !== p.sign) return errorTree(25, 'Invalid Signature');
    if (p.method !== METHOD) return undefined; // the token calls take no session
    if (!p.session) return errorTree(26, 'Missing Session');
    if (p.session !== credentials.session && !sessionIssued(p.session))
      return errorTree(27, 'Invalid session', 'invalid-sessionkey', 'SessionKey非法');
    return undefined;
  }

  function sessionIssued(session: string): boolean {
    const t = verifyToken(credentials.appSecret, 'at', session, clock().getTime());
    return t !== null && !spent.has(session);
  }

  /** A token_result as the platform writes it: a JSON string inside the envelope. */
  function tokenReply(method: string): Tree {
    const now = clock().getTime();
    const l = auth.lifetimes;
    const access = signToken(credentials.appSecret, 'at', {
      exp: now + l.expiresIn * 1000,
      n: randomBytes(6).toString('hex'),
    });
    const refresh = signToken(credentials.appSecret, 'rt', {
      exp: now + l.reExpiresIn * 1000,
      n: randomBytes(6).toString('hex'),
    });
    issuedTokens.push(access, refresh);
    const result = {
      access_token: access,
      token_type: 'Bearer',
      expires_in: l.expiresIn,
      refresh_token: refresh,
      re_expires_in: l.reExpiresIn,
      r1_expires_in: l.r1ExpiresIn,
      r2_expires_in: l.r2ExpiresIn,
      w1_expires_in: l.w1ExpiresIn,
      w2_expires_in: l.w2ExpiresIn,
      taobao_user_nick: DEMO_USER.nick,
      taobao_user_id: DEMO_USER.id,
    };
    return {
      [`${method.replace(/\./g, '_')}_response`]: {
        token_result: JSON.stringify(result),
        request_id: requestId(),
      },
    };
  }

  function tokenCall(p: Record<string, string>): Tree {
    const now = clock().getTime();
    if (p.method === TOKEN_CREATE) {
      if (!p.code)
        return errorTree(40, 'Missing required arguments:code', 'isv.missing-parameter', '缺少参数 code');
      const until = codes.get(p.code);
      codes.delete(p.code); // single use, whatever the outcome
      if (until === undefined || until <= now)
        return errorTree(15, 'Remote service error', 'isv.code-invalid', '授权码无效、已使用或已过期');
      return tokenReply(TOKEN_CREATE);
    }
    if (!p.refresh_token)
      return errorTree(
        40,
        'Missing required arguments:refresh_token',
        'isv.missing-parameter',
        '缺少参数 refresh_token',
      );
    if (auth.refresh === 'refused')
      return errorTree(15, 'Remote service error', 'isv.refresh-not-allowed', '该应用类型不支持刷新授权');
    const t = verifyToken(credentials.appSecret, 'rt', p.refresh_token, now);
    if (!t || spent.has(p.refresh_token))
      return errorTree(15, 'Remote service error', 'isv.refresh-token-invalid', 'refresh_token 无效或已过期');
    spent.add(p.refresh_token);
    return tokenReply(TOKEN_REFRESH);
  }

  function overLimit(now: number): boolean {
    if (!opts.maxCallsPerSecond) return false;
    if (now < bannedUntil) return true;
    while (recent.length && (recent[0] as number) <= now - 1000) recent.shift();
    if (recent.length >= opts.maxCallsPerSecond) {
      bannedUntil = now + 1000;
      return true;
    }
    recent.push(now);
    return false;
  }

  function answer(p: Record<string, string>): Tree | Fault {
    const orderId = p.order_id;
    const authFailure = authenticate(p);
    if (authFailure) return authFailure;
    if (overLimit(clock().getTime())) {
      return errorTree(
        7,
        'App Call Limited',
        'accesscontrol.limited-by-app-access-count',
        'This ban will last for 1 more seconds',
      );
    }
    const injected = takeFault(orderId);
    if (injected) return injected;
    if (p.method !== METHOD) return tokenCall(p);
    if (!orderId)
      return errorTree(
        40,
        'Missing required arguments:order_id',
        'isv.missing-parameter',
        '缺少参数 order_id',
      );
    if (!isOrderIdText(orderId))
      return errorTree(41, 'Invalid arguments:order_id', 'isv.invalid-parameter', '非法参数');
    const scenario = (SCENARIO_ORDERS as Record<string, Scenario>)[orderId];
    if (scenario) return scenarioFault(scenario);
    const today = shanghaiDate(clock());
    const sample = findSample(orderId, today);
    const rid = requestId();
    if (!sample) {
      return {
        tmall_hk_clearance_distribution_get_response: {
          result: { success: false, err_code: 'Wrong order_id', err_msg: '订单号错误' },
          request_id: rid,
        },
      };
    }
    const withImages = p.need_image === 'true' && sample.images;
    const module: Tree = {
      ocr_name: sample.name,
      ocr_id: sample.idNumber,
      ocr_exp: expiryOf(sample, today),
      type: sample.type,
      order_id: orderId,
    };
    if (withImages) {
      module.credential1 = `${origin}/img/${orderId}/front.jpg`;
      module.credential2 = `${origin}/img/${orderId}/back.jpg`;
    }
    return {
      tmall_hk_clearance_distribution_get_response: { result: { module, success: true }, request_id: rid },
    };
  }

  function send(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    type: string,
    body: string | Buffer,
  ) {
    let payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const headers: Record<string, string> = { 'content-type': type };
    if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && payload.length > 256) {
      payload = gzipSync(payload);
      headers['content-encoding'] = 'gzip';
    }
    headers['content-length'] = String(payload.length);
    res.writeHead(status, headers).end(payload);
  }

  async function applyFault(f: Fault, req: IncomingMessage, res: ServerResponse, format: string) {
    switch (f.kind) {
      case 'throttle': {
        const r = render(
          errorTree(
            7,
            'App Call Limited',
            'accesscontrol.limited-by-app-access-count',
            `This ban will last for ${f.seconds} more seconds`,
          ),
          format,
        );
        return send(req, res, 200, r.type, r.body);
      }
      case 'isp': {
        const r = render(
          errorTree(15, 'Remote service error', 'isp.top-remote-connection-timeout', '远程服务调用超时'),
          format,
        );
        return send(req, res, 200, r.type, r.body);
      }
      case 'http':
        return send(req, res, f.status, 'text/plain', `HTTP ${f.status}`);
      case 'html':
        return send(
          req,
          res,
          200,
          'text/html',
          '<!DOCTYPE html><html><head><title>登录</title></head><body>请登录 Please sign in</body></html>',
        );
      case 'truncate': {
        // No length, then half a reply and a clean close: what a proxy cutting a reply short looks like.
        res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8', connection: 'close' });
        res.end('{"tmall_hk_clearance_distribution_get_response":{"result":{"module":{"ocr_name"');
        return;
      }
      case 'oversize': {
        res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let sent = 0;
        while (sent < f.bytes && !res.destroyed) {
          if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
          sent += chunk.length;
        }
        res.end();
        return;
      }
      case 'stall':
        await new Promise((r) => setTimeout(r, f.ms));
        if (!res.destroyed) send(req, res, 200, 'text/plain', '');
        return;
      case 'stall-gzip': {
        // Headers and the start of a gzip body, then nothing: a gateway that hangs mid-reply.
        const gz = gzipSync(Buffer.from(JSON.stringify({ pad: 'x'.repeat(4096) })));
        res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8', 'content-encoding': 'gzip' });
        res.write(gz.subarray(0, 20));
        await new Promise((r) => setTimeout(r, f.ms));
        res.destroy();
        return;
      }
      case 'reset':
        req.socket.destroy();
        return;
      case 'no-identity': {
        const r = render(
          {
            tmall_hk_clearance_distribution_get_response: {
              result: { success: false, err_code: 'CERTIFY_INFO_NOT_FOUND', err_msg: '清关信息不存在' },
              request_id: requestId(),
            },
          },
          format,
        );
        return send(req, res, 200, r.type, r.body);
      }
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const img = /^\/img\/(\d+)\/(front|back)\.jpg$/.exec(url.pathname);
    if (req.method === 'GET' && img) {
      const sample = findSample(img[1] as string);
      if (!sample?.images) return send(req, res, 404, 'text/plain', 'not found');
      return send(req, res, 200, 'image/jpeg', demoImages()[img[2] as 'front' | 'back']);
    }
    if (req.method === 'GET' && url.pathname === '/authorize') return standInAuthorize(url, res);
    if (url.pathname !== '/router/rest') return send(req, res, 404, 'text/plain', 'not found');
    if (req.method !== 'POST' && req.method !== 'GET')
      return send(req, res, 405, 'text/plain', 'method not allowed');
    const params: Record<string, string> = Object.fromEntries(url.searchParams);
    const body = await readBody(req);
    if (body) for (const [k, v] of new URLSearchParams(body)) params[k] = v;
    // Jitter is the way in (it moves the moment the gateway counts the call); the latency is the
    // answer's way back, after the count, as a gateway counts calls when they arrive.
    const jitter = Math.random() * (opts.latencyJitterMs ?? 0);
    if (jitter > 0) await new Promise((r) => setTimeout(r, jitter));
    const format = params.format === 'xml' ? 'xml' : 'json';
    const arrivedAt = Date.now();
    const reply = answer(params);
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
    const call: SimulatorCall = {
      at: arrivedAt,
      orderId: params.order_id,
      needImage: params.need_image === 'true',
      outcome: 'kind' in reply ? (reply.kind as string) : outcomeOf(reply),
    };
    calls.push(call);
    if ('kind' in reply) return applyFault(reply as Fault, req, res, format);
    const r = render(reply as Tree, format);
    return send(req, res, 200, r.type, r.body);
  }

  /**
   * The stand-in for the platform's authorisation page: no sign-in, the demo account agrees at once
   * and the browser goes on to the redirect URI with a fresh code and the caller's state.
   */
  function standInAuthorize(url: URL, res: ServerResponse) {
    const q = url.searchParams;
    const html = (status: number, text: string) =>
      res
        .writeHead(status, { 'content-type': 'text/html;charset=utf-8' })
        .end(
          `<!DOCTYPE html><meta charset="utf-8"><title>演示授权 Demo authorisation</title><p>${xmlEscape(text)}</p>`,
        );
    if (q.get('response_type') !== 'code') return html(400, 'response_type must be code');
    if (q.get('client_id') !== credentials.appKey) return html(400, 'unknown client_id (App Key)');
    let target: URL;
    try {
      target = new URL(q.get('redirect_uri') ?? '');
      if (target.protocol !== 'https:' && target.protocol !== 'http:') throw new Error('scheme');
    } catch {
      return html(400, 'redirect_uri must be an http(s) URL');
    }
    target.searchParams.set('code', issueCode());
    const state = q.get('state');
    if (state !== null) target.searchParams.set('state', state);
    res.writeHead(302, { location: target.toString(), 'cache-control': 'no-store' }).end();
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/router/rest`,
    origin,
    credentials,
    calls,
    inject: (rule) => rules.push({ ...rule }),
    setLatency: (ms) => {
      latencyMs = ms;
    },
    setAuth: (a) => {
      auth = {
        refresh: a.refresh ?? auth.refresh,
        codeTtlSeconds: a.codeTtlSeconds ?? auth.codeTtlSeconds,
        lifetimes: { ...auth.lifetimes, ...a.lifetimes },
      };
    },
    issueCode,
    issuedTokens,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function outcomeOf(reply: Tree): string {
  const err = reply.error_response as Tree | undefined;
  if (err) return String(err.code);
  const resp = reply.tmall_hk_clearance_distribution_get_response as Tree | undefined;
  if (!resp) return 'token';
  return (resp.result as Tree).success ? 'ok' : 'business';
}
