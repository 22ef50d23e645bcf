import { useEffect, useState } from 'react';
import type { BatchProgress, BatchSummary } from '../../../../electron/contract';
import { invoke } from '../../api';
import { duration, useI18n } from '../../i18n';
import { ItemList } from './ItemList';
import { Stat } from './Stat';
import { type JobAction, LIVE } from './shared';

/** A job's progress, counts, controls and per-order list. */
export function JobPanel({
  job,
  onControl,
  onExport,
  onCopyFailed,
  onNew,
}: {
  job: BatchProgress;
  onControl: (a: JobAction) => void;
  onExport: () => void;
  onCopyFailed: () => void;
  onNew: () => void;
}) {
  const [failedOnly, setFailedOnly] = useState(false);
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
        <div className="stat stat-plain" data-testid="job-rate">
          {live ? (
            <>
              <span className="stat-value small">{t.batch.rate(job.callsPerSecond.toFixed(1))}</span>
              <span className="stat-label">
                {job.etaSeconds !== null && job.state === 'running'
                  ? t.batch.eta(duration(lang, job.etaSeconds))
                  : '—'}
              </span>
            </>
          ) : (
            // Once the job has ended, the live rate (last few seconds) means nothing: the average does.
            <>
              <span className="stat-value small">
                {t.batch.avgRate(job.averageCallsPerSecond.toFixed(1))}
              </span>
              <span className="stat-label">{t.batch.took(duration(lang, job.elapsedMs / 1000))}</span>
            </>
          )}
        </div>
      </div>
      {!live && <JobSummary job={job} />}
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
        {(job.state === 'paused' || job.state === 'stopped') && (
          <button type="button" className="button button-primary" onClick={() => onControl('resume')}>
            {t.batch.resume}
          </button>
        )}
        {live && (
          <button type="button" className="button button-danger-quiet" onClick={() => onControl('cancel')}>
            {t.batch.cancel}
          </button>
        )}
        {!live && job.state !== 'cancelled' && failed > 0 && (
          <button type="button" className="button button-primary" onClick={() => onControl('retry-failed')}>
            {t.batch.retryFailed(failed)}
          </button>
        )}
        <button type="button" className="button" onClick={onExport} disabled={done + skipped === 0}>
          {t.batch.exportDone}
        </button>
        {failed > 0 && (
          <>
            <button type="button" className="button" onClick={onCopyFailed}>
              {t.batch.copyFailed}
            </button>
            <label className="check">
              <input type="checkbox" checked={failedOnly} onChange={(e) => setFailedOnly(e.target.checked)} />
              {t.batch.failedOnly}
            </label>
          </>
        )}
        <span className="spacer" />
        {!live && (
          <button type="button" className="button" onClick={onNew}>
            {t.batch.newBatch}
          </button>
        )}
      </div>
      <ItemList
        key={failedOnly ? 'failed' : 'all'}
        job={job}
        only={failedOnly && failed > 0 ? 'failed' : null}
      />
    </section>
  );
}

/**
 * An ended job in words: what the finished orders' IDs look like (expired, failing the check),
 * what "skipped" means (already in the vault, with the stored records' validity), and the failures.
 */
export function JobSummary({ job }: { job: BatchProgress }) {
  const { t } = useI18n();
  const [summary, setSummary] = useState<BatchSummary | null>(null);
  const { done, failed, skipped } = job.counts;
  // biome-ignore lint/correctness/useExhaustiveDependencies: asked again when the finished counts change (a retry)
  useEffect(() => {
    let live = true;
    void invoke('batch.summary', { jobId: job.jobId }).then((r) => {
      if (live && r.ok) setSummary(r.value);
    });
    return () => {
      live = false;
    };
  }, [job.jobId, done, skipped]);
  const shown = summary?.jobId === job.jobId ? summary : null;
  return (
    <section className="job-summary" aria-label={t.batch.summaryTitle} data-testid="job-summary">
      <h3 className="sub-title">{t.batch.summaryTitle}</h3>
      <ul className="plain-list">
        {job.state === 'cancelled' && <li className="job-summary-cancelled">{t.batch.cancelledNote}</li>}
        {shown && (
          <li className={shown.done.expired + shown.done.invalid > 0 ? 'job-summary-problem' : ''}>
            {t.batch.summaryDone(done, shown.done.expired, shown.done.invalid)}
          </li>
        )}
        {shown && skipped > 0 && (
          <li className={shown.skipped.expired + shown.skipped.invalid > 0 ? 'job-summary-problem' : ''}>
            {t.batch.summarySkipped(skipped, shown.skipped.expired, shown.skipped.invalid)}
          </li>
        )}
        {failed > 0 && <li>{t.batch.summaryFailed(failed)}</li>}
      </ul>
    </section>
  );
}
