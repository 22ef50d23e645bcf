import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { BatchItemView, BatchProgress, PreparedOrders } from '../../../electron/contract';
import { type ClearanceError, invoke, subscribe } from '../api';
import { duration, useI18n } from '../i18n';
import { useApp } from '../state';

type Prepared = PreparedOrders & { fileName?: string };

const ITEM_PAGE = 500;
const ITEM_HEIGHT = 36;
const LIVE: BatchProgress['state'][] = ['running', 'paused'];

/**
 * Batch lookups: paste or import ids, see what is valid before starting, then follow the job
 * (progress events from main) and its per-order status; pause, resume, cancel, export.
 */
export function BatchView() {
  const { t, lang } = useI18n();
  const app = useApp();
  const [text, setText] = useState('');
  const [prepared, setPrepared] = useState<Prepared | null>(null);
  const [columns, setColumns] = useState<{ fileName: string; columns: string[] } | null>(null);
  const [column, setColumn] = useState('');
  const [needImage, setNeedImage] = useState(app.status.preferences.downloadImagesByDefault);
  const [refresh, setRefresh] = useState(false);
  const [job, setJob] = useState<BatchProgress | null>(null);
  const [jobs, setJobs] = useState<BatchProgress[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ClearanceError | null>(null);

  const loadJobs = useCallback(async () => {
    const r = await invoke('batch.list', {});
    if (!r.ok) {
      setError(r.error);
      return;
    }
    setJobs(r.value);
    // Come back to a job that is still running (the view was left and opened again).
    const live = r.value.find((j) => LIVE.includes(j.state));
    if (live) setJob((cur) => cur ?? live);
  }, []);

  useEffect(() => {
    void loadJobs();
  }, [loadJobs]);

  const lastEvent = useRef(0);
  useEffect(
    () =>
      subscribe('batch.progress', (p) => {
        lastEvent.current = Date.now();
        setJob((cur) => (cur && cur.jobId === p.jobId ? p : cur));
        setJobs((list) => list?.map((j) => (j.jobId === p.jobId ? p : j)) ?? list);
      }),
    [],
  );

  // Events drive the progress; if they go quiet while a job is live, ask for it instead.
  const liveJobId = job && LIVE.includes(job.state) ? job.jobId : null;
  useEffect(() => {
    if (!liveJobId) return;
    const timer = setInterval(async () => {
      if (Date.now() - lastEvent.current < 1500) return;
      const r = await invoke('batch.list', {});
      const now = r.ok ? r.value.find((j) => j.jobId === liveJobId) : undefined;
      if (now) setJob((cur) => (cur && cur.jobId === now.jobId ? now : cur));
    }, 1000);
    return () => clearInterval(timer);
  }, [liveJobId]);

  const check = async () => {
    setBusy(true);
    const r = await invoke('batch.prepare', { text });
    setBusy(false);
    if (r.ok) {
      setPrepared(r.value);
      setError(null);
    } else setError(r.error);
  };

  const importFile = async (col?: string) => {
    setBusy(true);
    const r = await invoke('batch.importFile', col ? { column: col } : {});
    setBusy(false);
    if (!r.ok) {
      setError(r.error);
      return;
    }
    setError(null);
    const v = r.value;
    if ('cancelledByUser' in v) return;
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
    setBusy(true);
    const r = await invoke('batch.start', { orderIds: prepared.valid, needImage, refresh });
    setBusy(false);
    if (!r.ok) {
      setError(r.error);
      return;
    }
    setError(null);
    const total = prepared.valid.length;
    setJob({
      jobId: r.value.jobId,
      state: 'running',
      counts: { pending: total, running: 0, done: 0, failed: 0, skipped: 0 },
      total,
      callsPerSecond: 0,
      etaSeconds: null,
      stoppedBy: null,
    });
  };

  const control = async (action: 'pause' | 'resume' | 'cancel', target: BatchProgress) => {
    if (action === 'cancel') {
      const yes = await app.confirm({
        title: t.batch.cancelTitle,
        body: t.batch.cancelBody,
        confirmLabel: t.batch.cancel,
        danger: true,
      });
      if (!yes) return;
    }
    const r = await invoke('batch.control', { jobId: target.jobId, action });
    if (!r.ok) {
      app.notifyError(r.error);
      return;
    }
    setJob(r.value);
    setJobs((list) => list?.map((j) => (j.jobId === r.value.jobId ? r.value : j)) ?? list);
  };

  const exportDone = async (target: BatchProgress) => {
    const ids: string[] = [];
    for (let offset = 0; offset < target.total; offset += 1000) {
      const r = await invoke('batch.items', { jobId: target.jobId, offset, limit: 1000 });
      if (!r.ok) {
        app.notifyError(r.error);
        return;
      }
      for (const it of r.value.items) if (it.state === 'done') ids.push(it.orderId);
      if (r.value.items.length === 0) break;
    }
    if (ids.length) app.openExport(ids);
  };

  const unfinished = (jobs ?? []).filter(
    (j) =>
      j.jobId !== job?.jobId && (j.state === 'stopped' || j.state === 'paused' || j.state === 'cancelled'),
  );

  return (
    <div className="batch-view">
      {error && (
        <div className="banner banner-error" role="alert">
          <strong>{t.errors.kinds[error.kind]}</strong> {error.message[lang]}
        </div>
      )}

      {job ? (
        <JobPanel
          job={job}
          onControl={(a) => control(a, job)}
          onExport={() => exportDone(job)}
          onNew={() => {
            setJob(null);
            setPrepared(null);
            void loadJobs();
          }}
        />
      ) : (
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
                  setText(e.target.value);
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
                    onChange={(e) => setNeedImage(e.target.checked)}
                  />
                  {t.batch.needImage}
                </label>
                <label className="check">
                  <input type="checkbox" checked={refresh} onChange={(e) => setRefresh(e.target.checked)} />
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
      )}

      <section className="panel" aria-labelledby="unfinished-title">
        <h2 id="unfinished-title" className="panel-title">
          {t.batch.unfinished}
        </h2>
        {jobs === null ? (
          <p className="muted">{t.common.loading}</p>
        ) : unfinished.length === 0 ? (
          <p className="muted">{t.batch.noUnfinished}</p>
        ) : (
          <ul className="job-list">
            {unfinished.map((j) => (
              <li key={j.jobId} className="job-row">
                <span className="mono">{t.batch.job(j.jobId)}</span>
                <span className={`state state-${j.state}`}>{t.batch.states[j.state]}</span>
                <span className="muted">{t.batch.jobCounts(j.counts.done, j.total)}</span>
                <span className="spacer" />
                <button
                  type="button"
                  className="button"
                  onClick={async () => {
                    setJob(j);
                    await control('resume', j);
                  }}
                >
                  {t.batch.resume}
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function Stat({
  label,
  value,
  tone,
}: {
  label: string;
  value: number;
  tone: 'ok' | 'warn' | 'bad' | 'plain';
}) {
  return (
    <div className={`stat stat-${tone}`}>
      <span className="stat-value">{value.toLocaleString()}</span>
      <span className="stat-label">{label}</span>
    </div>
  );
}

function JobPanel({
  job,
  onControl,
  onExport,
  onNew,
}: {
  job: BatchProgress;
  onControl: (a: 'pause' | 'resume' | 'cancel') => void;
  onExport: () => void;
  onNew: () => void;
}) {
  const { t, lang, pick } = useI18n();
  const { done, failed, skipped } = job.counts;
  const finished = done + failed + skipped;
  const remaining = Math.max(0, job.total - finished);
  const pct = job.total ? Math.round((finished / job.total) * 1000) / 10 : 0;
  const live = LIVE.includes(job.state);

  return (
    <section className="panel" aria-labelledby="job-title">
      <div className="panel-head">
        <h2 id="job-title" className="panel-title">
          {t.batch.job(job.jobId)}
        </h2>
        <span className={`state state-${job.state}`} data-testid="job-state">
          {t.batch.states[job.state]}
        </span>
      </div>
      <div className="progress-wrap">
        <div
          className="progress"
          role="progressbar"
          aria-label={t.batch.progress}
          aria-valuemin={0}
          aria-valuemax={job.total}
          aria-valuenow={finished}
          aria-valuetext={`${finished} / ${job.total}`}
        >
          <div className="progress-done" style={{ width: `${job.total ? (done / job.total) * 100 : 0}%` }} />
          <div
            className="progress-failed"
            style={{ width: `${job.total ? ((failed + skipped) / job.total) * 100 : 0}%` }}
          />
        </div>
        <span className="progress-pct">{pct}%</span>
      </div>
      <div className="stat-row">
        <Stat label={t.batch.done} value={done} tone="ok" />
        <Stat label={t.batch.failed} value={failed} tone="bad" />
        {skipped > 0 && <Stat label={t.batch.skipped} value={skipped} tone="warn" />}
        <Stat label={t.batch.remaining} value={remaining} tone="plain" />
        <div className="stat stat-plain">
          <span className="stat-value small">{t.batch.rate(job.callsPerSecond.toFixed(1))}</span>
          <span className="stat-label">
            {job.etaSeconds !== null && job.state === 'running'
              ? t.batch.eta(duration(lang, job.etaSeconds))
              : '—'}
          </span>
        </div>
      </div>
      {job.stoppedBy && (
        <div className="banner banner-error" role="alert">
          {t.batch.stoppedBy} <strong>{t.errors.kinds[job.stoppedBy.kind]}</strong> —{' '}
          {pick(job.stoppedBy.message)}
        </div>
      )}
      <div className="toolbar">
        {job.state === 'running' && (
          <button type="button" className="button" onClick={() => onControl('pause')}>
            {t.batch.pause}
          </button>
        )}
        {(job.state === 'paused' || job.state === 'stopped' || job.state === 'cancelled') && (
          <button type="button" className="button button-primary" onClick={() => onControl('resume')}>
            {t.batch.resume}
          </button>
        )}
        {live && (
          <button type="button" className="button button-danger-quiet" onClick={() => onControl('cancel')}>
            {t.batch.cancel}
          </button>
        )}
        <button type="button" className="button" onClick={onExport} disabled={done === 0}>
          {t.batch.exportDone}
        </button>
        <span className="spacer" />
        {!live && (
          <button type="button" className="button" onClick={onNew}>
            {t.batch.newBatch}
          </button>
        )}
      </div>
      <ItemList job={job} />
    </section>
  );
}

/** The per-order status, virtualised; visible pages are fetched again as progress arrives. */
function ItemList({ job }: { job: BatchProgress }) {
  const { t, pick } = useI18n();
  const pages = useRef(new Map<number, BatchItemView[]>());
  const [, setVersion] = useState(0);
  const scrollRef = useRef<HTMLElement>(null);
  const virtualizer = useVirtualizer({
    count: job.total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ITEM_HEIGHT,
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  const finished = job.counts.done + job.counts.failed + job.counts.skipped;

  // Progress events can come many times a second: refetch the visible pages at most every 400 ms.
  const lastFetch = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: refetch on progress and scroll
  useEffect(() => {
    const run = async () => {
      lastFetch.current = Date.now();
      for (let p = Math.floor(first / ITEM_PAGE); p <= Math.floor(last / ITEM_PAGE); p++) {
        const r = await invoke('batch.items', { jobId: job.jobId, offset: p * ITEM_PAGE, limit: ITEM_PAGE });
        if (r.ok) pages.current.set(p, r.value.items);
      }
      setVersion((v) => v + 1);
    };
    const wait = Math.max(0, 400 - (Date.now() - lastFetch.current));
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void run(), wait);
    return () => {
      if (timer.current) clearTimeout(timer.current);
    };
  }, [job.jobId, first, last, finished, job.state]);

  const itemAt = (i: number) => pages.current.get(Math.floor(i / ITEM_PAGE))?.[i % ITEM_PAGE];

  return (
    <div className="item-list">
      <h3 className="sub-title">{t.batch.items}</h3>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard */}
      <section ref={scrollRef} className="item-scroll" aria-label={t.batch.items} tabIndex={0}>
        <ul className="table-inner plain-list" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((v) => {
            const it = itemAt(v.index);
            return (
              <li
                key={v.key}
                className={`item-row ${it ? `item-${it.state}` : ''}`}
                style={{ transform: `translateY(${v.start}px)`, height: ITEM_HEIGHT }}
              >
                {it ? (
                  <>
                    <span className="mono item-id">{it.orderId}</span>
                    <span className={`state state-item-${it.state}`}>{t.batch.itemStates[it.state]}</span>
                    <span className="item-message">
                      {it.errorKind
                        ? `${t.errors.kinds[it.errorKind]}${it.message ? ` — ${pick(it.message)}` : ''}`
                        : ''}
                    </span>
                  </>
                ) : (
                  <span className="skeleton" />
                )}
              </li>
            );
          })}
        </ul>
      </section>
    </div>
  );
}
