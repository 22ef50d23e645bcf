/**
 * The browser half of the authorisation code flow: the authorize URL, the one-shot loopback
 * listener that takes the code, and reading a pasted landed URL or bare code. The token half (the
 * gateway calls) is in ./auth.ts.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ClearanceError, clearanceError, fail, ok, type Result } from '../errors';
import { isLoopbackHost } from './images';

export const OAUTH_AUTHORIZE = {
  production: 'https://oauth.taobao.com/authorize',
  sandbox: 'https://oauth.tbsandbox.com/authorize',
} as const;

/**
 * Where a gateway's accounts authorise: the sandbox's page for the sandbox gateway, the gateway's
 * own `/authorize` for a loopback gateway (the demo gateway's stand-in page), else the platform's.
 */
export function authorizeEndpoint(gatewayUrl: string): string {
  const u = new URL(gatewayUrl);
  if (u.protocol === 'http:' && isLoopbackHost(u.hostname)) return `${u.origin}/authorize`;
  if (/(^|\.)tbsandbox\.com$/i.test(u.hostname)) return OAUTH_AUTHORIZE.sandbox;
  return OAUTH_AUTHORIZE.production;
}

/** The only URLs the app hands to the system browser: the platform's pages, or a loopback demo gateway's. */
export function isAuthorizeUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.username || u.password) return false;
  if (u.protocol === 'https:')
    return (
      (u.hostname === 'oauth.taobao.com' || u.hostname === 'oauth.tbsandbox.com') &&
      u.pathname === '/authorize'
    );
  return u.protocol === 'http:' && u.hostname === '127.0.0.1' && u.pathname === '/authorize';
}

export const newState = () => randomBytes(16).toString('hex');

export function authorizeUrl(o: {
  endpoint: string;
  appKey: string;
  redirectUri: string;
  state: string;
}): string {
  const u = new URL(o.endpoint);
  u.searchParams.set('response_type', 'code');
  u.searchParams.set('client_id', o.appKey);
  u.searchParams.set('redirect_uri', o.redirectUri);
  u.searchParams.set('state', o.state);
  u.searchParams.set('view', 'web');
  return u.toString();
}

const CODE = /^[A-Za-z0-9_-]{1,256}$/;

/** A redirect URI the app itself can listen on: http to 127.0.0.1 / localhost with a port (0: any free one). */
export function loopbackOf(redirectUri: string): { port: number; path: string } | null {
  try {
    const u = new URL(redirectUri);
    if (u.protocol !== 'http:' || !(u.hostname === '127.0.0.1' || u.hostname === 'localhost')) return null;
    return { port: u.port ? Number(u.port) : 80, path: u.pathname || '/' };
  } catch {
    return null;
  }
}

const sameState = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** The code in a callback's query: refused when the state is not ours, `auth-denied` when the page said no. */
export function codeFromQuery(q: URLSearchParams, state: string | null): Result<string, ClearanceError> {
  const got = q.get('state');
  if (state !== null && (got === null || !sameState(got, state)))
    return fail(clearanceError('auth-state-mismatch'));
  const error = q.get('error');
  if (error)
    return fail(clearanceError('auth-denied', { detail: error.replace(/[^\w.-]/g, '').slice(0, 40) }));
  const code = q.get('code');
  if (!code || !CODE.test(code)) return fail(clearanceError('auth-code-unreadable'));
  return ok(code);
}

/**
 * What the user pasted: the URL the browser landed on (its `state` must be this authorisation's,
 * when one is known), or the bare code. Nothing of the input is echoed in a refusal.
 */
export function readPastedCode(input: string, state: string | null): Result<string, ClearanceError> {
  const t = input.trim();
  if (CODE.test(t)) return ok(t);
  if (/^https?:\/\//i.test(t)) {
    try {
      const u = new URL(t);
      // A landed URL that carries no state (typed by hand) is taken at its word only for the code.
      const hasState = u.searchParams.has('state');
      return codeFromQuery(u.searchParams, hasState ? state : null);
    } catch {
      return fail(clearanceError('auth-code-unreadable'));
    }
  }
  const bare = /(?:^|[?&])code=([A-Za-z0-9_-]{1,256})(?:&|$)/.exec(t);
  if (bare) return ok(bare[1] as string);
  return fail(clearanceError('auth-code-unreadable'));
}

const page = (title: string, zh: string, en: string) =>
  `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>${title}</title>` +
  '<meta name="viewport" content="width=device-width"></head>' +
  `<body style="font-family:sans-serif;margin:3em"><h1>${title}</h1><p>${zh}</p><p>${en}</p></body></html>`;

export const DONE_PAGE = page(
  '清关助手 Clearance Desk',
  '授权已收到，可以关闭此页，回到清关助手。',
  'Authorisation received: you can close this tab and go back to Clearance Desk.',
);
const WRONG_STATE_PAGE = page(
  '清关助手 Clearance Desk',
  '此授权回调不属于当前的授权请求，已拒绝。请从清关助手重新打开授权页面。',
  'This callback does not belong to the authorisation in progress and was refused. Open the authorisation page again from Clearance Desk.',
);

export interface CodeListener {
  /** The redirect URI to put in the authorize URL (the real port when 0 was asked for). */
  redirectUri: string;
  /** The code, once a callback with our state arrives; a failure on timeout, denial or close. */
  code: Promise<Result<string, ClearanceError>>;
  close(): Promise<void>;
}

/**
 * A one-shot listener on 127.0.0.1 for the callback. A request with the wrong state is answered
 * with a refusal page and the listener keeps waiting; the first good one gets the "you can close
 * this tab" page and ends it. Nothing else is served.
 */
export async function listenForCode(o: {
  redirectUri: string;
  state: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}): Promise<Result<CodeListener, ClearanceError>> {
  const loop = loopbackOf(o.redirectUri);
  if (!loop) return fail(clearanceError('auth-redirect-invalid', { detail: 'not a loopback URL' }));
  let settle!: (r: Result<string, ClearanceError>) => void;
  const code = new Promise<Result<string, ClearanceError>>((resolve) => {
    settle = resolve;
  });
  let done = false;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const headers = {
      'content-type': 'text/html;charset=utf-8',
      'cache-control': 'no-store',
      connection: 'close',
    };
    if (req.method !== 'GET' || url.pathname !== loop.path || done) {
      res.writeHead(404, headers).end(page('404', '未找到。', 'Not found.'));
      return;
    }
    const r = codeFromQuery(url.searchParams, o.state);
    if (!r.ok && r.error.reason === 'auth-state-mismatch') {
      res.writeHead(400, headers).end(WRONG_STATE_PAGE);
      return; // keep waiting for the real callback
    }
    res
      .writeHead(r.ok ? 200 : 400, headers)
      .end(
        r.ok
          ? DONE_PAGE
          : page('清关助手 Clearance Desk', r.error.message['zh-CN'], r.error.message['en-US']),
      );
    finish(r);
  });
  const finish = (r: Result<string, ClearanceError>) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
    settle(r);
    server.close();
  };
  const onAbort = () => finish(fail(clearanceError('cancelled')));
  const timer = setTimeout(() => finish(fail(clearanceError('auth-timeout'))), o.timeoutMs ?? 5 * 60_000);
  timer.unref?.();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(loop.port, '127.0.0.1', () => resolve());
    });
  } catch (err) {
    clearTimeout(timer);
    const why = (err as { code?: string }).code ?? 'listen failed';
    return fail(clearanceError('auth-redirect-invalid', { detail: `127.0.0.1:${loop.port} ${why}` }));
  }
  if (o.signal?.aborted) onAbort();
  else o.signal?.addEventListener('abort', onAbort, { once: true });
  const { port } = server.address() as AddressInfo;
  const u = new URL(o.redirectUri);
  u.port = String(port);
  return ok({
    redirectUri: u.toString(),
    code,
    close: async () => {
      finish(fail(clearanceError('cancelled')));
      server.closeAllConnections?.();
    },
  });
}
