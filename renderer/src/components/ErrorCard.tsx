import { useContext, useEffect, useState } from 'react';
import type { ClearanceError } from '../api';
import { errorNext, errorTitle, useI18n } from '../i18n';
import { AppContext } from '../state';
import { AuthorizeDialog } from './AuthorizeDialog';

/** Counts down from `seconds` once a second; 0 when done. */
function useCountdown(seconds: number | undefined, key: unknown) {
  const [left, setLeft] = useState(seconds ?? 0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: restart when the error changes
  useEffect(() => {
    setLeft(seconds ?? 0);
    if (!seconds) return;
    const started = Date.now();
    const timer = setInterval(() => {
      const remaining = Math.max(0, seconds - Math.floor((Date.now() - started) / 1000));
      setLeft(remaining);
      if (remaining === 0) clearInterval(timer);
    }, 1000);
    return () => clearInterval(timer);
  }, [seconds, key]);
  return left;
}

const SESSION_REASONS = new Set<string>([
  'session-invalid',
  'session-missing',
  'auth-refresh-refused',
  'auth-no-refresh-token',
  'auth-code-invalid',
]);

/**
 * Technical codes inside a message ("（UND_ERR_SOCKET）", "(ECONNREFUSED)") move to a details line:
 * the sentence stays readable, the code stays available for support.
 */
export function splitTechnical(message: string): { text: string; codes: string[] } {
  const codes: string[] = [];
  const text = message
    .replace(/\s?[（(]([A-Z][A-Z0-9_]{3,}(?:[:：][^)）]{0,60})?)[)）]/g, (_, code: string) => {
      codes.push(code);
      return '';
    })
    .trim();
  return { text, codes };
}

/** A failed lookup in words: what went wrong (by kind), the gateway's message, and the next step. */
export function ErrorCard({
  error,
  orderText,
  onRetry,
  onOpenSettings,
  onEditInput,
}: {
  error: ClearanceError;
  orderText?: string;
  onRetry?: () => void;
  onOpenSettings?: () => void;
  onEditInput?: () => void;
}) {
  const { t, pick } = useI18n();
  // Read directly: the card also shows outside the app's context (tests, a start-up failure).
  const app = useContext(AppContext);
  const [authorizing, setAuthorizing] = useState(false);
  // A refused or missing session: the next step is the authorise button, not a trip to Settings.
  const reauthProfile = SESSION_REASONS.has(error.reason) ? (app?.status.activeProfile ?? null) : null;
  const message = splitTechnical(pick(error.message));
  const left = useCountdown(error.kind === 'throttled' ? error.retryAfterSeconds : undefined, error);
  const retryable = [
    'throttled',
    'transient',
    'network',
    'protocol',
    'keychain',
    'vault',
    'internal',
  ].includes(error.kind);
  return (
    <article className={`error-card kind-${error.kind}`} role="alert" data-kind={error.kind}>
      <header className="error-head">
        <span className="error-icon" aria-hidden="true">
          !
        </span>
        <div>
          <p className="error-eyebrow">
            {t.errors.title}
            {orderText ? ` · ${orderText}` : ''}
          </p>
          <h2 className="error-title">{errorTitle(t, error)}</h2>
        </div>
      </header>
      <p className="error-message">{message.text}</p>
      <p className="error-next">
        <strong>→ </strong>
        {errorNext(t, error)}
      </p>
      {error.kind === 'throttled' && error.retryAfterSeconds ? (
        <p className="countdown" aria-live="polite">
          {left > 0 ? t.errors.waitFor(left) : t.errors.canRetry}
        </p>
      ) : null}
      <div className="error-actions">
        {reauthProfile && (
          <button type="button" className="button button-primary" onClick={() => setAuthorizing(true)}>
            {pick({ 'zh-CN': '重新授权', 'en-US': 'Authorise again' })}
          </button>
        )}
        {authorizing && reauthProfile && (
          <AuthorizeDialog profile={reauthProfile} onClose={() => setAuthorizing(false)} />
        )}
        {(error.kind === 'auth' || error.kind === 'permission') && onOpenSettings && (
          <button
            type="button"
            className={`button ${reauthProfile ? '' : 'button-primary'}`}
            onClick={onOpenSettings}
          >
            {t.errors.openSettings}
          </button>
        )}
        {(error.kind === 'invalid-input' || error.kind === 'business') && onEditInput && (
          <button type="button" className="button button-primary" onClick={onEditInput}>
            {t.errors.checkInput}
          </button>
        )}
        {retryable && onRetry && (
          <button type="button" className="button" onClick={onRetry} disabled={left > 0}>
            {t.common.retry}
          </button>
        )}
      </div>
      {(error.requestId || error.reason || message.codes.length > 0) && (
        <dl className="error-ids">
          {message.codes.length > 0 && (
            <div>
              <dt>{t.common.technical}</dt>
              <dd className="mono">{message.codes.join(' · ')}</dd>
            </div>
          )}
          {error.requestId && (
            <div>
              <dt>{t.common.requestId}</dt>
              <dd className="mono selectable">{error.requestId}</dd>
            </div>
          )}
          <div>
            <dt>{t.common.reason}</dt>
            <dd className="mono">
              {error.reason}
              {error.subCode ? ` · ${error.subCode}` : error.code !== undefined ? ` · ${error.code}` : ''}
            </dd>
          </div>
        </dl>
      )}
    </article>
  );
}
