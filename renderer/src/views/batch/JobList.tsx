import type { BatchProgress } from '../../../../electron/contract';
import { useI18n } from '../../i18n';

/** Jobs left stopped, paused or cancelled, each with a way to continue it. */
export function JobList({
  jobs,
  onResume,
}: {
  jobs: BatchProgress[] | null;
  onResume: (job: BatchProgress) => void;
}) {
  const { t } = useI18n();
  return (
    <section className="panel" aria-labelledby="unfinished-title">
      <h2 id="unfinished-title" className="panel-title">
        {t.batch.unfinished}
      </h2>
      {jobs === null ? (
        <p className="muted">{t.common.loading}</p>
      ) : jobs.length === 0 ? (
        <p className="muted">{t.batch.noUnfinished}</p>
      ) : (
        <ul className="job-list">
          {jobs.map((j) => (
            <li key={j.jobId} className="job-row">
              <span className="mono">{t.batch.job(j.jobId)}</span>
              <span className={`state state-${j.state}`}>{t.batch.states[j.state]}</span>
              <span className="muted">{t.batch.jobCounts(j.counts.done, j.total)}</span>
              <span className="spacer" />
              <button type="button" className="button" onClick={() => onResume(j)}>
                {t.batch.resume}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
