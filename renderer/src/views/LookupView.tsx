import { useCallback, useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import type { CardView } from '../../../electron/contract';
import { type ClearanceError, invoke } from '../api';
import { ClearanceCard } from '../components/ClearanceCard';
import { ErrorCard } from '../components/ErrorCard';
import { DIALOG_CLOSED } from '../components/Modal';
import { useI18n } from '../i18n';
import { addRecent, cardProblem, cardProblems, errorProblem, type RecentScan } from '../problems';
import { beepProblem } from '../sound';
import { useApp } from '../state';
import { ProblemBanner } from './lookup/ProblemBanner';
import { RecentScans } from './lookup/RecentScans';

type Result =
  | { kind: 'card'; card: CardView }
  | { kind: 'error'; error: ClearanceError; input: string }
  | { kind: 'none' };

/** Where a typed digit belongs to its own field (the order box, or a field in a dialog). */
const TEXT_ENTRY =
  'input:not([type=checkbox]):not([type=radio]):not([type=button]), textarea, select, [contenteditable]';
/** What a click may land on without meaning "back to scanning". */
const INTERACTIVE = 'button, a, input, select, textarea, label, summary, [tabindex], dialog';

const setBoxValue = (box: HTMLInputElement, value: string) => {
  // Through the native setter and an input event, so that React's onChange sees it at once.
  Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set?.call(box, value);
  box.dispatchEvent(new Event('input', { bubbles: true }));
};

/**
 * The lookup bar and what it found. A scanner types digits then Enter (or Tab), fast: the box
 * never disables, its text is selected on submit so the next scan replaces it, only the latest
 * lookup's answer is shown, and the focus comes back to the box after every action, so that no
 * scan lands on a button (a scanner's Enter must never press "copy" a second time).
 */
export function LookupView() {
  const { t, pick } = useI18n();
  const app = useApp();
  const [text, setText] = useState('');
  const [result, setResult] = useState<Result>({ kind: 'none' });
  const [loading, setLoading] = useState<string | null>(null);
  const [inlineError, setInlineError] = useState<ClearanceError | null>(null);
  const [recent, setRecent] = useState<RecentScan[]>(() => app.recentScans.current ?? []);
  const seq = useRef(0);
  const lastSubmitted = useRef<string | null>(null);
  const recentList = useRef<HTMLOListElement>(null);
  const errorId = useId();
  const needImage = app.status.preferences.downloadImagesByDefault;
  const input = app.lookupInput;
  const shownId =
    result.kind === 'card' ? result.card.orderId : result.kind === 'error' ? result.input : null;
  const shownRef = useRef(shownId);
  shownRef.current = shownId;

  const focusBox = useCallback(() => {
    const box = input.current;
    if (!box || document.querySelector('dialog[open]')) return;
    box.focus();
    box.select();
  }, [input]);

  const remember = useCallback(
    (scan: RecentScan) => {
      const next = addRecent(app.recentScans.current ?? [], scan);
      app.recentScans.current = next;
      setRecent(next);
    },
    [app.recentScans],
  );

  const lookup = useCallback(
    async (raw: string, refresh: boolean) => {
      const value = raw.trim();
      if (!value) return;
      const mine = ++seq.current;
      lastSubmitted.current = value;
      setLoading(value);
      setInlineError(null);
      // Never leave the previous order's card under the new order id while this one runs.
      if (shownRef.current !== value) setResult({ kind: 'none' });
      input.current?.select();
      const r = await invoke('lookup.get', { input: value, refresh, needImage });
      if (mine !== seq.current) return;
      setLoading(null);
      const at = Date.now();
      if (r.ok) {
        setResult({ kind: 'card', card: r.value });
        const problem = cardProblem(r.value);
        remember({
          orderId: r.value.orderId,
          state: problem ? 'problem' : 'ok',
          problem,
          errorKind: null,
          at,
        });
        if (problem) beepProblem();
      } else {
        // An unreadable id is a typing problem: the box says so too, next to where it is fixed.
        if (r.error.kind === 'invalid-input') setInlineError(r.error);
        setResult({ kind: 'error', error: r.error, input: value });
        const problem = errorProblem(r.error);
        remember({
          orderId: value,
          state: problem ? 'problem' : 'failed',
          problem,
          errorKind: r.error.kind,
          at,
        });
        if (problem) beepProblem();
      }
      const box = input.current;
      if (box && document.activeElement !== box && !document.querySelector('dialog[open]')) box.focus();
      if (box && box.value.trim() === value) box.select();
    },
    [needImage, input, remember],
  );

  // Focus the box as the view appears (before the next key arrives, e.g. digits right after F2);
  // and show an order opened from the records list.
  // biome-ignore lint/correctness/useExhaustiveDependencies: run once per mount
  useLayoutEffect(() => {
    const pending = app.pendingOrder.current;
    app.pendingOrder.current = null;
    input.current?.focus();
    if (pending) {
      setText(pending);
      void lookup(pending, false);
    }
  }, []);

  // Digits typed while the focus is elsewhere on this view go to the box (a new scan), never to
  // a button; F3 jumps to the recent scans.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.altKey || e.metaKey || document.querySelector('dialog[open]')) return;
      const box = input.current;
      if (!box) return;
      if (e.key === 'F3') {
        e.preventDefault();
        recentList.current?.querySelector('button')?.focus();
        return;
      }
      if (!/^[0-9]$/.test(e.key) || document.activeElement === box) return;
      const active = document.activeElement;
      if (active instanceof HTMLElement && active.matches(TEXT_ENTRY)) return;
      e.preventDefault();
      e.stopPropagation();
      box.focus();
      setBoxValue(box, e.key);
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [input]);

  // After any dialog (zoom, export, confirm, help) the next scan goes to the box.
  useEffect(() => {
    const onClosed = () => requestAnimationFrame(focusBox);
    window.addEventListener(DIALOG_CLOSED, onClosed);
    return () => window.removeEventListener(DIALOG_CLOSED, onClosed);
  }, [focusBox]);

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

  const reopen = (orderId: string) => {
    setText(orderId);
    void lookup(orderId, false);
    focusBox();
  };

  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents lint/a11y/noStaticElementInteractions: a click on an empty area only puts the focus back in the order box; the keyboard has F2
    <div
      className="lookup-view"
      onClick={(e) => {
        const target = e.target as HTMLElement;
        if (target.closest(INTERACTIVE)) return;
        if (window.getSelection()?.toString()) return; // the user is selecting text to copy
        focusBox();
      }}
    >
      <div className="lookup-main">
        <form
          className="lookup-bar"
          onSubmit={(e) => {
            e.preventDefault();
            void lookup(input.current?.value ?? text, false);
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
              onKeyDown={(e) => {
                // Scanners set to end with Tab: a Tab after new input looks up, like Enter.
                const value = e.currentTarget.value.trim();
                if (
                  e.key === 'Tab' &&
                  !e.shiftKey &&
                  !e.ctrlKey &&
                  !e.altKey &&
                  value &&
                  value !== lastSubmitted.current
                ) {
                  e.preventDefault();
                  void lookup(value, false);
                }
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
              onClick={() => {
                if (text.trim()) void lookup(text, true);
                else refreshCard();
              }}
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
            <>
              <ProblemBanner problems={cardProblems(result.card)} orderId={result.card.orderId} />
              <ClearanceCard
                card={result.card}
                onRefresh={refreshCard}
                onForgotten={() => {
                  setResult({ kind: 'none' });
                  app.focusLookup();
                }}
                onAfterAction={focusBox}
              />
            </>
          )}
          {result.kind === 'error' && (
            <>
              {errorProblem(result.error) && (
                <ProblemBanner problems={['unknownOrder']} orderId={result.input} />
              )}
              <ErrorCard
                error={result.error}
                orderText={result.input}
                onRetry={() => lookup(result.input, false)}
                onOpenSettings={() => app.go('settings')}
                onEditInput={() => app.focusLookup()}
              />
            </>
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
      <RecentScans scans={recent} onReopen={reopen} listRef={recentList} />
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
