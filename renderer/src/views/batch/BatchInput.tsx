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
        onLookup={(ids, label) => setPrepared({ valid: ids, duplicates: 0, invalid: [], fileName: label })}
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
          <div className="stat-row">
            <Stat label={t.batch.valid} value={prepared.valid.length} tone="ok" />
            <Stat label={t.batch.duplicates} value={prepared.duplicates} tone="warn" />
            <Stat label={t.batch.invalid} value={prepared.invalid.length} tone="bad" />
          </div>
          {prepared.invalid.length > 0 && (
            <details className="id-list">
              <summary>{t.batch.invalidList(prepared.invalid.length)}</summary>
              <ul className="invalid-list">
                {prepared.invalid.slice(0, 200).map((x) => (
                  <li key={x.line}>
                    <span className="muted">{t.batch.line(x.line)}</span>{' '}
                    <span className="mono">{x.preview || '—'}</span>
                  </li>
                ))}
              </ul>
            </details>
          )}
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
