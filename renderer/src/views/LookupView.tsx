import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { CardView } from '../../../electron/contract';
import { type ClearanceError, invoke } from '../api';
import { ClearanceCard } from '../components/ClearanceCard';
import { ErrorCard } from '../components/ErrorCard';
import { useI18n } from '../i18n';
import { useApp } from '../state';

type Result =
  | { kind: 'card'; card: CardView }
  | { kind: 'error'; error: ClearanceError; input: string }
  | { kind: 'none' };

/**
 * The lookup bar and what it found. A scanner types digits then Enter, fast: the box never
 * disables, its text is selected on submit so the next scan replaces it, and only the
 * latest lookup's answer is shown.
 */
export function LookupView() {
  const { t } = useI18n();
  const app = useApp();
  const [text, setText] = useState('');
  const [result, setResult] = useState<Result>({ kind: 'none' });
  const [loading, setLoading] = useState<string | null>(null);
  const [inlineError, setInlineError] = useState<ClearanceError | null>(null);
  const seq = useRef(0);
  const errorId = useId();
  const needImage = app.status.preferences.downloadImagesByDefault;
  const input = app.lookupInput;

  const lookup = useCallback(
    async (raw: string, refresh: boolean) => {
      const value = raw.trim();
      if (!value) return;
      const mine = ++seq.current;
      setLoading(value);
      setInlineError(null);
      input.current?.select();
      const r = await invoke('lookup.get', { input: value, refresh, needImage });
      if (mine !== seq.current) return;
      setLoading(null);
      if (r.ok) setResult({ kind: 'card', card: r.value });
      else {
        // An unreadable id is a typing problem: the box says so too, next to where it is fixed.
        if (r.error.kind === 'invalid-input') setInlineError(r.error);
        setResult({ kind: 'error', error: r.error, input: value });
      }
      const box = input.current;
      if (box && document.activeElement !== box && !document.querySelector('dialog[open]')) box.focus();
      if (box && box.value === raw) box.select();
    },
    [needImage, input],
  );

  // An order opened from the records list.
  // biome-ignore lint/correctness/useExhaustiveDependencies: run once per mount
  useEffect(() => {
    const pending = app.pendingOrder.current;
    app.pendingOrder.current = null;
    if (pending) {
      setText(pending);
      void lookup(pending, false);
    }
    input.current?.focus();
  }, []);

  const currentId = result.kind === 'card' ? result.card.orderId : null;
  const refreshCard = useCallback(() => {
    const target = currentId ?? text;
    if (target) void lookup(target, true);
  }, [currentId, text, lookup]);

  const setNeedImage = async (value: boolean) => {
    const r = await invoke('settings.setPreferences', { downloadImagesByDefault: value });
    if (r.ok) app.setStatus({ ...app.status, preferences: r.value });
    else app.notifyError(r.error);
  };

  const { pick } = useI18n();
  return (
    <div className="lookup-view">
      <form
        className="lookup-bar"
        onSubmit={(e) => {
          e.preventDefault();
          void lookup(text, false);
        }}
      >
        <label className="lookup-field">
          <span className="lookup-label">{t.lookup.label}</span>
          <input
            ref={input}
            className="lookup-input mono"
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              if (inlineError) setInlineError(null);
            }}
            placeholder={t.lookup.placeholder}
            inputMode="numeric"
            autoComplete="off"
            spellCheck={false}
            aria-invalid={inlineError !== null}
            aria-describedby={inlineError ? errorId : undefined}
            aria-keyshortcuts="F2 Control+L"
          />
        </label>
        <div className="lookup-buttons">
          <button type="submit" className="button button-primary button-large">
            {t.lookup.submit}
          </button>
          <button
            type="button"
            className="button button-large"
            onClick={() => (text.trim() ? lookup(text, true) : refreshCard())}
            title={t.lookup.refreshHint}
          >
            {t.lookup.refresh}
          </button>
        </div>
        <label className="check lookup-toggle">
          <input type="checkbox" checked={needImage} onChange={(e) => setNeedImage(e.target.checked)} />
          {t.lookup.needImage}
        </label>
        {inlineError && (
          <p id={errorId} className="inline-error">
            {pick(inlineError.message)}
          </p>
        )}
      </form>

      <div className="lookup-result" aria-busy={loading !== null}>
        {loading && (
          <div className="loading-line" role="status">
            <span className="spinner" aria-hidden="true" />
            {t.lookup.looking(loading)}
          </div>
        )}
        {result.kind === 'card' && (
          <ClearanceCard
            card={result.card}
            onRefresh={refreshCard}
            onForgotten={() => {
              setResult({ kind: 'none' });
              app.focusLookup();
            }}
          />
        )}
        {result.kind === 'error' && (
          <ErrorCard
            error={result.error}
            orderText={result.input}
            onRetry={() => lookup(result.input, false)}
            onOpenSettings={() => app.go('settings')}
            onEditInput={() => app.focusLookup()}
          />
        )}
        {result.kind === 'none' && !loading && (
          <div className="empty-state">
            <ScanIcon />
            <h2>{t.lookup.emptyTitle}</h2>
            <p>{t.lookup.emptyBody}</p>
          </div>
        )}
      </div>
    </div>
  );
}

function ScanIcon() {
  return (
    <svg
      className="empty-icon"
      viewBox="0 0 48 48"
      width="56"
      height="56"
      aria-hidden="true"
      focusable="false"
    >
      <path
        d="M6 14V8a2 2 0 0 1 2-2h6M34 6h6a2 2 0 0 1 2 2v6M42 34v6a2 2 0 0 1-2 2h-6M14 42H8a2 2 0 0 1-2-2v-6"
        fill="none"
        stroke="currentColor"
        strokeWidth="2.5"
        strokeLinecap="round"
      />
      <path d="M14 16v16M19 16v16M23 16v16M28 16v16M34 16v16" stroke="currentColor" strokeWidth="2.5" />
    </svg>
  );
}
