import { useCallback, useEffect, useRef, useState } from 'react';
import type { BatchProgress } from '../../../electron/contract';
import { invoke, subscribe } from '../api';
import { useAction } from '../hooks/useAction';
import { useI18n } from '../i18n';
import { useApp } from '../state';
import { type BatchDraft, BatchInput } from './batch/BatchInput';
import { JobList } from './batch/JobList';
import { JobPanel } from './batch/JobPanel';
import { type JobAction, LIVE } from './batch/shared';

/**
 * Batch lookups: paste or import ids, see what is valid before starting, then follow the job
 * (progress events from main) and its per-order status; pause, resume, cancel, export.
 */
export function BatchView() {
  const { t, lang } = useI18n();
  const app = useApp();
  const [draft, setDraft] = useState<BatchDraft>(() => ({
    text: '',
    needImage: app.status.preferences.downloadImagesByDefault,
    refresh: false,
  }));
  const [job, setJob] = useState<BatchProgress | null>(null);
  const [jobs, setJobs] = useState<BatchProgress[] | null>(null);
  const action = useAction();
  const { error, setError } = action;

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
  }, [setError]);

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

  const control = async (act: JobAction, target: BatchProgress) => {
    if (act === 'cancel') {
      // The job waits while the question is open; "keep running" picks it up again.
      const wasRunning = target.state === 'running';
      if (wasRunning) await invoke('batch.control', { jobId: target.jobId, action: 'pause' });
      const yes = await app.confirm({
        title: t.batch.cancelTitle,
        body: t.batch.cancelBody,
        confirmLabel: t.batch.cancel,
        cancelLabel: t.batch.keepRunning,
        danger: true,
      });
      if (!yes) {
        if (wasRunning) await control('resume', target);
        return;
      }
    }
    const r = await invoke('batch.control', { jobId: target.jobId, action: act });
    if (!r.ok) {
      app.notifyError(r.error);
      return;
    }
    setJob(r.value);
    setJobs((list) => list?.map((j) => (j.jobId === r.value.jobId ? r.value : j)) ?? list);
  };

  // The job's orders with a record (done, or skipped as already stored); its failed ones go into
  // the manifest with their reason, so the broker sees what is missing.
  const exportDone = async (target: BatchProgress) => {
    const ids: string[] = [];
    for (const state of ['done', 'skipped'] as const) {
      const r = await invoke('batch.doneIds', { jobId: target.jobId, state });
      if (!r.ok) return app.notifyError(r.error);
      ids.push(...r.value.orderIds);
    }
    if (ids.length) app.openExport(ids, { batchJob: target.jobId });
  };

  const copyFailed = async (target: BatchProgress) => {
    const r = await invoke('batch.doneIds', { jobId: target.jobId, state: 'failed' });
    if (!r.ok) {
      app.notifyError(r.error);
      return;
    }
    try {
      await navigator.clipboard.writeText(`${r.value.orderIds.join('\n')}\n`);
      app.notify('success', t.batch.copiedFailed(r.value.orderIds.length));
    } catch {
      app.notify('error', t.common.copyFailed);
    }
  };

  // Ctrl+Shift+P pauses or resumes the job on screen, Ctrl+Shift+X asks to cancel it.
  const keyTarget = useRef({ job, control });
  keyTarget.current = { job, control };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || !e.shiftKey || document.querySelector('dialog[open]')) return;
      const { job: j, control: c } = keyTarget.current;
      if (!j) return;
      const key = e.key.toLowerCase();
      if (key === 'p' && (j.state === 'running' || j.state === 'paused')) {
        e.preventDefault();
        void c(j.state === 'running' ? 'pause' : 'resume', j);
      } else if (key === 'x' && LIVE.includes(j.state)) {
        e.preventDefault();
        void c('cancel', j);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const history = jobs?.filter((j) => j.jobId !== job?.jobId) ?? null;

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
          onCopyFailed={() => copyFailed(job)}
          onNew={() => {
            setJob(null);
            void loadJobs();
          }}
        />
      ) : (
        <BatchInput draft={draft} onDraft={setDraft} action={action} onStarted={setJob} />
      )}

      <JobList
        jobs={history}
        onOpen={setJob}
        onResume={async (j) => {
          setJob(j);
          await control('resume', j);
        }}
      />
    </div>
  );
}
