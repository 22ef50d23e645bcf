import { useState } from 'react';
import type { ConnectionReport, ProfileView } from '../../../../electron/contract';
import { type ClearanceError, invoke } from '../../api';
import { AuthorizeDialog } from '../../components/AuthorizeDialog';
import { useAction } from '../../hooks/useAction';
import { useI18n } from '../../i18n';
import { useApp } from '../../state';
import { Check } from './fields';

/** One account in the list, with its actions and the last connection test's report. */
export function ProfileItem({
  profile: p,
  onEdit,
  onChanged,
}: {
  profile: ProfileView;
  onEdit: () => void;
  onChanged: () => Promise<void>;
}) {
  const { t, pick } = useI18n();
  const app = useApp();
  const testing = useAction();
  const [tested, setTested] = useState<ConnectionReport | null>(null);
  const [authorizing, setAuthorizing] = useState(false);
  const report: ConnectionReport | ClearanceError | null = testing.error ?? tested;

  const test = async () => {
    setTested(null);
    const r = await testing.run(() => invoke('profile.test', { name: p.name }));
    if (r) setTested(r);
    // The badge shows what the test found.
    await onChanged();
  };

  const use = async () => {
    const r = await invoke('profile.use', { name: p.name });
    if (!r.ok) app.notifyError(r.error);
    else app.setStatus(r.value);
    await onChanged();
  };

  const remove = async () => {
    const yes = await app.confirm({
      title: t.settings.removeTitle(p.displayName),
      body: t.settings.removeBody,
      confirmLabel: t.settings.remove,
      danger: true,
    });
    if (!yes) return;
    const r = await invoke('profile.remove', { name: p.name });
    if (!r.ok) app.notifyError(r.error);
    await onChanged();
  };

  const gatewayName =
    p.gateway === 'production'
      ? t.settings.gatewayProduction
      : p.gateway === 'overseas'
        ? t.settings.gatewayOverseas
        : p.gateway === 'demo'
          ? t.settings.gatewayDemo
          : p.gateway;

  return (
    <li className="profile-item" aria-label={p.displayName}>
      <div className="profile-main">
        <div className="profile-title">
          <strong>{p.displayName}</strong>
          <span className="muted mono">{p.name}</span>
          {p.isDefault && <span className="tag tag-default">{t.settings.isDefault}</span>}
          <span className={`tag health-${p.badge}`} data-badge={p.badge}>
            {t.badge[p.badge]}
          </span>
        </div>
        <div className="profile-meta">
          <span>
            {t.settings.appKey}: <span className="mono">{p.appKey}</span>
          </span>
          <span>
            {t.settings.gateway}: {gatewayName}
          </span>
          <span>
            {t.settings.appSecret}: {p.hasSecret ? t.settings.secretSet : t.settings.secretUnset}
          </span>
          <span>
            {t.settings.session}: {p.hasSession ? t.settings.secretSet : t.settings.secretUnset}
          </span>
        </div>
      </div>
      <div className="profile-actions">
        <button type="button" className="button" onClick={onEdit}>
          {t.settings.edit}
        </button>
        <button type="button" className="button" onClick={test} disabled={testing.busy}>
          {testing.busy ? t.settings.testing : t.settings.test}
        </button>
        <button type="button" className="button" onClick={() => setAuthorizing(true)}>
          {pick({ 'zh-CN': '授权', 'en-US': 'Authorise' })}
        </button>
        {authorizing && (
          <AuthorizeDialog
            profile={p}
            onClose={() => {
              setAuthorizing(false);
              void onChanged();
            }}
          />
        )}
        {!p.isDefault && (
          <button type="button" className="button" onClick={use}>
            {t.settings.makeDefault}
          </button>
        )}
        <button type="button" className="button button-danger-quiet" onClick={remove}>
          {t.settings.remove}
        </button>
      </div>
      {report && (
        <div className="test-report" role="status">
          {'kind' in report ? (
            <p className="bad">
              <strong>{t.errors.kinds[report.kind]}</strong> — {pick(report.message)}
            </p>
          ) : (
            <>
              <ul className="checks">
                <Check ok={report.reachable} label={t.settings.reachable} />
                {/* The demo gateway signs with its own keys: a tick here would vouch for nothing typed. */}
                {p.gateway !== 'demo' && (
                  <>
                    <Check ok={report.signatureAccepted} label={t.settings.signatureAccepted} />
                    <Check ok={report.sessionValid} label={t.settings.sessionValid} />
                  </>
                )}
                {report.clockSkewSeconds !== null && (
                  <Check
                    ok={Math.abs(report.clockSkewSeconds) < 300}
                    label={t.settings.clockSkew(report.clockSkewSeconds)}
                  />
                )}
              </ul>
              {report.messages.map((m) => (
                <p key={m['en-US']} className="muted">
                  {pick(m)}
                </p>
              ))}
            </>
          )}
        </div>
      )}
    </li>
  );
}
