import { useCallback, useEffect, useState } from 'react';
import type { ProfileView } from '../../../../electron/contract';
import { type ClearanceError, invoke } from '../../api';
import { useI18n } from '../../i18n';
import { useApp } from '../../state';
import { ProfileForm } from './ProfileForm';
import { ProfileItem } from './ProfileItem';

/** The accounts (gateway profiles): list, add, edit, test, make default, remove. */
export function AccountsPanel() {
  const { t } = useI18n();
  const app = useApp();
  const [profiles, setProfiles] = useState<ProfileView[] | null>(null);
  const [error, setError] = useState<ClearanceError | null>(null);
  const [editing, setEditing] = useState<ProfileView | 'new' | null>(null);

  const reload = useCallback(async () => {
    const [s, st] = await Promise.all([invoke('settings.get', {}), invoke('app.status', {})]);
    if (s.ok) {
      setProfiles(s.value.profiles);
      setError(null);
    } else setError(s.error);
    if (st.ok) app.setStatus(st.value);
  }, [app.setStatus]);

  useEffect(() => {
    void reload();
  }, [reload]);

  useEffect(() => {
    if (app.addProfileRequested > 0) setEditing('new');
  }, [app.addProfileRequested]);

  return (
    <section className="panel" aria-labelledby="profiles-title">
      <div className="panel-head">
        <h2 id="profiles-title" className="panel-title">
          {t.settings.profiles}
        </h2>
        <button type="button" className="button button-primary" onClick={() => setEditing('new')}>
          {t.settings.addProfile}
        </button>
      </div>
      {error && (
        <div className="banner banner-error" role="alert">
          <strong>{t.errors.kinds[error.kind]}</strong> {error.message[app.status.preferences.language]}
        </div>
      )}
      {editing && (
        <ProfileForm
          key={editing === 'new' ? 'new' : editing.name}
          profile={editing === 'new' ? null : editing}
          onDone={async () => {
            setEditing(null);
            await reload();
          }}
          onCancel={() => setEditing(null)}
        />
      )}
      {profiles === null ? (
        <p className="muted">{t.common.loading}</p>
      ) : profiles.length === 0 ? (
        <p className="muted">{t.settings.noProfiles}</p>
      ) : (
        <ul className="profile-list">
          {profiles.map((p) => (
            <ProfileItem key={p.name} profile={p} onEdit={() => setEditing(p)} onChanged={reload} />
          ))}
        </ul>
      )}
    </section>
  );
}
