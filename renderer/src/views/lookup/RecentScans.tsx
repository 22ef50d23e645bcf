import { type KeyboardEvent, useRef } from 'react';
import { useI18n } from '../../i18n';
import type { RecentScan } from '../../problems';

/**
 * This session's last lookups with their outcome. F3 (handled by the view) puts the focus on the
 * newest; ↑ ↓ move, Enter or a click reopens (from the vault when it is stored there).
 */
export function RecentScans({
  scans,
  onReopen,
  listRef,
}: {
  scans: RecentScan[];
  onReopen: (orderId: string) => void;
  listRef: React.RefObject<HTMLOListElement | null>;
}) {
  const { t, time } = useI18n();
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);

  const onKey = (e: KeyboardEvent<HTMLButtonElement>, i: number) => {
    const to = e.key === 'ArrowDown' ? i + 1 : e.key === 'ArrowUp' ? i - 1 : null;
    if (to === null) return;
    e.preventDefault();
    buttons.current[Math.max(0, Math.min(scans.length - 1, to))]?.focus();
  };

  return (
    <aside className="recent-scans no-print" aria-labelledby="recent-title">
      <h2 id="recent-title" className="recent-title">
        {t.lookup.recent.title}
        <kbd>F3</kbd>
      </h2>
      {scans.length === 0 ? (
        <p className="muted small">{t.lookup.recent.empty}</p>
      ) : (
        <ol className="recent-list" ref={listRef}>
          {scans.map((s, i) => (
            <li key={s.orderId} className={`recent-row recent-${s.state}`} data-state={s.state}>
              <button
                type="button"
                className="recent-button"
                ref={(el) => {
                  buttons.current[i] = el;
                }}
                aria-label={`${t.lookup.recent.reopen(s.orderId)} · ${t.lookup.recent.states[s.state]}`}
                onClick={() => onReopen(s.orderId)}
                onKeyDown={(e) => onKey(e, i)}
              >
                <span className="recent-id mono">{s.orderId}</span>
                <span className={`recent-state state-scan-${s.state}`}>
                  {t.lookup.recent.states[s.state]}
                </span>
                <span className="recent-why muted small">
                  {s.problem ? t.lookup.problem[s.problem] : s.errorKind ? t.errors.kinds[s.errorKind] : ''}
                </span>
                <time className="recent-at muted small">{time(s.at)}</time>
              </button>
            </li>
          ))}
        </ol>
      )}
      <p className="hint">{t.lookup.recent.hint}</p>
    </aside>
  );
}
