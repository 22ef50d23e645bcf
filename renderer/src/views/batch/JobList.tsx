import type { BatchProgress } from '../../../../electron/contract';
import { useI18n } from '../../i18n';

/**
 * Every job kept in the vault, newest first, so a finished job is still there after a reload: its
 * state, when and from what it was made, its counts; a stopped or paused one can be continued, a
 * cancelled or finished one only viewed.
 */
export function JobList({
  jobs,
  onOpen,
  onResume,
}: {
  jobs: BatchProgress[] | null;
  onOpen: (job: BatchProgress) => void;
  onResume: (job: BatchProgress) => void;
}) {
  const { t, dateTime } = useI18n();
  return (
    <section className="panel" aria-labelledby="job-history-title">
      <h2 id="job-history-title" className="panel-title">
        {t.batch.history}
      </h2>
      {jobs === null ? (
        <p className="muted">{t.common.loading}</p>
      ) : jobs.length === 0 ? (
        <p className="muted">{t.batch.noJobs}</p>
      ) : (
        <ul className="job-list" aria-label={t.batch.history}>
          {jobs.map((j) => (
            <li key={j.jobId} className="job-row" data-job={j.jobId}>
              <span className="mono">{t.batch.job(j.jobId)}</span>
              <span className={`state state-${j.state}`}>{t.batch.states[j.state]}</span>
              <span className="muted">{dateTime(j.createdAt)}</span>
              <span className="muted">{t.batch.jobSource(j.source)}</span>
              <span className="muted">{t.batch.jobCounts(j.counts.done, j.total)}</span>
              <span className="spacer" />
              <button type="button" className="button" onClick={() => onOpen(j)}>
                {t.batch.open}
              </button>
              {(j.state === 'paused' || j.state === 'stopped') && (
                <button type="button" className="button" onClick={() => onResume(j)}>
                  {t.batch.resume}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
