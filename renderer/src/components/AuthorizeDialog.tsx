import { useEffect, useRef, useState } from 'react';
import type { AuthorizeStarted, ProfileView } from '../../../electron/contract';
import { type ClearanceError, invoke, subscribe } from '../api';
import { useI18n } from '../i18n';
import { useApp } from '../state';
import { Modal } from './Modal';

type B = { 'zh-CN': string; 'en-US': string };
const T = {
  title: { 'zh-CN': '授权账号', 'en-US': 'Authorise the account' },
  starting: { 'zh-CN': '正在准备授权页面…', 'en-US': 'Preparing the authorisation page…' },
  opened: {
    'zh-CN': '已在系统浏览器中打开授权页面。请登录并同意授权。',
    'en-US': 'The authorisation page is open in the system browser. Sign in and agree.',
  },
  openByHand: {
    'zh-CN': '请在浏览器中打开下面的网址，登录并同意授权：',
    'en-US': 'Open this URL in a browser, sign in and agree:',
  },
  waiting: {
    'zh-CN': '正在等待浏览器回调…授权完成后此处会自动更新。',
    'en-US': 'Waiting for the browser to come back… this updates by itself once you have agreed.',
  },
  paste: {
    'zh-CN': '或者：粘贴授权后浏览器地址栏中的网址（或授权码）',
    'en-US': 'Or: paste the URL the browser landed on after agreeing (or the code)',
  },
  complete: { 'zh-CN': '完成授权', 'en-US': 'Finish' },
  renew: { 'zh-CN': '用刷新令牌续期', 'en-US': 'Renew with the refresh token' },
  done: {
    'zh-CN': '授权成功，SessionKey 已存入钥匙串。',
    'en-US': 'Authorised: the session key is in the keychain.',
  },
  as: { 'zh-CN': '授权账号', 'en-US': 'Authorised as' },
  expires: { 'zh-CN': 'SessionKey 到期', 'en-US': 'Session expires' },
  refreshExpires: { 'zh-CN': '刷新令牌到期', 'en-US': 'Refresh token expires' },
  noRefresh: { 'zh-CN': '无（到期须重新授权）', 'en-US': 'none (re-authorise when it expires)' },
  retry: { 'zh-CN': '重新开始授权', 'en-US': 'Start again' },
  callback: {
    'zh-CN': '回调地址（须与开放平台登记的一致；留空用默认的本机回调）',
    'en-US': 'Callback URL (as registered on the open platform; empty: the default loopback one)',
  },
  useCallback: { 'zh-CN': '保存并用此回调地址授权', 'en-US': 'Save and authorise with this callback' },
} satisfies Record<string, B>;

const when = (iso: string | null | undefined) =>
  iso ? iso.replace('T', ' ').replace('+08:00', ' (UTC+8)') : '—';

/**
 * Authorise an account in the system browser, never in an app window: main opens the platform's
 * page; with a loopback callback it finishes on its own (event `profile.authorized`), otherwise the
 * user pastes the landed URL or the code here. No token ever reaches this page.
 */
export function AuthorizeDialog({ profile, onClose }: { profile: ProfileView; onClose: () => void }) {
  const { pick } = useI18n();
  const app = useApp();
  const [started, setStarted] = useState<AuthorizeStarted | null>(null);
  const [error, setError] = useState<ClearanceError | null>(null);
  const [done, setDone] = useState<ProfileView | null>(null);
  const [pasted, setPasted] = useState('');
  const [busy, setBusy] = useState(false);
  const [callback, setCallback] = useState(profile.redirectUri ?? '');
  const finished = useRef(false);

  const start = async () => {
    setError(null);
    setStarted(null);
    const r = await invoke('profile.authorizeStart', { name: profile.name });
    if (r.ok) setStarted(r.value);
    else setError(r.error);
  };

  const succeed = async (p: ProfileView) => {
    finished.current = true;
    setDone(p);
    setError(null);
    const s = await invoke('app.status', {});
    if (s.ok) app.setStatus(s.value);
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: start once per opened dialog
  useEffect(() => {
    void start();
    const off = subscribe('profile.authorized', (e) => {
      if (e.name !== profile.name) return;
      if (e.ok) void succeed(e.profile);
      else setError(e.error);
    });
    return () => {
      off();
      if (!finished.current) void invoke('profile.authorizeCancel', { name: profile.name });
    };
  }, [profile.name]);

  const complete = async () => {
    setBusy(true);
    const r = await invoke('profile.authorizeComplete', { name: profile.name, input: pasted.trim() });
    setBusy(false);
    if (r.ok) await succeed(r.value);
    else setError(r.error);
  };

  /** Keep the registered callback on the profile (the rest of it unchanged), then start again with it. */
  const saveCallback = async () => {
    setBusy(true);
    const r = await invoke('profile.save', {
      name: profile.name,
      displayName: profile.displayName,
      appKey: profile.appKey,
      gateway: profile.gateway,
      signMethod: profile.signMethod,
      targetAppKey: profile.targetAppKey,
      sessionExpiresAt: profile.sessionExpiresAt,
      qps: profile.qps,
      redirectUri: callback.trim() || null,
    });
    setBusy(false);
    if (r.ok) await start();
    else setError(r.error);
  };

  const renew = async () => {
    setBusy(true);
    const r = await invoke('profile.refresh', { name: profile.name });
    setBusy(false);
    if (r.ok) await succeed(r.value);
    else setError(r.error);
  };

  const a = done?.authorization;
  return (
    <Modal title={`${pick(T.title)} · ${profile.displayName}`} onClose={onClose} className="authorize-dialog">
      {done ? (
        <div role="status" data-testid="authorize-done">
          <p className="modal-text strong">{pick(T.done)}</p>
          <dl className="authorize-facts">
            {a?.userNick && (
              <div>
                <dt>{pick(T.as)}</dt>
                <dd>{a.userNick}</dd>
              </div>
            )}
            <div>
              <dt>{pick(T.expires)}</dt>
              <dd className="mono">{when(done.sessionExpiry ?? a?.expiresAt)}</dd>
            </div>
            <div>
              <dt>{pick(T.refreshExpires)}</dt>
              <dd className="mono">{done.hasRefreshToken ? when(a?.refreshExpiresAt) : pick(T.noRefresh)}</dd>
            </div>
          </dl>
        </div>
      ) : (
        <>
          {!started && !error && <p className="modal-text muted">{pick(T.starting)}</p>}
          {started && (
            <>
              <p className="modal-text">{started.opened ? pick(T.opened) : pick(T.openByHand)}</p>
              {!started.opened && <p className="mono selectable authorize-url">{started.url}</p>}
              {started.listening && (
                <p className="modal-text muted" aria-live="polite">
                  {pick(T.waiting)}
                </p>
              )}
            </>
          )}
          <form
            className="field-group"
            onSubmit={(e) => {
              e.preventDefault();
              void saveCallback();
            }}
          >
            <label className="field">
              <span>{pick(T.callback)}</span>
              <input
                type="url"
                autoComplete="off"
                spellCheck={false}
                value={callback}
                placeholder={started?.redirectUri ?? ''}
                onChange={(e) => setCallback(e.target.value)}
                aria-label={pick(T.callback)}
              />
            </label>
            {callback.trim() !== (profile.redirectUri ?? '') && (
              <div className="modal-actions">
                <button type="submit" className="button" disabled={busy}>
                  {pick(T.useCallback)}
                </button>
              </div>
            )}
          </form>
          <form
            className="field-group"
            onSubmit={(e) => {
              e.preventDefault();
              if (pasted.trim()) void complete();
            }}
          >
            <label className="field">
              <span>{pick(T.paste)}</span>
              <input
                type="text"
                autoComplete="off"
                spellCheck={false}
                value={pasted}
                onChange={(e) => setPasted(e.target.value)}
                aria-label={pick(T.paste)}
              />
            </label>
            <div className="modal-actions">
              {profile.hasRefreshToken && (
                <button type="button" className="button" onClick={() => void renew()} disabled={busy}>
                  {pick(T.renew)}
                </button>
              )}
              {error && (
                <button type="button" className="button" onClick={() => void start()} disabled={busy}>
                  {pick(T.retry)}
                </button>
              )}
              <button type="submit" className="button button-primary" disabled={busy || !pasted.trim()}>
                {pick(T.complete)}
              </button>
            </div>
          </form>
          {error && (
            <p className="bad" role="alert">
              {pick(error.message)}
            </p>
          )}
        </>
      )}
    </Modal>
  );
}
