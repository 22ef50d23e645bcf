import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import type { ProfileView, Reply } from '../../../../electron/contract';
import {
  FIELD,
  GATEWAY_NAMES,
  PROFILE_DEFAULTS,
  PROFILE_NAME_HTML_PATTERN,
  PROFILE_NAME_MAX,
  QPS,
} from '../../../../electron/core/rules';
import { invoke } from '../../api';
import { useAction } from '../../hooks/useAction';
import { useI18n } from '../../i18n';
import { useApp } from '../../state';

type SignMethod = ProfileView['signMethod'];
const PRESET_GATEWAYS = GATEWAY_NAMES;

export interface ProfileDraft {
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

/** What the form shows for a new account: the rules' defaults, as the command and the settings file apply them. */
export const NEW_PROFILE_DRAFT: ProfileDraft = {
  name: '',
  displayName: PROFILE_DEFAULTS.displayName,
  appKey: '',
  gatewayChoice: PROFILE_DEFAULTS.gateway,
  gatewayUrl: '',
  signMethod: PROFILE_DEFAULTS.signMethod,
  targetAppKey: '',
  sessionExpiresAt: '',
  qps: String(PROFILE_DEFAULTS.qps),
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

/** Add or edit an account; the secrets are write-only (never shown back, cleared after saving). */
export function ProfileForm({
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
  const [d, setD] = useState<ProfileDraft>(profile ? draftOf(profile) : NEW_PROFILE_DRAFT);
  // Secrets are write-only: never prefilled, cleared after saving.
  const [appSecret, setAppSecret] = useState('');
  const [session, setSession] = useState('');
  const { busy, error, run } = useAction();
  const titleId = useId();
  // The form opens on its first field you can type in (the id is fixed once the account exists).
  const first = useRef<HTMLInputElement>(null);
  const displayName = useRef<HTMLInputElement>(null);
  useEffect(() => {
    (profile ? displayName : first).current?.focus();
  }, [profile]);
  const set = <K extends keyof ProfileDraft>(k: K, v: ProfileDraft[K]) => setD((cur) => ({ ...cur, [k]: v }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const done = await run(async (): Promise<Reply<'saved' | 'secrets'>> => {
      const saved = await invoke('profile.save', {
        name: d.name.trim(),
        displayName: d.displayName.trim(),
        appKey: d.appKey.trim(),
        gateway: d.gatewayChoice === 'custom' ? d.gatewayUrl.trim() : d.gatewayChoice,
        signMethod: d.signMethod,
        targetAppKey: d.targetAppKey.trim() || null,
        sessionExpiresAt: d.sessionExpiresAt || null,
        qps: Math.max(QPS.min, Math.round(Number(d.qps)) || QPS.min),
      });
      if (!saved.ok) return saved;
      if (!appSecret && !session) return { ok: true, value: 'saved' };
      const r = await invoke('profile.setSecrets', {
        name: saved.value.name,
        ...(appSecret ? { appSecret } : {}),
        ...(session ? { session } : {}),
      });
      setAppSecret('');
      setSession('');
      return r.ok ? { ok: true, value: 'secrets' } : r;
    });
    if (!done) return;
    app.notify('success', done === 'secrets' ? t.settings.secretsSaved : t.common.saved);
    await onDone();
  };

  return (
    <form className="profile-form" onSubmit={submit} aria-labelledby={titleId}>
      <h3 id={titleId} className="sub-title">
        {profile ? t.settings.editProfile : t.settings.addProfile}
      </h3>
      <p className="hint">{t.settings.whereKeys}</p>
      <div className="form-grid">
        <label className="field">
          <span>{t.settings.name}</span>
          <input
            ref={first}
            value={d.name}
            onChange={(e) => set('name', e.target.value)}
            required
            disabled={profile !== null}
            maxLength={PROFILE_NAME_MAX}
            pattern={PROFILE_NAME_HTML_PATTERN}
            title={t.settings.nameRule}
            autoComplete="off"
          />
        </label>
        <label className="field">
          <span>{t.settings.displayName}</span>
          <input
            ref={displayName}
            value={d.displayName}
            onChange={(e) => set('displayName', e.target.value)}
            maxLength={FIELD.displayName.max}
          />
        </label>
        <label className="field">
          <span>{t.settings.appKey}</span>
          <input
            value={d.appKey}
            onChange={(e) => set('appKey', e.target.value)}
            required
            maxLength={FIELD.appKey.max}
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
            maxLength={FIELD.targetAppKey.max}
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
            min={QPS.min}
            max={QPS.max}
            step={1}
            value={d.qps}
            onChange={(e) => set('qps', e.target.value)}
          />
        </label>
      </div>
      <fieldset className="field-group secrets">
        <legend>{t.settings.secrets}</legend>
        <div className="form-grid">
          <SecretField
            label={t.settings.appSecret}
            isSet={profile?.hasSecret}
            value={appSecret}
            onChange={setAppSecret}
            max={FIELD.appSecret.max}
          />
          <SecretField
            label={t.settings.session}
            isSet={profile?.hasSession}
            value={session}
            onChange={setSession}
            max={FIELD.session.max}
          />
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

/** A write-only secret: typed in, never shown back; an existing profile says whether one is stored. */
function SecretField(p: {
  label: string;
  /** Whether one is stored; undefined for a new profile. */
  isSet: boolean | undefined;
  value: string;
  onChange: (v: string) => void;
  max: number;
}) {
  const { t } = useI18n();
  return (
    <label className="field">
      <span>
        {p.label}
        {p.isSet !== undefined && (
          <em className="muted"> ({p.isSet ? t.settings.secretSet : t.settings.secretUnset})</em>
        )}
      </span>
      <input
        type="password"
        value={p.value}
        onChange={(e) => p.onChange(e.target.value)}
        autoComplete="new-password"
        maxLength={p.max}
      />
    </label>
  );
}
