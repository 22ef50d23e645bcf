import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AppStatus, ExportProgress } from '../../electron/contract';
import { type ClearanceError, invoke, type Lang, subscribe } from './api';
import { ExportDone } from './components/ExportDone';
import { ConfirmDialog, Modal } from './components/Modal';
import { StatusBar } from './components/StatusBar';
import { errorTitle, I18nContext, makeI18n, useI18n } from './i18n';
import type { RecentScan } from './problems';
import {
  AppContext,
  type AppCtx,
  type CardActions,
  type ConfirmRequest,
  type Notice,
  useApp,
  VIEWS,
  type View,
} from './state';
import { LookupView } from './views/LookupView';

// The lookup view is all a clerk needs at start: the others are separate chunks, fetched once the
// desk is up (see preloadViews), so start-up parses less and a view switch never waits.
const loaders = {
  records: () => import('./views/RecordsView').then((m) => ({ default: m.RecordsView })),
  batch: () => import('./views/BatchView').then((m) => ({ default: m.BatchView })),
  settings: () => import('./views/SettingsView').then((m) => ({ default: m.SettingsView })),
  exportDialog: () => import('./components/ExportDialog').then((m) => ({ default: m.ExportDialog })),
};
const RecordsView = lazy(loaders.records);
const BatchView = lazy(loaders.batch);
const SettingsView = lazy(loaders.settings);
const ExportDialog = lazy(loaders.exportDialog);
function preloadViews() {
  for (const load of Object.values(loaders)) void load();
}

/** Loads the app status, then renders the desk; a failed start is shown, never a blank page. */
export function App() {
  const [status, setStatus] = useState<AppStatus | null>(null);
  const [error, setError] = useState<ClearanceError | null>(null);

  const load = useCallback(async () => {
    const r = await invoke('app.status', {});
    if (r.ok) setStatus(r.value);
    else setError(r.error);
  }, []);

  useEffect(() => {
    void load();
    return subscribe('app.status', setStatus);
  }, [load]);

  const lang = status?.preferences.language ?? 'zh-CN';
  const i18n = useMemo(() => makeI18n(lang), [lang]);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = i18n.t.appName;
  }, [lang, i18n]);

  return (
    <I18nContext.Provider value={i18n}>
      {status ? (
        <Desk status={status} setStatus={setStatus} />
      ) : (
        <div className="boot" role="status" aria-live="polite">
          {error ? (
            <div className="error-card" role="alert">
              <h1 className="error-title">{i18n.t.blocker}</h1>
              <p className="error-message">{i18n.pick(error.message)}</p>
              <button type="button" className="button" onClick={() => void load()}>
                {i18n.t.common.retry}
              </button>
            </div>
          ) : (
            <p>
              <span className="spinner" aria-hidden="true" /> {i18n.t.common.loading}
            </p>
          )}
        </div>
      )}
    </I18nContext.Provider>
  );
}

function Desk({ status, setStatus }: { status: AppStatus; setStatus: (s: AppStatus) => void }) {
  const { t, pick } = useI18n();
  const [view, setView] = useState<View>('lookup');
  const [online, setOnline] = useState(navigator.onLine);
  const [notices, setNotices] = useState<Notice[]>([]);
  const [confirmReq, setConfirmReq] = useState<(ConfirmRequest & { resolve: (b: boolean) => void }) | null>(
    null,
  );
  const [exportFor, setExportFor] = useState<{ ids: string[] | 'all'; batchJob?: string } | null>(null);
  const [exportProgress, setExportProgress] = useState<ExportProgress | null>(null);
  const [exportDone, setExportDone] = useState<ExportProgress | null>(null);
  const [help, setHelp] = useState(false);
  const [addProfileRequested, setAddProfileRequested] = useState(0);
  const lookupInput = useRef<HTMLInputElement | null>(null);
  const cardActions = useRef<CardActions | null>(null);
  const pendingOrder = useRef<string | null>(null);
  const recentScans = useRef<RecentScan[]>([]);
  const noticeId = useRef(0);

  useEffect(() => {
    // Once the desk is idle (the lookup bar focused and painted), fetch the other views.
    if (typeof requestIdleCallback !== 'function') return preloadViews();
    const id = requestIdleCallback(preloadViews, { timeout: 2000 });
    return () => cancelIdleCallback(id);
  }, []);

  useEffect(() => {
    const up = () => setOnline(true);
    const down = () => setOnline(false);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    return () => {
      window.removeEventListener('online', up);
      window.removeEventListener('offline', down);
    };
  }, []);

  const notify = useCallback((tone: Notice['tone'], text: string) => {
    const id = ++noticeId.current;
    setNotices((list) => [...list.slice(-3), { id, tone, text }]);
    setTimeout(() => setNotices((list) => list.filter((n) => n.id !== id)), tone === 'error' ? 9000 : 4000);
  }, []);

  useEffect(
    () =>
      subscribe('export.progress', (p) => {
        setExportProgress(p);
        if (p.state === 'finished') {
          setExportDone(p);
          for (const w of p.warnings) notify('info', pick(w));
        } else if (p.state === 'failed')
          // The reason travels as the event's one warning: say it, not only that it failed.
          notify(
            'error',
            p.warnings[0] ? `${t.exportDialog.failed}: ${pick(p.warnings[0])}` : t.exportDialog.failed,
          );
        else if (p.state === 'cancelled') notify('info', t.exportDialog.cancelled);
      }),
    [notify, t, pick],
  );

  const go = useCallback((v: View) => setView(v), []);
  // At once when the box is showing, so that digits typed right after F2 land in it; otherwise the
  // lookup view focuses it as it mounts.
  const focusLookup = useCallback(() => {
    setView('lookup');
    const box = lookupInput.current;
    if (box?.isConnected) {
      box.focus();
      box.select();
    }
  }, []);

  const ctx: AppCtx = useMemo(
    () => ({
      status,
      setStatus,
      online: online && status.online,
      view,
      go,
      notify,
      notifyError: (e) => notify('error', `${errorTitle(t, e)}: ${pick(e.message)}`),
      confirm: (req) => new Promise<boolean>((resolve) => setConfirmReq({ ...req, resolve })),
      openExport: (ids, opts) =>
        setExportFor({ ids, ...(opts?.batchJob ? { batchJob: opts.batchJob } : {}) }),
      lookupInput,
      focusLookup,
      cardActions,
      openOrder: (id) => {
        pendingOrder.current = id;
        setView('lookup');
      },
      pendingOrder,
      requestAddProfile: () => {
        setView('settings');
        setAddProfileRequested((n) => n + 1);
      },
      addProfileRequested,
      recentScans,
    }),
    [status, setStatus, online, view, go, notify, t, pick, focusLookup, addProfileRequested],
  );

  // Global shortcuts. Dialogs handle their own keys (Esc); these stay out of their way.
  const ctxRef = useRef(ctx);
  ctxRef.current = ctx;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const c = ctxRef.current;
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (e.key === 'F1') {
        e.preventDefault();
        setHelp((h) => !h);
        return;
      }
      if (document.querySelector('dialog[open]')) return;
      if (e.key === 'F2' || (mod && !e.shiftKey && key === 'l')) {
        e.preventDefault();
        c.focusLookup();
      } else if (e.altKey && !mod && /^[1-4]$/.test(e.key)) {
        e.preventDefault();
        c.go(VIEWS[Number(e.key) - 1] as View);
      } else if (mod && key === 'r') {
        // Never reload the page: Ctrl+R refreshes the card, Ctrl+Shift+R reveals.
        e.preventDefault();
        if (c.view !== 'lookup') return;
        if (e.shiftKey) c.cardActions.current?.reveal();
        else c.cardActions.current?.refresh();
      } else if (mod && !e.shiftKey && key === 'e' && c.view === 'lookup') {
        e.preventDefault();
        c.cardActions.current?.exportPdf();
      } else if (mod && e.shiftKey && (key === 'n' || key === 'c') && c.view === 'lookup') {
        e.preventDefault();
        if (key === 'n') c.cardActions.current?.copyName();
        else c.cardActions.current?.copyIdNumber();
      } else if (mod && !e.shiftKey && key === 'p') {
        e.preventDefault();
        if (c.view === 'lookup') c.cardActions.current?.print();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const firstRun = !status.hasProfiles && !status.demo;
  const enableDemo = async () => {
    const r = await invoke('demo.enable', {});
    if (r.ok) {
      setStatus(r.value);
      focusLookup();
    } else ctx.notifyError(r.error);
  };

  return (
    <AppContext.Provider value={ctx}>
      <div className={`app ${status.demo ? 'is-demo' : ''}`}>
        <header className="topbar no-print">
          <div className="brand">
            <span className="brand-mark" aria-hidden="true">
              清
            </span>
            <span className="brand-name">{t.appName}</span>
            {status.demo && (
              <span className="badge badge-demo" title={t.demoLong}>
                {t.demo}
              </span>
            )}
          </div>
          <nav aria-label={t.nav} className="tabs">
            {VIEWS.map((v, i) => (
              <button
                key={v}
                type="button"
                className={`tab ${view === v ? 'tab-active' : ''}`}
                aria-current={view === v ? 'page' : undefined}
                aria-keyshortcuts={`Alt+${i + 1}`}
                onClick={() => setView(v)}
              >
                {t.views[v]}
                <kbd className="tab-key">Alt+{i + 1}</kbd>
              </button>
            ))}
          </nav>
          <button
            type="button"
            className="button button-quiet help-button"
            onClick={() => setHelp(true)}
            aria-keyshortcuts="F1"
          >
            {t.status.help}
          </button>
        </header>

        {status.demo && (
          <div className="demo-strip no-print" role="note">
            {t.demoLong}
          </div>
        )}
        {status.blocker && (
          <div className="banner banner-error blocker no-print" role="alert">
            <strong>{t.blocker}:</strong> {pick(status.blocker.message)}
          </div>
        )}

        <main className="main" id="main">
          <h1 className="visually-hidden">{t.views[view]}</h1>
          <Suspense fallback={<div className="view-loading" role="status" aria-busy="true" />}>
            {firstRun && view !== 'settings' ? (
              <FirstRun onDemo={enableDemo} onAdd={ctx.requestAddProfile} />
            ) : view === 'lookup' ? (
              <LookupView />
            ) : view === 'records' ? (
              <RecordsView />
            ) : view === 'batch' ? (
              <BatchView />
            ) : (
              <SettingsView />
            )}
          </Suspense>
        </main>

        <StatusBar exportProgress={exportProgress} onHelp={() => setHelp(true)} />

        <div className="notices no-print" aria-live="polite">
          {notices.map((n) => (
            <div
              key={n.id}
              className={`notice notice-${n.tone}`}
              role={n.tone === 'error' ? 'alert' : 'status'}
            >
              {n.text}
            </div>
          ))}
        </div>

        {confirmReq && (
          <ConfirmDialog
            title={confirmReq.title}
            body={confirmReq.body}
            confirmLabel={confirmReq.confirmLabel}
            danger={confirmReq.danger ?? false}
            {...(confirmReq.cancelLabel ? { cancelLabel: confirmReq.cancelLabel } : {})}
            onAnswer={(yes) => {
              confirmReq.resolve(yes);
              setConfirmReq(null);
            }}
          />
        )}
        {exportDone && <ExportDone done={exportDone} onClose={() => setExportDone(null)} />}
        {exportFor && (
          <Suspense fallback={null}>
            <ExportDialog
              orderIds={exportFor.ids}
              {...(exportFor.batchJob ? { batchJob: exportFor.batchJob } : {})}
              onClose={() => setExportFor(null)}
            />
          </Suspense>
        )}
        {help && <HelpPanel onClose={() => setHelp(false)} />}
      </div>
    </AppContext.Provider>
  );
}

function FirstRun({ onDemo, onAdd }: { onDemo: () => void; onAdd: () => void }) {
  const { t } = useI18n();
  return (
    <section className="first-run" aria-labelledby="first-run-title">
      <span className="brand-mark brand-mark-large" aria-hidden="true">
        清
      </span>
      <h2 id="first-run-title">{t.firstRun.title}</h2>
      <p>{t.firstRun.body}</p>
      <LanguageSwitch />
      <div className="first-run-actions">
        <button type="button" className="button button-primary button-large" onClick={onDemo}>
          {t.firstRun.demo}
        </button>
        <button type="button" className="button button-large" onClick={onAdd}>
          {t.firstRun.add}
        </button>
      </div>
    </section>
  );
}

/** 中文 / English on the welcome card, before any setting was opened. */
function LanguageSwitch() {
  const { lang } = useI18n();
  const app = useApp();
  const choose = async (language: Lang) => {
    const r = await invoke('settings.setPreferences', { language });
    if (r.ok) app.setStatus({ ...app.status, preferences: r.value });
    else app.notifyError(r.error);
  };
  return (
    <fieldset className="lang-switch">
      <legend className="visually-hidden">语言 / Language</legend>
      {(
        [
          ['zh-CN', '中文'],
          ['en-US', 'English'],
        ] as const
      ).map(([code, label]) => (
        <button
          key={code}
          type="button"
          className={`button button-quiet ${lang === code ? 'button-selected' : ''}`}
          aria-pressed={lang === code}
          lang={code}
          onClick={() => void choose(code)}
        >
          {label}
        </button>
      ))}
    </fieldset>
  );
}

function HelpPanel({ onClose }: { onClose: () => void }) {
  const { t } = useI18n();
  return (
    <Modal title={t.help.title} onClose={onClose}>
      <table className="keys">
        <tbody>
          {t.help.keys.map(([k, what]) => (
            <tr key={k}>
              <th scope="row" className="key-name">
                <kbd>{k}</kbd>
              </th>
              <td className="key-what">{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  );
}
