import { chmodSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClearanceFailure } from '../../electron/core/errors';
import { beijingIso, parseTokenResult, tokenExpiries } from '../../electron/core/gateway/auth';
import {
  authorizeEndpoint,
  authorizeUrl,
  isAuthorizeUrl,
  listenForCode,
  readPastedCode,
} from '../../electron/core/gateway/oauth';
import {
  FileSecretStore,
  MemorySecretStore,
  readSecretFile,
  writeSecretFile,
} from '../../electron/core/secrets';
import { healthOf, sessionDaysLeft } from '../../electron/core/settings/store';
import { tempDir } from '../support/cli';

describe('token_result', () => {
  it('reads the platform fields from the JSON string, digits intact', () => {
    const r = parseTokenResult(
      '{"access_token":"AT","token_type":"Bearer","expires_in":7776000,"refresh_token":"RT","re_expires_in":"0",' +
        '"r1_expires_in":1800,"r2_expires_in":86400,"w1_expires_in":1800,"w2_expires_in":300,' +
        '"taobao_user_nick":"%E5%BA%97","taobao_user_id":90071992547409931}',
    );
    expect(r.ok && r.value).toMatchObject({
      accessToken: 'AT',
      refreshToken: 'RT',
      expiresIn: 7_776_000,
      reExpiresIn: null,
      r2ExpiresIn: 86_400,
      userId: '90071992547409931',
      userNick: '店',
    });
  });

  it('a reply without an access token, or not JSON, is malformed (nothing to keep)', () => {
    for (const raw of ['{"refresh_token":"RT"}', '{not json', '[]', 42, undefined]) {
      const r = parseTokenResult(raw);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.reason).toBe('auth-reply-invalid');
    }
  });

  it('expiries are absolute Beijing times whatever the host zone', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    expect(beijingIso(at)).toBe('2026-01-01T08:00:00+08:00');
    const r = parseTokenResult('{"access_token":"A","expires_in":3600,"w2_expires_in":1800}');
    if (!r.ok) throw new Error('parse');
    expect(tokenExpiries(r.value, at)).toEqual({
      obtainedAt: '2026-01-01T08:00:00+08:00',
      expiresAt: '2026-01-01T09:00:00+08:00',
      w2ExpiresAt: '2026-01-01T08:30:00+08:00',
    });
  });
});

describe('authorize URL and pasted codes', () => {
  it('builds the documented URL for production, the sandbox and a loopback demo gateway', () => {
    expect(authorizeEndpoint('https://gw.api.taobao.com/router/rest')).toBe(
      'https://oauth.taobao.com/authorize',
    );
    expect(authorizeEndpoint('https://gw.api.tbsandbox.com/router/rest')).toBe(
      'https://oauth.tbsandbox.com/authorize',
    );
    expect(authorizeEndpoint('http://127.0.0.1:4000/router/rest')).toBe('http://127.0.0.1:4000/authorize');
    const u = new URL(
      authorizeUrl({
        endpoint: 'https://oauth.taobao.com/authorize',
        appKey: '123',
        redirectUri: 'https://a.example/cb',
        state: 's1',
      }),
    );
    expect(Object.fromEntries(u.searchParams)).toEqual({
      response_type: 'code',
      client_id: '123',
      redirect_uri: 'https://a.example/cb',
      state: 's1',
      view: 'web',
    });
    expect(isAuthorizeUrl(u.toString())).toBe(true);
    for (const bad of [
      'https://evil.example/authorize',
      'http://oauth.taobao.com/authorize',
      'file:///etc/passwd',
      'http://10.0.0.1/authorize',
    ])
      expect(isAuthorizeUrl(bad)).toBe(false);
  });

  it('takes the landed URL (state checked) or the bare code; refuses anything else without echoing it', () => {
    expect(readPastedCode('  Ab-9_z \n', 'S')).toEqual({ ok: true, value: 'Ab-9_z' });
    expect(readPastedCode('https://a.example/cb?code=XYZ&state=S', 'S')).toEqual({ ok: true, value: 'XYZ' });
    const wrong = readPastedCode('https://a.example/cb?code=XYZ&state=T', 'S');
    expect(!wrong.ok && wrong.error.reason).toBe('auth-state-mismatch');
    const denied = readPastedCode('https://a.example/cb?error=access_denied&state=S', 'S');
    expect(!denied.ok && denied.error.reason).toBe('auth-denied');
    const junk = readPastedCode('my secret 张三 <script>', 'S');
    expect(!junk.ok && junk.error.reason).toBe('auth-code-unreadable');
    if (!junk.ok) expect(JSON.stringify(junk.error)).not.toContain('张三');
  });

  it('the loopback listener refuses a wrong state, keeps waiting, and ends on the right one', async () => {
    const l = await listenForCode({ redirectUri: 'http://127.0.0.1:0/cb', state: 'good', timeoutMs: 10_000 });
    if (!l.ok) throw new Error('listen');
    const base = l.value.redirectUri;
    expect((await fetch(`${base}?code=c1&state=bad`)).status).toBe(400);
    expect((await fetch(`${base.replace('/cb', '/other')}?code=c1&state=good`)).status).toBe(404);
    const ok = await fetch(`${base}?code=c2&state=good`);
    expect(ok.status).toBe(200);
    expect(await l.value.code).toEqual({ ok: true, value: 'c2' });
  });

  it('the listener gives up with a clear timeout', async () => {
    const l = await listenForCode({ redirectUri: 'http://127.0.0.1:0/cb', state: 's', timeoutMs: 50 });
    if (!l.ok) throw new Error('listen');
    const r = await l.value.code;
    expect(!r.ok && r.error.reason).toBe('auth-timeout');
  });
});

describe('session health from a token', () => {
  const now = new Date('2026-03-01T00:00:00Z');
  const p = (expiresAt: string, r2?: string) => ({
    needsReauth: false,
    authorization: {
      obtainedAt: '2026-01-01T00:00:00+08:00',
      expiresAt,
      via: 'authorize' as const,
      ...(r2 ? { r2ExpiresAt: r2 } : {}),
    },
  });
  it('warns within the preference, counts the sensitive-read level, and reports days left', () => {
    expect(healthOf(p('2026-03-20T00:00:00+08:00'), true, '2026-03-01', { now, warnDays: 7 })).toBe('ok');
    expect(healthOf(p('2026-03-20T00:00:00+08:00'), true, '2026-03-01', { now, warnDays: 30 })).toBe(
      'expiring',
    );
    expect(
      healthOf(p('2026-03-20T00:00:00+08:00', '2026-03-01T07:00:00+08:00'), true, '2026-03-01', { now }),
    ).toBe('expired');
    expect(sessionDaysLeft(p('2026-03-04T12:00:00+08:00'), now)).toBe(3);
    expect(healthOf(p('2026-03-20T00:00:00+08:00'), false, '2026-03-01', { now })).toBe('missing');
  });
});

describe('secret files', () => {
  it('reads a private file, refuses a shared one naming the variable, writes 0600 exclusively', async () => {
    const dir = tempDir('cd-sf-');
    const f = join(dir, 's');
    writeSecretFile(f, 'value-1', 'X_FILE', { exclusive: true });
    expect(readSecretFile(f, 'X_FILE')).toBe('value-1');
    expect(() => writeSecretFile(f, 'value-2', 'X_FILE', { exclusive: true })).toThrow(ClearanceFailure);
    expect(readSecretFile(f, 'X_FILE')).toBe('value-1');
    chmodSync(f, 0o604);
    try {
      readSecretFile(f, 'X_FILE');
      throw new Error('read a shared file');
    } catch (err) {
      expect(err).toBeInstanceOf(ClearanceFailure);
      const e = (err as ClearanceFailure).error;
      expect(e.reason).toBe('secret-file-unsafe');
      expect(e.message['en-US']).toContain('X_FILE');
      expect(JSON.stringify(e)).not.toContain('value-1');
    }
    const missing = join(dir, 'none');
    expect(readSecretFile(missing, 'X_FILE', { missingOk: true })).toBeNull();
    expect(() => readSecretFile(missing, 'X_FILE')).toThrow(/X_FILE/);
    const link = join(dir, 'link');
    chmodSync(f, 0o600);
    symlinkSync(f, link);
    expect(readSecretFile(link, 'X_FILE')).toBe('value-1');
    writeFileSync(join(dir, 'two'), 'a\nb\n', { mode: 0o600 });
    expect(() => readSecretFile(join(dir, 'two'), 'X_FILE')).toThrow(ClearanceFailure);
  });

  it('routes what the files name and leaves the rest to the keychain', async () => {
    const dir = tempDir('cd-sf-');
    const inner = new MemorySecretStore();
    writeSecretFile(join(dir, 'app'), 'the-app-secret', 'A', { exclusive: true });
    const s = new FileSecretStore(inner, { appSecret: join(dir, 'app'), session: join(dir, 'session') });
    expect(await s.get('profile/shop/app-secret')).toBe('the-app-secret');
    expect(await s.get('profile/shop/session')).toBeNull();
    await s.set('profile/shop/session', 'new-session');
    expect(await s.get('profile/shop/session')).toBe('new-session');
    expect(await inner.get('profile/shop/session')).toBeNull();
    await expect(s.set('profile/shop/app-secret', 'x')).rejects.toThrow(ClearanceFailure);
    await s.set('vault-key', 'k');
    expect(await inner.get('vault-key')).toBe('k');
  });
});

describe('the demo gateway token calls', () => {
  it('a code works once and only within its lifetime; the session it gives is accepted', async () => {
    const { startSimulator } = await import('../../electron/core/demo/simulator');
    const { createToken } = await import('../../electron/core/gateway/auth');
    let now = Date.now();
    const clock = () => new Date(now);
    const sim = await startSimulator({ clock, auth: { codeTtlSeconds: 60 } });
    try {
      const opts = { gateway: sim.url, credentials: sim.credentials, clock };
      const code = sim.issueCode();
      const first = await createToken(opts, code);
      expect(first.ok).toBe(true);
      const used = await createToken(opts, code);
      expect(!used.ok && used.error.reason).toBe('auth-code-invalid');
      const late = sim.issueCode();
      now += 61_000;
      const expired = await createToken(opts, late);
      expect(!expired.ok && expired.error.reason).toBe('auth-code-invalid');
      const wrongSecret = await createToken(
        { ...opts, credentials: { ...sim.credentials, appSecret: 'x' } },
        sim.issueCode(),
      );
      expect(!wrongSecret.ok && wrongSecret.error.reason).toBe('signature-invalid');
    } finally {
      await sim.close();
    }
  });
});
