import { type FormEvent, useCallback, useEffect, useId, useState } from 'react';
import type {
  AuditRow,
  ConnectionReport,
  Preferences,
  ProfileView,
  RequestOf,
} from '../../../electron/contract';
import { type ClearanceError, invoke, type Lang } from '../api';
import { useI18n } from '../i18n';
import { useApp } from '../state';

type SignMethod = ProfileView['signMethod'];
const PRESET_GATEWAYS = ['production', 'overseas', 'demo'] as const;

interface ProfileDraft {
  name: string;
  displayName: string;
  appKey: string;
  gatewayChoice: 'production' | 'overseas' | 'demo' | 'custom';
  gatewayUrl: string;
  signMethod: SignMethod;
  targetAppKey: string;
  sessionExpiresAt: string;
  qps: string;
}

const emptyDraft: ProfileDraft = {
  name: '',
  displayName: '',
  appKey: '',
  gatewayChoice: 'production',
  gatewayUrl: '',
  signMethod: 'md5',
  targetAppKey: '',
  sessionExpiresAt: '',
  qps: '2',
};

function draftOf(p: ProfileView): ProfileDraft {
  const preset = (PRESET_GATEWAYS as readonly string[]).includes(p.gateway);
  return {
    name: p.name,
    displayName: p.displayName,
    appKey: p.appKey,
    gatewayChoice: preset ? (p.gateway as ProfileDraft['gatewayChoice']) : 'custom',
    gatewayUrl: preset ? '' : p.gateway,
    signMethod: p.signMethod,
    targetAppKey: p.targetAppKey ?? '',
    sessionExpiresAt: p.sessionExpiresAt?.slice(0, 10) ?? '',
    qps: String(p.qps),
  };
}

export function SettingsView() {
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
    <div className="settings-view">
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

      <PreferencesPanel />
      <AuditPanel />
    </div>
  );
}

function ProfileItem({
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
  const [testing, setTesting] = useState(false);
  const [report, setReport] = useState<ConnectionReport | ClearanceError | null>(null);

  const test = async () => {
    setTesting(true);
    setReport(null);
    const r = await invoke('profile.test', { name: p.name });
    setTesting(false);
    setReport(r.ok ? r.value : r.error);
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
          <span className={`tag health-${p.health}`}>{t.health[p.health]}</span>
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
        <button type="button" className="button" onClick={test} disabled={testing}>
          {testing ? t.settings.testing : t.settings.test}
        </button>
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
                <Check ok={report.signatureAccepted} label={t.settings.signatureAccepted} />
                <Check ok={report.sessionValid} label={t.settings.sessionValid} />
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

function Check({ ok, label }: { ok: boolean; label: string }) {
  const { t } = useI18n();
  return (
    <li className={ok ? 'ok' : 'bad'}>
      <span aria-hidden="true">{ok ? '✓' : '✗'} </span>
      {label}
      <span className="visually-hidden">: {ok ? t.common.yes : t.common.no}</span>
    </li>
  );
}

function ProfileForm({
  profile,
  onDone,
  onCancel,
}: {
  profile: ProfileView | null;
  onDone: () => Promise<void>;
  onCancel: () => void;
}) {
  const { t, pick } = useI18n();
  const app = useApp();
  const [d, setD] = useState<ProfileDraft>(profile ? draftOf(profile) : emptyDraft);
  // Secrets are write-only: never prefilled, cleared after saving.
  const [appSecret, setAppSecret] = useState('');
  const [session, setSession] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ClearanceError | null>(null);
  const titleId = useId();
  const set = <K extends keyof ProfileDraft>(k: K, v: ProfileDraft[K]) => setD((cur) => ({ ...cur, [k]: v }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const saved = await invoke('profile.save', {
      name: d.name.trim(),
      displayName: d.displayName.trim(),
      appKey: d.appKey.trim(),
      gateway: d.gatewayChoice === 'custom' ? d.gatewayUrl.trim() : d.gatewayChoice,
      signMethod: d.signMethod,
      targetAppKey: d.targetAppKey.trim() || null,
      sessionExpiresAt: d.sessionExpiresAt || null,
      qps: Math.max(1, Math.round(Number(d.qps)) || 1),
    });
    if (!saved.ok) {
      setBusy(false);
      setError(saved.error);
      return;
    }
    if (appSecret || session) {
      const r = await invoke('profile.setSecrets', {
        name: saved.value.name,
        ...(appSecret ? { appSecret } : {}),
        ...(session ? { session } : {}),
      });
      setAppSecret('');
      setSession('');
      if (!r.ok) {
        setBusy(false);
        setError(r.error);
        return;
      }
      app.notify('success', t.settings.secretsSaved);
    } else app.notify('success', t.common.saved);
    setBusy(false);
    await onDone();
  };

  return (
    <form className="profile-form" onSubmit={submit} aria-labelledby={titleId}>
      <h3 id={titleId} className="sub-title">
        {profile ? t.settings.editProfile : t.settings.addProfile}
      </h3>
      <div className="form-grid">
        <label className="field">
          <span>{t.settings.name}</span>
          <input
            value={d.name}
            onChange={(e) => set('name', e.target.value)}
            required
            disabled={profile !== null}
            maxLength={40}
            pattern="[A-Za-z0-9][A-Za-z0-9_.\-]*"
            title={t.settings.nameRule}
            autoComplete="off"
          />
        </label>
        <label className="field">
          <span>{t.settings.displayName}</span>
          <input value={d.displayName} onChange={(e) => set('displayName', e.target.value)} maxLength={80} />
        </label>
        <label className="field">
          <span>{t.settings.appKey}</span>
          <input
            value={d.appKey}
            onChange={(e) => set('appKey', e.target.value)}
            required
            maxLength={64}
            className="mono"
            autoComplete="off"
          />
        </label>
        <label className="field">
          <span>{t.settings.gateway}</span>
          <select
            value={d.gatewayChoice}
            onChange={(e) => set('gatewayChoice', e.target.value as ProfileDraft['gatewayChoice'])}
          >
            <option value="production">{t.settings.gatewayProduction}</option>
            <option value="overseas">{t.settings.gatewayOverseas}</option>
            <option value="demo">{t.settings.gatewayDemo}</option>
            <option value="custom">{t.settings.gatewayCustom}</option>
          </select>
        </label>
        {d.gatewayChoice === 'custom' && (
          <label className="field field-wide">
            <span>{t.settings.gatewayUrl}</span>
            <input
              type="url"
              value={d.gatewayUrl}
              onChange={(e) => set('gatewayUrl', e.target.value)}
              required
              className="mono"
            />
          </label>
        )}
        <label className="field">
          <span>{t.settings.signMethod}</span>
          <select value={d.signMethod} onChange={(e) => set('signMethod', e.target.value as SignMethod)}>
            <option value="md5">MD5</option>
            <option value="hmac">HMAC (MD5)</option>
            <option value="hmac-sha256">HMAC-SHA256</option>
          </select>
        </label>
        <label className="field">
          <span>{t.settings.targetAppKey}</span>
          <input
            value={d.targetAppKey}
            onChange={(e) => set('targetAppKey', e.target.value)}
            maxLength={64}
            className="mono"
          />
        </label>
        <label className="field">
          <span>{t.settings.sessionExpiresAt}</span>
          <input
            type="date"
            value={d.sessionExpiresAt}
            onChange={(e) => set('sessionExpiresAt', e.target.value)}
          />
        </label>
        <label className="field">
          <span>{t.settings.qps}</span>
          <input
            type="number"
            min={1}
            max={1000}
            step={1}
            value={d.qps}
            onChange={(e) => set('qps', e.target.value)}
          />
        </label>
      </div>
      <fieldset className="field-group secrets">
        <legend>{t.settings.secrets}</legend>
        <div className="form-grid">
          <label className="field">
            <span>
              {t.settings.appSecret}
              {profile && (
                <em className="muted">
                  {' '}
                  ({profile.hasSecret ? t.settings.secretSet : t.settings.secretUnset})
                </em>
              )}
            </span>
            <input
              type="password"
              value={appSecret}
              onChange={(e) => setAppSecret(e.target.value)}
              autoComplete="new-password"
              maxLength={256}
            />
          </label>
          <label className="field">
            <span>
              {t.settings.session}
              {profile && (
                <em className="muted">
                  {' '}
                  ({profile.hasSession ? t.settings.secretSet : t.settings.secretUnset})
                </em>
              )}
            </span>
            <input
              type="password"
              value={session}
              onChange={(e) => setSession(e.target.value)}
              autoComplete="new-password"
              maxLength={512}
            />
          </label>
        </div>
      </fieldset>
      {error && (
        <p className="inline-error" role="alert">
          <strong>{t.errors.kinds[error.kind]}</strong> — {pick(error.message)}
        </p>
      )}
      <div className="modal-actions">
        <button type="button" className="button" onClick={onCancel}>
          {t.common.cancel}
        </button>
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? t.common.saving : t.common.save}
        </button>
      </div>
    </form>
  );
}

type PrefDraft = Record<
  'retentionDays' | 'imageRetentionDays' | 'auditRetentionDays' | 'expiringSoonDays' | 'watermarkText',
  string
> & { downloadImagesByDefault: boolean };

const prefDraft = (p: Preferences): PrefDraft => ({
  retentionDays: String(p.retentionDays),
  imageRetentionDays: p.imageRetentionDays === null ? '' : String(p.imageRetentionDays),
  auditRetentionDays: String(p.auditRetentionDays),
  expiringSoonDays: String(p.expiringSoonDays),
  watermarkText: p.watermarkText,
  downloadImagesByDefault: p.downloadImagesByDefault,
});

function PreferencesPanel() {
  const { t, pick } = useI18n();
  const app = useApp();
  const prefs = app.status.preferences;
  const [d, setD] = useState<PrefDraft>(() => prefDraft(prefs));
  const [error, setError] = useState<ClearanceError | null>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof PrefDraft>(k: K, v: PrefDraft[K]) => setD((cur) => ({ ...cur, [k]: v }));

  const setLanguage = async (language: Lang) => {
    const r = await invoke('settings.setPreferences', { language });
    if (r.ok) app.setStatus({ ...app.status, preferences: r.value });
    else app.notifyError(r.error);
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const r = await invoke('settings.setPreferences', {
      retentionDays: Number(d.retentionDays),
      imageRetentionDays: d.imageRetentionDays.trim() === '' ? null : Number(d.imageRetentionDays),
      auditRetentionDays: Number(d.auditRetentionDays),
      expiringSoonDays: Number(d.expiringSoonDays),
      watermarkText: d.watermarkText,
      downloadImagesByDefault: d.downloadImagesByDefault,
    });
    setBusy(false);
    if (!r.ok) {
      setError(r.error);
      return;
    }
    setError(null);
    setD(prefDraft(r.value));
    app.setStatus({ ...app.status, preferences: r.value });
    app.notify('success', t.common.saved);
  };

  const purge = async () => {
    const yes = await app.confirm({
      title: t.settings.purgeTitle,
      body: t.settings.purgeBody,
      confirmLabel: t.settings.purge,
      danger: true,
    });
    if (!yes) return;
    const r = await invoke('vault.purge', {});
    if (r.ok) app.notify('success', t.settings.purged(r.value.records, r.value.images, r.value.audit));
    else app.notifyError(r.error);
  };

  return (
    <section className="panel" aria-labelledby="prefs-title">
      <h2 id="prefs-title" className="panel-title">
        {t.settings.preferences}
      </h2>
      <label className="field field-inline">
        <span>{t.settings.language}</span>
        <select value={prefs.language} onChange={(e) => setLanguage(e.target.value as Lang)}>
          <option value="zh-CN" lang="zh-CN">
            简体中文
          </option>
          <option value="en-US" lang="en">
            English
          </option>
        </select>
      </label>
      <form onSubmit={save}>
        <div className="form-grid">
          <NumberField
            label={t.settings.retentionDays}
            value={d.retentionDays}
            onChange={(v) => set('retentionDays', v)}
            min={1}
            max={3650}
          />
          <NumberField
            label={t.settings.imageRetentionDays}
            value={d.imageRetentionDays}
            onChange={(v) => set('imageRetentionDays', v)}
            min={1}
            max={3650}
            optional
          />
          <NumberField
            label={t.settings.auditRetentionDays}
            value={d.auditRetentionDays}
            onChange={(v) => set('auditRetentionDays', v)}
            min={30}
            max={3650}
          />
          <NumberField
            label={t.settings.expiringSoonDays}
            value={d.expiringSoonDays}
            onChange={(v) => set('expiringSoonDays', v)}
            min={1}
            max={365}
          />
          <label className="field">
            <span>{t.settings.watermarkText}</span>
            <input
              value={d.watermarkText}
              onChange={(e) => set('watermarkText', e.target.value)}
              required
              maxLength={40}
            />
          </label>
          <label className="check field-check">
            <input
              type="checkbox"
              checked={d.downloadImagesByDefault}
              onChange={(e) => set('downloadImagesByDefault', e.target.checked)}
            />
            {t.settings.downloadImagesByDefault}
          </label>
        </div>
        {error && (
          <p className="inline-error" role="alert">
            <strong>{t.errors.kinds[error.kind]}</strong> — {pick(error.message)}
          </p>
        )}
        <div className="toolbar">
          <button type="submit" className="button button-primary" disabled={busy}>
            {t.settings.savePreferences}
          </button>
          <span className="spacer" />
          <button type="button" className="button button-danger-quiet" onClick={purge}>
            {t.settings.purge}
          </button>
        </div>
      </form>
      <p className="muted small">{t.settings.version(app.status.version)}</p>
    </section>
  );
}

function NumberField({
  label,
  value,
  onChange,
  min,
  max,
  optional,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  min: number;
  max: number;
  optional?: boolean;
}) {
  return (
    <label className="field">
      <span>{label}</span>
      <input
        type="number"
        inputMode="numeric"
        min={min}
        max={max}
        step={1}
        value={value}
        required={!optional}
        onChange={(e) => onChange(e.target.value)}
      />
    </label>
  );
}

type AuditAction = NonNullable<RequestOf<'audit.list'>['action']>;
const ACTIONS: AuditAction[] = ['fetch', 'reveal', 'copy', 'export', 'print', 'forget', 'purge', 'batch'];

function AuditPanel() {
  const { t, dateTime, pick } = useI18n();
  const [action, setAction] = useState<AuditAction | ''>('');
  const [orderId, setOrderId] = useState('');
  const [since, setSince] = useState('');
  const [rows, setRows] = useState<AuditRow[] | null>(null);
  const [error, setError] = useState<ClearanceError | null>(null);

  const load = useCallback(async () => {
    const id = orderId.trim();
    const r = await invoke('audit.list', {
      limit: 300,
      ...(action ? { action } : {}),
      ...(/^\d{1,20}$/.test(id) ? { orderId: id } : {}),
      ...(since ? { since } : {}),
    });
    if (r.ok) {
      setRows(r.value);
      setError(null);
    } else setError(r.error);
  }, [action, orderId, since]);

  useEffect(() => {
    const timer = setTimeout(() => void load(), 200);
    return () => clearTimeout(timer);
  }, [load]);

  const actionName = (a: string) =>
    ACTIONS.includes(a as AuditAction) ? t.settings.auditActions[a as AuditAction] : a;

  return (
    <section className="panel" aria-labelledby="audit-title">
      <div className="panel-head">
        <h2 id="audit-title" className="panel-title">
          {t.settings.audit}
        </h2>
        <button type="button" className="button" onClick={() => void load()}>
          {t.card.refresh}
        </button>
      </div>
      <div className="toolbar">
        <label className="field field-inline">
          <span>{t.settings.auditAction}</span>
          <select value={action} onChange={(e) => setAction(e.target.value as AuditAction | '')}>
            <option value="">{t.settings.auditAll}</option>
            {ACTIONS.map((a) => (
              <option key={a} value={a}>
                {t.settings.auditActions[a]}
              </option>
            ))}
          </select>
        </label>
        <label className="field field-inline">
          <span>{t.settings.auditOrder}</span>
          <input
            value={orderId}
            onChange={(e) => setOrderId(e.target.value)}
            inputMode="numeric"
            className="mono"
            size={20}
          />
        </label>
        <label className="field field-inline">
          <span>{t.settings.auditSince}</span>
          <input type="date" value={since} onChange={(e) => setSince(e.target.value)} />
        </label>
      </div>
      {error ? (
        <p className="inline-error" role="alert">
          {pick(error.message)}
        </p>
      ) : rows === null ? (
        <p className="muted">{t.common.loading}</p>
      ) : rows.length === 0 ? (
        <p className="muted">{t.settings.auditEmpty}</p>
      ) : (
        <div className="audit-scroll">
          <table className="audit-table">
            <caption className="visually-hidden">{t.settings.audit}</caption>
            <thead>
              <tr>
                <th scope="col">{t.settings.auditCols.at}</th>
                <th scope="col">{t.settings.auditCols.action}</th>
                <th scope="col">{t.settings.auditCols.orders}</th>
                <th scope="col">{t.settings.auditCols.user}</th>
                <th scope="col">{t.settings.auditCols.profile}</th>
                <th scope="col">{t.settings.auditCols.detail}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td className="nowrap">{dateTime(r.at)}</td>
                  <td>
                    <span className={`tag tag-action-${r.action}`}>{actionName(r.action)}</span>
                  </td>
                  <td className="mono">
                    {r.orderIds.slice(0, 3).join(', ')}
                    {r.orderIds.length > 3 ? ` ${t.settings.moreOrders(r.orderIds.length - 3)}` : ''}
                  </td>
                  <td>
                    {r.osUser}@{r.host}
                  </td>
                  <td>{r.profile ?? '—'}</td>
                  <td className="muted small">
                    {Object.entries(r.detail)
                      .map(([k, v]) => `${k}: ${String(v)}`)
                      .join(' · ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
