import { useState } from 'react';
import { invoke } from '../api';
import { useAction } from '../hooks/useAction';
import { useI18n } from '../i18n';
import { useApp } from '../state';
import { Modal } from './Modal';

type Manifest = 'none' | 'csv' | 'xlsx';

/** Export options, then main asks where to save ('export.start'); progress arrives as events. */
export function ExportDialog({ orderIds, onClose }: { orderIds: string[] | 'all'; onClose: () => void }) {
  const { t } = useI18n();
  const app = useApp();
  const [mode, setMode] = useState<'combined' | 'per-order'>('combined');
  const [images, setImages] = useState(true);
  const [manifest, setManifest] = useState<Manifest>('none');
  const [mask, setMask] = useState(true);
  const { busy, run } = useAction(app.notifyError);
  const count = orderIds === 'all' ? 'all' : orderIds.length;

  const start = async () => {
    const started = await run(() => invoke('export.start', { orderIds, mode, images, manifest, mask }));
    if (started) onClose();
  };

  return (
    <Modal title={t.exportDialog.title} onClose={onClose}>
      <p className="modal-text strong">{t.exportDialog.count(count)}</p>
      <fieldset className="field-group">
        <legend>{t.exportDialog.mode}</legend>
        <label className="radio">
          <input
            type="radio"
            name="mode"
            checked={mode === 'combined'}
            onChange={() => setMode('combined')}
          />
          {t.exportDialog.combined}
        </label>
        <label className="radio">
          <input
            type="radio"
            name="mode"
            checked={mode === 'per-order'}
            onChange={() => setMode('per-order')}
          />
          {t.exportDialog.perOrder}
        </label>
      </fieldset>
      <label className="check">
        <input type="checkbox" checked={images} onChange={(e) => setImages(e.target.checked)} />
        {t.exportDialog.images}
      </label>
      <label className="check">
        <input type="checkbox" checked={mask} onChange={(e) => setMask(e.target.checked)} />
        {t.exportDialog.mask}
      </label>
      <p className="hint">{t.exportDialog.maskHint}</p>
      <label className="field">
        <span>{t.exportDialog.manifest}</span>
        <select value={manifest} onChange={(e) => setManifest(e.target.value as Manifest)}>
          <option value="none">{t.exportDialog.manifestNone}</option>
          <option value="csv">CSV</option>
          <option value="xlsx">Excel (XLSX)</option>
        </select>
      </label>
      <div className="modal-actions">
        <button type="button" className="button" onClick={onClose}>
          {t.common.cancel}
        </button>
        <button type="button" className="button button-primary" disabled={busy} onClick={start}>
          {t.exportDialog.start}
        </button>
      </div>
    </Modal>
  );
}
