import type { ExportProgress } from '../../../electron/contract';
import { invoke } from '../api';
import { useI18n } from '../i18n';
import { useApp } from '../state';

/**
 * A finished export: every file written, and "open folder". Not a modal dialog: an export ends
 * while the desk may be scanning, and a dialog would take the scanner's keys.
 */
export function ExportDone({ done, onClose }: { done: ExportProgress; onClose: () => void }) {
  const { t } = useI18n();
  const app = useApp();
  const open = async () => {
    const r = await invoke('export.openFolder', { exportId: done.exportId });
    if (!r.ok) app.notifyError(r.error);
    else if (r.value.opened) app.notify('success', t.exportDialog.folderOpened);
  };
  return (
    <section className="export-done no-print" aria-labelledby="export-done-title" data-testid="export-done">
      <header className="export-done-head">
        <h2 id="export-done-title">{t.exportDialog.doneTitle}</h2>
        <button type="button" className="icon-button" aria-label={t.common.close} onClick={onClose}>
          <span aria-hidden="true">×</span>
        </button>
      </header>
      <p className="small">{t.exportDialog.doneFiles(done.files.length)}</p>
      <ul className="export-files mono small">
        {done.files.map((f) => (
          <li key={f}>{f}</li>
        ))}
      </ul>
      <button type="button" className="button button-primary" onClick={open}>
        {t.exportDialog.openFolder}
      </button>
    </section>
  );
}
