import { type FormEvent, useState } from 'react';
import type { Preferences } from '../../../../electron/contract';
import { FIELD, RETENTION } from '../../../../electron/core/rules';
import { invoke, type Lang } from '../../api';
import { useAction } from '../../hooks/useAction';
import { errorTitle, useI18n } from '../../i18n';
import { beepProblem, problemSoundOn, setProblemSound } from '../../sound';
import { useApp } from '../../state';
import { NumberField } from './fields';

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

/** Language (applies at once), retention, watermark and image defaults (saved together), purge. */
export function PreferencesPanel() {
  const { t, pick } = useI18n();
  const app = useApp();
  const prefs = app.status.preferences;
  const [d, setD] = useState<PrefDraft>(() => prefDraft(prefs));
  const { busy, error, run, setError } = useAction();
  const [sound, setSound] = useState(problemSoundOn);
  const set = <K extends keyof PrefDraft>(k: K, v: PrefDraft[K]) => {
    setD((cur) => ({ ...cur, [k]: v }));
    // A refused watermark's message goes once the text is being fixed.
    if (k === 'watermarkText' && error?.reason === 'export-watermark-invalid') setError(null);
  };

  const setLanguage = async (language: Lang) => {
    const r = await invoke('settings.setPreferences', { language });
    if (r.ok) app.setStatus({ ...app.status, preferences: r.value });
    else app.notifyError(r.error);
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const saved = await run(() =>
      invoke('settings.setPreferences', {
        retentionDays: Number(d.retentionDays),
        imageRetentionDays: d.imageRetentionDays.trim() === '' ? null : Number(d.imageRetentionDays),
        auditRetentionDays: Number(d.auditRetentionDays),
        expiringSoonDays: Number(d.expiringSoonDays),
        watermarkText: d.watermarkText,
        downloadImagesByDefault: d.downloadImagesByDefault,
      }),
    );
    if (!saved) return;
    setD(prefDraft(saved));
    app.setStatus({ ...app.status, preferences: saved });
    app.notify('success', t.common.saved);
  };

  const purge = async () => {
    const preview = await invoke('vault.purgePreview', {});
    if (!preview.ok) return app.notifyError(preview.error);
    const yes = await app.confirm({
      title: t.settings.purgeTitle,
      body: `${t.settings.purgeCount(preview.value.records, preview.value.retentionDays)} ${t.settings.purgeBody}`,
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
      <label className="check field-check">
        <input
          type="checkbox"
          checked={sound}
          onChange={(e) => {
            setProblemSound(e.target.checked);
            setSound(e.target.checked);
            if (e.target.checked) beepProblem();
          }}
        />
        {t.settings.problemSound}
      </label>
      <form onSubmit={save}>
        <div className="form-grid">
          <NumberField
            label={t.settings.retentionDays}
            value={d.retentionDays}
            onChange={(v) => set('retentionDays', v)}
            min={RETENTION.retentionDays.min}
            max={RETENTION.retentionDays.max}
          />
          <NumberField
            label={t.settings.imageRetentionDays}
            value={d.imageRetentionDays}
            onChange={(v) => set('imageRetentionDays', v)}
            min={RETENTION.imageRetentionDays.min}
            max={RETENTION.imageRetentionDays.max}
            optional
          />
          <NumberField
            label={t.settings.auditRetentionDays}
            value={d.auditRetentionDays}
            onChange={(v) => set('auditRetentionDays', v)}
            min={RETENTION.auditRetentionDays.min}
            max={RETENTION.auditRetentionDays.max}
          />
          <NumberField
            label={t.settings.expiringSoonDays}
            value={d.expiringSoonDays}
            onChange={(v) => set('expiringSoonDays', v)}
            min={RETENTION.expiringSoonDays.min}
            max={RETENTION.expiringSoonDays.max}
          />
          <label className="field">
            <span>{t.settings.watermarkText}</span>
            <input
              value={d.watermarkText}
              onChange={(e) => set('watermarkText', e.target.value)}
              required
              maxLength={FIELD.watermark.max}
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
            <strong>{errorTitle(t, error)}</strong> — {pick(error.message)}
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
