import { useState } from 'react';
import type { BatchProgress } from '../../../../electron/contract';
import { invoke } from '../../api';
import { OrderSheetImport } from '../../components/OrderSheetImport';
import type { Action } from '../../hooks/useAction';
import { useI18n } from '../../i18n';
import { Stat } from './Stat';
import type { Prepared } from './shared';

/** What the user typed and chose; kept by the view so it survives a finished job's "new batch". */
export interface BatchDraft {
  text: string;
  needImage: boolean;
  refresh: boolean;
}

/**
 * Paste or import ids, see what is valid (and why the rest is not) before starting.
 * `action` is the view's: its errors show in the view's banner.
 */
export function BatchInput({
  draft,
  onDraft,
  action,
  onStarted,
}: {
  draft: BatchDraft;
  onDraft: (d: BatchDraft) => void;
  action: Action;
  onStarted: (job: BatchProgress) => void;
}) {
  const { t } = useI18n();
  const [prepared, setPrepared] = useState<Prepared | null>(null);
  const [columns, setColumns] = useState<{ fileName: string; columns: string[] } | null>(null);
  const [column, setColumn] = useState('');
  const { busy, run } = action;
  const { text, needImage, refresh } = draft;
  const set = <K extends keyof BatchDraft>(k: K, v: BatchDraft[K]) => onDraft({ ...draft, [k]: v });

  const check = async () => {
    const v = await run(() => invoke('batch.prepare', { text }));
    if (v) setPrepared(v);
  };

  const importFile = async (col?: string) => {
    const v = await run(() => invoke('batch.importFile', col ? { column: col } : {}));
    if (!v || 'cancelledByUser' in v) return;
    if (v.kind === 'choose-column') {
      setColumns({ fileName: v.fileName, columns: v.columns });
      setColumn(v.columns[0] ?? '');
      return;
    }
    setColumns(null);
    setPrepared(v);
  };

  const start = async () => {
    if (!prepared || prepared.valid.length === 0) return;
    const v = await run(() => invoke('batch.start', { orderIds: prepared.valid, needImage, refresh }));
    if (!v) return;
    const total = prepared.valid.length;
    onStarted({
      jobId: v.jobId,
      state: 'running',
      counts: { pending: total, running: 0, done: 0, failed: 0, skipped: 0 },
      total,
      callsPerSecond: 0,
      etaSeconds: null,
      stoppedBy: null,
      elapsedMs: 0,
      averageCallsPerSecond: 0,
      source: prepared.fileName ?? 'app',
      createdAt: new Date().toISOString(),
    });
  };

  return (
    <section className="panel" aria-labelledby="batch-input-title">
      <h2 id="batch-input-title" className="panel-title">
        {t.batch.title}
      </h2>
      <div className="batch-input">
        <label className="field field-block">
          <span>{t.batch.paste}</span>
          <textarea
            value={text}
            rows={8}
            onChange={(e) => {
              set('text', e.target.value);
              setPrepared(null);
            }}
            placeholder={t.batch.pastePlaceholder}
            spellCheck={false}
            className="mono"
          />
        </label>
        <div className="batch-input-actions">
          <button type="button" className="button" onClick={check} disabled={busy || !text.trim()}>
            {t.batch.check}
          </button>
          <button type="button" className="button" onClick={() => importFile()} disabled={busy}>
            {t.batch.importFile}
          </button>
        </div>
      </div>

      <OrderSheetImport
        onLookup={(ids, label) =>
          setPrepared({ valid: ids, duplicates: 0, invalid: [], skipped: [], column: null, fileName: label })
        }
      />

      {columns && (
        <div className="choose-column">
          <p>{t.batch.chooseColumn(columns.fileName)}</p>
          <label className="field">
            <span>{t.batch.column}</span>
            <select value={column} onChange={(e) => setColumn(e.target.value)}>
              {columns.columns.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="button button-primary" onClick={() => importFile(column)}>
            {t.batch.useColumn}
          </button>
        </div>
      )}

      {prepared && (
        <div className="prepared" aria-live="polite">
          {prepared.fileName && <p className="muted">{t.batch.fromFile(prepared.fileName)}</p>}
          {prepared.column && (
            <p className="muted" data-testid="column-used">
              {t.batch.columnUsed(prepared.column.number, prepared.column.name)}
            </p>
          )}
          <div className="stat-row">
            <Stat label={t.batch.valid} value={prepared.valid.length} tone="ok" />
            <Stat label={t.batch.duplicates} value={prepared.duplicates} tone="warn" />
            <Stat label={t.batch.invalid} value={prepared.invalid.length} tone="bad" />
            {prepared.skipped.length > 0 && (
              <Stat label={t.batch.skippedLines} value={prepared.skipped.length} tone="plain" />
            )}
          </div>
          <LeftOut prepared={prepared} />
          <div className="batch-options">
            <label className="check">
              <input
                type="checkbox"
                checked={needImage}
                onChange={(e) => set('needImage', e.target.checked)}
              />
              {t.batch.needImage}
            </label>
            <label className="check">
              <input type="checkbox" checked={refresh} onChange={(e) => set('refresh', e.target.checked)} />
              {t.batch.refresh}
            </label>
          </div>
          <button
            type="button"
            className="button button-primary button-large"
            onClick={start}
            disabled={busy || prepared.valid.length === 0}
          >
            {prepared.valid.length ? t.batch.start(prepared.valid.length) : t.batch.nothing}
          </button>
        </div>
      )}
    </section>
  );
}

/** Shown per group, at most this many line numbers (the count says how many more). */
const LINES_SHOWN = 30;

/**
 * Every line left out of the batch, grouped by why: the error table's words for an entry that is
 * not an order id (Excel's rounding included), and the heading or empty cell of a line skipped.
 */
export function LeftOut({ prepared }: { prepared: Prepared }) {
  const { t, pick } = useI18n();
  const total = prepared.invalid.length + prepared.skipped.length + prepared.duplicates;
  if (prepared.invalid.length + prepared.skipped.length === 0) return null;
  const byReason = new Map<string, { message: string; entries: { line: number; preview: string }[] }>();
  for (const x of prepared.invalid) {
    const g = byReason.get(x.reason) ?? { message: pick(x.message), entries: [] };
    g.entries.push(x);
    byReason.set(x.reason, g);
  }
  const byWhy = new Map<'heading' | 'empty-cell', number[]>();
  for (const x of prepared.skipped) byWhy.set(x.why, [...(byWhy.get(x.why) ?? []), x.line]);
  return (
    <div className="left-out" data-testid="left-out">
      <p>{t.batch.leftOut(total)}</p>
      <ul className="invalid-list">
        {[...byReason].map(([reason, g]) => (
          <li key={reason} data-reason={reason}>
            <strong>{g.entries.length}</strong> · {g.message}
            <div className="muted">
              {g.entries.slice(0, LINES_SHOWN).map((e) => (
                <span key={e.line} className="left-out-entry">
                  {t.batch.line(e.line)} <span className="mono">{e.preview || '—'}</span>
                </span>
              ))}
              {g.entries.length > LINES_SHOWN && <span>{t.batch.more(g.entries.length - LINES_SHOWN)}</span>}
            </div>
          </li>
        ))}
        {[...byWhy].map(([why, lines]) => (
          <li key={why} data-reason={why}>
            <strong>{lines.length}</strong> · {t.batch.skippedWhy[why]}
            <div className="muted">
              {t.batch.lines(lines.slice(0, LINES_SHOWN), Math.max(0, lines.length - LINES_SHOWN))}
            </div>
          </li>
        ))}
        {prepared.duplicates > 0 && (
          <li data-reason="duplicate">
            <strong>{prepared.duplicates}</strong> · {t.batch.duplicates}
          </li>
        )}
      </ul>
    </div>
  );
}
