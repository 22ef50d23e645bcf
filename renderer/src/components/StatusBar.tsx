import { useEffect, useState } from 'react';
import type { ExportProgress, ProfileView } from '../../../electron/contract';
import { invoke } from '../api';
import { useI18n } from '../i18n';
import { useApp } from '../state';
import { TeamSyncIndicator } from './TeamPanel';

/** Account and its session health, online state, demo mode, and a running export. */
export function StatusBar({
  exportProgress,
  onHelp,
}: {
  exportProgress: ExportProgress | null;
  onHelp: () => void;
}) {
  const { t, pick } = useI18n();
  const app = useApp();
  const { status } = app;
  const profile = status.activeProfile;
  const [profiles, setProfiles] = useState<ProfileView[]>([]);
  // The list for the switcher follows every status change (an account added, removed, renamed).
  // biome-ignore lint/correctness/useExhaustiveDependencies: refetch when the status object changes
  useEffect(() => {
    let live = true;
    void invoke('settings.get', {}).then((r) => {
      if (live && r.ok) setProfiles(r.value.profiles);
    });
    return () => {
      live = false;
    };
  }, [status]);
  const switchTo = async (name: string) => {
    const r = await invoke('profile.use', { name });
    if (r.ok) app.setStatus(r.value);
    else app.notifyError(r.error);
  };
  const reauth =
    profile &&
    (profile.health === 'needs-reauth' || profile.health === 'expired' || profile.health === 'missing');

  return (
    <footer className="statusbar no-print">
      <div className={`status-item ${reauth ? 'status-alert' : ''}`}>
        <span className="status-key">{t.status.profile}:</span>
        {profile ? (
          <>
            {profiles.length > 1 ? (
              <select
                className="status-switch"
                aria-label={t.status.switchAccount}
                value={profile.name}
                onChange={(e) => void switchTo(e.target.value)}
              >
                {profiles.map((p) => (
                  <option key={p.name} value={p.name}>
                    {p.displayName}
                  </option>
                ))}
              </select>
            ) : (
              <strong>{profile.displayName}</strong>
            )}
            <span
              className={`health health-${profile.badge}`}
              data-health={profile.health}
              data-badge={profile.badge}
            >
              <span className="badge-dot" aria-hidden="true" />
              {t.badge[profile.badge]}
            </span>
            {profile.health === 'expiring' && profile.sessionDaysLeft !== null && (
              <span className="status-expiry" data-testid="session-days-left">
                {pick(
                  profile.sessionDaysLeft < 1
                    ? { 'zh-CN': '不到 1 天后过期', 'en-US': 'expires in less than a day' }
                    : {
                        'zh-CN': `${profile.sessionDaysLeft} 天后过期`,
                        'en-US': `expires in ${profile.sessionDaysLeft} days`,
                      },
                )}
              </span>
            )}
            {reauth && (
              <>
                <span className="status-reauth">{t.status.reauth}</span>
                <button type="button" className="link-button" onClick={() => app.go('settings')}>
                  {t.status.fixNow}
                </button>
              </>
            )}
          </>
        ) : (
          <span className="muted">{t.status.noProfile}</span>
        )}
      </div>
      {/* No account and no demo: nothing is connected, so nothing is shown green. */}
      {!profile && !status.demo ? (
        <div className="status-item" role="status">
          <span className="net-dot" aria-hidden="true" />
          {t.status.notConnected}
        </div>
      ) : (
        <div className={`status-item ${app.online ? '' : 'status-alert'}`} role="status">
          <span className={`net-dot ${app.online ? 'net-on' : 'net-off'}`} aria-hidden="true" />
          {app.online ? t.status.online : t.status.offline}
        </div>
      )}
      <TeamSyncIndicator />
      {status.demo && (
        <span className="badge badge-demo" title={t.demoLong}>
          {t.demo}
        </span>
      )}
      {exportProgress?.state === 'running' && (
        <div className="status-item status-export" role="status">
          <progress
            max={exportProgress.total || 1}
            value={exportProgress.done}
            aria-label={t.exportDialog.title}
          />
          {t.exportDialog.running(exportProgress.done, exportProgress.total)}
          <button
            type="button"
            className="link-button"
            onClick={() => void invoke('export.cancel', { exportId: exportProgress.exportId })}
          >
            {t.exportDialog.cancel}
          </button>
        </div>
      )}
      <span className="spacer" />
      <button type="button" className="link-button" onClick={onHelp}>
        {t.status.help}
      </button>
      <span className="muted small">v{status.version}</span>
    </footer>
  );
}
