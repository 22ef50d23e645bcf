import { type FormEvent, useId, useState } from 'react';
import { invoke } from '../../api';
import { useAction } from '../../hooks/useAction';
import { useI18n } from '../../i18n';
import { useApp } from '../../state';
import {
  CHECK_DEFAULTS,
  type ChecksDraft,
  type ChecksErrors,
  draftOf,
  fenToYuan,
  readChecks,
} from './checkLimits';

type Key = keyof ChecksDraft;

/**
 * The checks before declaring: the per-order and annual limits (typed in yuan), the shared-ID
 * count and the waiting list's recheck interval. Saved through the preferences; main reads them
 * on every check, so the next card, list or export uses them without a restart.
 */
export function ChecksPanel() {
  const { t, pick } = useI18n();
  const x = t.checks;
  const app = useApp();
  const [d, setD] = useState<ChecksDraft>(() => draftOf(app.status.preferences));
  const [errors, setErrors] = useState<ChecksErrors>({});
  const { busy, error, run } = useAction();
  const ids = useId();
  const set = (k: Key, v: string) => {
    setD((cur) => ({ ...cur, [k]: v }));
    setErrors((cur) => ({ ...cur, [k]: undefined }));
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const read = readChecks(d, x);
    if (!read.ok) {
      setErrors(read.errors);
      // The first field with a problem takes the focus, as a screen reader user expects.
      const first = (Object.keys(d) as Key[]).find((k) => read.errors[k]);
      if (first) document.getElementById(`${ids}-${first}`)?.focus();
      return;
    }
    const saved = await run(() => invoke('settings.setPreferences', read.value));
    if (!saved) return;
    setD(draftOf(saved));
    app.setStatus({ ...app.status, preferences: saved });
    app.notify('success', t.common.saved);
  };

  const field = (k: Key, label: string, inputMode: 'decimal' | 'numeric') => (
    <label className="field">
      <span>{label}</span>
      <input
        id={`${ids}-${k}`}
        inputMode={inputMode}
        value={d[k]}
        onChange={(e) => set(k, e.target.value)}
        aria-invalid={errors[k] ? true : undefined}
        aria-describedby={errors[k] ? `${ids}-${k}-error` : undefined}
        required
      />
      {errors[k] && (
        <strong className="inline-error" id={`${ids}-${k}-error`}>
          {errors[k]}
        </strong>
      )}
    </label>
  );

  const qps = app.status.activeProfile?.qps ?? null;
  return (
    <section className="panel" aria-labelledby={`${ids}-title`} data-testid="checks-panel">
      <h2 id={`${ids}-title`} className="panel-title">
        {x.title}
      </h2>
      <p className="muted small">{x.intro}</p>
      <form onSubmit={save} noValidate>
        <div className="form-grid">
          {field('orderLimitFen', x.orderLimit, 'decimal')}
          {field('annualLimitFen', x.annualLimit, 'decimal')}
          {field('sharedIdNames', x.sharedIdNames, 'numeric')}
          {field('waitingRecheckMinutes', x.recheck, 'numeric')}
        </div>
        <p className="hint">{x.recheckHint(qps)}</p>
        <p className="hint">{x.declarationHint}</p>
        {error && (
          <p className="inline-error" role="alert">
            <strong>{t.errors.kinds[error.kind]}</strong> — {pick(error.message)}
          </p>
        )}
        <div className="toolbar">
          <button type="submit" className="button button-primary" disabled={busy}>
            {x.save}
          </button>
          <button
            type="button"
            className="button"
            onClick={() => {
              setErrors({});
              setD({
                orderLimitFen: fenToYuan(CHECK_DEFAULTS.orderLimitFen),
                annualLimitFen: fenToYuan(CHECK_DEFAULTS.annualLimitFen),
                sharedIdNames: String(CHECK_DEFAULTS.sharedIdNames),
                waitingRecheckMinutes: String(CHECK_DEFAULTS.waitingRecheckMinutes),
              });
            }}
          >
            {x.defaults}
          </button>
        </div>
      </form>
    </section>
  );
}
